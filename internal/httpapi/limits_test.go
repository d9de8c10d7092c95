package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestResendingTooSoonIsRefused(t *testing.T) {
	s := newServer(t)
	inv := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "soon@x.io"})
	s.clock.Add(20 * time.Second)
	r := s.do("POST", "/api/v1/invitations/"+inv.body["id"].(string)+"/resend", "acme/admin", nil)
	wantProblem(t, r, http.StatusTooManyRequests, "rate_limited", "")
	if got := r.header.Get("Retry-After"); got != "40" {
		t.Errorf("Retry-After = %q, want 40", got)
	}
	s.clock.Add(40 * time.Second)
	if r := s.do("POST", "/api/v1/invitations/"+inv.body["id"].(string)+"/resend", "acme/admin", nil); r.status != http.StatusOK {
		t.Errorf("resend after a minute: %d %s", r.status, r.raw)
	}
}

func TestAnAddressGetsAtMostFiveEmailsADay(t *testing.T) {
	s := newServer(t)
	inv := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "flood@x.io"})
	id := inv.body["id"].(string)
	for i := 2; i <= 5; i++ {
		s.clock.Add(time.Hour)
		if r := s.do("POST", "/api/v1/invitations/"+id+"/resend", "acme/admin", nil); r.status != http.StatusOK {
			t.Fatalf("email %d: %d %s", i, r.status, r.raw)
		}
	}
	s.clock.Add(time.Hour)
	r := s.do("POST", "/api/v1/invitations/"+id+"/resend", "acme/admin", nil)
	wantProblem(t, r, http.StatusTooManyRequests, "rate_limited", "")
	// The oldest of the five was sent 5 hours ago: the window frees up in 19 hours.
	if got, _ := strconv.Atoi(r.header.Get("Retry-After")); got != 19*3600 {
		t.Errorf("Retry-After = %d, want %d", got, 19*3600)
	}
	// Revoking and inviting again does not get around it.
	s.do("DELETE", "/api/v1/invitations/"+id, "acme/admin", nil)
	again := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "flood@x.io"})
	wantProblem(t, again, http.StatusTooManyRequests, "rate_limited", "")
	bulk := s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": []any{map[string]any{"email": "flood@x.io"}}})
	row := bulk.body["results"].([]any)[0].(map[string]any)
	if row["status"] != "failed" || row["errors"].([]any)[0].(map[string]any)["code"] != "rate_limited" {
		t.Errorf("bulk row for a flooded address = %v", row)
	}
	// Invitations without email send nothing, so they are not limited.
	if r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "flood@x.io", "sendEmail": false}); r.status != http.StatusCreated {
		t.Errorf("invitation without email: %d %s", r.status, r.raw)
	}
	s.do("DELETE", "/api/v1/invitations/"+s.do("GET", "/api/v1/invitations?status=pending", "acme/admin", nil).body["items"].([]any)[0].(map[string]any)["id"].(string), "acme/admin", nil)
	s.clock.Add(19 * time.Hour)
	if r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "flood@x.io"}); r.status != http.StatusCreated {
		t.Errorf("a day later: %d %s", r.status, r.raw)
	}
}
