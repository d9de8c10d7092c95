package hooks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRedactedURLShowsOnlyTheOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.acme.com":                     "https://hooks.acme.com",
		"https://hooks.acme.com/":                    "https://hooks.acme.com",
		"https://hooks.acme.com/services/T0/B0/XXXX": "https://hooks.acme.com/…",
		"https://hooks.acme.com?token=secret":        "https://hooks.acme.com/…",
		"https://hooks.acme.com/#secret":             "https://hooks.acme.com/…",
		"https://user:pass@hooks.acme.com:8443/x":    "https://hooks.acme.com:8443/…",
		"not a url": "(an unreadable URL)",
		"%zz":       "(an unreadable URL)",
	} {
		if got := redactedURL(raw); got != want {
			t.Errorf("redactedURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

type failingNotices struct{ fail map[string]bool }

func (f failingNotices) SendNotice(_ context.Context, to, _, _ string) (string, error) {
	if f.fail[to] {
		return "", errors.New("refused")
	}
	return "id", nil
}

func TestAdminNoticesTellEveryAdminAndCountFailures(t *testing.T) {
	e := Endpoint{ID: "whk_1", URL: "https://hooks.acme.com/x", UpdatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	admins := func(context.Context, string) ([]string, error) {
		return []string{"a@acme.com", "b@acme.com", "c@acme.com"}, nil
	}
	n := AdminNotices{Admins: admins, Sender: failingNotices{fail: map[string]bool{"b@acme.com": true}}}
	err := n.EndpointDisabled(context.Background(), "acme", e, "the endpoint answered 410 Gone")
	if err == nil || !strings.Contains(err.Error(), "1 of 3 admins not told") {
		t.Errorf("err = %v, want one admin of three named as not told", err)
	}
	n.Admins = func(context.Context, string) ([]string, error) { return nil, nil }
	if err := n.EndpointDisabled(context.Background(), "acme", e, "x"); err == nil || !strings.Contains(err.Error(), "no active admin") {
		t.Errorf("err = %v, want no admin to tell", err)
	}
	n.Admins = func(context.Context, string) ([]string, error) { return nil, errors.New("table unreachable") }
	if err := n.EndpointDisabled(context.Background(), "acme", e, "x"); err == nil || !strings.Contains(err.Error(), "table unreachable") {
		t.Errorf("err = %v, want the read's error", err)
	}
	_, text := disabledNotice("acme", e, "deliveries have failed for three days", "")
	if strings.Contains(text, "Settings page") || !strings.Contains(text, "PATCH /api/v1/webhooks/whk_1") {
		t.Errorf("without a Settings URL:\n%s", text)
	}
}
