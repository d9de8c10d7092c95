package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// TestARequeueLeavesALeaseInUseAlone: a delivery read before a dispatcher claimed it (a claim
// leaves updatedAt as it was) is not made due again while the lease lasts, which would drop
// the lease and let a second dispatcher send it meanwhile; once the lease has lapsed it is.
func TestARequeueLeavesALeaseInUseAlone(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	store := f.env.Store.Hooks
	at := f.clock.Now().UTC().Truncate(time.Millisecond)
	d := hooks.Delivery{ID: "msg_1", OrgID: "acme", EndpointID: "whk_1", EventType: "invitation.created", Body: []byte(`{}`),
		Status: hooks.DeliveryFailing, Attempts: 1, CreatedAt: at, TriesSince: at, NextAt: at, UpdatedAt: at}
	if err := store.PutDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	prev, err := store.GetDelivery(ctx, "acme", "whk_1", "msg_1")
	if err != nil {
		t.Fatal(err)
	}
	claimedAt := at.Add(time.Minute)
	if err := store.ClaimDelivery(ctx, prev, "lease-1", claimedAt, claimedAt.Add(2*time.Minute)); err != nil {
		t.Fatalf("claim: %v", err)
	}
	requeue := func(now time.Time, n int) error {
		next := prev
		next.Status, next.NextAt, next.UpdatedAt, next.LeaseID, next.LeaseUntil = hooks.DeliveryPending, now, now, "", time.Time{}
		a := org.AuditEntry{ID: fmt.Sprintf("aud_retry_%d", n), OrgID: "acme", At: now, Action: hooks.ActionDeliveryRetried,
			Actor: org.Actor{Type: "token", ID: "tok_admin"}, Source: org.SourceAPI, TargetType: "webhook", TargetID: "whk_1"}
		return store.RequeueDelivery(ctx, prev, next, a)
	}
	if err := requeue(claimedAt.Add(time.Second), 0); !org.Refused(err, org.PartRecord) {
		t.Fatalf("requeue during the lease: %v, want refused", err)
	}
	if got, err := store.GetDelivery(ctx, "acme", "whk_1", "msg_1"); err != nil || got.LeaseID != "lease-1" {
		t.Fatalf("after the refused requeue: %+v %v, want the lease kept", got, err)
	}
	if err := requeue(claimedAt.Add(3*time.Minute), 1); err != nil {
		t.Fatalf("requeue after the lease lapsed: %v", err)
	}
	got, err := store.GetDelivery(ctx, "acme", "whk_1", "msg_1")
	if err != nil || got.Status != hooks.DeliveryPending || got.LeaseID != "" || !got.LeaseUntil.IsZero() {
		t.Errorf("after the requeue: %+v %v", got, err)
	}
}
