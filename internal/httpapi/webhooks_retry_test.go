package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
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
