package dynamo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// bigRun is a run report as large as a run lists: 1,000 actions and 500 skipped rows, with
// long names and reasons, and failures among the actions.
func bigRun(id string, actions int) dirsync.Run {
	r := dirsync.Run{ID: id, OrgID: "acme", Status: dirsync.RunHeld, Trigger: dirsync.TriggerSchedule,
		StartedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 25, 12, 0, 1, 0, time.UTC),
		Counts: map[string]int{"deactivate": actions, "skipped": 500}, PlanHash: "abc"}
	long := strings.Repeat("Wolfeschlegelsteinhausenbergerdorff ", 4)
	for i := range actions {
		o := dirsync.Outcome{Action: idp.Action{Kind: idp.ActionDeactivate, AccountID: fmt.Sprintf("usr_01JDQ%021d", i),
			Email: fmt.Sprintf("person.number.%d@a-rather-long-domain.example.com", i), Name: long, ExternalID: fmt.Sprintf("00u%017d", i),
			Reason: fmt.Sprintf("absent from the export (row %d of page 3)", i)}}
		if i%10 == 0 {
			o.Error = "the account changed while sync ran; the next run looks again"
		}
		r.Actions = append(r.Actions, o)
	}
	for i := range 500 {
		r.Skipped = append(r.Skipped, idp.Skip{Row: i + 2, Page: 1, Email: fmt.Sprintf("staged.%d@a-rather-long-domain.example.com", i),
			Name: long, Reason: "not active yet in the identity provider (staged); left as is", Code: "pending", Status: idp.StatusPending})
	}
	return r
}

func TestLargeRunReportsFit(t *testing.T) {
	env := dynamotest.New(t)
	ctx := context.Background()
	audit := func(id string) org.AuditEntry {
		return org.AuditEntry{ID: id, OrgID: "acme", At: time.Now(), Action: dirsync.ActionRun, Actor: org.SyncActor, Source: org.SourceSync}
	}
	want := bigRun("run_01", dirsync.MaxReportedActions)
	if err := env.Store.Sync.PutRun(ctx, want, audit("01A")); err != nil {
		t.Fatalf("store a report of %d actions and %d skips: %v", len(want.Actions), len(want.Skipped), err)
	}
	got, err := env.Store.Sync.GetRun(ctx, "acme", "run_01")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Actions) != len(want.Actions) || len(got.Skipped) != 500 || got.ActionsTruncated || got.Actions[999] != want.Actions[999] || got.Skipped[499] != want.Skipped[499] {
		t.Errorf("report read back: %d actions (truncated %v), %d skips", len(got.Actions), got.ActionsTruncated, len(got.Skipped))
	}

	// A report too large even compressed is cut to fit, and says so: 30,000 of these actions
	// compress to about twice maxReportBytes.
	huge := bigRun("run_02", 30000)
	for i := range huge.Actions {
		huge.Actions[i].Name = fmt.Sprintf("%x", i*7919) + strings.Repeat(fmt.Sprint(i), 8)
	}
	if err := env.Store.Sync.PutRun(ctx, huge, audit("01B")); err != nil {
		t.Fatalf("store an oversized report: %v", err)
	}
	got, err = env.Store.Sync.GetRun(ctx, "acme", "run_02")
	if err != nil {
		t.Fatal(err)
	}
	if !got.ActionsTruncated || len(got.Actions) == 0 || len(got.Actions) >= 30000 || got.Counts["deactivate"] != 30000 {
		t.Errorf("oversized report: %d actions, truncated %v, counts %v", len(got.Actions), got.ActionsTruncated, got.Counts)
	}
}
