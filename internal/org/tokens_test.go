package org_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/org"
)

func TestTokensExpire(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	nt, err := f.svc.CreateToken(ctx, f.admin, "deploy", "viewer", org.ExpiresInDays(30))
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().UTC().Truncate(time.Millisecond).AddDate(0, 0, 30); !nt.Token.ExpiresAt.Equal(want) {
		t.Errorf("expires at %v, want %v", nt.Token.ExpiresAt, want)
	}
	if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil {
		t.Fatalf("a fresh token: %v", err)
	}
	f.clock.Add(30*24*time.Hour - time.Second)
	if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil {
		t.Fatalf("a second before its expiry: %v", err)
	}
	f.clock.Add(time.Second)
	_, err = f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI)
	if !errors.Is(err, org.ErrTokenExpired) || !errors.Is(err, org.ErrUnauthenticated) {
		t.Errorf("at its expiry: %v, want expired and unauthenticated", err)
	}
	list, _ := f.svc.Tokens(ctx, f.admin)
	if len(list) != 1 || !list[0].ExpiredAt(f.clock.Now()) {
		t.Errorf("tokens = %+v", list)
	}
	// Refused lifetimes: 0, negative, past a year.
	for _, days := range []int{0, -1, 366} {
		var verr *org.ValidationError
		if _, err := f.svc.CreateToken(ctx, f.admin, "x", "viewer", org.ExpiresInDays(days)); !errors.As(err, &verr) || verr.Fields[0].Field != "expiresInDays" {
			t.Errorf("expiresInDays %d: %v", days, err)
		}
	}
	// Without a lifetime, a token does not expire.
	forever, err := f.svc.CreateToken(ctx, f.admin, "forever", "viewer")
	if err != nil || !forever.Token.ExpiresAt.IsZero() {
		t.Fatalf("a token without expiry: %+v %v", forever.Token, err)
	}
	f.clock.Add(10 * 365 * 24 * time.Hour)
	if _, err := f.svc.Authenticate(ctx, forever.Secret, org.SourceAPI); err != nil {
		t.Errorf("ten years on: %v", err)
	}
}

func TestTokensOfAMemberFollowTheMember(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	ada := f.member(t, "ada@acme.com", org.RoleAdmin)
	nt, err := f.svc.CreateToken(ctx, f.admin, "ada's laptop", "admin", org.OwnedBy(ada.ID))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI)
	if err != nil || p.Role != org.RoleAdmin || p.OwnerID != ada.ID {
		t.Fatalf("principal %+v, %v", p, err)
	}
	// A token made with it acts for Ada too, and for nobody else.
	made, err := f.svc.CreateToken(ctx, p, "ada's script", "viewer")
	if err != nil || made.Token.OwnerID != ada.ID {
		t.Fatalf("a token made by Ada's token: %+v %v", made.Token, err)
	}
	if _, err := f.svc.CreateToken(ctx, p, "for another", "viewer", org.OwnedBy(f.adminMember.ID)); err == nil {
		t.Error("Ada's token made a token acting for someone else")
	}
	// Demoted, Ada's token does only what a member may.
	if _, err := f.svc.ChangeRole(ctx, f.admin, ada.ID, "member"); err != nil {
		t.Fatal(err)
	}
	if p, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil || p.Role != org.RoleMember {
		t.Errorf("after the demotion: %+v, %v", p, err)
	}
	// Deactivated, her tokens stop working.
	if _, err := f.svc.Deactivate(ctx, f.admin, ada.ID); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{nt.Secret, made.Secret} {
		if _, err := f.svc.Authenticate(ctx, secret, org.SourceAPI); !errors.Is(err, org.ErrTokenOwnerInactive) || !errors.Is(err, org.ErrUnauthenticated) {
			t.Errorf("a token of a deactivated member: %v", err)
		}
	}
	// Refused owners: unknown, deactivated, or with a lower role than the token's.
	for name, tc := range map[string]struct {
		owner, role string
	}{"unknown": {"usr_nobody", "viewer"}, "deactivated": {ada.ID, "viewer"}, "role above the owner's": {f.member(t, "bob@acme.com", org.RoleViewer).ID, "member"}} {
		var verr *org.ValidationError
		if _, err := f.svc.CreateToken(ctx, f.admin, "x", tc.role, org.OwnedBy(tc.owner)); !errors.As(err, &verr) {
			t.Errorf("%s owner: %v", name, err)
		}
	}
}

func TestTokenUseIsRecordedAtMostOnceAMinute(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	nt, err := f.svc.CreateToken(ctx, f.admin, "busy", "viewer")
	if err != nil {
		t.Fatal(err)
	}
	f.env.Requests.Reset()
	for range 5 {
		if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil {
			t.Fatal(err)
		}
	}
	if w := f.env.Requests.Writes(); w != 1 {
		t.Errorf("five uses in a minute made %d writes, want 1", w)
	}
	list, _ := f.svc.Tokens(ctx, f.admin)
	first := list[len(list)-1].LastUsedAt
	if first.IsZero() {
		t.Fatalf("last use not recorded: %+v", list)
	}
	f.clock.Add(61 * time.Second)
	if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil {
		t.Fatal(err)
	}
	list, _ = f.svc.Tokens(ctx, f.admin)
	if got := list[len(list)-1].LastUsedAt; !got.After(first) {
		t.Errorf("a minute later the last use is %v, was %v", got, first)
	}
}

// member invites email with role and has them accept: a member of the organization.
func (f *fixture) member(t *testing.T, email string, role org.Role) org.Member {
	t.Helper()
	c := f.invite(t, email, role)
	m, err := f.svc.Accept(context.Background(), org.SourceWeb, c.Token, "")
	if err != nil {
		t.Fatalf("accept %s: %v", email, err)
	}
	return m
}
