package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/hooks"
)

// TestARetryWaitsForTheAttemptUnderWay: an admin's retry of a delivery a dispatcher is sending
// at that moment is refused (409 conflict), so the lease stands and nobody sends it a second
// time meanwhile; once the attempt is recorded, the retry is taken.
func TestARetryWaitsForTheAttemptUnderWay(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "invitation.created")
	deliveries := "/api/v1/webhooks/" + ep["id"].(string) + "/deliveries"
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	var during response
	rv.answer = func(n int) int {
		if n == 1 { // the first attempt is under way: its lease is held
			d := s.do(http.MethodGet, deliveries, "acme/admin", nil).body["items"].([]any)[0].(map[string]any)
			during = s.do(http.MethodPost, deliveries+"/"+d["id"].(string)+"/retry", "acme/admin", nil)
		}
		return http.StatusNoContent
	}
	s.sweep(t)
	wantProblem(t, during, http.StatusConflict, "conflict", "")
	if !strings.Contains(during.body["detail"].(string), "being delivered right now") {
		t.Errorf("detail %q does not say the delivery is under way", during.body["detail"])
	}
	d := s.do(http.MethodGet, deliveries, "acme/admin", nil).body["items"].([]any)[0].(map[string]any)
	if d["status"] != "delivered" || d["attempts"] != float64(1) {
		t.Fatalf("after the attempt: %v", d)
	}
	s.sweep(t)
	if n := len(rv.events()); n != 1 {
		t.Fatalf("%d requests, want the one attempt", n)
	}
	// Recorded: the retry is taken, and sends once more.
	if r := s.do(http.MethodPost, deliveries+"/"+d["id"].(string)+"/retry", "acme/admin", nil); r.status != http.StatusAccepted {
		t.Fatalf("retry after the attempt: %d %s", r.status, r.raw)
	}
	s.sweep(t)
	if got := rv.events(); len(got) != 2 || got[0].id != got[1].id {
		t.Errorf("after the retry: %+v", got)
	}
}

// TestATestCallOnlyReports: a test call reports what the receiver answered and changes
// nothing of the endpoint: a 410 does not disable it (nor email anyone), a 503 does not mark
// it failing, not even when the sweep tries the test event again later.
func TestATestCallOnlyReports(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	path := "/api/v1/webhooks/" + ep["id"].(string)
	unchanged := func(when string) {
		t.Helper()
		got := s.do(http.MethodGet, path, "acme/admin", nil).body
		if got["enabled"] != true || got["disabledReason"] != nil || got["failingSince"] != nil || got["updatedAt"] != ep["updatedAt"] {
			t.Errorf("%s: the endpoint changed: %v", when, got)
		}
	}
	for _, tt := range []struct {
		status int
		want   string
	}{{http.StatusGone, "failed"}, {http.StatusServiceUnavailable, "failing"}, {http.StatusNoContent, "delivered"}} {
		rv.answer = func(int) int { return tt.status }
		r := s.do(http.MethodPost, path+"/test", "acme/admin", nil)
		if r.status != http.StatusOK || r.body["eventType"] != "webhook.test" || r.body["lastResponseStatus"] != float64(tt.status) || r.body["status"] != tt.want {
			t.Errorf("test answered %d: %d %s", tt.status, r.status, r.raw)
		}
		unchanged("after a test answered " + http.StatusText(tt.status))
	}
	// The failing test event is tried again by the sweep, still changing nothing.
	rv.answer = func(int) int { return http.StatusGone }
	s.clock.Add(hooks.DisableAfter + time.Hour)
	s.sweep(t)
	unchanged("after the sweep tried the test event again")
	if n := len(rv.events()); n != 4 {
		t.Errorf("%d requests, want 3 tests and 1 retry", n)
	}
	if notices := s.notices.all(); len(notices) != 0 {
		t.Errorf("admins were told of a test: %q", notices)
	}
	audit := s.do(http.MethodGet, "/api/v1/audit-logs?limit=100", "acme/admin", nil)
	if strings.Contains(string(audit.raw), "webhook.disabled") {
		t.Errorf("a test disabled the endpoint: %s", audit.raw)
	}
	// A real event answered 410 still disables it.
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	s.sweep(t)
	if got := s.do(http.MethodGet, path, "acme/admin", nil).body; got["enabled"] != false {
		t.Errorf("a 410 to an event left the endpoint %v", got)
	}
}
