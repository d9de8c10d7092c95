package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"gatehouse/internal/hooks"
)

// TestConcurrentCreatesKeepTheEndpointLimit: thirty admins creating endpoints at once make
// exactly MaxEndpoints of them, the rest answered 409 too_many_webhooks; deleting one frees
// its slot, and the store's count of endpoints stays the number there are.
func TestConcurrentCreatesKeepTheEndpointLimit(t *testing.T) {
	s := newServer(t)
	if !s.env.IsolatedTransactions {
		t.Skip("this DynamoDB does not isolate concurrent transactions; the race is tested on the embedded DynamoDB by make test")
	}
	rv := newReceiver(t)
	const tries = 30
	answers := make([]response, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			answers[i] = s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", map[string]any{"url": rv.url, "events": []string{"*"}})
		})
	}
	wg.Wait()
	statuses := map[int]int{}
	var made []string
	for _, r := range answers {
		statuses[r.status]++
		switch r.status {
		case http.StatusCreated:
			made = append(made, r.body["id"].(string))
		case http.StatusConflict:
			wantProblem(t, r, http.StatusConflict, "too_many_webhooks", "")
		}
	}
	if statuses[http.StatusCreated] != hooks.MaxEndpoints || statuses[http.StatusConflict] != tries-hooks.MaxEndpoints {
		t.Fatalf("answers by status %v, want %d 201 and %d 409", statuses, hooks.MaxEndpoints, tries-hooks.MaxEndpoints)
	}
	if n := len(s.do(http.MethodGet, "/api/v1/webhooks", "acme/admin", nil).body["items"].([]any)); n != hooks.MaxEndpoints {
		t.Errorf("%d endpoints listed, want %d", n, hooks.MaxEndpoints)
	}
	s.verify(t, "acme")

	// Full: one more is refused; deleting one lets exactly one more in.
	more := map[string]any{"url": rv.url, "events": []string{"*"}}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", more), http.StatusConflict, "too_many_webhooks", "")
	if r := s.do(http.MethodDelete, "/api/v1/webhooks/"+made[0], "acme/admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	s.verify(t, "acme")
	if r := s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", more); r.status != http.StatusCreated {
		t.Fatalf("create after a delete: %d %s", r.status, r.raw)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/webhooks", "acme/admin", more), http.StatusConflict, "too_many_webhooks", "")
	// Another organization has its own limit.
	if r := s.do(http.MethodPost, "/api/v1/webhooks", "globex/admin", more); r.status != http.StatusCreated {
		t.Errorf("globex's first endpoint: %d %s", r.status, r.raw)
	}
	s.verify(t, "acme")
	s.verify(t, "globex")
}
