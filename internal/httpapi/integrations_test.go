package httpapi_test

import (
	"net/http"
	"testing"
)

// TestSlackConnection connects workspaces by team id, as the local stack allows.
func TestSlackConnection(t *testing.T) {
	s := newServerWith(t, serverOptions{manualSlack: true})
	const path = "/api/v1/integrations/slack"
	wantProblem(t, s.do(http.MethodGet, path, "acme/admin", nil), http.StatusNotFound, "not_found", "")
	wantProblem(t, s.do(http.MethodPut, path, "acme/member", map[string]any{"teamId": "T0ACME", "allowedUserIds": []string{"U0A"}}),
		http.StatusForbidden, "forbidden", "")

	bad := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "acme", "allowedUserIds": []string{"U0A", "jdoe"}, "role": "owner"})
	wantProblem(t, bad, http.StatusBadRequest, "validation_failed", "teamId")
	wantProblem(t, bad, http.StatusBadRequest, "validation_failed", "allowedUserIds[1]")
	wantProblem(t, bad, http.StatusBadRequest, "validation_failed", "role")

	r := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0ACME", "allowedUserIds": []string{"U0A", "U0A", "W0B"}})
	if r.status != http.StatusOK || r.body["teamId"] != "T0ACME" || r.body["role"] != "member" {
		t.Fatalf("connect: %d %s", r.status, r.raw)
	}
	if users, _ := r.body["allowedUserIds"].([]any); len(users) != 2 {
		t.Errorf("allowedUserIds = %v, want the two distinct ids", r.body["allowedUserIds"])
	}
	if got := s.do(http.MethodGet, path, "acme/admin", nil); got.status != http.StatusOK || got.body["teamId"] != "T0ACME" {
		t.Errorf("get: %d %s", got.status, got.raw)
	}

	// The workspace belongs to acme now: globex cannot take it.
	wantProblem(t, s.do(http.MethodPut, path, "globex/admin", map[string]any{"teamId": "T0ACME", "allowedUserIds": []string{"U0C"}}),
		http.StatusConflict, "slack_team_taken", "")
	// acme moves to another workspace, which frees the first one.
	if r := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0ACME2", "allowedUserIds": []string{"U0A"}, "role": "viewer"}); r.status != http.StatusOK {
		t.Fatalf("reconnect: %d %s", r.status, r.raw)
	}
	if r := s.do(http.MethodPut, path, "globex/admin", map[string]any{"teamId": "T0ACME", "allowedUserIds": []string{"U0C"}}); r.status != http.StatusOK {
		t.Fatalf("globex connect after acme moved: %d %s", r.status, r.raw)
	}

	if r := s.do(http.MethodDelete, path, "acme/admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("disconnect: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do(http.MethodGet, path, "acme/admin", nil), http.StatusNotFound, "not_found", "")
	wantProblem(t, s.do(http.MethodDelete, path, "acme/admin", nil), http.StatusNotFound, "not_found", "")
	if r := s.do(http.MethodPut, path, "acme/admin", map[string]any{"teamId": "T0ACME2", "allowedUserIds": []string{"U0A"}}); r.status != http.StatusOK {
		t.Fatalf("connect again after disconnecting: %d %s", r.status, r.raw)
	}
}

func TestSettingsPageChangesAreRecordedAsWeb(t *testing.T) {
	s := newServer(t)
	r := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "web@acme.com"}, "X-Gatehouse-Source", "web")
	if r.status != http.StatusCreated || r.body["source"] != "web" {
		t.Fatalf("invite from the page: %d %s", r.status, r.raw)
	}
	r = s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "api@acme.com"}, "X-Gatehouse-Source", "slack")
	if r.body["source"] != "api" {
		t.Errorf("a claimed source other than web is recorded as %v, want api", r.body["source"])
	}
}

func TestSettingsRedirectStaysUnderTheStage(t *testing.T) {
	s := newServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(s.url + "/settings")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "settings/" {
		t.Errorf("GET /settings: %d Location %q, want 301 to the relative settings/", res.StatusCode, res.Header.Get("Location"))
	}
}
