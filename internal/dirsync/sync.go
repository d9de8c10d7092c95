package dirsync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// leaseFor bounds how long one run may hold its organization's lease: longer than any run
// takes, short enough that a crashed run does not block the next scheduled one.
const leaseFor = 15 * time.Minute

// Sync runs the organization's sync now, as the schedule does: read the export, plan, then
// store nothing if there is nothing to do, hold the plan if it removes too many people, or
// apply it. An export that cannot be read or planned is stored as a failed run and returned
// with its error; a failure of the store itself is returned alone.
func (s *Service) Sync(ctx context.Context, orgID, trigger string) (Run, error) {
	c, err := s.config(ctx, orgID)
	if err != nil {
		return Run{}, err
	}
	return s.sync(ctx, request{c: c, trigger: trigger, by: org.SyncPrincipal(orgID)})
}

// SyncNow is Sync started by an admin of the organization (recorded as them in the audit log).
func (s *Service) SyncNow(ctx context.Context, p org.Principal) (Run, error) {
	if err := p.Require(org.RoleAdmin, "running a sync"); err != nil {
		return Run{}, err
	}
	c, err := s.config(ctx, p.OrgID)
	if err != nil {
		return Run{}, err
	}
	return s.sync(ctx, request{c: c, trigger: TriggerAPI, by: p})
}

// config reads an organization's sync configuration.
func (s *Service) config(ctx context.Context, orgID string) (Config, error) {
	c, err := s.store.GetSyncConfig(ctx, orgID)
	if errors.Is(err, org.ErrNotFound) {
		return Config{}, ErrNotConfigured
	}
	if err != nil {
		return Config{}, fmt.Errorf("read sync configuration of %s: %w", orgID, err)
	}
	return c, nil
}

// request is one run to make.
type request struct {
	c       Config
	trigger string
	by      org.Principal // who started it, for the run's audit entry
	// held, when set, is the held run an admin (by) approves: its plan is applied past the
	// guardrail only if the export and the members still give exactly that plan.
	held *Run
}

// applyMargin is kept back from the caller's deadline to store the report of what was applied.
const applyMargin = 3 * time.Second

// readMargin is kept back from the caller's deadline when reading a directory, for the
// plan, its application and the report: a read that cannot finish before it fails, and
// nothing is applied.
const readMargin = 60 * time.Second

// sync makes one run, and counts it.
func (s *Service) sync(ctx context.Context, q request) (Run, error) {
	run, err := s.makeRun(ctx, q)
	s.countRun(ctx, run, err)
	return run, err
}

