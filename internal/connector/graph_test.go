package connector

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/idp"
)

const (
	groupPortal = "02bd9fd6-8f93-4758-87c3-1fb73740a315"
	groupOncall = "9a7e0c11-5d0b-4bb4-8a5e-3c2f1e0d9b10"
	groupNone   = "00000000-0000-4000-8000-000000000000"
)

// user is a Graph user member; "" leaves mail out (null), as for accounts without one.
func user(id, given, surname, mail, upn string, enabled bool) graphMember {
	m := graphMember{Type: "#microsoft.graph.user", ID: id, DisplayName: strings.TrimSpace(given + " " + surname),
		GivenName: &given, Surname: &surname, UPN: upn, AccountEnabled: &enabled}
	if mail != "" {
		m.Mail = &mail
	}
	return m
}

// portalMembers are the fake tenant's Developer Portal group: people, a nested group and
// a guest without mail.
func portalMembers() []graphMember {
	return []graphMember{
		user("u1", "Ada", "Lovelace", "Ada.Lovelace@contoso.com", "ada@contoso.com", true),
		user("u2", "Zoë", "Ngata", "", "zoe.ngata@contoso.com", true),
		{Type: "#microsoft.graph.group", ID: "g9", DisplayName: "Platform Contractors"},
		user("u4", "Sam", "Vendor", "", "sam_vendor.example#EXT#@contoso.onmicrosoft.com", true),
		user("u5", "Dee", "Park", "dee.park@contoso.com", "dee.park@contoso.com", false),
	}
}

// portalPeople are the people idp reads from portalMembers.
func portalPeople() []idp.Person {
	return []idp.Person{
		{ExternalID: "u1", Email: "ada.lovelace@contoso.com", Name: "Ada Lovelace", Status: idp.StatusPresent},
		{ExternalID: "u2", Email: "zoe.ngata@contoso.com", Name: "Zoë Ngata", Status: idp.StatusPresent},
		{ExternalID: "u5", Email: "dee.park@contoso.com", Name: "Dee Park", Status: idp.StatusGone},
	}
}

// newGraphTenant is a fake tenant with the Developer Portal and Platform Oncall groups.
func newGraphTenant(t *testing.T) *fakeGraph {
	f := newFakeGraph(t)
	f.add(groupPortal, "Developer Portal", portalMembers()...)
	f.add(groupOncall, "Platform Oncall", user("u7", "Li", "Wei", "li.wei@contoso.com", "li.wei@contoso.com", true))
	return f
}

func TestGraphFetch(t *testing.T) {
	f := newGraphTenant(t)
	g, err := NewGraph(f.config(groupPortal, groupOncall), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if res.Format != idp.FormatEntraJSON || len(res.Groups) != 2 {
		t.Fatalf("result of format %s with %d groups", res.Format, len(res.Groups))
	}
	wantPeople(t, portalPeople(), people(t, res, 0))
	wantPeople(t, []idp.Person{{ExternalID: "u7", Email: "li.wei@contoso.com", Name: "Li Wei", Status: idp.StatusPresent}}, people(t, res, 1))

	// The pages are the bodies Graph sent, byte for byte, in order.
	var got []string
	for _, p := range res.Groups[0].Pages {
		b, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	if diff := cmp.Diff(f.bodies[groupPortal], got); diff != "" {
		t.Errorf("pages mismatch (-sent +kept):\n%s", diff)
	}
	// One sign-in for both groups; a delta link and three pages for one, one page for the other.
	if n := f.tokenCount(); n != 1 {
		t.Errorf("%d tokens issued, want 1", n)
	}
	if res.Requests != 1+2+3+1 {
		t.Errorf("Requests = %d, want 7", res.Requests)
	}
	for _, gp := range res.Groups {
		if !strings.Contains(gp.DeltaLink, "/v1.0/groups/delta?$deltatoken=") {
			t.Errorf("group %s has delta link %q", gp.ID, gp.DeltaLink)
		}
	}
}

func TestGraphNested(t *testing.T) {
	f := newGraphTenant(t)
	cfg := f.config(groupPortal)
	cfg.Nested = true
	g, err := NewGraph(cfg, testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, portalPeople(), people(t, res, 0))
	if res.Groups[0].DeltaLink != "" {
		t.Errorf("nested group has delta link %q", res.Groups[0].DeltaLink)
	}
	if !slices.ContainsFunc(f.paths, func(p string) bool { return strings.Contains(p, "/transitiveMembers?") }) {
		t.Errorf("no transitiveMembers request in %v", f.paths)
	}
	if d, err := g.CheckDelta(context.Background(), groupPortal, "https://example.com/any"); err != nil || !d.Changed {
		t.Errorf("CheckDelta of a nested group = %+v, %v; want Changed", d, err)
	}
}

// TestGraphExpiredToken: Graph refuses the cached token in the middle of a group; the
// connector signs in once more and goes on.
func TestGraphExpiredToken(t *testing.T) {
	f := newGraphTenant(t)
	f.hooks.add(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.RawQuery, "$skiptoken=2") && f.tokenCount() == 1 {
			f.revoke()
		}
		return false
	})
	g, err := NewGraph(f.config(groupPortal), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, portalPeople(), people(t, res, 0))
	if n := f.tokenCount(); n != 2 {
		t.Errorf("%d tokens issued, want 2", n)
	}
}

