package org_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
)

// Invitations by a token seen a moment ago (AuthenticateToInvite): the process reads the
// token with the organization and the address, in one request, then writes. Each test
// changes what the process remembers through another process (a second service over the
// same table) and expects exactly what a process that remembered nothing would answer.

// trustFixture is a fixture with an admin token, the process that trusts it, and another.
type trustFixture struct {
	*fixture
	other  *org.Service
	secret string
	token  org.APIToken
}

func newTrustFixture(t *testing.T, opts ...org.TokenOption) *trustFixture {
	t.Helper()
	f := newUnseenTrustFixture(t, newFixture(t, "acme"), opts...)
	f.seen(t)
	return f
}

// newUnseenTrustFixture is newTrustFixture over base, before the trusting process has seen
// the token.
func newUnseenTrustFixture(t *testing.T, base *fixture, opts ...org.TokenOption) *trustFixture {
	t.Helper()
	f := &trustFixture{fixture: base}
	f.other = org.NewService(f.env.Store.Org(), org.WithClock(f.clock.Now))
	nt, err := f.other.CreateToken(context.Background(), f.admin, "ci", "admin", opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.secret, f.token = nt.Secret, nt.Token
	return f
}

// newOwnedTrustFixture is newUnseenTrustFixture with an admin token acting for owner, a new
// admin member.
func newOwnedTrustFixture(t *testing.T) (*trustFixture, org.Member) {
	t.Helper()
	base := newFixture(t, "acme")
	owner := base.member(t, "owner2@example.com", org.RoleAdmin)
	return newUnseenTrustFixture(t, base, org.OwnedBy(owner.ID)), owner
}

// seen has the trusting process make a first invitation, decided from what is read, which
// teaches it the token.
func (f *trustFixture) seen(t *testing.T) {
	t.Helper()
	f.inviteAs(t, "first@example.com", nil)
}

// inviteAs invites email through the trusting process, as an API request would, and
// returns the requests it took.
func (f *trustFixture) inviteAs(t *testing.T, email string, sendEmail *bool) (org.Created, int, error) {
	t.Helper()
	ctx := context.Background()
	before := int(f.env.Requests.Total())
	p, err := f.svc.AuthenticateToInvite(ctx, f.secret, org.SourceAPI)
	if err != nil {
		return org.Created{}, int(f.env.Requests.Total()) - before, err
	}
	c, err := f.svc.Invite(ctx, p, org.InviteRequest{Email: email, Name: "Person", SendEmail: sendEmail})
	return c, int(f.env.Requests.Total()) - before, err
}

func TestInviteByTokenSeenWritesOnce(t *testing.T) {
	f := newTrustFixture(t)
	c, requests, err := f.inviteAs(t, "jane@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	if requests != 2 {
		t.Errorf("invitation by a token seen before took %d requests, want 2 (one read, the write)", requests)
	}
	got, err := f.svc.Invitation(context.Background(), f.admin, c.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "jane@example.com" || got.Status != org.StatusPending || got.Delivery.State != org.DeliveryQueued || got.InvitedBy.ID != f.token.ID {
		t.Errorf("stored invitation = %+v", got)
	}
	// Without email (admins only), the link comes back as it does for a token just read.
	c, requests, err = f.inviteAs(t, "link@example.com", noEmail())
	if err != nil || c.Token == "" || requests != 2 {
		t.Errorf("invitation without email: token %q, %d requests, %v", c.Token, requests, err)
	}
}

func TestInviteByTokenSeenRefusesDeletedToken(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.other.RevokeToken(context.Background(), f.admin, f.token.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrUnauthenticated) {
		t.Fatalf("invite with a token deleted by another process: %v, want unauthenticated", err)
	}
	f.mustNotHold(t, "jane@example.com")
}

func TestInviteByTokenSeenRefusesExpiredToken(t *testing.T) {
	f := newTrustFixture(t, org.ExpiresInDays(1))
	f.clock.Add(24 * time.Hour)
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrTokenExpired) {
		t.Fatalf("invite with a token expired while trusted: %v, want expired", err)
	}
	f.mustNotHold(t, "jane@example.com")
}

func TestInviteByTokenSeenFollowsTheOwner(t *testing.T) {
	f, owner := newOwnedTrustFixture(t)
	ctx := context.Background()
	f.seen(t)

	// Demoted to member by another process: a member may not invite without email.
	if _, err := f.other.ChangeRole(ctx, f.admin, owner.ID, "member"); err != nil {
		t.Fatal(err)
	}
	var roleErr *org.RoleError
	if _, _, err := f.inviteAs(t, "link@example.com", noEmail()); !errors.As(err, &roleErr) {
		t.Fatalf("invite without email by a token whose owner was demoted: %v, want a role error", err)
	}
	f.mustNotHold(t, "link@example.com")
	// As a member, it still invites members.
	if _, _, err := f.inviteAs(t, "member@example.com", nil); err != nil {
		t.Fatalf("invite as the demoted owner: %v", err)
	}
	// Deactivated: the token stops working.
	if _, err := f.other.Deactivate(ctx, f.admin, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrTokenOwnerInactive) {
		t.Fatalf("invite by a token whose owner was deactivated: %v, want owner inactive", err)
	}
	f.mustNotHold(t, "jane@example.com")
}

func TestInviteByTokenSeenFollowsAllowedDomains(t *testing.T) {
	f := newTrustFixture(t)
	ctx := context.Background()
	corp := []string{"corp.example"}
	if _, err := f.other.UpdateOrganization(ctx, f.admin, org.OrgPatch{AllowedDomains: &corp}); err != nil {
		t.Fatal(err)
	}
	var domainErr *org.DomainError
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.As(err, &domainErr) {
		t.Fatalf("invite outside domains another process just allowed: %v, want a domain error", err)
	}
	f.mustNotHold(t, "jane@example.com")
	if _, requests, err := f.inviteAs(t, "jane@corp.example", nil); err != nil || requests != 2 {
		t.Fatalf("invite inside the allowed domains: %d requests, %v", requests, err)
	}
	// Lifted by another process.
	if _, err := f.other.UpdateOrganization(ctx, f.admin, org.OrgPatch{AllowedDomains: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inviteAs(t, "john@example.com", nil); err != nil {
		t.Fatalf("invite once the list was lifted: %v", err)
	}
}

func TestInviteByTokenSeenRefusesHeldAddress(t *testing.T) {
	f := newTrustFixture(t)
	ctx := context.Background()
	if _, err := f.other.Invite(ctx, f.admin, org.InviteRequest{Email: "jane@example.com", Name: "Jane"}); err != nil {
		t.Fatal(err)
	}
	var existing *org.ExistingError
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.As(err, &existing) {
		t.Fatalf("invite an address another process just invited: %v, want existing", err)
	}
}

func TestInviteByTokenSeenCountsEarlierSends(t *testing.T) {
	f := newTrustFixture(t)
	ctx := context.Background()
	var rate *org.RateLimitError
	for i := range org.MaxEmailsPerAddress + 1 {
		c, _, err := f.inviteAs(t, "jane@example.com", nil)
		if i == org.MaxEmailsPerAddress {
			if !errors.As(err, &rate) {
				t.Fatalf("email %d to one address in a day: %v, want rate limited", i+1, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("email %d: %v", i+1, err)
		}
		if _, err := f.other.Revoke(ctx, f.admin, c.Invitation.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTokenSeenIsReadAgainAfterAWhile(t *testing.T) {
	f := newTrustFixture(t)
	f.clock.Add(6 * time.Minute)
	if _, requests, err := f.inviteAs(t, "jane@example.com", nil); err != nil || requests < 3 {
		t.Fatalf("invite after the trust lapsed: %d requests, %v; want the token read again", requests, err)
	}
}

// mustNotHold fails the test if anything holds email.
func (f *trustFixture) mustNotHold(t *testing.T, email string) {
	t.Helper()
	page, err := f.svc.Invitations(context.Background(), f.admin, org.InvitationQuery{Search: email})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Errorf("%s was invited: %+v", email, page.Items[0])
	}
}

func TestInviteByTokenSeenFollowsAPromotedOwner(t *testing.T) {
	f, owner := newOwnedTrustFixture(t)
	ctx := context.Background()
	if _, err := f.other.ChangeRole(ctx, f.admin, owner.ID, "member"); err != nil {
		t.Fatal(err)
	}
	f.seen(t) // while its owner is a member
	if _, err := f.other.ChangeRole(ctx, f.admin, owner.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inviteAs(t, "link@example.com", noEmail()); err != nil {
		t.Fatalf("invite without email once the owner is an admin again: %v", err)
	}
}

func TestInviteByTokenSeenRefusesADeletedTokensBadRequestAsUnauthenticated(t *testing.T) {
	f := newTrustFixture(t)
	if err := f.other.RevokeToken(context.Background(), f.admin, f.token.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inviteAs(t, "not-an-address", nil); !errors.Is(err, org.ErrUnauthenticated) {
		t.Fatalf("invalid invitation by a deleted token: %v, want unauthenticated", err)
	}
}

func TestUnprovenPrincipalDoesNothingElse(t *testing.T) {
	f := newTrustFixture(t)
	ctx := context.Background()
	p, err := f.svc.AuthenticateToInvite(ctx, f.secret, org.SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Invitations(ctx, p, org.InvitationQuery{}); !errors.Is(err, org.ErrUnauthenticated) {
		t.Errorf("listing invitations with a token not yet read: %v, want unauthenticated", err)
	}
	if _, err := f.svc.CreateToken(ctx, p, "sneaky", "admin"); !errors.Is(err, org.ErrUnauthenticated) {
		t.Errorf("creating a token with a token not yet read: %v, want unauthenticated", err)
	}
	q, err := f.svc.Verify(ctx, p)
	if err != nil || q.Role != org.RoleAdmin || q.Actor.ID != f.token.ID {
		t.Fatalf("verified: %+v, %v", q, err)
	}
	if _, err := f.svc.Invitations(ctx, q, org.InvitationQuery{}); err != nil {
		t.Errorf("listing invitations once verified: %v", err)
	}
}

// A refused request does not count as the token's use.
func TestInviteByTokenSeenRecordsUseOnlyOfATokenThatHolds(t *testing.T) {
	f, owner := newOwnedTrustFixture(t)
	ctx := context.Background()
	f.seen(t)
	lastUse := func() time.Time {
		list, err := f.other.Tokens(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range list {
			if tok.ID == f.token.ID {
				return tok.LastUsedAt
			}
		}
		t.Fatal("token not listed")
		return time.Time{}
	}
	before := lastUse()
	if _, err := f.other.Deactivate(ctx, f.admin, owner.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Minute)
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrTokenOwnerInactive) {
		t.Fatalf("invite by a token whose owner was deactivated: %v", err)
	}
	if got := lastUse(); !got.Equal(before) {
		t.Errorf("a refused request recorded the token's use: %v, was %v", got, before)
	}
}

// The same secret made again for another organization (the local stack's DevToken) acts
// there: never in the organization the process remembers for it.
func TestInviteByTokenSeenFollowsTheTokenItIs(t *testing.T) {
	f := newFixture(t, "acme")
	f.addOrg(t, "beta")
	ctx := context.Background()
	other := org.NewService(f.env.Store.Org(), org.WithClock(f.clock.Now))
	secret := "ghk_" + strings.Repeat("A", 43)
	nt, err := other.DevToken(ctx, "acme", secret)
	if err != nil {
		t.Fatal(err)
	}
	tf := &trustFixture{fixture: f, other: other, secret: secret, token: nt.Token}
	tf.inviteAs(t, "first@example.com", nil)
	if err := other.RevokeToken(ctx, f.admin, nt.Token.ID); err != nil {
		t.Fatal(err)
	}
	again, err := other.DevToken(ctx, "beta", secret)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := tf.inviteAs(t, "jane@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Invitation.OrgID != "beta" || c.Invitation.InvitedBy.ID != again.Token.ID {
		t.Errorf("invited into %s by %s, want beta by %s", c.Invitation.OrgID, c.Invitation.InvitedBy.ID, again.Token.ID)
	}
	tf.mustNotHold(t, "jane@example.com")
}

// While the read of the organization and the address fails, a caller the token read would
// refuse is refused all the same: told 401 or 403, not to try again later.
func TestInviteByTokenSeenRefusesFirstWhenTheReadFails(t *testing.T) {
	f := newTrustFixture(t)
	ctx := context.Background()
	viewer, err := f.other.CreateToken(ctx, f.admin, "viewer", "viewer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, viewer.Secret, org.SourceAPI); err != nil { // seen
		t.Fatal(err)
	}
	if err := f.other.RevokeToken(ctx, f.admin, f.token.ID); err != nil {
		t.Fatal(err)
	}
	f.env.Inject(dynamotest.Burst(1, 1000, dynamotest.Throttle, "BatchGetItem"))
	defer f.env.Inject(nil)
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrUnauthenticated) {
		t.Errorf("deleted token while the read fails: %v, want unauthenticated", err)
	}
	f.secret = viewer.Secret
	var roleErr *org.RoleError
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.As(err, &roleErr) {
		t.Errorf("viewer while the read fails: %v, want a role error", err)
	}
	nt, err := f.other.CreateToken(ctx, f.admin, "admin2", "admin")
	if err != nil {
		t.Fatal(err)
	}
	f.env.Inject(nil)
	if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); err != nil {
		t.Fatal(err)
	}
	f.env.Inject(dynamotest.Burst(1, 1000, dynamotest.Throttle, "BatchGetItem"))
	f.secret = nt.Secret
	if _, _, err := f.inviteAs(t, "jane@example.com", nil); !errors.Is(err, org.ErrUnavailable) {
		t.Errorf("admin while the read fails: %v, want unavailable", err)
	}
}
