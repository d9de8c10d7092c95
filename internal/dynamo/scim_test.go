package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/idp"
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

func TestSCIMDeactivationWindowSlides(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	type step struct {
		at      time.Duration // after t0
		uncount bool          // give back the deactivation counted at at
		want    bool          // counted
	}
	for _, tc := range []struct {
		name  string
		limit int
		steps []step
	}{
		{"the limit within a window", 2, []step{{at: 0, want: true}, {at: time.Minute, want: true}, {at: 2 * time.Minute, want: false}}},
		{"no burst across a boundary", 2, []step{
			{at: 0, want: true}, {at: 59 * time.Minute, want: true},
			{at: 61 * time.Minute, want: true}, {at: 61 * time.Minute, want: false}, {at: 62 * time.Minute, want: false},
			{at: 119 * time.Minute, want: false}, {at: 120 * time.Minute, want: true},
		}},
		{"a window later, room again", 1, []step{{at: 0, want: true}, {at: 30 * time.Minute, want: false}, {at: 61 * time.Minute, want: true}}},
		{"a refused deactivation gives its slot back", 1, []step{
			{at: 0, want: true}, {at: 0, uncount: true}, {at: time.Minute, want: true}, {at: 2 * time.Minute, want: false},
		}},
		{"a slot that left the window is not given back twice", 1, []step{
			{at: 0, want: true}, {at: 61 * time.Minute, want: true}, {at: 0, uncount: true}, {at: 62 * time.Minute, want: false},
		}},
		{"no limit counts nothing", 0, []step{{at: 0, want: false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store := dynamotest.New(t).Store.SCIM
			for i, st := range tc.steps {
				at := t0.Add(st.at)
				if st.uncount {
					if err := store.UncountDeactivation(ctx, "acme", at); err != nil {
						t.Fatalf("step %d: uncount: %v", i, err)
					}
					continue
				}
				got, err := store.CountDeactivation(ctx, "acme", at, time.Hour, tc.limit)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got != st.want {
					t.Fatalf("step %d (at +%v): counted %v, want %v", i, st.at, got, st.want)
				}
			}
		})
	}
}

func TestSCIMDeactivationWindowCountsConcurrentRequestsOnce(t *testing.T) {
	env := dynamotest.New(t)
	if !env.IsolatedTransactions {
		t.Skip("the DynamoDB under test does not isolate concurrent conditional writes")
	}
	ctx := context.Background()
	store := env.Store.SCIM
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	const tries, limit = 12, 5
	results := make(chan bool, tries)
	for range tries {
		go func() {
			ok, err := store.CountDeactivation(ctx, "acme", now, time.Hour, limit)
			if err != nil && !errors.Is(err, org.ErrConflict) {
				t.Errorf("count: %v", err)
			}
			results <- ok
		}()
	}
	counted := 0
	for range tries {
		if <-results {
			counted++
		}
	}
	if counted > limit {
		t.Errorf("%d deactivations counted at once with a limit of %d", counted, limit)
	}
}

func TestSCIMHeldRunIsReplacedOnlyByWhoReadItLast(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	held := func(id string) dirsync.Run {
		return dirsync.Run{ID: id, OrgID: "acme", Status: dirsync.RunHeld, Trigger: provision.TriggerSCIM, StartedAt: at, FinishedAt: at,
			ExpiresAt: at.Add(dirsync.HoldFor), Actions: []dirsync.Outcome{{Action: idp.Action{Kind: idp.ActionRevoke, AccountID: "inv_" + id}}}}
	}
	audit := func(id string) org.AuditEntry {
		return org.AuditEntry{ID: "aud_" + id, OrgID: "acme", At: at, Action: dirsync.ActionRun, Source: org.SourceSCIM}
	}
	setup := func(t *testing.T) *dynamo.Store {
		t.Helper()
		store := dynamotest.New(t).Store
		if err := store.SCIM.PutConfig(ctx, nil, provision.Config{OrgID: "acme", UpdatedAt: at}, audit("cfg")); err != nil {
			t.Fatal(err)
		}
		if err := store.SCIM.HoldRun(ctx, "", nil, held("r1"), audit("r1")); err != nil {
			t.Fatalf("first held run: %v", err)
		}
		return store
	}
	r1 := held("r1")
	for _, tc := range []struct {
		name       string
		prepare    func(t *testing.T, store *dynamo.Store)
		named      string
		superseded *dirsync.Run
	}{
		{"another run is named now", func(t *testing.T, store *dynamo.Store) {
			if err := store.SCIM.HoldRun(ctx, "r1", &r1, held("r2"), audit("r2")); err != nil {
				t.Fatal(err)
			}
		}, "r1", &r1},
		{"none was named, one is now", nil, "", nil},
		{"the superseded run was approved", func(t *testing.T, store *dynamo.Store) {
			approved := r1
			approved.Status = dirsync.RunApproved
			if err := store.Sync.ApproveRun(ctx, approved, audit("approve")); err != nil {
				t.Fatal(err)
			}
		}, "r1", &r1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := setup(t)
			if tc.prepare != nil {
				tc.prepare(t, store)
			}
			before, _ := store.SCIM.GetConfig(ctx, "acme")
			err := store.SCIM.HoldRun(ctx, tc.named, tc.superseded, held("r3"), audit("r3"))
			if !org.Refused(err, org.PartRecord) {
				t.Fatalf("HoldRun = %v, want refused", err)
			}
			if _, err := store.Sync.GetRun(ctx, "acme", "r3"); !errors.Is(err, org.ErrNotFound) {
				t.Errorf("a refused held run was stored: %v", err)
			}
			if after, _ := store.SCIM.GetConfig(ctx, "acme"); after.HeldRun != before.HeldRun {
				t.Errorf("held run named %q, want %q still", after.HeldRun, before.HeldRun)
			}
		})
	}
	t.Run("the run read last is superseded", func(t *testing.T) {
		store := setup(t)
		if err := store.SCIM.HoldRun(ctx, "r1", &r1, held("r2"), audit("r2")); err != nil {
			t.Fatal(err)
		}
		old, err := store.Sync.GetRun(ctx, "acme", "r1")
		if err != nil || old.Status != dirsync.RunSuperseded || old.SupersededBy != "r2" {
			t.Errorf("the superseded run: %+v %v", old, err)
		}
		if c, _ := store.SCIM.GetConfig(ctx, "acme"); c.HeldRun != "r2" {
			t.Errorf("held run named %q, want r2", c.HeldRun)
		}
	})
}
