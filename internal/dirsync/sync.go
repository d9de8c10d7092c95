package dirsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// leaseFor bounds how long one run may hold its organization's lease: longer than any run
// takes, short enough that a crashed run does not block the next scheduled one.
const leaseFor = 15 * time.Minute

// Sync runs the organization's sync now: read the export, plan, then store nothing if there
// is nothing to do, hold the plan if it removes too many people, or apply it. A failure to
// read or plan the export is stored as a failed run and returned with it.
func (s *Service) Sync(ctx context.Context, orgID, trigger string) (Run, error) {
	c, err := s.store.GetSyncConfig(ctx, orgID)
	if errors.Is(err, org.ErrNotFound) {
		return Run{}, ErrNotConfigured
	}
	if err != nil {
		return Run{}, fmt.Errorf("read sync configuration of %s: %w", orgID, err)
	}
	return s.sync(ctx, c, trigger, "")
}

// SyncNow is Sync for an admin of the organization.
func (s *Service) SyncNow(ctx context.Context, p org.Principal) (Run, error) {
	if p.Role != org.RoleAdmin {
		return Run{}, fmt.Errorf("run sync: %w", org.ErrForbidden)
	}
	return s.Sync(ctx, p.OrgID, TriggerAPI)
}

// sync runs c. approvedHash, when set, is the hash of a held plan an admin approved: the
// plan is applied past the guardrail only if it is still exactly that plan.
func (s *Service) sync(ctx context.Context, c Config, trigger, approvedHash string) (Run, error) {
	run := Run{ID: "run_" + s.newID(), OrgID: c.OrgID, Trigger: trigger, StartedAt: s.nowUTC(), Format: c.Format}
	snap, err := s.read(ctx, c)
	if err != nil {
		return s.fail(ctx, run, err)
	}
	run.Format = snap.Format
	p := org.SyncPrincipal(c.OrgID)
	plan, kinds, err := s.plan(ctx, p, c, snap)
	if err != nil {
		return s.fail(ctx, run, err)
	}
	hash := planHash(plan)
	switch {
	case approvedHash != "" && hash != approvedHash:
		return Run{}, ErrPlanChanged
	case len(plan.Actions) == 0:
		run.ID, run.Status, run.FinishedAt = "", RunUnchanged, s.nowUTC()
		run.report(plan, nil)
		return run, nil
	case plan.Held && approvedHash == "":
		run.Status, run.HeldReason, run.PlanHash = RunHeld, plan.HeldReason, hash
		run.FinishedAt = s.nowUTC()
		run.ExpiresAt = run.FinishedAt.Add(HoldFor)
		run.report(plan, nil)
		return run, s.store.PutRun(ctx, run, s.runAudit(run))
	}

	// Apply under the organization's lease, re-planning against the members as they are once
	// it is held, so two runs never apply at once or from a stale view.
	if err := s.store.AcquireLease(ctx, c.OrgID, run.ID, s.nowUTC(), s.nowUTC().Add(leaseFor)); err != nil {
		return Run{}, fmt.Errorf("take sync lease of %s: %w", c.OrgID, err)
	}
	defer func() {
		if err := s.store.ReleaseLease(context.WithoutCancel(ctx), c.OrgID, run.ID); err != nil {
			s.log.ErrorContext(ctx, "sync lease not released", "org", c.OrgID, "err", err)
		}
	}()
	if plan, kinds, err = s.plan(ctx, p, c, snap); err != nil {
		return s.fail(ctx, run, err)
	}
	if approvedHash != "" && planHash(plan) != approvedHash {
		return Run{}, ErrPlanChanged
	}
	if plan.Held && approvedHash == "" {
		// Someone changed the members meanwhile and the plan now crosses the guardrail.
		run.Status, run.HeldReason, run.PlanHash = RunHeld, plan.HeldReason, planHash(plan)
		run.FinishedAt = s.nowUTC()
		run.ExpiresAt = run.FinishedAt.Add(HoldFor)
		run.report(plan, nil)
		return run, s.store.PutRun(ctx, run, s.runAudit(run))
	}
	errs := s.apply(ctx, p, c, plan, kinds)
	run.Status, run.FinishedAt = RunApplied, s.nowUTC()
	run.report(plan, errs)
	return run, s.store.PutRun(ctx, run, s.runAudit(run))
}

// read opens and parses every page of the export as one snapshot.
func (s *Service) read(ctx context.Context, c Config) (*idp.Snapshot, error) {
	pages := make([]io.Reader, 0, len(c.Sources))
	for _, src := range c.Sources {
		rc, err := s.open.Open(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", src, err)
		}
		defer rc.Close()
		pages = append(pages, rc)
	}
	snap, err := idp.Parse(c.Format, pages...)
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	return snap, nil
}

// plan reads the organization's accounts and plans snap against them. kinds maps each
// account id to its kind.
func (s *Service) plan(ctx context.Context, p org.Principal, c Config, snap *idp.Snapshot) (idp.Plan, map[string]idp.AccountKind, error) {
	members, invs, err := s.members.Accounts(ctx, p)
	if err != nil {
		return idp.Plan{}, nil, err
	}
	accounts, kinds := toAccounts(members, invs)
	plan, err := idp.NewPlan(snap, accounts, idp.Options{RemovalShare: c.RemovalShare, RemovalFloor: c.RemovalFloor})
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
		})
		kinds[m.ID] = idp.AccountMember
	}
	for _, inv := range invs {
		accounts = append(accounts, idp.Account{
			Kind: idp.AccountInvitation, ID: inv.ID, Email: inv.Email, Name: inv.Name, ExternalID: inv.ExternalID,
			Active: true, Synced: inv.Source == org.SourceSync,
		})
		kinds[inv.ID] = idp.AccountInvitation
	}
	return accounts, kinds
}

// fail stores run as failed with err's message and returns both.
func (s *Service) fail(ctx context.Context, run Run, err error) (Run, error) {
	run.Status, run.Error, run.FinishedAt = RunFailed, err.Error(), s.nowUTC()
	if perr := s.store.PutRun(ctx, run, s.runAudit(run)); perr != nil {
		return run, errors.Join(err, fmt.Errorf("store failed run: %w", perr))
	}
	return run, err
}

// runAudit is the audit entry of a stored run.
func (s *Service) runAudit(r Run) org.AuditEntry {
	d := map[string]string{"status": string(r.Status), "trigger": r.Trigger}
	for k, v := range r.Counts {
		if v > 0 {
			d[k] = strconv.Itoa(v)
		}
	}
	return s.audit(org.SyncPrincipal(r.OrgID), r.FinishedAt, ActionRun, "sync_run", r.ID, d)
}

// audit builds an audit entry for a change p makes.
func (s *Service) audit(p org.Principal, at time.Time, action, targetType, targetID string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{ID: s.newID(), OrgID: p.OrgID, At: at, Action: action, Actor: p.Actor, Source: p.Source,
		TargetType: targetType, TargetID: targetID, Details: details}
}
