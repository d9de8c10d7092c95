package dirsync

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// Runs lists the caller's organization's stored runs, newest first.
func (s *Service) Runs(ctx context.Context, p org.Principal, pr org.PageRequest) (org.Page[Run], error) {
	if err := p.Require(org.RoleAdmin, "reading sync runs"); err != nil {
		return org.Page[Run]{}, err
	}
	pr, err := pr.Normalize()
	if err != nil {
		return org.Page[Run]{}, err
	}
	page, err := s.store.ListRuns(ctx, p.OrgID, pr)
	if err != nil {
		return org.Page[Run]{}, fmt.Errorf("list sync runs: %w", err)
	}
	return page, nil
}

// Run returns one of the caller's organization's runs.
func (s *Service) Run(ctx context.Context, p org.Principal, id string) (Run, error) {
	if err := p.Require(org.RoleAdmin, "reading sync runs"); err != nil {
		return Run{}, err
	}
	r, err := s.store.GetRun(ctx, p.OrgID, id)
	if err != nil {
		return Run{}, fmt.Errorf("read sync run %s: %w", id, err)
	}
	return r, nil
}

// Approve applies a held plan, past the removal guardrail, if the export and the members
// still give exactly that plan; otherwise it refuses with ErrPlanChanged and changes nothing
// (the run stays held). It returns the run that applied the plan.
func (s *Service) Approve(ctx context.Context, p org.Principal, id string) (Run, error) {
	held, err := s.Run(ctx, p, id)
	if err != nil {
		return Run{}, err
	}
	if held.StatusAt(s.nowUTC()) != RunHeld {
		return Run{}, fmt.Errorf("approve run %s (%s): %w", id, held.StatusAt(s.nowUTC()), ErrNotHeld)
	}
	if other, ok := s.others[held.Trigger]; ok {
		return s.approveOther(ctx, p, held, other)
	}
	c, err := s.config(ctx, p.OrgID)
	if err != nil {
		return Run{}, err
	}
	run, err := s.sync(ctx, request{c: c, trigger: TriggerApproval, by: p, held: &held})
	if err != nil {
		return run, fmt.Errorf("apply approved run %s: %w", id, err)
	}
	return run, nil
}

// Preview plans an uploaded export against the caller's organization without applying or
// storing anything.
func (s *Service) Preview(ctx context.Context, p org.Principal, rawFormat string, export io.Reader) (idp.Plan, idp.Format, error) {
	if err := p.Require(org.RoleAdmin, "previewing a sync"); err != nil {
		return idp.Plan{}, "", err
	}
	format, err := idp.ParseFormat(rawFormat)
	if err != nil {
		return idp.Plan{}, "", org.Invalid("format", "invalid_format", err.Error())
	}
	c, err := s.store.GetSyncConfig(ctx, p.OrgID)
	switch {
	case errors.Is(err, org.ErrNotFound):
		c = Config{RemovalShare: DefaultRemovalShare, RemovalFloor: DefaultRemovalFloor}
	case err != nil:
		return idp.Plan{}, "", fmt.Errorf("read sync configuration: %w", err)
	}
	snap, err := idp.ParseWith(c.parseOptions(), format, export)
	if err != nil {
		return idp.Plan{}, "", err
	}
	plan, _, err := s.plan(ctx, org.SyncPrincipal(p.OrgID), c, snap)
	if err != nil {
		return idp.Plan{}, "", err
	}
	return plan, snap.Format, nil
}

// PreviewConfigured plans the organization's configured export, read from where the
// configuration says (no upload, so no size limit of a request), without applying or
// storing anything.
func (s *Service) PreviewConfigured(ctx context.Context, p org.Principal) (idp.Plan, idp.Format, error) {
	if err := p.Require(org.RoleAdmin, "previewing a sync"); err != nil {
		return idp.Plan{}, "", err
	}
	c, err := s.config(ctx, p.OrgID)
	if err != nil {
		return idp.Plan{}, "", err
	}
	snap, plan, _, err := s.readAndPlan(ctx, org.SyncPrincipal(p.OrgID), c)
	if err != nil {
		return idp.Plan{}, "", err
	}
	return plan, snap.Format, nil
}

// approveOther applies a run another door held: it is marked approved first, so it is
// applied once, then its actions are applied and the run that applied them is stored.
func (s *Service) approveOther(ctx context.Context, p org.Principal, held Run, other HeldApplier) (Run, error) {
	approved := held
	approved.Status, approved.ApprovedBy = RunApproved, p.Actor
	if err := s.store.ApproveRun(ctx, approved, s.audit(p, s.nowUTC(), ActionApproved, "sync_run", held.ID, nil)); err != nil {
		if org.Refused(err, org.PartRecord) {
			err = ErrNotHeld
		}
		return Run{}, fmt.Errorf("approve run %s: %w", held.ID, err)
	}
	run := Run{ID: "run_" + s.newID(), OrgID: p.OrgID, Trigger: TriggerApproval, StartedAt: s.nowUTC(),
		ApprovedRun: held.ID, ApprovedBy: p.Actor, Status: RunApplied}
	errs := other.ApplyHeld(context.WithoutCancel(ctx), held)
	for i, a := range held.Actions {
		o := Outcome{Action: a.Action}
		if i < len(errs) {
			o.Error = errs[i]
		}
		run.Actions = append(run.Actions, o)
	}
	run.FinishedAt = s.nowUTC()
	run.Counts = map[string]int{"failed": 0}
	for _, o := range run.Actions {
		run.Counts[string(o.Kind)]++
		if o.Error != "" {
			run.Counts["failed"]++
		}
	}
	s.countRun(ctx, run, nil) // applied, whether or not its report is stored
	if err := s.store.PutRun(context.WithoutCancel(ctx), run, s.runAudit(p, run)); err != nil {
		return Run{}, fmt.Errorf("store run %s: %w", run.ID, err)
	}
	return run, nil
}

// Discard refuses a held plan: nothing of it is applied, and the same plan is not held again
// (a changed export makes a new one). It returns the discarded run.
func (s *Service) Discard(ctx context.Context, p org.Principal, id string) (Run, error) {
	held, err := s.Run(ctx, p, id)
	if err != nil {
		return Run{}, err
	}
	if held.StatusAt(s.nowUTC()) != RunHeld {
		return Run{}, fmt.Errorf("discard run %s (%s): %w", id, held.StatusAt(s.nowUTC()), ErrNotHeld)
	}
	held.Status, held.ApprovedBy = RunDiscarded, p.Actor
	if err := s.store.DiscardRun(ctx, held, s.audit(p, s.nowUTC(), ActionDiscarded, "sync_run", id, nil)); err != nil {
		if org.Refused(err, org.PartRecord) {
			err = ErrNotHeld
		}
		return Run{}, fmt.Errorf("discard run %s: %w", id, err)
	}
	if other, ok := s.others[held.Trigger]; ok {
		if err := other.DiscardHeld(ctx, held); err != nil {
			return Run{}, fmt.Errorf("discard run %s: %w", id, err)
		}
	}
	return held, nil
}
