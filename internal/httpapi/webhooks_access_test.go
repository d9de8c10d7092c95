package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
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
