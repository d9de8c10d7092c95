package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	for _, cursor := range []string{"%%%", "bm90IGEgY3Vyc29yIQ", "SU5WI3h4eA!!", "aW52XzAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"} {
		_, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{PageRequest: org.PageRequest{Cursor: cursor}})
		var verr *org.ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Field != "cursor" {
			t.Errorf("cursor %q: err = %v, want a cursor validation error", cursor, err)
		}
	}
	audit, err := f.svc.AuditLog(ctx, f.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 3 || audit.Items[0].Action != org.ActionRevoked || audit.Next == "" {
		t.Errorf("newest audit entries = %+v (next %q); want the revocation first and more pages", audit.Items, audit.Next)
	}
}

func TestInvitationsAreSearchedByAddressAndName(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	invite := func(email, name string) string {
		t.Helper()
		c, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: email, Name: name, SendEmail: noEmail()})
		if err != nil {
			t.Fatalf("invite %s: %v", email, err)
		}
		f.clock.Add(time.Millisecond)
		return c.Invitation.ID
	}
	ada := invite("ada@example.com", "Ada Lovelace")
	bob := invite("bob@lovelace.io", "Bob Byte")
	elodie := invite("e.durand@example.com", "\u00c9lodie Durand") // É composed
	grace := invite("grace@example.com", "Grace Hopper")
	nameless := invite("nameless@example.com", "")
	if _, err := f.svc.Revoke(ctx, f.admin, grace); err != nil {
		t.Fatal(err)
	}
	search := func(status org.InvitationStatus, q string, limit int) []string {
		t.Helper()
		var ids []string
		query := org.InvitationQuery{Status: status, Search: q, PageRequest: org.PageRequest{Limit: limit}}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("search %q does not end", q)
			}
			page, err := f.svc.Invitations(ctx, f.admin, query)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			for _, inv := range page.Items {
				ids = append(ids, inv.ID)
			}
			if page.Next == "" {
				return ids
			}
			query.Cursor = page.Next
		}
	}
	for _, c := range []struct {
		name   string
		status org.InvitationStatus
		q      string
		want   []string
	}{
		{"a name and an address, in any case, newest first", "", "  LoveLace ", []string{bob, ada}},
		{"an address", "", "e.durand@", []string{elodie}},
		{"a letter typed decomposed", "", "e\u0301lodie", []string{elodie}},
		{"with the status", org.StatusPending, "grace", nil},
		{"with another status", org.StatusRevoked, "grace", []string{grace}},
		{"a name and an address of one person", "", "grace", []string{grace}},
		{"nameless", "", "nameless@", []string{nameless}},
		{"nothing", "", "nobody", nil},
		{"everyone", org.StatusPending, "", []string{nameless, elodie, bob, ada}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, limit := range []int{1, 50} {
				got := search(c.status, c.q, limit)
				if diff := cmp.Diff(c.want, got); diff != "" {
					t.Errorf("limit %d: mismatch (-want +got):\n%s", limit, diff)
				}
			}
		})
	}

	// A renamed invitation is found by its new name.
	if _, err := f.svc.RenameInvitation(ctx, f.admin, bob, "Robert Byte", ""); err != nil {
		t.Fatal(err)
	}
	if got := search("", "robert", 50); !cmp.Equal(got, []string{bob}) {
		t.Errorf("after a rename: %v, want Bob", got)
	}
	// A cursor continues only the search it was made for.
	page, err := f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Search: "lovelace", PageRequest: org.PageRequest{Limit: 1}})
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v %q", err, page.Next)
	}
	_, err = f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Search: "byte", PageRequest: org.PageRequest{Limit: 1, Cursor: page.Next}})
	var verr *org.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Field != "cursor" {
		t.Errorf("another search's cursor: %v, want a cursor error", err)
	}
	_, err = f.svc.Invitations(ctx, f.admin, org.InvitationQuery{Search: strings.Repeat("a", 101)})
	if !errors.As(err, &verr) || verr.Fields[0].Field != "q" || verr.Fields[0].Code != "invalid_query" {
		t.Errorf("a search of 101 characters: %v, want invalid_query on q", err)
	}
}

func TestAuditLogIsFilteredByActionActorAndSource(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	lead := f.principal("acme", org.RoleMember)
	lead.Actor.Name, lead.Source = "Team lead", org.SourceWeb
	a := f.invite(t, "a@example.com", org.RoleViewer).Invitation.ID
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.Invite(ctx, lead, org.InviteRequest{Email: "b@example.com"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.Revoke(ctx, f.admin, a); err != nil {
		t.Fatal(err)
	}
	type entry struct{ Action, Actor, Source string }
	list := func(q org.AuditQuery) []entry {
		t.Helper()
		var got []entry
		q.Limit = 1
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatalf("%+v does not end", q)
			}
			page, err := f.svc.AuditLog(ctx, f.admin, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			for _, e := range page.Items {
				got = append(got, entry{e.Action, e.Actor.ID, string(e.Source)})
			}
			if page.Next == "" {
				return got
			}
			q.Cursor = page.Next
		}
	}
	created, revoked := entry{org.ActionInvited, "tok_admin", "api"}, entry{org.ActionRevoked, "tok_admin", "api"}
	byLead := entry{org.ActionInvited, "tok_member", "web"}
	for _, c := range []struct {
		name string
		q    org.AuditQuery
		want []entry
	}{
		{"an action", org.AuditQuery{Action: "invitation.created"}, []entry{byLead, created}},
		{"a kind of action", org.AuditQuery{Action: " invitation.* "}, []entry{revoked, byLead, created}},
		{"an actor by id", org.AuditQuery{Actor: "tok_member"}, []entry{byLead}},
		{"an actor by name", org.AuditQuery{Actor: "Team lead"}, []entry{byLead}},
		{"a source", org.AuditQuery{Source: org.SourceWeb}, []entry{byLead}},
		{"all at once", org.AuditQuery{Action: "invitation.*", Actor: "admin token", Source: org.SourceAPI}, []entry{revoked, created}},
		{"nothing matches", org.AuditQuery{Action: "invitation.created", Source: org.SourceSlack}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, list(c.q)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if all := list(org.AuditQuery{}); len(all) != 4 || all[3].Action != org.ActionOrganizationCreate {
		t.Errorf("the whole log = %v, want the three changes and the organization's creation", all)
	}

	// A cursor continues only the filter it was made for; a malformed filter is named.
	page, err := f.svc.AuditLog(ctx, f.admin, org.AuditQuery{Action: "invitation.*", PageRequest: org.PageRequest{Limit: 1}})
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v %q", err, page.Next)
	}
	for _, q := range []org.AuditQuery{
		{Action: "invitation.created", PageRequest: org.PageRequest{Cursor: page.Next}},
		{PageRequest: org.PageRequest{Cursor: page.Next}},
	} {
		_, err := f.svc.AuditLog(ctx, f.admin, q)
		var verr *org.ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Field != "cursor" {
			t.Errorf("%+v: %v, want a cursor error", q, err)
		}
	}
	_, err = f.svc.AuditLog(ctx, f.admin, org.AuditQuery{Action: "Invitation Created", Actor: "a\nb", Source: "email"})
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("malformed filters: %v", err)
	}
	var fields []string
	for _, fe := range verr.Fields {
		fields = append(fields, fe.Field+" "+fe.Code)
	}
	if diff := cmp.Diff([]string{"action invalid_action", "actor invalid_actor", "source invalid_source"}, fields); diff != "" {
		t.Errorf("malformed filters mismatch (-want +got):\n%s", diff)
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
