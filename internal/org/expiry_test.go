package org_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/org"
)

// expiredIDs are the invitations that audit entries of the organization say expired, oldest
// first, with the entries' actor and source checked.
func (f *fixture) expiredIDs(t *testing.T) []string {
	t.Helper()
	page, err := f.svc.AuditLog(context.Background(), f.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := len(page.Items) - 1; i >= 0; i-- {
		a := page.Items[i]
		if a.Action != org.ActionExpired {
			continue
		}
		if a.Actor != org.ExpiryActor || a.Source != org.SourceSystem || a.TargetType != "invitation" {
			t.Errorf("expiry entry %+v: want the expiry actor, source system, an invitation", a)
		}
		ids = append(ids, a.TargetID)
	}
	return ids
}

func (f *fixture) announce(t *testing.T, want int) {
	t.Helper()
	n, err := f.svc.AnnounceExpiries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Errorf("announced %d expiries, want %d", n, want)
	}
}

func TestExpiriesAreAnnouncedOnceWhenDue(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	lapses := f.invite(t, "lapses@example.com", org.RoleMember).Invitation
	accepted := f.invite(t, "accepts@example.com", org.RoleMember)
	revoked := f.invite(t, "revoked@example.com", org.RoleMember).Invitation
	resent := f.invite(t, "resent@example.com", org.RoleMember).Invitation
	later, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "later@example.com", ExpiresInDays: new(14), SendEmail: noEmail()})
	if err != nil {
		t.Fatal(err)
	}

	f.announce(t, 0) // nothing is due yet
	f.clock.Add(6 * 24 * time.Hour)
	if _, err := f.svc.Accept(ctx, org.SourceAPI, accepted.Token, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Revoke(ctx, f.admin, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resend(ctx, f.admin, resent.ID); err != nil { // now due 7 days from here
		t.Fatal(err)
	}
	f.clock.Add(24 * time.Hour) // the first four expire now
	f.announce(t, 0)            // an accept begun at the last moment may still commit
	f.clock.Add(3 * time.Minute)
	f.announce(t, 1)
	if diff := cmp.Diff([]string{lapses.ID}, f.expiredIDs(t)); diff != "" {
		t.Errorf("expired (-want +got):\n%s", diff)
	}
	f.announce(t, 0) // once only

	f.clock.Add(6*24*time.Hour + 3*time.Minute) // the resent one's new expiry
	f.announce(t, 1)
	f.clock.Add(24*time.Hour + 3*time.Minute) // and the 14-day one's
	f.announce(t, 1)
	if diff := cmp.Diff([]string{lapses.ID, resent.ID, later.Invitation.ID}, f.expiredIDs(t)); diff != "" {
		t.Errorf("expired (-want +got):\n%s", diff)
	}

	// Resending an expired invitation makes it due again, at its new expiry.
	if _, err := f.svc.Resend(ctx, f.admin, lapses.ID); err != nil {
		t.Fatal(err)
	}
	f.announce(t, 0)
	f.clock.Add(7*24*time.Hour + 3*time.Minute)
	f.announce(t, 1)
	if got := f.expiredIDs(t); len(got) != 4 || got[3] != lapses.ID {
		t.Errorf("expired = %v, want the resent invitation announced again last", got)
	}
	if problems, err := f.env.Store.Verify(ctx, "acme", f.clock.Now()); err != nil || len(problems) > 0 {
		t.Errorf("store inconsistent: %v %v", problems, err)
	}
}

func TestExpiriesOfManyInvitationsAcrossPages(t *testing.T) {
	f := newFixture(t, "acme")
	defer org.SetExpiryPage(7)()
	// Several reads of the expiry index's pages, with invitations made one by one (moto,
	// which make test-moto runs this against, does not isolate a bulk import's transactions).
	const n = 30
	for i := range n {
		f.invite(t, fmt.Sprintf("p%03d@example.com", i), org.RoleMember)
	}
	f.clock.Add(7*24*time.Hour + 3*time.Minute)
	f.announce(t, n)
	f.announce(t, 0)
}

// TestBackfillIndexesInvitationsStoredBeforeExpiries: invitations an older release stored
// (without the expiry index's attributes) are indexed by the backfill when still live, and
// then announced when due; those expired already are left alone.
func TestBackfillIndexesInvitationsStoredBeforeExpiries(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	old := f.invite(t, "old@example.com", org.RoleMember).Invitation // will have expired
	f.clock.Add(5 * 24 * time.Hour)
	live := f.invite(t, "live@example.com", org.RoleMember).Invitation
	table := f.env.Store.Table()
	for _, id := range []string{old.ID, live.ID} {
		_, err := f.env.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &table,
			Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "INV#" + id},
			},
			UpdateExpression: aws.String("REMOVE queue, due"),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Add(3 * 24 * time.Hour) // old has expired; live has four days left
	n, err := f.env.Store.Invitations.BackfillExpiries(ctx, f.clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("backfill = %d, %v; want the one live invitation", n, err)
	}
	if n, err := f.env.Store.Invitations.BackfillExpiries(ctx, f.clock.Now()); err != nil || n != 0 {
		t.Errorf("a second backfill = %d, %v; want nothing more", n, err)
	}
	f.announce(t, 0)
	f.clock.Add(5*24*time.Hour + 3*time.Minute)
	f.announce(t, 1)
	if diff := cmp.Diff([]string{live.ID}, f.expiredIDs(t)); diff != "" {
		t.Errorf("expired (-want +got):\n%s", diff)
	}
}
