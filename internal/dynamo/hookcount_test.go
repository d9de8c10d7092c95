package dynamo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// endpointOf is a webhook endpoint of orgID numbered n.
func endpointOf(orgID string, n int, at time.Time) hooks.Endpoint {
	return hooks.Endpoint{ID: fmt.Sprintf("whk_%03d", n), OrgID: orgID, URL: "https://hooks.acme.com/" + fmt.Sprint(n), Events: []string{"*"},
		Enabled: true, Sealed: []byte("sealed"), SecretHint: "abcd", CreatedAt: at, UpdatedAt: at}
}

func endpointAudit(e hooks.Endpoint, action string, n int) org.AuditEntry {
	return org.AuditEntry{ID: fmt.Sprintf("aud_%s_%03d", strings.ReplaceAll(action, ".", "_"), n), OrgID: e.OrgID, At: e.CreatedAt, Action: action,
		Actor: org.Actor{Type: "token", ID: "tok_admin"}, Source: org.SourceAPI, TargetType: "webhook", TargetID: e.ID}
}

// TestTheEndpointCountStartsFromTheEndpointsThere: endpoints written before the store counted
// them are counted the first time one is created or deleted, so the limit holds for them too;
// Verify reports a count that disagrees with the endpoints.
func TestTheEndpointCountStartsFromTheEndpointsThere(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	store := f.env.Store.Hooks
	now := f.clock.Now()
	verify := func(want ...string) {
		t.Helper()
		problems, err := f.env.Store.Verify(ctx, "acme", now)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(problems, "\n") != strings.Join(want, "\n") {
			t.Errorf("Verify = %q, want %q", problems, want)
		}
	}
	var old []hooks.Endpoint
	for n := range hooks.MaxEndpoints {
		old = append(old, endpointOf("acme", n, now))
	}
	if err := dynamo.SeedEndpoints(ctx, f.env.Client, f.env.Store.Table(), old); err != nil {
		t.Fatal(err)
	}
	verify() // no count yet: nothing to disagree

	next := endpointOf("acme", 100, now)
	if err := store.CreateEndpoint(ctx, next, endpointAudit(next, hooks.ActionEndpointCreated, 100)); !org.Refused(err, hooks.PartEndpointCount) {
		t.Fatalf("create beside %d endpoints made before the count: %v, want refused by the count", hooks.MaxEndpoints, err)
	}
	verify()
	if err := store.DeleteEndpoint(ctx, old[0], endpointAudit(old[0], hooks.ActionEndpointDeleted, 0)); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := store.CreateEndpoint(ctx, next, endpointAudit(next, hooks.ActionEndpointCreated, 100)); err != nil {
		t.Fatalf("create after a delete: %v", err)
	}
	again := endpointOf("acme", 101, now)
	if err := store.CreateEndpoint(ctx, again, endpointAudit(again, hooks.ActionEndpointCreated, 101)); !org.Refused(err, hooks.PartEndpointCount) {
		t.Fatalf("create past the limit: %v, want refused by the count", err)
	}
	verify()
	if eps, err := store.ListEndpoints(ctx, "acme"); err != nil || len(eps) != hooks.MaxEndpoints {
		t.Errorf("%d endpoints (%v), want %d", len(eps), err, hooks.MaxEndpoints)
	}

	// An endpoint written behind the count's back is reported.
	if err := dynamo.SeedEndpoints(ctx, f.env.Client, f.env.Store.Table(), []hooks.Endpoint{endpointOf("acme", 200, now)}); err != nil {
		t.Fatal(err)
	}
	verify(fmt.Sprintf("the organization counts %d webhook endpoints, and it has %d", hooks.MaxEndpoints, hooks.MaxEndpoints+1))

	// An organization that does not exist gets neither an endpoint nor a count.
	ghost := endpointOf("ghost", 1, now)
	if err := store.CreateEndpoint(ctx, ghost, endpointAudit(ghost, hooks.ActionEndpointCreated, 1)); !org.Refused(err, org.PartOrg) {
		t.Errorf("create in a missing organization: %v, want refused by the organization", err)
	}
	if has, err := dynamo.HasEndpointCount(ctx, f.env.Store, "ghost"); has || err != nil {
		t.Errorf("a missing organization has a count of webhooks: %v %v", has, err)
	}
}
