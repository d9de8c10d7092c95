package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
)

func TestSCIMProfilesAreFoundByEveryAccountTheyHad(t *testing.T) {
	ctx := context.Background()
	store := dynamotest.New(t).Store.SCIM
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	first := provision.Profile{OrgID: "acme", ID: "inv_1", Ref: "inv_1", UserName: "ada", Created: at, LastModified: at}
	if err := store.PutProfile(ctx, nil, first); err != nil {
		t.Fatal(err)
	}
	// Re-invited, then accepted and changed as a member: each account names the profile.
	second := first
	second.Ref, second.LastModified = "inv_2", at.Add(time.Minute)
	if err := store.PutProfile(ctx, &first, second); err != nil {
		t.Fatal(err)
	}
	third := second
	third.Ref, third.LastModified = "usr_1", at.Add(2*time.Minute)
	if err := store.PutProfile(ctx, &second, third); err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{"inv_2", "usr_1"} {
		got, err := store.ProfileByRef(ctx, "acme", account)
		if err != nil {
			t.Fatalf("profile of %s: %v", account, err)
		}
		if diff := cmp.Diff(third, got); diff != "" {
			t.Errorf("profile of %s mismatch (-want +got):\n%s", account, diff)
		}
	}
	// The account a profile is named after is found by its id, and an account nobody had
	// by neither.
	for _, account := range []string{"inv_1", "inv_other"} {
		if _, err := store.ProfileByRef(ctx, "acme", account); !errors.Is(err, org.ErrNotFound) {
			t.Errorf("profile of %s: %v, want not found", account, err)
		}
	}
	if _, err := store.ProfileByRef(ctx, "globex", "inv_2"); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("another organization finds the profile: %v", err)
	}
}
