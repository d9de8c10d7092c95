package provision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// TriggerSCIM marks a sync run that collects deactivations SCIM asked for beyond the window.
const TriggerSCIM = "scim"

// hold counts a deactivation of x against the window, or, when the window holds its limit
// already, holds it for an admin: prof is marked inactive, as SCIM asked, and the
// deactivation joins the organization's held run. It reports whether it held, and else
// when it counted the deactivation (for uncount, should it not be applied).
func (s *Service) hold(ctx context.Context, p org.Principal, cfg Config, x person, prof *Profile) (bool, time.Time, error) {
	now := s.nowUTC()
	limit := cfg.Hold.limit(cfg.People)
	counted, err := s.store.CountDeactivation(ctx, p.OrgID, now, cfg.Hold.Window, limit)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("count a deactivation: %w", err)
	}
	if counted {
		return false, now, nil
	}
	kind := idp.ActionDeactivate
	if x.mem == nil {
		kind = idp.ActionRevoke
	}
	name := ""
	if x.mem != nil {
		name = x.mem.Name
	} else {
		name = x.inv.Name
	}
	a := idp.Action{Kind: kind, AccountID: prof.ID, Email: x.email(), Name: name,
		Reason: "SCIM asked at " + now.Format(time.RFC3339) + ", past the window's limit"}
	prof.HeldInactive = true
	reason := fmt.Sprintf("SCIM asked to deactivate more than %d people within %v (%.4g%% of %d people under SCIM, at least %d)",
		limit, cfg.Hold.Window, cfg.Hold.Share*100, cfg.People, cfg.Hold.Floor)
	return true, time.Time{}, s.addHeld(ctx, p, cfg, a, reason)
}

// voidStaleHolds clears, in what a request read, the held mark of people no held run holds
// any more. A held run expires after dirsync.HoldFor unapproved; the accounts it held stay
// active, so SCIM must stop telling the identity provider they are inactive: shown active
// again, they are deactivated again at the identity provider's next push, counted against
// the window anew (and held anew past it). The mark is cleared in storage by the next
// change of the person.
func (s *Service) voidStaleHolds(ctx context.Context, p org.Principal, people []person) error {
	var marked []*Profile
	for _, x := range people {
		if x.prof != nil && x.prof.HeldInactive {
			marked = append(marked, x.prof)
		}
	}
	if len(marked) == 0 {
		return nil
	}
	name, err := s.heldRunName(ctx, p.OrgID)
	if err != nil {
		return err
	}
	holds := map[string]bool{}
	if name != "" {
		run, err := s.runs.GetRun(ctx, p.OrgID, name)
		switch {
		case err == nil && run.StatusAt(s.nowUTC()) == dirsync.RunHeld:
			for _, o := range run.Actions {
				holds[o.AccountID] = true
			}
		case err != nil && !errors.Is(err, org.ErrNotFound):
			return fmt.Errorf("read held run %s: %w", name, err)
		}
	}
	for _, prof := range marked {
		if !holds[prof.ID] {
			prof.HeldInactive = false
		}
	}
	return nil
}

// heldRunName is the held run the organization's settings name, read from the settings the
// request authorized with when it has them (without taking them from the next step).
func (s *Service) heldRunName(ctx context.Context, orgID string) (string, error) {
	if r := requestOf(ctx); r != nil && r.cfg != nil && r.cfg.OrgID == orgID {
		return r.cfg.HeldRun, nil
	}
	c, err := s.store.GetConfig(ctx, orgID)
	if err != nil {
		return "", fmt.Errorf("read scim settings: %w", err)
	}
	return c.HeldRun, nil
}

// uncount gives back the window's slot a deactivation took at at and did not use.
func (s *Service) uncount(ctx context.Context, orgID string, at time.Time) {
	if err := s.store.UncountDeactivation(ctx, orgID, at); err != nil {
		s.log.WarnContext(ctx, "unused deactivation not given back to the window", "org", orgID, "err", err)
	}
}

// maxHoldAttempts bounds how often a change to the held run is tried again when another
// request (a deactivation held at the same time, an admin's approval) changed it meanwhile.
const maxHoldAttempts = 5

// addHeld adds a to the organization's held run, starting one when there is none.
func (s *Service) addHeld(ctx context.Context, p org.Principal, cfg Config, a idp.Action, reason string) error {
	return s.changeHeld(ctx, p, cfg, func(actions []dirsync.Outcome) ([]dirsync.Outcome, string, bool) {
		others := slices.DeleteFunc(actions, func(o dirsync.Outcome) bool { return o.AccountID == a.AccountID })
		return append(others, dirsync.Outcome{Action: a}), reason, true
	})
}

