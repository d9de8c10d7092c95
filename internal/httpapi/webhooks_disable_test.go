package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// TestALoneFailingEventDisablesADeadEndpoint: a dead endpoint with one event, first tried a
// second after the event (as the stream wakes the function in production), is disabled
// when that delivery gives up.
func TestALoneFailingEventDisablesADeadEndpoint(t *testing.T) {
	s := newServerWith(t, serverOptions{})
	dead := newReceiver(t)
	dead.answer = func(int) int { return http.StatusServiceUnavailable }
	ep := s.endpoint(t, dead, "invitation.created")
	id := ep["id"].(string)
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	s.clock.Add(time.Second)
	for range 100 {
		s.sweep(t)
		s.clock.Add(time.Hour)
	}
	got := s.do(http.MethodGet, "/api/v1/webhooks/"+id, "acme/admin", nil)
	t.Logf("endpoint after 100h: enabled=%v reason=%v failingSince=%v", got.body["enabled"], got.body["disabledReason"], got.body["failingSince"])
	list := s.do(http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries", "acme/admin", nil)
	for _, it := range list.body["items"].([]any) {
		d := it.(map[string]any)
		t.Logf("delivery %v status=%v attempts=%v", d["id"], d["status"], d["attempts"])
	}
	if got.body["enabled"] != false {
		t.Errorf("dead endpoint still enabled after its only delivery gave up")
	}
}

// TestATestReachesADisabledEndpoint: an admin checks a receiver with a test before turning
// its endpoint on again; the test is sent, and the endpoint stays off.
func TestATestReachesADisabledEndpoint(t *testing.T) {
	s := newServer(t)
	rv := newReceiver(t)
	ep := s.endpoint(t, rv, "*")
	id := ep["id"].(string)
	if r := s.do(http.MethodPatch, "/api/v1/webhooks/"+id, "acme/admin", map[string]any{"enabled": false}); r.status != http.StatusOK {
		t.Fatalf("disable: %d %s", r.status, r.raw)
	}
	r := s.do(http.MethodPost, "/api/v1/webhooks/"+id+"/test", "acme/admin", nil)
	if r.status != http.StatusOK || r.body["status"] != "delivered" {
		t.Fatalf("test of a disabled endpoint: %d %s", r.status, r.raw)
	}
	if got := rv.events(); len(got) != 1 || got[0].eventType != "webhook.test" || !got[0].verified {
		t.Errorf("the receiver got %+v, want one signed webhook.test", got)
	}
	if got := s.do(http.MethodGet, "/api/v1/webhooks/"+id, "acme/admin", nil); got.body["enabled"] != false {
		t.Errorf("the endpoint after its test: %s", got.raw)
	}
}
