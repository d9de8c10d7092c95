package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

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

func TestListingPagesAndFilters(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ids = append(ids, f.invite(t, fmt.Sprintf("p%d@example.com", i), org.RoleViewer).Invitation.ID)
		f.clock.Add(time.Millisecond)
	}
	if _, err := f.svc.Revoke(ctx, f.admin, ids[1]); err != nil {
		t.Fatal(err)
	}
	var got []string
	q := org.InvitationQuery{Status: org.StatusPending, PageRequest: org.PageRequest{Limit: 2}}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		page, err := f.svc.Invitations(ctx, f.admin, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page.Items {
			got = append(got, inv.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	want := []string{ids[4], ids[3], ids[2], ids[0]} // newest first, revoked left out
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pending invitations mismatch (-want +got):\n%s", diff)
	}
	revoked, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Status: org.StatusRevoked})
	if err != nil || len(revoked.Items) != 1 || revoked.Items[0].ID != ids[1] {
		t.Errorf("revoked = %+v, %v", revoked.Items, err)
	}
	f.clock.Add(8 * 24 * time.Hour)
	expired, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Status: org.StatusExpired})
	if err != nil || len(expired.Items) != 4 {
		t.Errorf("expired = %d items, %v; want 4", len(expired.Items), err)
	}
	for _, cursor := range []string{"%%%", "bm90IGEgY3Vyc29yIQ", "SU5WI3h4eA!!"} {
		_, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{PageRequest: org.PageRequest{Cursor: cursor}})
		var verr *org.ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Field != "cursor" {
			t.Errorf("cursor %q: err = %v, want a cursor validation error", cursor, err)
		}
	}
	audit, err := f.svc.AuditLog(ctx, f.admin, org.PageRequest{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 3 || audit.Items[0].Action != org.ActionRevoked || audit.Next == "" {
		t.Errorf("newest audit entries = %+v (next %q); want the revocation first and more pages", audit.Items, audit.Next)
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
	if diff := cmp.Diff(want, p); diff != "" {
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

func TestFilteredListsReadABoundedAmount(t *testing.T) {
	f := newFixture(t, "acme")
	dynamo.SetQueryBounds(f.env.Store, 10, 3)
	ctx := context.Background()
	oldest := f.invite(t, "first@example.com", org.RoleMember).Invitation.ID
	batch := make([]org.InviteRequest, 100)
	for j := range batch {
		batch[j] = org.InviteRequest{Email: fmt.Sprintf("q%d@example.com", j), SendEmail: noEmail()}
	}
	if _, err := f.svc.InviteMany(ctx, f.admin, batch); err != nil {
		t.Fatal(err)
	}
	// The oldest invitation is the only revoked one, behind 100 newer ones: more than one
	// request's worth of reading (3 pages of 10 items).
	if _, err := f.svc.Revoke(ctx, f.admin, oldest); err != nil {
		t.Fatal(err)
	}
	q := org.InvitationQuery{Status: org.StatusRevoked, PageRequest: org.PageRequest{Limit: 5}}
	var found []string
	requests := 0
	for ; ; requests++ {
		if requests > 10 {
			t.Fatal("paging through a filtered list does not end")
		}
		f.env.Requests.Reset()
		p, err := f.svc.Invitations(ctx, f.admin, q)
		if err != nil {
			t.Fatal(err)
		}
		if n := f.env.Requests.Total(); n > 3 {
			t.Errorf("one list request read %d DynamoDB pages, want at most 3", n)
		}
		for _, inv := range p.Items {
			found = append(found, inv.ID)
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if len(found) != 1 || found[0] != oldest {
		t.Errorf("revoked = %v, want [%s]", found, oldest)
	}
	if requests == 0 {
		t.Error("the whole list was read in one request: the bound was not reached")
	}
}
