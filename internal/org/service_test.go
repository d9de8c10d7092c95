package org_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// The behaviour of the organization service, over the real store: on the embedded DynamoDB,
// or on the DynamoDB at DYNAMODB_ENDPOINT (make test-moto).

// fixture is a service over a fresh table with one organization, its admin member, and
// principals of each role.
type fixture struct {
	env         dynamotest.Env
	svc         *org.Service
	clock       *orgtest.Clock
	admin       org.Principal
	adminMember org.Member
}

func newFixture(t *testing.T, orgID string) *fixture {
	t.Helper()
	env := dynamotest.New(t)
	c := orgtest.NewClock()
	f := &fixture{env: env, clock: c, svc: org.NewService(env.Store.Org(), org.WithClock(c.Now))}
	f.addOrg(t, orgID)
	f.admin = f.principal(orgID, org.RoleAdmin)
	page, err := f.svc.Members(context.Background(), f.admin, org.PageRequest{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("members of new org: %v %v", page.Items, err)
	}
	f.adminMember = page.Items[0]
	return f
}

func (f *fixture) addOrg(t *testing.T, orgID string) {
	t.Helper()
	_, err := f.svc.CreateOrg(context.Background(), org.Actor{Type: "cli", ID: "test"}, org.SourceCLI,
		org.NewOrg{ID: orgID, Name: "Org " + orgID, AdminEmail: "owner@" + orgID + ".example", AdminName: "Owner"})
	if err != nil {
		t.Fatalf("create org %s: %v", orgID, err)
	}
}

func (f *fixture) principal(orgID string, role org.Role) org.Principal {
	return org.Principal{OrgID: orgID, Role: role, Actor: org.Actor{Type: "token", ID: "tok_" + string(role), Name: string(role) + " token"}, Source: org.SourceAPI}
}

func noEmail() *bool { b := false; return &b }

// invite invites email without sending mail, so the accept token comes back.
func (f *fixture) invite(t *testing.T, email string, role org.Role) org.Created {
	t.Helper()
	c, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: email, Name: "Person", Role: string(role), SendEmail: noEmail()})
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return c
}

func TestInviteNormalizesAndRefusesSecondLiveInvitation(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	c, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "  Jane.Doe@Example.COM ", Name: " Jane Doe "})
	if err != nil {
		t.Fatal(err)
	}
	inv := c.Invitation
	if inv.Email != "jane.doe@example.com" || inv.Name != "Jane Doe" || inv.Role != org.RoleMember {
		t.Errorf("normalized invitation = %+v", inv)
	}
	if inv.Delivery.State != org.DeliveryQueued || c.Token != "" {
		t.Errorf("emailed invitation: delivery %q, token shown %q; want queued and no token", inv.Delivery.State, c.Token)
	}
	if got := inv.ExpiresAt.Sub(inv.CreatedAt); got != 7*24*time.Hour {
		t.Errorf("default expiry = %v, want 7 days", got)
	}
	got, err := f.svc.Invitation(ctx, f.admin, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(inv, got); diff != "" {
		t.Errorf("stored invitation mismatch (-want +got):\n%s", diff)
	}
	_, err = f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "jane.doe@example.com"})
	var existing *org.ExistingError
	if !errors.Is(err, org.ErrAlreadyInvited) || !errors.As(err, &existing) || existing.ID != inv.ID {
		t.Fatalf("second invite: err = %v, want already invited by %s", err, inv.ID)
	}
	_, err = f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "OWNER@acme.example"})
	if !errors.Is(err, org.ErrAlreadyMember) {
		t.Fatalf("inviting the admin member: err = %v, want already member", err)
	}
}