// makeRun makes one run.
func (s *Service) makeRun(ctx context.Context, q request) (Run, error) {
	c := q.c
	run := Run{ID: "run_" + s.newID(), OrgID: c.OrgID, Trigger: q.trigger, StartedAt: s.nowUTC(), Format: c.Format}
	p := org.SyncPrincipal(c.OrgID)
	if q.trigger == TriggerSchedule && q.held == nil && s.unchanged(ctx, c) {
		// Graph says no configured group changed since the last full read.
		run.ID, run.Status, run.FinishedAt = "", RunUnchanged, s.nowUTC()
		return run, nil
	}
	readCtx := ctx
	if deadline, ok := ctx.Deadline(); ok && c.Directory != nil {
		var cancel context.CancelFunc
		readCtx, cancel = context.WithDeadline(ctx, deadline.Add(-min(readMargin, time.Until(deadline)/3)))
		defer cancel()
	}
	snap, info, err := s.read(readCtx, c)
	var plan idp.Plan
	var kinds map[string]idp.AccountKind
	if err == nil {
		plan, kinds, err = s.planSnapshot(ctx, p, c, snap)
	}
	if err != nil {
		return s.fail(ctx, q, run, err)
	}
	run.Format = snap.Format
	hash := planHash(plan)
	switch {
	case q.held != nil && hash != q.held.PlanHash:
		return Run{}, ErrPlanChanged
	case len(plan.Actions) == 0:
		run.ID, run.Status, run.FinishedAt = "", RunUnchanged, s.nowUTC()
		run.report(plan, nil)
		s.readInFull(ctx, c, info, true)
		return run, nil
	case plan.Held && q.held == nil:
		s.readInFull(ctx, c, info, true)
		return s.hold(ctx, q, run, plan)
	}

	// Apply under the organization's lease, re-planning against the members as they are once
	// it is held, so two runs never apply at once or from a stale view.
	if err := s.store.AcquireLease(ctx, c.OrgID, run.ID, s.nowUTC(), s.nowUTC().Add(leaseFor)); err != nil {
		if org.Refused(err, org.PartRecord) {
			err = fmt.Errorf("another sync of %s is running: %w", c.OrgID, org.ErrConflict)
		}
		return Run{}, fmt.Errorf("take sync lease of %s: %w", c.OrgID, err)
	}
	defer func() {
		if err := s.store.ReleaseLease(context.WithoutCancel(ctx), c.OrgID, run.ID); err != nil {
			s.log.ErrorContext(ctx, "sync lease not released", "org", c.OrgID, "err", err)
		}
	}()
	if plan, kinds, err = s.plan(ctx, p, c, snap); err != nil {
		return Run{}, err
	}
	switch {
	case q.held != nil && planHash(plan) != q.held.PlanHash:
		return Run{}, ErrPlanChanged
	case q.held != nil:
		// Only now, with the plan confirmed and the lease held, is the held run used up.
		approved := *q.held
		approved.Status, approved.ApprovedBy = RunApproved, q.by.Actor
		if err := s.store.ApproveRun(ctx, approved, s.audit(q.by, s.nowUTC(), ActionApproved, "sync_run", approved.ID, nil)); err != nil {
			if org.Refused(err, org.PartRecord) {
				err = ErrNotHeld
			}
			return Run{}, fmt.Errorf("approve run %s: %w", approved.ID, err)
		}
		run.ApprovedRun, run.ApprovedBy = approved.ID, q.by.Actor
	case plan.Held:
		// Someone changed the members meanwhile and the plan now crosses the guardrail.
		return s.hold(ctx, q, run, plan)
	}
	applyCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		applyCtx, cancel = context.WithDeadline(ctx, deadline.Add(-applyMargin))
		defer cancel()
	}
	errs := s.apply(applyCtx, p, c, plan, kinds)
	run.Status, run.FinishedAt = RunApplied, s.nowUTC()
	run.report(plan, errs)
	s.readInFull(context.WithoutCancel(ctx), c, info, run.Counts["failed"] == 0)
	// What was applied is reported even if the caller has given up meanwhile.
	if err := s.store.PutRun(context.WithoutCancel(ctx), run, s.runAudit(q.by, run)); err != nil {
		return Run{}, fmt.Errorf("store run %s: %w", run.ID, err)
	}
	return run, nil
}

// readInFull records a full read of c's directory for the next scheduled run: its delta
// links when everything read was applied (or nothing needed to be), none otherwise, so that
// a run whose actions partly failed is followed by a full read, never skipped.
func (s *Service) readInFull(ctx context.Context, c Config, info fetched, complete bool) {
	if c.Directory == nil {
		return
	}
	st := DirectoryState{Settings: settingsHash(c), FullReadAt: s.nowUTC()}
	if complete {
		st.DeltaLinks = info.deltaLinks
	}
	if err := s.store.PutDirectoryState(ctx, c.OrgID, st); err != nil {
		s.log.WarnContext(ctx, "directory read not recorded; the next run reads in full", "org", c.OrgID, "err", err)
	}
}

// hold stores plan as the organization's held run for an admin to approve: one per
// organization and plan. The same plan held already is answered with that run, storing
// nothing; a different one supersedes it.
func (s *Service) hold(ctx context.Context, q request, run Run, plan idp.Plan) (Run, error) {
	run.Status, run.HeldReason, run.PlanHash = RunHeld, plan.HeldReason, planHash(plan)
	run.FinishedAt = s.nowUTC()
	run.ExpiresAt = run.FinishedAt.Add(HoldFor)
	run.report(plan, nil)
	cur, err := s.store.CurrentHold(ctx, run.OrgID)
	var prev *Hold
	switch {
	case errors.Is(err, org.ErrNotFound):
	case err != nil:
		return Run{}, fmt.Errorf("read the held run of %s: %w", run.OrgID, err)
	case cur.PlanHash == run.PlanHash && run.FinishedAt.Before(cur.ExpiresAt):
		held, err := s.store.GetRun(ctx, run.OrgID, cur.RunID)
		if err != nil {
			return Run{}, fmt.Errorf("read held run %s: %w", cur.RunID, err)
		}
		return held, nil
	default:
		prev = &cur
	}
	if err := s.store.PutHeldRun(ctx, run, prev, s.runAudit(q.by, run)); err != nil {
		if !org.Refused(err, org.PartRecord) {
			return Run{}, fmt.Errorf("store held run %s: %w", run.ID, err)
		}
		// Another run held a plan meanwhile: the same plan is that run.
		if cur, cerr := s.store.CurrentHold(ctx, run.OrgID); cerr == nil && cur.PlanHash == run.PlanHash {
			if held, gerr := s.store.GetRun(ctx, run.OrgID, cur.RunID); gerr == nil {
				return held, nil
			}
		}
		return Run{}, fmt.Errorf("store held run %s: another run held a plan meanwhile: %w", run.ID, org.ErrConflict)
	}
	return run, nil
}

