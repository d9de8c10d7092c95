package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAuditEntriesShowOnlyAnEndpointsOrigin: the audit log, which every role reads, names an
// endpoint by the origin of its URL, never the path or query, which often hold a secret.
func TestAuditEntriesShowOnlyAnEndpointsOrigin(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	rv.answer = func(int) int { return http.StatusGone }
	origin := rv.url
	rv.url += "/hooks/s3cret?token=s3cret"
	ep := s.endpoint(t, rv, "*")
	id := ep["id"].(string)
	if r := s.do(http.MethodPatch, "/api/v1/webhooks/"+id, "acme/admin", map[string]any{"url": origin + "/hooks/s3cret-too?token=s3cret"}); r.status != http.StatusOK {
		t.Fatalf("change url: %d %s", r.status, r.raw)
	}
	if r := s.do(http.MethodPatch, "/api/v1/webhooks/"+id, "acme/admin", map[string]any{"url": rv.url}); r.status != http.StatusOK {
		t.Fatalf("change url back: %d %s", r.status, r.raw)
	}
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	s.sweep(t) // the 410 disables the endpoint
	if r := s.do(http.MethodDelete, "/api/v1/webhooks/"+id, "acme/admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}

	audit := s.do(http.MethodGet, "/api/v1/audit-logs?limit=100", "acme/viewer", nil)
	if audit.status != http.StatusOK {
		t.Fatalf("audit log: %d %s", audit.status, audit.raw)
	}
	if strings.Contains(string(audit.raw), "s3cret") {
		t.Errorf("the audit log shows an endpoint's URL beyond its origin: %s", audit.raw)
	}
	seen := map[string]int{}
	for _, it := range audit.body["items"].([]any) {
		e := it.(map[string]any)
		action := e["action"].(string)
		if !strings.HasPrefix(action, "webhook.") {
			continue
		}
		seen[action]++
		details, _ := e["details"].(map[string]any)
		if got := details["url"]; got != origin+"/…" {
			t.Errorf("%s details url = %v, want %s/…", action, got, origin)
		}
	}
	for action, n := range map[string]int{"webhook.created": 1, "webhook.updated": 2, "webhook.disabled": 1, "webhook.deleted": 1} {
		if seen[action] != n {
			t.Errorf("%d %s entries, want %d (saw %v)", seen[action], action, n, seen)
		}
	}
}

// limitedAdmins makes two admin tokens of acme that may not set up what outlives them: one
// that expires ("acme/expiring") and one acting for an admin member ("acme/owned").
func (s *server) limitedAdmins(t *testing.T) []string {
	t.Helper()
	inv := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "role": "admin", "sendEmail": false})
	member := s.do(http.MethodPost, "/api/v1/invitations/accept", "", map[string]any{"token": inv.body["acceptToken"]})
	if member.status != http.StatusOK && member.status != http.StatusCreated {
		t.Fatalf("accept: %d %s", member.status, member.raw)
	}
	for who, body := range map[string]map[string]any{
		"acme/expiring": {"name": "deploy", "role": "admin", "expiresInDays": 30},
		"acme/owned":    {"name": "Ada laptop", "role": "admin", "ownerId": member.body["id"]},
	} {
		r := s.do(http.MethodPost, "/api/v1/tokens", "acme/admin", body)
		if r.status != http.StatusCreated {
			t.Fatalf("token %s: %d %s", who, r.status, r.raw)
		}
		s.tokens[who] = r.body["token"].(string)
	}
	return []string{"acme/expiring", "acme/owned"}
}

// TestOnlyALastingAdminTokenPointsAnEndpointElsewhereOrTurnsItOn: a token that expires or acts
// for a member may not send events to another address, nor turn a disabled endpoint back on
// (each would outlive the token, as creating one would); it may change the rest.
func TestOnlyALastingAdminTokenPointsAnEndpointElsewhereOrTurnsItOn(t *testing.T) {
	s := newServer(t)
	rv, other := newReceiver(t), newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	path := "/api/v1/webhooks/" + ep["id"].(string)
	current := func() map[string]any {
		t.Helper()
		return s.do(http.MethodGet, path, "acme/admin", nil).body
	}
	limited := s.limitedAdmins(t)
	// An endpoint failing: "enabled": true where it is on already changes nothing, so it
	// cannot keep a failing endpoint from being disabled either.
	rv.answer = func(int) int { return http.StatusServiceUnavailable }
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	s.sweep(t)
	since := current()["failingSince"]
	if since == nil {
		t.Fatalf("not failing after a 503: %v", current())
	}
	s.clock.Add(time.Hour)
	for _, who := range limited {
		if r := s.do(http.MethodPatch, path, who, map[string]any{"enabled": true}); r.status != http.StatusOK || r.body["failingSince"] != since {
			t.Errorf("%s PATCH enabled true on a failing endpoint: %d %s, want failingSince %v kept", who, r.status, r.raw, since)
		}
	}
	rv.answer = func(int) int { return http.StatusNoContent }
	for _, who := range limited {
		t.Run(who, func(t *testing.T) {
			wantProblem(t, s.do(http.MethodPatch, path, who, map[string]any{"url": other.url}), http.StatusForbidden, "limited_token", "")
			wantProblem(t, s.do(http.MethodPatch, path, who, map[string]any{"url": other.url, "description": "moved"}), http.StatusForbidden, "limited_token", "")
			if got := current(); got["url"] != rv.url || got["description"] != "provisioning" {
				t.Errorf("after refused url changes: %v", got)
			}
			// Allowed: the same url again, the events, the description, turning it off.
			for _, body := range []map[string]any{
				{"url": " " + rv.url + " "},
				{"events": []string{"invitation.created"}},
				{"description": "by " + who},
				{"enabled": true}, // already on: no change
				{"enabled": false},
			} {
				if r := s.do(http.MethodPatch, path, who, body); r.status != http.StatusOK {
					t.Errorf("PATCH %v: %d %s", body, r.status, r.raw)
				}
			}
			wantProblem(t, s.do(http.MethodPatch, path, who, map[string]any{"enabled": true}), http.StatusForbidden, "limited_token", "")
			wantProblem(t, s.do(http.MethodPatch, path, who, map[string]any{"enabled": true, "events": []string{"*"}}), http.StatusForbidden, "limited_token", "")
			got := current()
			if got["enabled"] != false || got["description"] != "by "+who || len(got["events"].([]any)) != 1 {
				t.Errorf("after refused enabling: %v", got)
			}
			// A lasting admin token does both.
			for _, body := range []map[string]any{{"enabled": true}, {"url": other.url}, {"url": rv.url, "description": "provisioning", "events": []string{"*"}}} {
				if r := s.do(http.MethodPatch, path, "acme/admin", body); r.status != http.StatusOK {
					t.Fatalf("admin PATCH %v: %d %s", body, r.status, r.raw)
				}
			}
			if got := current(); got["enabled"] != true || got["url"] != rv.url {
				t.Errorf("after the admin's changes: %v", got)
			}
		})
	}
}
