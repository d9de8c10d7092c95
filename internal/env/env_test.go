package env

import (
	"log/slog"
	"strings"
	"testing"
)

func lookup(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadCommonReportsEveryProblem(t *testing.T) {
	_, err := LoadCommon(lookup(map[string]string{"DYNAMODB_ENDPOINT": "localhost:8000", "LOG_LEVEL": "loud", "METRICS_NAMESPACE": "AWS/Lambda"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"TABLE_NAME", "DYNAMODB_ENDPOINT", "LOG_LEVEL", "METRICS_NAMESPACE"} {
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
	if c.Table != "t" || c.Endpoint != "http://127.0.0.1:8000" || c.LogLevel != slog.LevelDebug || c.MetricsNamespace != "Gatehouse" {
		t.Errorf("config = %+v", c)
	}
	c, err = LoadCommon(lookup(map[string]string{"TABLE_NAME": "t", "METRICS_NAMESPACE": "Gatehouse/prod"}))
	if err != nil || c.MetricsNamespace != "Gatehouse/prod" {
		t.Errorf("METRICS_NAMESPACE=Gatehouse/prod: %q, %v", c.MetricsNamespace, err)
	}
}

func TestLoadAPIAllowedOrigins(t *testing.T) {
	a, err := LoadAPI(lookup(map[string]string{"TABLE_NAME": "t", "CORS_ALLOWED_ORIGINS": " https://portal.acme.com, http://localhost:8080 ,"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.AllowedOrigins) != 2 || a.AllowedOrigins[1] != "http://localhost:8080" {
		t.Errorf("origins = %q", a.AllowedOrigins)
	}
	_, err = LoadAPI(lookup(map[string]string{"CORS_ALLOWED_ORIGINS": "portal.acme.com,https://x.io/path"}))
	for _, want := range []string{"TABLE_NAME", "portal.acme.com", "https://x.io/path"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestLocalEndpointGetsPlaceholders(t *testing.T) {
	c, err := LoadCommon(lookup(map[string]string{"TABLE_NAME": "t", "DYNAMODB_ENDPOINT": "http://127.0.0.1:8000"}))
	if err != nil || !c.LocalCredentials || c.DefaultRegion != "us-east-1" {
		t.Errorf("local endpoint: %+v %v", c.Store, err)
	}
	c, _ = LoadCommon(lookup(map[string]string{"TABLE_NAME": "t", "DYNAMODB_ENDPOINT": "http://127.0.0.1:8000", "AWS_PROFILE": "dev", "AWS_REGION": "eu-west-1"}))
	if c.LocalCredentials || c.DefaultRegion != "" {
		t.Errorf("configured credentials overridden: %+v", c.Store)
	}
	c, _ = LoadCommon(lookup(map[string]string{"TABLE_NAME": "t"}))
	if c.LocalCredentials || c.DefaultRegion != "" {
		t.Errorf("AWS endpoint gets placeholders: %+v", c.Store)
	}
}

func TestLoadMailer(t *testing.T) {
	m, err := LoadMailer(lookup(map[string]string{"TABLE_NAME": "t", "SES_FROM": "Acme <invites@acme.com>", "PUBLIC_URL": "https://gh.acme.com/"}))
	if err != nil {
		t.Fatal(err)
	}
	if m.Rate != 14 || m.PublicURL != "https://gh.acme.com" || m.From != "Acme <invites@acme.com>" {
		t.Errorf("mailer config = %+v", m)
	}
	_, err = LoadMailer(lookup(map[string]string{"SES_FROM": "not an address", "SES_MAX_SEND_RATE": "fast", "SES_ENDPOINT": "localhost:8005"}))
	for _, want := range []string{"TABLE_NAME", "SES_FROM", "PUBLIC_URL", "SES_MAX_SEND_RATE", "SES_ENDPOINT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestLambdaLogLevel(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want slog.Level
		bad  bool
	}{
		{map[string]string{}, slog.LevelInfo, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "DEBUG"}, slog.LevelDebug, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, slog.LevelDebug, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN"}, slog.LevelWarn, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "FATAL"}, slog.LevelError, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN", "LOG_LEVEL": "debug"}, slog.LevelDebug, false},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "LOUD"}, slog.LevelInfo, true},
	}
	for _, tt := range tests {
		tt.vars["TABLE_NAME"] = "t"
		c, err := LoadCommon(lookup(tt.vars))
		if (err != nil) != tt.bad || c.LogLevel != tt.want {
			t.Errorf("LoadCommon(%v): level %v, err %v; want %v, error %v", tt.vars, c.LogLevel, err, tt.want, tt.bad)
		}
	}
}

func TestLoadWebhooks(t *testing.T) {
	w, err := LoadWebhooks(lookup(map[string]string{"TABLE_NAME": "t"}))
	if err != nil || w.From != "" {
		t.Fatalf("without SES_FROM: %+v %v; want no emails and no error", w, err)
	}
	w, err = LoadWebhooks(lookup(map[string]string{"TABLE_NAME": "t", "SES_FROM": "Acme <invites@acme.com>", "PUBLIC_URL": "https://gh.acme.com/"}))
	if err != nil || w.PublicURL != "https://gh.acme.com" || w.From != "Acme <invites@acme.com>" {
		t.Fatalf("LoadWebhooks = %+v, %v", w, err)
	}
	_, err = LoadWebhooks(lookup(map[string]string{"SES_FROM": "not an address", "SES_ENDPOINT": "localhost:8005"}))
	for _, want := range []string{"TABLE_NAME", "SES_FROM", "PUBLIC_URL", "SES_ENDPOINT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s named", err, want)
		}
	}
}
