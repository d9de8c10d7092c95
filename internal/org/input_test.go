package org

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{" Ada Lovelace ", "Ada Lovelace", true},
		{"", "", true},
		{"Zoë Ñúñez 李雷", "Zoë Ñúñez 李雷", true},
		{"Ada\nBcc: x@y.io", "", false},
		{"Ada\rLovelace", "", false},
		{"Ada\u2028Lovelace", "", false},
		{"Ada\x00", "", false},
		{strings.Repeat("é", 200), strings.Repeat("é", 200), true},
		{strings.Repeat("é", 201), "", false},
		{"bad \xff utf8", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeName("name", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestInviteRequestReportsEveryFieldAtOnce(t *testing.T) {
	days := 45
	_, err := InviteRequest{Email: "nope", Name: "A\tB", Role: "root", ExpiresInDays: &days}.validate()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, f := range verr.Fields {
		got = append(got, f.Field+":"+f.Code)
	}
	want := []string{"email:invalid_email", "name:invalid_name", "role:invalid_role", "expiresInDays:invalid_expiry"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("field errors mismatch (-want +got):\n%s", diff)
	}
}

func TestInviteRequestDefaults(t *testing.T) {
	in, err := InviteRequest{Email: "a@b.io"}.validate()
	if err != nil {
		t.Fatal(err)
	}
	want := invite{email: "a@b.io", role: RoleMember, expiryDays: 7, sendEmail: true}
	if in != want {
		t.Errorf("defaults = %+v, want %+v", in, want)
	}
}

func TestInviteRequestNormalize(t *testing.T) {
	got, err := InviteRequest{Email: "  Ada@EXAMPLE.com ", Name: " Ada Lovelace "}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	want := InviteRequest{Email: "ada@example.com", Name: "Ada Lovelace", Role: "member"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("normalized mismatch (-want +got):\n%s", diff)
	}
	_, err = InviteRequest{Email: "ada@example.com", Role: "owner"}.Normalize()
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Code != "invalid_role" {
		t.Errorf("bad role: err = %v, want one invalid_role field", err)
	}
}

func TestInvitationTokens(t *testing.T) {
	tok := newInvitationToken("acme", "inv_01ABC")
	orgID, invID, ok := parseInvitationToken(tok)
	if !ok || orgID != "acme" || invID != "inv_01ABC" {
		t.Fatalf("parse(%q) = %q, %q, %v", tok, orgID, invID, ok)
	}
	if tok == newInvitationToken("acme", "inv_01ABC") {
		t.Error("two tokens for one invitation are equal")
	}
	hash := HashSecret(tok)
	if !tokenMatches(tok, hash) || tokenMatches(tok+"x", hash) || tokenMatches(tok, "") {
		t.Error("tokenMatches disagrees with HashSecret")
	}
	for _, bad := range []string{"", "acme", "acme.inv", "acme..x", ".inv." + strings.Repeat("a", 43), "a.b.short", "a.b.c.d"} {
		if _, _, ok := parseInvitationToken(bad); ok {
			t.Errorf("parseInvitationToken(%q) accepted", bad)
		}
	}
	if s := newAPISecret(); !LooksLikeAPIToken(s) {
		t.Errorf("fresh API secret %q does not look like one", s)
	}
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	inv := Invitation{Status: StatusPending, ExpiresAt: now}
	if got := inv.StatusAt(now.Add(-time.Millisecond)); got != StatusPending {
		t.Errorf("before expiry: %s", got)
	}
	if got := inv.StatusAt(now); got != StatusExpired {
		t.Errorf("at expiry: %s", got)
	}
	inv.Status = StatusAccepted
	if got := inv.StatusAt(now.Add(time.Hour)); got != StatusAccepted {
		t.Errorf("accepted after expiry: %s", got)
	}
}

func TestPermissions(t *testing.T) {
	tests := []struct {
		role   Role
		invite []Role
	}{
		{RoleAdmin, []Role{RoleAdmin, RoleMember, RoleViewer}},
		{RoleMember, []Role{RoleMember, RoleViewer}},
		{RoleViewer, nil},
	}
	for _, tt := range tests {
		p := Principal{Role: tt.role}
		var got []Role
		for _, r := range []Role{RoleAdmin, RoleMember, RoleViewer} {
			if p.canInvite(r) {
				got = append(got, r)
			}
		}
		if diff := cmp.Diff(tt.invite, got); diff != "" {
			t.Errorf("%s may invite mismatch (-want +got):\n%s", tt.role, diff)
		}
		if p.Require(RoleViewer, "reading") != nil || p.isAdmin() != (tt.role == RoleAdmin) {
			t.Errorf("%s: read %v admin %v", tt.role, p.Require(RoleViewer, "reading"), p.isAdmin())
		}
		// A refusal names the role the action needs, and is ErrForbidden.
		err := p.Require(RoleAdmin, "revoking invitations")
		var re *RoleError
		switch {
		case tt.role == RoleAdmin && err != nil:
			t.Errorf("admin refused: %v", err)
		case tt.role != RoleAdmin && (!errors.As(err, &re) || !errors.Is(err, ErrForbidden) || re.Need != RoleAdmin || re.Have != tt.role ||
			err.Error() != "revoking invitations needs the admin role; the caller's role is "+string(tt.role)):
			t.Errorf("%s refused with %v, want a RoleError needing admin", tt.role, err)
		}
	}
	if err := (Principal{}).Require(RoleViewer, "reading"); !errors.Is(err, ErrForbidden) {
		t.Errorf("a principal without a role may read: %v", err)
	}
}
