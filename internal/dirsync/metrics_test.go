package dirsync_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/metrics/metricstest"
)

func TestRunsAreCountedByStatusWithThePeopleTheyChanged(t *testing.T) {
	b := newBench(t)
	rec := metricstest.New(t)
	exports := filepath.Dir(b.path)
	b.sync = dirsync.New(b.env.Store.Sync, b.svc, blob.Opener{FilesDir: exports}, slog.New(slog.DiscardHandler),
		dirsync.WithClock(b.clock.Now), dirsync.WithExportsDir(exports), dirsync.WithMetrics(rec))
	var everyone []person
	for i := range 20 {
		everyone = append(everyone, person{fmt.Sprintf("00u%02d", i), "ACTIVE", "P", fmt.Sprint(i), fmt.Sprintf("p%02d@acme.com", i)})
	}
	b.run2(everyone...)      // applied: 20 invited
	b.run2(everyone...)      // unchanged
	b.run2(everyone[:12]...) // held: 8 of 20 removed
	if err := os.WriteFile(b.path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sync.SyncNow(context.Background(), b.admin); err == nil {
		t.Fatal("an empty export was applied")
	}
	broken := dirsync.New(b.env.Store.Sync, failingAccounts{b.svc}, blob.Opener{FilesDir: exports}, slog.New(slog.DiscardHandler),
		dirsync.WithExportsDir(exports), dirsync.WithMetrics(rec))
	b.export(everyone...)
	if _, err := broken.SyncNow(context.Background(), b.admin); err == nil {
		t.Fatal("a run over a failing store succeeded")
	}

	runs := map[string]float64{}
	for _, status := range []string{"applied", "unchanged", "held", "failed", "error"} {
		runs[status] = rec.Sum("SyncRuns", "Status", status)
	}
	if diff := cmp.Diff(map[string]float64{"applied": 1, "unchanged": 1, "held": 1, "failed": 1, "error": 1}, runs); diff != "" {
		t.Errorf("runs by status mismatch (-want +got):\n%s", diff)
	}
	if n := len(rec.Named("SyncRuns")); n != 5 {
		t.Errorf("%d runs counted, want 5", n)
	}
	if changed, failed := rec.Sum("SyncPeopleChanged"), rec.Sum("SyncChangesFailed"); changed != 20 || failed != 0 {
		t.Errorf("people changed %v, changes failed %v; want 20 and 0 (only applied runs change anyone)", changed, failed)
	}
}
