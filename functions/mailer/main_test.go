package main

import (
	"context"
	"strings"
	"testing"
)

func TestFunctionRefusesIncompleteConfiguration(t *testing.T) {
	_, err := newFunction(context.Background(), func(string) string { return "" })
	for _, want := range []string{"TABLE_NAME", "SES_FROM", "PUBLIC_URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s named", err, want)
		}
	}
}
