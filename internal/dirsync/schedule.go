package dirsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gatehouse/internal/org"
)

// Summary is what a scheduled pass over every organization did.
type Summary struct {
	Organizations int            `json:"organizations"`
	Runs          map[string]int `json:"runs"` // by status
	Failed        []string       `json:"failed,omitempty"`
	Skipped       []string       `json:"skipped,omitempty"` // not started: too little time left
}

// minTimeLeft is the least time a run may start with before the caller's deadline.
const minTimeLeft = 30 * time.Second

// maxRunTime bounds one organization's run in a pass without a deadline (the local stack).
const maxRunTime = 5 * time.Minute

// SyncAll runs every enabled organization's sync in turn, continuing past one that fails and
// starting none when less than minTimeLeft remains before ctx's deadline (the next scheduled
// pass picks those up). No organization can starve the others: each run gets a fair share
// of the time left (at least minTimeLeft), and what a run does not use passes on to the next;
// every read of an export is bounded (idp.MaxExportBytes), so none can exhaust the memory.
func (s *Service) SyncAll(ctx context.Context, trigger string) (Summary, error) {
	configs, unreadable, err := s.store.SyncConfigs(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("list sync configurations: %w", err)
	}
	enabled := configs[:0:0]
	for _, c := range configs {
		if c.Enabled {
			enabled = append(enabled, c)
		}
	}
	// The order turns every pass, so that the organizations a pass runs out of time for are
	// not always the same ones.
	if n := len(enabled); n > 1 {
		first := int(s.nowUTC().Unix()/int64(time.Hour/time.Second)) % n
		enabled = append(enabled[first:], enabled[:first]...)
	}
	sum := Summary{Runs: map[string]int{}, Organizations: len(enabled) + len(unreadable)}
	for _, u := range unreadable {
		// A failed run of its own, which its admins see with the others' runs; the rest sync.
		sum.Failed = append(sum.Failed, u.OrgID)
		s.log.ErrorContext(ctx, "sync configuration unreadable", "org", u.OrgID, "err", u.Err)
		if run, err := s.unreadable(ctx, u.OrgID, trigger); err == nil {
			sum.Runs[string(run.Status)]++
		} else {
			s.log.ErrorContext(ctx, "failed run not stored", "org", u.OrgID, "err", err)
		}
	}
	for i, c := range enabled {
		deadline, ok := ctx.Deadline()
		if ok && time.Until(deadline) < s.minTimeLeft {
			sum.Skipped = append(sum.Skipped, c.OrgID)
			continue
		}
		budget := maxRunTime
		if ok {
			budget = max(time.Until(deadline)/time.Duration(len(enabled)-i), s.minTimeLeft)
		}
		runCtx, cancel := context.WithTimeout(ctx, budget)
		run, err := s.sync(runCtx, request{c: c, trigger: trigger, by: org.SyncPrincipal(c.OrgID)})
		cancel()
		if err != nil {
			sum.Failed = append(sum.Failed, c.OrgID)
			s.log.ErrorContext(ctx, "sync failed", "org", c.OrgID, "err", err)
			if run.Status == "" {
				continue
			}
		}
		sum.Runs[string(run.Status)]++
		s.log.InfoContext(ctx, "sync finished", "org", c.OrgID, "status", string(run.Status), "run", run.ID, "counts", run.Counts)
	}
	if len(sum.Failed) > 0 && len(sum.Failed)+len(sum.Skipped) == sum.Organizations {
		return sum, errors.New("no organization's sync succeeded: every one failed or was left for lack of time")
	}
	return sum, nil
}

// unreadable stores the failed run of an organization whose sync configuration could not
// be read, and counts it.
func (s *Service) unreadable(ctx context.Context, orgID, trigger string) (Run, error) {
	now := s.nowUTC()
	run := Run{ID: "run_" + s.newID(), OrgID: orgID, Trigger: trigger, StartedAt: now, FinishedAt: now, Status: RunFailed,
		Error: "the stored sync configuration could not be read; save it again in Settings"}
	if err := s.store.PutRun(ctx, run, s.runAudit(org.SyncPrincipal(orgID), run)); err != nil {
		s.countRun(ctx, Run{}, err) // an error, as a run whose report could not be stored
		return Run{}, err
	}
	s.countRun(ctx, run, nil)
	return run, nil
}
