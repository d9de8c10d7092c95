package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/connector/connectortest"
)

func TestDirectorySettingsOverTheAPI(t *testing.T) {
	s := newServer(t)
	const token = "00aOktaTokenNeverShown42"
	okta := connectortest.NewOkta(t, token)
	okta.SetGroup("00gadmins", "Portal Admins", connectortest.Person{ID: "00u1", Email: "ada@acme.com", First: "Ada", Last: "Lovelace"})
	directory := map[string]any{"provider": "okta", "domain": okta.URL, "apiToken": token,
		"groups": []any{map[string]any{"id": "00gadmins", "role": "admin"}}}

	// The test reads the first page without storing anything; members may not.
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/config/test", "acme/member", map[string]any{"directory": directory}), http.StatusForbidden, "forbidden", "")
	r := s.do(http.MethodPost, "/api/v1/sync/config/test", "acme/admin", map[string]any{"directory": directory})
	groups, _ := r.body["groups"].([]any)
	if r.status != http.StatusOK || r.body["ok"] != true || len(groups) != 1 || groups[0].(map[string]any)["name"] != "Portal Admins" {
		t.Fatalf("test: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do(http.MethodGet, "/api/v1/sync/config", "acme/admin", nil), http.StatusNotFound, "sync_not_configured", "")

	// Stored, the token shows as "set", in no answer.
	put := s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"directory": directory, "sendEmail": false})
	if put.status != http.StatusOK || strings.Contains(string(put.raw), token) {
		t.Fatalf("put: %d %s", put.status, put.raw)
	}
	get := s.do(http.MethodGet, "/api/v1/sync/config", "acme/admin", nil)
	dir, _ := get.body["directory"].(map[string]any)
	if get.status != http.StatusOK || dir["provider"] != "okta" || dir["apiToken"] != "set" || dir["domain"] != okta.URL || get.body["format"] != "okta-json" ||
		strings.Contains(string(get.raw), token) {
		t.Fatalf("get: %d %s", get.status, get.raw)
	}
	// The stored settings test without a body; a wrong token is an answer, not a failure.
	if r := s.do(http.MethodPost, "/api/v1/sync/config/test", "acme/admin", nil); r.status != http.StatusOK || r.body["ok"] != true {
		t.Fatalf("test stored: %d %s", r.status, r.raw)
	}
	directory["apiToken"] = "00aWrongToken123"
	r = s.do(http.MethodPost, "/api/v1/sync/config/test", "acme/admin", map[string]any{"directory": directory})
	if r.status != http.StatusOK || r.body["ok"] != false || !strings.Contains(r.body["error"].(string), "Invalid token provided") {
		t.Fatalf("test with a wrong token: %d %s", r.status, r.raw)
	}
	// A run reads the directory.
	run := s.do(http.MethodPost, "/api/v1/sync/runs", "acme/admin", nil)
	if run.status != http.StatusOK && run.status != http.StatusCreated {
		t.Fatalf("run: %d %s", run.status, run.raw)
	}
	if c, _ := run.body["counts"].(map[string]any); c == nil || c["invite"] != float64(1) {
		t.Fatalf("run: %s", run.raw)
	}
	// Problems are named by field.
	wantProblem(t, s.do(http.MethodPut, "/api/v1/sync/config", "acme/admin", map[string]any{"directory": map[string]any{"provider": "okta", "domain": "http://x.example"}}),
		http.StatusBadRequest, "validation_failed", "directory.domain")
}

func TestTokenLifecycleOverTheAPI(t *testing.T) {
	s := newServer(t)
	made := s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "short", "role": "viewer", "expiresInDays": 1})
	if made.status != http.StatusCreated || made.body["expiresAt"] == nil || made.body["expired"] != false {
		t.Fatalf("create: %d %s", made.status, made.raw)
	}
	s.tokens["acme/short"] = made.body["token"].(string)
	if r := s.do(http.MethodGet, "/api/v1/users", "acme/short", nil); r.status != http.StatusOK {
		t.Fatalf("a fresh token: %d", r.status)
	}
	s.clock.Add(25 * time.Hour)
	wantProblem(t, s.do(http.MethodGet, "/api/v1/users", "acme/short", nil), http.StatusUnauthorized, "token_expired", "")
	list := s.do(http.MethodGet, "/api/v1/tokens", "acme/admin", nil)
	if !strings.Contains(string(list.raw), `"expired":true`) || !strings.Contains(string(list.raw), `"lastUsedAt"`) {
		t.Errorf("list: %s", list.raw)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "long", "role": "viewer", "expiresInDays": 366}),
		http.StatusBadRequest, "invalid_expiry", "expiresInDays")
	wantProblem(t, s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", map[string]any{"name": "nobody's", "role": "viewer", "ownerId": "usr_nobody"}),
		http.StatusBadRequest, "invalid_owner", "ownerId")
}
