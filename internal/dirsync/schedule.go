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

// SyncAll runs every enabled organization's sync in turn, continuing past one that fails and
// starting none when less than minTimeLeft remains before ctx's deadline (the next scheduled
// pass picks those up).
func (s *Service) SyncAll(ctx context.Context, trigger string) (Summary, error) {
	configs, err := s.store.SyncConfigs(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("list sync configurations: %w", err)
	}
	sum := Summary{Runs: map[string]int{}}
	for _, c := range configs {
		if !c.Enabled {
			continue
		}
		sum.Organizations++
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < minTimeLeft {
			sum.Skipped = append(sum.Skipped, c.OrgID)
			continue
		}
		run, err := s.sync(ctx, request{c: c, trigger: trigger, by: org.SyncPrincipal(c.OrgID)})
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
	if len(sum.Failed) > 0 && len(sum.Failed) == sum.Organizations {
		return sum, errors.New("every organization's sync failed")
	}
	return sum, nil
}