// changeHeld replaces the organization's held run by a new one whose actions change makes of
// the held run's (nil when there is none, or it has expired or been decided), if change
// asks to. The held run is never changed in place: the new run supersedes it
// (dirsync.RunSuperseded, SupersededBy naming the new one), as a sync's held plan is when
// its plan changes. An admin approves a run by the id they read, so approving a run the
// identity provider has added to since answers run_not_held instead of applying
// deactivations nobody saw; a reactivation taken out of it supersedes it too, so a run
// always holds exactly what it shows. One transaction stores the new run, supersedes the
// old one if it is still held, and moves the settings' name of the held run from it, so
// two requests holding at once cannot both build on the same run: the second reads again.
func (s *Service) changeHeld(ctx context.Context, p org.Principal, cfg Config, change func([]dirsync.Outcome) ([]dirsync.Outcome, string, bool)) error {
	for attempt := 0; attempt < maxHoldAttempts; attempt++ {
		if attempt > 0 {
			c, err := s.store.GetConfig(ctx, p.OrgID)
			if err != nil {
				return fmt.Errorf("read scim settings: %w", err)
			}
			cfg = c
		}
		now := s.nowUTC()
		var current *dirsync.Run
		if cfg.HeldRun != "" {
			run, err := s.runs.GetRun(ctx, p.OrgID, cfg.HeldRun)
			switch {
			case err == nil && run.StatusAt(now) == dirsync.RunHeld:
				current = &run
			case err != nil && !errors.Is(err, org.ErrNotFound):
				return fmt.Errorf("read held run %s: %w", cfg.HeldRun, err)
			}
		}
		var actions []dirsync.Outcome
		started, reason := now, ""
		if current != nil {
			actions, started, reason = slices.Clone(current.Actions), current.StartedAt, current.HeldReason
		}
		actions, why, write := change(actions)
		if !write {
			return nil
		}
		if why != "" {
			reason = why
		}
		next := dirsync.Run{ID: "run_" + s.newID(), OrgID: p.OrgID, Status: dirsync.RunHeld, Trigger: TriggerSCIM,
			StartedAt: started, FinishedAt: now, ExpiresAt: now.Add(dirsync.HoldFor), HeldReason: reason, Actions: actions}
		details := map[string]string{"status": string(next.Status), "trigger": TriggerSCIM}
		if current != nil {
			details["supersedes"] = current.ID
		}
		countHeld(&next)
		audit := s.audit(p, now, dirsync.ActionRun, "sync_run", next.ID, details)
		err := s.store.HoldRun(ctx, cfg.HeldRun, current, next, audit)
		if !org.Refused(err, org.PartRecord) {
			if err != nil {
				return fmt.Errorf("store held run: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("store held run: the held run kept changing meanwhile: %w", org.ErrConflict)
}

// countHeld sets a held run's counts from its actions.
func countHeld(r *dirsync.Run) {
	r.Counts = map[string]int{string(idp.ActionDeactivate): 0, string(idp.ActionRevoke): 0}
	for _, o := range r.Actions {
		r.Counts[string(o.Kind)]++
	}
}

// unhold takes the held deactivation of SCIM person id out of the held run: the identity
// provider asked for them to be active again before an admin decided.
func (s *Service) unhold(ctx context.Context, p org.Principal, cfg Config, id string) error {
	if cfg.HeldRun == "" {
		return nil
	}
	return s.changeHeld(ctx, p, cfg, func(actions []dirsync.Outcome) ([]dirsync.Outcome, string, bool) {
		n := len(actions)
		actions = slices.DeleteFunc(actions, func(o dirsync.Outcome) bool { return o.AccountID == id })
		if len(actions) == n {
			return nil, "", false // not held (any more): nothing to take back
		}
		return actions, "", true
	})
}

// ApplyHeld applies the deactivations of an approved held run, as the organization's SCIM
// token, and returns why each failed ("" when applied), index-aligned with run.Actions.
// People the identity provider reactivated since are left active.
func (s *Service) ApplyHeld(ctx context.Context, run dirsync.Run) []string {
	errs := make([]string, len(run.Actions))
	cfg, err := s.config(ctx, run.OrgID)
	if err != nil {
		for i := range errs {
			errs[i] = "not applied: SCIM is no longer set up"
		}
		return errs
	}
	p := org.SCIMPrincipal(run.OrgID, cfg.TokenID)
	for i, o := range run.Actions {
		errs[i] = s.applyHeld(ctx, p, o.AccountID)
	}
	if err := s.store.SetHeldRun(ctx, run.OrgID, run.ID, ""); err != nil && !org.Refused(err, org.PartRecord) {
		s.log.WarnContext(ctx, "held run not let go", "org", run.OrgID, "run", run.ID, "err", err)
	}
	return errs
}

// applyHeld deactivates SCIM person id if their deactivation is still held.
func (s *Service) applyHeld(ctx context.Context, p org.Principal, id string) string {
	prof, err := s.store.GetProfile(ctx, p.OrgID, id)
	if err != nil || !prof.HeldInactive {
		return "left active: the identity provider reactivated them since"
	}
	next := prof
	x, err := s.resolve(ctx, p, prof.Ref)
	if err == nil {
		x.prof = &prof
		_, _, err = s.deactivate(ctx, p, x, &next)
	}
	if err != nil {
		s.log.WarnContext(ctx, "held deactivation failed", "org", p.OrgID, "person", id, "err", err)
		if errors.Is(err, org.ErrLastAdmin) {
			return "the organization must keep an active admin"
		}
		return "not applied: " + toSCIM(err).Error()
	}
	next.HeldInactive, next.LastModified = false, s.nowUTC()
	if err := s.store.PutProfile(ctx, &prof, next); err != nil {
		s.log.WarnContext(ctx, "held mark not cleared", "org", p.OrgID, "person", id, "err", err)
	}
	return ""
}

// DiscardHeld drops the deactivations of a discarded held run: the people stay active, and
// SCIM shows them active again.
func (s *Service) DiscardHeld(ctx context.Context, run dirsync.Run) error {
	for _, o := range run.Actions {
		prof, err := s.store.GetProfile(ctx, run.OrgID, o.AccountID)
		if errors.Is(err, org.ErrNotFound) || (err == nil && !prof.HeldInactive) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read scim profile %s: %w", o.AccountID, err)
		}
		next := prof
		next.HeldInactive, next.LastModified = false, s.nowUTC()
		if err := s.store.PutProfile(ctx, &prof, next); err != nil {
			return fmt.Errorf("clear held mark of %s: %w", o.AccountID, err)
		}
	}
	if err := s.store.SetHeldRun(ctx, run.OrgID, run.ID, ""); err != nil && !org.Refused(err, org.PartRecord) {
		return fmt.Errorf("let go of held run %s: %w", run.ID, err)
	}
	return nil
}
