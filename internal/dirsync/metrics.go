package dirsync

import (
	"context"

	"gatehouse/internal/idp"
)

// Metrics counts what operators watch (package metrics writes them for CloudWatch). dims
// are name, value pairs, each value one of a few.
type Metrics interface {
	Count(ctx context.Context, name string, n int, dims ...string)
}

// WithMetrics makes the Service count its runs into m.
func WithMetrics(m Metrics) Option { return func(s *Service) { s.metrics = m } }

// nopMetrics counts nothing.
type nopMetrics struct{}

func (nopMetrics) Count(context.Context, string, int, ...string) {}

// runError is the Status of a run that ended in an error before any report: the store
// failed, another run held the lease, or an approved plan had changed.
const runError = "error"

// countRun counts a finished run as SyncRuns by Status and, when applied, the people it
// changed and the changes that failed.
func (s *Service) countRun(ctx context.Context, run Run, err error) {
	status := string(run.Status)
	if status == "" || (err != nil && run.Status != RunFailed) {
		status = runError
	}
	s.metrics.Count(ctx, "SyncRuns", 1, "Status", status)
	if status != string(RunApplied) {
		return
	}
	changed := 0
	for _, k := range idp.ActionKinds() {
		changed += run.Counts[string(k)]
	}
	failed := run.Counts["failed"]
	s.metrics.Count(ctx, "SyncPeopleChanged", changed-failed)
	s.metrics.Count(ctx, "SyncChangesFailed", failed)
}
