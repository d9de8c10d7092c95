package env

import (
	"log/slog"
	"strings"
	"testing"
)

func lookup(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadCommonReportsEveryProblem(t *testing.T) {
	_, err := LoadCommon(lookup(map[string]string{"DYNAMODB_ENDPOINT": "localhost:8000", "LOG_LEVEL": "loud"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"TABLE_NAME", "DYNAMODB_ENDPOINT", "LOG_LEVEL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestLoadCommon(t *testing.T) {
	c, err := LoadCommon(lookup(map[string]string{"TABLE_NAME": "t", "DYNAMODB_ENDPOINT": "http://127.0.0.1:8000", "LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "t" || c.Endpoint != "http://127.0.0.1:8000" || c.LogLevel != slog.LevelDebug {
		t.Errorf("config = %+v", c)
	}
}