func TestExpiredAndRevokedInvitationsNeverBlock(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	old := f.invite(t, "sam@example.com", org.RoleMember).Invitation
	f.clock.Add(8 * 24 * time.Hour)
	seen, err := f.svc.Invitation(ctx, f.admin, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := seen.StatusAt(f.clock.Now()); got != org.StatusExpired {
		t.Errorf("status after expiry = %s, want expired", got)
	}
	fresh := f.invite(t, "sam@example.com", org.RoleMember).Invitation
	// The expired one cannot be revived while the fresh one holds the address.
	if _, err := f.svc.Resend(ctx, f.admin, old.ID); !errors.Is(err, org.ErrAlreadyInvited) {
		t.Errorf("resend of superseded invitation: err = %v, want already invited", err)
	}
	if _, err := f.svc.Revoke(ctx, f.admin, fresh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Revoke(ctx, f.admin, fresh.ID); !errors.Is(err, org.ErrInvitationRevoked) {
		t.Errorf("second revoke: err = %v, want revoked", err)
	}
	// Once revoked, the address is free: the expired invitation may be resent.
	res, err := f.svc.Resend(ctx, f.admin, old.ID)
	if err != nil {
		t.Fatalf("resend expired invitation: %v", err)
	}
	if !res.Invitation.ExpiresAt.Equal(f.clock.Now().Add(7 * 24 * time.Hour)) {
		t.Errorf("resent expiry = %v, want a fresh 7 days", res.Invitation.ExpiresAt)
	}
	if _, err := f.svc.Revoke(ctx, f.admin, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "sam@example.com"}); err != nil {
		t.Errorf("invite after revoke: %v", err)
	}
}

func TestAcceptCreatesMemberOnce(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	c := f.invite(t, "ada@example.com", org.RoleAdmin)
	if c.Token == "" {
		t.Fatal("no accept token for an invitation created without email")
	}
	m, err := f.svc.Accept(ctx, org.SourceAPI, c.Token, "Ada Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	want := org.Member{ID: m.ID, OrgID: "acme", Email: "ada@example.com", Name: "Ada Lovelace", Role: org.RoleAdmin,
		Status: org.MemberActive, Source: org.SourceAPI, InvitationID: c.Invitation.ID, JoinedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	got, err := f.svc.Member(ctx, f.admin, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("member mismatch (-want +got):\n%s", diff)
	}
	if _, err := f.svc.Accept(ctx, org.SourceAPI, c.Token, ""); !errors.Is(err, org.ErrInvitationAccepted) {
		t.Errorf("second accept: err = %v, want already accepted", err)
	}
	if _, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "ada@example.com"}); !errors.Is(err, org.ErrAlreadyMember) {
		t.Errorf("invite a member: err = %v, want already member", err)
	}
	// Ada is a second admin, so the owner may now step down.
	if _, err := f.svc.ChangeRole(ctx, f.admin, f.adminMember.ID, "member"); err != nil {
		t.Errorf("demote owner with another admin present: %v", err)
	}
}

