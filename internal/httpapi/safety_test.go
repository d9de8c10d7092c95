package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// TestEveryDoorUsesTheOneAddress sends spellings of one address a person cannot tell apart
// through each door of the API: they are one address, and what is not an address is refused.
func TestEveryDoorUsesTheOneAddress(t *testing.T) {
	s := newServer(t)
	// Without email, since the email service delivers only to ASCII local parts.
	first := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "áda@example.com", "sendEmail": false})
	if first.status != http.StatusCreated || first.body["email"] != "áda@example.com" {
		t.Fatalf("invite: %d %s", first.status, first.raw)
	}
	for _, spelling := range []string{"a\u0301da@example.com", "ÁDA@EXAMPLE.COM", "áda@ｅｘａｍｐｌｅ.com"} {
		r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": spelling, "sendEmail": false})
		wantProblem(t, r, http.StatusConflict, "already_invited", "")
	}
	// With email, the look-alikes of a domain collide, through the portal's call too.
	if r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "zoe@bücher.example"}); r.status != http.StatusCreated || r.body["email"] != "zoe@xn--bcher-kva.example" {
		t.Fatalf("invite at an international domain: %d %s", r.status, r.raw)
	}
	for _, spelling := range []string{"zoe@bu\u0308cher.example", "ZOE@BÜCHER.EXAMPLE", "zoe@xn--bcher-kva.example", "zoe@ｂücher.example"} {
		r := s.do("POST", "/api/v1/legacy/users/invite", "acme/admin", map[string]any{"name": "Zoe", "email": spelling})
		wantProblem(t, r, http.StatusConflict, "already_invited", "")
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "zoë@example.com"}), http.StatusBadRequest, "undeliverable_email", "email")
	bulk := s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": []any{
		map[string]any{"email": "a\u0301da@example.com", "sendEmail": false},
		map[string]any{"email": "grace@ｅxample.com"},
		map[string]any{"email": "GRACE@example.com"},
	}})
	rows := bulk.body["results"].([]any)
	for i, want := range []string{"already_invited", "created", "already_invited"} {
		if got := rows[i].(map[string]any)["status"]; got != want {
			t.Errorf("bulk row %d = %v, want %s: %s", i, got, want, bulk.raw)
		}
	}
	if rows[1].(map[string]any)["email"] != "grace@example.com" {
		t.Errorf("bulk row 1 email = %v, want grace@example.com", rows[1].(map[string]any)["email"])
	}
	for _, bad := range []string{"ada\u200b@example.com", "ada@[127.0.0.1]", "ada@-example.com", "ada@127.0.0.1", "ｊane@example.com", "j\u0430ne@example.com"} {
		r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": bad})
		wantProblem(t, r, http.StatusBadRequest, "invalid_email", "email")
	}
}

// TestLookAlikeAddressesShareTheSendLimit floods one address under spellings that a person
// cannot tell apart: they count against one limit.
func TestLookAlikeAddressesShareTheSendLimit(t *testing.T) {
	s := newServer(t)
	spellings := []string{"flood@example.com", "flood@ｅxample.com", "FLOOD@example.com", "flood@EXAMPLE.COM", "flood@exampl\uff45.com"}
	for i, e := range spellings {
		inv := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": e})
		if inv.status != http.StatusCreated {
			t.Fatalf("email %d (%q): %d %s", i+1, e, inv.status, inv.raw)
		}
		s.do("DELETE", "/api/v1/invitations/"+inv.body["id"].(string), "acme/admin", nil)
		s.clock.Add(time.Minute)
	}
	r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "Flood@ＥＸＡＭＰＬＥ.com"})
	wantProblem(t, r, http.StatusTooManyRequests, "rate_limited", "")
}

func TestAllowedDomains(t *testing.T) {
	s := newServer(t)
	link := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "old@gmail.com", "sendEmail": false})
	if link.status != http.StatusCreated {
		t.Fatalf("invite: %d %s", link.status, link.raw)
	}
	r := s.do("PATCH", "/api/v1/organization", "acme/admin", map[string]any{"allowedDomains": []string{" ACME.com", "*.acme.io", "acme.com"}})
	if r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	if got := r.body["allowedDomains"].([]any); len(got) != 2 || got[0] != "acme.com" || got[1] != "*.acme.io" {
		t.Errorf("allowedDomains = %v, want [acme.com *.acme.io]", got)
	}
	// The admin seeded with the organization is at acme.example: reported, not removed.
	if out := r.body["membersOutsideAllowedDomains"].(map[string]any); out["count"] != float64(1) {
		t.Errorf("members outside = %v, want 1", out)
	}
	if got := s.do("GET", "/api/v1/organization", "acme/admin", nil); got.body["name"] != "acme" || len(got.body["allowedDomains"].([]any)) != 2 {
		t.Errorf("get organization = %s", got.raw)
	}
	wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "x@gmail.com"}), http.StatusForbidden, "domain_not_allowed", "")
	wantProblem(t, s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "x@acme.io"}), http.StatusForbidden, "domain_not_allowed", "")
	for _, ok := range []string{"ok@acme.com", "ok@eu.acme.io", "ok2@ＡＣＭＥ.com"} {
		if r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": ok}); r.status != http.StatusCreated {
			t.Errorf("invite %s: %d %s", ok, r.status, r.raw)
		}
	}
	bulk := s.do("POST", "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": []any{
		map[string]any{"email": "in@acme.com"}, map[string]any{"email": "out@evilacme.com"},
	}})
	rows := bulk.body["results"].([]any)
	if rows[0].(map[string]any)["status"] != "created" || rows[1].(map[string]any)["status"] != "domain_not_allowed" {
		t.Errorf("bulk = %s", bulk.raw)
	}
	// The invitation made before the list cannot be accepted or resent now.
	accept := s.do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": link.body["acceptToken"]})
	wantProblem(t, accept, http.StatusForbidden, "domain_not_allowed", "")
	wantProblem(t, s.do("POST", "/api/v1/invitations/"+link.body["id"].(string)+"/resend", "acme/admin", nil), http.StatusForbidden, "domain_not_allowed", "")
	// Only admins change it; every role reads it; bad domains are named.
	wantProblem(t, s.do("PATCH", "/api/v1/organization", "acme/member", map[string]any{"allowedDomains": []string{}}), http.StatusForbidden, "forbidden", "")
	if r := s.do("GET", "/api/v1/organization", "acme/viewer", nil); r.status != http.StatusOK {
		t.Errorf("viewer reads the organization: %d", r.status)
	}
	wantProblem(t, s.do("PATCH", "/api/v1/organization", "acme/admin", map[string]any{"allowedDomains": []string{"acme.com", "[10.0.0.1]"}}), http.StatusBadRequest, "invalid_domain", "allowedDomains[1]")
	// An empty list allows every domain again.
	if r := s.do("PATCH", "/api/v1/organization", "acme/admin", map[string]any{"allowedDomains": []string{}}); r.status != http.StatusOK {
		t.Fatalf("clear: %d %s", r.status, r.raw)
	}
	if r := s.do("POST", "/api/v1/invitations", "acme/admin", map[string]any{"email": "x@gmail.com"}); r.status != http.StatusCreated {
		t.Errorf("invite after clearing: %d %s", r.status, r.raw)
	}
}
