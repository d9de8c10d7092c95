package org_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

func TestInvitationsCreatedAreCountedByDoor(t *testing.T) {
	env := dynamotest.New(t)
	rec := metricstest.New(t)
	svc := org.NewService(env.Store.Org(), org.WithClock(orgtest.NewClock().Now), org.WithMetrics(rec))
	f := &fixture{env: env, svc: svc}
	f.addOrg(t, "acme")
	ctx := context.Background()
	api := f.principal("acme", org.RoleAdmin)
	legacy, slack, sync := api, api, org.SyncPrincipal("acme")
	legacy.Via = org.ViaLegacy
	slack.Source = org.SourceSlack
	web := api
	web.Source = org.SourceWeb

	if _, err := svc.Invite(ctx, api, org.InviteRequest{Email: "a@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(ctx, legacy, org.InviteRequest{Email: "b@acme.example", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	// Refused: already invited. Nothing is counted.
	if _, err := svc.Invite(ctx, api, org.InviteRequest{Email: "a@acme.example"}); err == nil {
		t.Fatal("a second live invitation was created")
	}
	// Bulk: two created, one taken, one invalid, one repeated.
	bulk := []org.InviteRequest{{Email: "c@acme.example"}, {Email: "a@acme.example"}, {Email: "nope"}, {Email: "d@acme.example"}, {Email: "c@acme.example"}}
	if _, err := svc.InviteMany(ctx, api, bulk); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteMany(ctx, web, []org.InviteRequest{{Email: "e@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteMany(ctx, slack, []org.InviteRequest{{Email: "f@acme.example"}, {Email: "g@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InviteMany(ctx, sync, []org.InviteRequest{{Email: "h@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	// A bulk call creating nothing records nothing.
	if _, err := svc.InviteMany(ctx, api, []org.InviteRequest{{Email: "a@acme.example"}}); err != nil {
		t.Fatal(err)
	}

	got := map[string]float64{}
	for _, r := range rec.Records() {
		if r.Name != "InvitationsCreated" || r.Unit != "Count" || len(r.Dims) != 1 {
			t.Errorf("unexpected record %v", r)
		}
		got[r.Dims["Source"]] += r.Value
	}
	want := map[string]float64{"api": 1, "legacy": 1, "bulk": 2, "web": 1, "slack": 2, "sync": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("invitations created by source mismatch (-want +got):\n%s", diff)
	}
	if n := len(rec.Records()); n != 6 {
		t.Errorf("%d records, want one per call that created something (6)", n)
	}
}