func TestAcceptRefusesBadTokens(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	expired := f.invite(t, "old@example.com", org.RoleMember)
	revoked := f.invite(t, "gone@example.com", org.RoleMember)
	resent := f.invite(t, "again@example.com", org.RoleMember)
	if _, err := f.svc.Revoke(ctx, f.admin, revoked.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	fresh, err := f.svc.Resend(ctx, f.admin, resent.Invitation.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(7*24*time.Hour + time.Second)
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", expired.Token, org.ErrInvitationExpired},
		{"revoked", revoked.Token, org.ErrInvitationRevoked},
		{"replaced by resend", resent.Token, org.ErrInvalidToken},
		{"garbage", "not-a-token", org.ErrInvalidToken},
		{"other organization", "other." + expired.Invitation.ID + "." + fresh.Token[len(fresh.Token)-43:], org.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.Accept(ctx, org.SourceAPI, tt.token, ""); !errors.Is(err, tt.want) {
				t.Errorf("accept: err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLastActiveAdminIsKept(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	owner := f.adminMember.ID
	if _, err := f.svc.Deactivate(ctx, f.admin, owner); !errors.Is(err, org.ErrLastAdmin) {
		t.Errorf("deactivate last admin: err = %v, want last admin", err)
	}
	if _, err := f.svc.ChangeRole(ctx, f.admin, owner, "viewer"); !errors.Is(err, org.ErrLastAdmin) {
		t.Errorf("demote last admin: err = %v, want last admin", err)
	}
	m, err := f.svc.Accept(ctx, org.SourceAPI, f.invite(t, "bo@example.com", org.RoleMember).Token, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Deactivate(ctx, f.admin, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "bo@example.com"}); !errors.Is(err, org.ErrAlreadyMember) {
		t.Errorf("invite deactivated member: err = %v, want already member (reactivate instead)", err)
	}
	if _, err := f.svc.ChangeRole(ctx, f.admin, m.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	// A deactivated admin does not count: the owner is still the only active one.
	if _, err := f.svc.Deactivate(ctx, f.admin, owner); !errors.Is(err, org.ErrLastAdmin) {
		t.Errorf("deactivate owner beside a deactivated admin: err = %v, want last admin", err)
	}
	if _, err := f.svc.Reactivate(ctx, f.admin, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reactivate(ctx, f.admin, m.ID); !errors.Is(err, org.ErrMemberActive) {
		t.Errorf("reactivate active member: err = %v", err)
	}
	if _, err := f.svc.Deactivate(ctx, f.admin, owner); err != nil {
		t.Errorf("deactivate owner beside an active admin: %v", err)
	}
}

func TestConcurrentInvitesOfOneAddressCreateOne(t *testing.T) {
	f := newFixture(t, "acme")
	if !f.env.IsolatedTransactions {
		t.Skip("this DynamoDB does not isolate concurrent transactions; the race is tested on the embedded DynamoDB by make test")
	}
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: "race@example.com"})
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, org.ErrAlreadyInvited):
			t.Errorf("unexpected error: %v", err)
		}
	}
	page, err := f.svc.Invitations(context.Background(), f.admin, org.InvitationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(page.Items) != 1 {
		t.Errorf("created %d, stored %d invitations; want exactly 1", created, len(page.Items))
	}
}

func TestOrganizationsCannotSeeEachOther(t *testing.T) {
	f := newFixture(t, "acme")
	f.addOrg(t, "globex")
	ctx := context.Background()
	inv := f.invite(t, "shared@example.com", org.RoleMember).Invitation
	other := f.principal("globex", org.RoleAdmin)
	if _, err := f.svc.Invitation(ctx, other, inv.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("read another org's invitation: err = %v, want not found", err)
	}
	if _, err := f.svc.Revoke(ctx, other, inv.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("revoke another org's invitation: err = %v, want not found", err)
	}
	if _, err := f.svc.Member(ctx, other, f.adminMember.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("read another org's member: err = %v, want not found", err)
	}
	// The same address may be invited by another organization.
	if _, err := f.svc.Invite(ctx, other, org.InviteRequest{Email: "shared@example.com"}); err != nil {
		t.Errorf("invite the same address elsewhere: %v", err)
	}
	page, err := f.svc.Invitations(ctx, other, org.InvitationQuery{})
	if err != nil || len(page.Items) != 1 || page.Items[0].OrgID != "globex" {
		t.Errorf("globex invitations = %+v, %v", page.Items, err)
	}
}

func TestTokensAuthenticateUntilRevoked(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	nt, err := f.svc.CreateToken(ctx, f.admin, "CI bot", "member")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	want := org.Principal{OrgID: "acme", Role: org.RoleMember, Actor: org.Actor{Type: "token", ID: nt.Token.ID, Name: "CI bot"}, Source: org.SourceAPI}
	if diff := cmp.Diff(want, p, cmpopts.IgnoreUnexported(org.Principal{})); diff != "" {
		t.Errorf("principal mismatch (-want +got):\n%s", diff)
	}
	if _, err := f.svc.CreateToken(ctx, p, "sneaky", "admin"); !errors.Is(err, org.ErrForbidden) {
		t.Errorf("member creates token: err = %v, want forbidden", err)
	}
	list, err := f.svc.Tokens(ctx, f.admin)
	if err != nil || len(list) != 1 || list[0].Hint != nt.Secret[len(nt.Secret)-4:] {
		t.Errorf("tokens = %+v, %v", list, err)
	}
	if err := f.svc.RevokeToken(ctx, f.admin, nt.Token.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, nt.Secret, org.SourceAPI); !errors.Is(err, org.ErrUnauthenticated) {
		t.Errorf("revoked token: err = %v, want unauthenticated", err)
	}
	if err := f.svc.RevokeToken(ctx, f.admin, nt.Token.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("revoke twice: err = %v, want not found", err)
	}
}

func TestResendInvalidatesAMintedLink(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	c, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "mail@x.io"})
	if err != nil {
		t.Fatal(err)
	}
	// Give the emailed invitation a link, as the mailer does when it sends.
	token := "acme." + c.Invitation.ID + "." + strings.Repeat("q", 43)
	table := f.env.Store.Table()
	_, err = f.env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ORG#acme"},
			"sk": &types.AttributeValueMemberS{Value: "INV#" + c.Invitation.ID},
		},
		UpdateExpression:          aws.String("SET tokenHash = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: org.HashSecret(token)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(org.MinResendInterval)
	if _, err := f.svc.Resend(ctx, f.admin, c.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Accept(ctx, org.SourceAPI, token, ""); !errors.Is(err, org.ErrInvalidToken) {
		t.Errorf("link minted before the resend: err = %v, want invalid token", err)
	}
}

func TestResendKeepsTheOriginalLifetime(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	c, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "long@x.io", ExpiresInDays: aws.Int(30)})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.clock.Add(29 * 24 * time.Hour)
		r, err := f.svc.Resend(ctx, f.admin, c.Invitation.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Invitation.ExpiresAt.Sub(f.clock.Now()); got != 30*24*time.Hour {
			t.Fatalf("resent invitation lives %v, want 30 days", got)
		}
	}
}