// TestGraphThrottled: 429 with Retry-After, waited on the injected clock.
func TestGraphThrottled(t *testing.T) {
	f := newGraphTenant(t)
	f.hooks.add(failTimes("$skiptoken=2", 2, http.StatusTooManyRequests, map[string]string{"Retry-After": "7"},
		graphError("TooManyRequests", "Too many requests")))
	clock := newClock()
	g, err := NewGraph(f.config(groupPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, portalPeople(), people(t, res, 0))
	if diff := cmp.Diff([]time.Duration{7 * time.Second, 7 * time.Second}, clock.Sleeps()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
}

func TestGraphDelta(t *testing.T) {
	f := newGraphTenant(t)
	g, err := NewGraph(f.config(groupPortal), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := g.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	link := res.Groups[0].DeltaLink
	d, err := g.CheckDelta(ctx, groupPortal, link)
	if err != nil {
		t.Fatalf("CheckDelta: %v", err)
	}
	if d.Changed || d.DeltaLink == "" || d.Requests != 1 {
		t.Errorf("unchanged group: %+v, want not Changed, a new link, 1 request", d)
	}
	// Another connector value signs in first.
	fresh, err := NewGraph(f.config(groupPortal), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := fresh.CheckDelta(ctx, groupPortal, d.DeltaLink); err != nil || d.Changed || d.Requests != 2 {
		t.Errorf("unchanged group, new connector: %+v, %v; want 2 requests", d, err)
	}
	f.change(groupPortal)
	if d, err := g.CheckDelta(ctx, groupPortal, d.DeltaLink); err != nil || !d.Changed || d.DeltaLink != "" {
		t.Errorf("changed group: %+v, %v; want Changed", d, err)
	}
	_, err = g.CheckDelta(ctx, groupPortal, f.srv.URL+"/v1.0/groups/delta?$deltatoken=expired")
	wantError(t, err, ErrDeltaExpired, groupPortal, 0, "400 syncStateNotFound", "read the group in full")
	_, err = g.CheckDelta(ctx, groupPortal, "https://graph.example.net/v1.0/groups/delta?$deltatoken=x")
	wantError(t, err, ErrBadResponse, groupPortal, 0, "graph.example.net", "not followed")
}

// TestGraphWithoutDelta: a tenant that refuses the delta query is still read, in full,
// and every later run reads it in full too.
func TestGraphWithoutDelta(t *testing.T) {
	f := newGraphTenant(t)
	f.hooks.add(failTimes("/groups/delta", -1, http.StatusForbidden, nil, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")))
	g, err := NewGraph(f.config(groupPortal), testOptions(t, newClock()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	wantPeople(t, portalPeople(), people(t, res, 0))
	if link := res.Groups[0].DeltaLink; link != "" {
		t.Errorf("delta link %q, want none", link)
	}
	if d, err := g.CheckDelta(context.Background(), groupPortal, ""); err != nil || !d.Changed || d.Requests != 0 {
		t.Errorf("CheckDelta without a link = %+v, %v; want Changed without a request", d, err)
	}
}