// plan reads the organization's accounts and plans snap against them. kinds maps each
// account id to its kind.
func (s *Service) plan(ctx context.Context, p org.Principal, c Config, snap *idp.Snapshot) (idp.Plan, map[string]idp.AccountKind, error) {
	o, err := s.members.Organization(ctx, p)
	if err != nil {
		return idp.Plan{}, nil, err
	}
	members, invs, err := s.members.Accounts(ctx, p)
	if err != nil {
		return idp.Plan{}, nil, err
	}
	accounts, kinds := toAccounts(members, invs)
	plan, err := idp.NewPlan(snap, accounts, idp.Options{RemovalShare: c.RemovalShare, RemovalFloor: c.RemovalFloor, Allowed: o.Allows})
	if err != nil {
		return idp.Plan{}, nil, fmt.Errorf("plan: %w", err)
	}
	return plan, kinds, nil
}

// toAccounts describes the organization's members and live invitations to the planner.
func toAccounts(members []org.Member, invs []org.Invitation) ([]idp.Account, map[string]idp.AccountKind) {
	admins := 0
	for _, m := range members {
		if m.IsActiveAdmin() {
			admins++
		}
	}
	accounts := make([]idp.Account, 0, len(members)+len(invs))
	kinds := make(map[string]idp.AccountKind, len(members)+len(invs))
	for _, m := range members {
		accounts = append(accounts, idp.Account{
			Kind: idp.AccountMember, ID: m.ID, Email: m.Email, Name: m.Name, ExternalID: m.ExternalID,
			Active: m.Status == org.MemberActive, Synced: m.Source == org.SourceSync,
			DeactivatedBySync: m.Status != org.MemberActive && m.DeactivatedVia == org.SourceSync,
			LastAdmin:         m.IsActiveAdmin() && admins == 1,
			Admin:             m.IsActiveAdmin(),
			Role:              string(m.Role),
		})
		kinds[m.ID] = idp.AccountMember
	}
	for _, inv := range invs {
		accounts = append(accounts, idp.Account{
			Kind: idp.AccountInvitation, ID: inv.ID, Email: inv.Email, Name: inv.Name, ExternalID: inv.ExternalID,
			Active: true, Synced: inv.Source == org.SourceSync, Role: string(inv.Role),
		})
		kinds[inv.ID] = idp.AccountInvitation
	}
	return accounts, kinds
}

// fail reports a run that could not read or plan its export: stored as failed, with a
// reason fit to show, and returned with err. Any other error (the store failing) is returned
// alone, and nothing is stored.
func (s *Service) fail(ctx context.Context, q request, run Run, err error) (Run, error) {
	var bad *ExportError
	if !errors.As(err, &bad) {
		return Run{}, err
	}
	run.Status, run.Error, run.FinishedAt = RunFailed, bad.Reason, s.nowUTC()
	if perr := s.store.PutRun(ctx, run, s.runAudit(q.by, run)); perr != nil {
		return Run{}, errors.Join(err, fmt.Errorf("store failed run: %w", perr))
	}
	return run, err
}

// runAudit is the audit entry of a stored run, by whoever started it.
func (s *Service) runAudit(by org.Principal, r Run) org.AuditEntry {
	d := map[string]string{"status": string(r.Status), "trigger": r.Trigger}
	for k, v := range r.Counts {
		if v > 0 {
			d[k] = strconv.Itoa(v)
		}
	}
	return s.audit(by, r.FinishedAt, ActionRun, "sync_run", r.ID, d)
}

// audit builds an audit entry for a change p makes.
func (s *Service) audit(p org.Principal, at time.Time, action, targetType, targetID string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{ID: s.newID(), OrgID: p.OrgID, At: at, Action: action, Actor: p.Actor, Source: p.Source,
		TargetType: targetType, TargetID: targetID, Details: details}
}
