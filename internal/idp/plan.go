package idp

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// AccountKind says whether an account is a member or a pending invitation.
type AccountKind string

// The account kinds.
const (
	AccountMember     AccountKind = "member"
	AccountInvitation AccountKind = "invitation"
)

// Account is what the organization has now: a member of any source, or a pending
// invitation. Email is normalized as the org package stores it.
type Account struct {
	Kind       AccountKind
	ID         string
	Email      string
	Name       string
	ExternalID string
	// Active is whether a member is active; invitations are always pending.
	Active bool
	// Synced marks accounts created by sync; sync never touches any other.
	Synced bool
	// DeactivatedBySync marks a member that sync deactivated, and so may reactivate.
	DeactivatedBySync bool
	// LastAdmin marks the member whose removal would leave no active admin.
	LastAdmin bool
	// Admin marks an active admin. The planner counts them and never deactivates the last
	// one, however many one plan would remove; without it only LastAdmin protects.
	Admin bool
	// Role is the account's role (admin, member or viewer); a person whose groups give
	// another gets an ActionRole.
	Role string
}

// ActionKind is what an action does.
type ActionKind string

// The action kinds, in the order a plan lists them: the order in which they are safe to
// apply, since revoking and updating free addresses that invitations then take, and a
// reactivated member may need their role.
const (
	ActionRevoke     ActionKind = "revoke"
	ActionDeactivate ActionKind = "deactivate"
	ActionUpdate     ActionKind = "update"
	ActionReactivate ActionKind = "reactivate"
	// ActionRole gives an account the role its person's groups map to; promotions to admin
	// come before demotions from it, so a plan never passes through having no admin.
	ActionRole   ActionKind = "role"
	ActionInvite ActionKind = "invite"
)

// ActionKinds lists the kinds in plan order.
func ActionKinds() []ActionKind {
	return []ActionKind{ActionRevoke, ActionDeactivate, ActionUpdate, ActionReactivate, ActionRole, ActionInvite}
}

// Action is one change to apply through the org package.
//
// Email, Name and ExternalID are the values after the action: for an invite the person's,
// for an update the new ones (a name or id the export lacks keeps the account's), for the
// others the account's. For an update, OldEmail, OldName and OldExternalID are the
// account's values before it; a field changes where old and new differ. An invite that
// replaces a revoked invitation whose address changed names that address in OldEmail.
type Action struct {
	Kind          ActionKind
	AccountID     string // empty for invites
	Email         string
	Name          string
	ExternalID    string
	OldEmail      string
	OldName       string
	OldExternalID string
	// Role is, for an invite, the role to invite with ("" for the configured one) and, for
	// ActionRole, the new role; OldRole is the role an ActionRole replaces.
	Role    string
	OldRole string
	// Reason says why, naming the export record.
	Reason string
}

// Options are the guardrails of a plan.
type Options struct {
	// RemovalShare is the share of synced live accounts (active members and pending
	// invitations) a plan may remove; 0 means 0.10.
	RemovalShare float64
	// RemovalFloor is the number of removals always allowed, however small the
	// organization; 0 means 5.
	RemovalFloor int
	// Allowed, when set, says whether an address may belong to the organization (its
	// allowed domains): people outside are skipped (SkipDomainNotAllowed), never invited,
	// and no account is moved to such an address.
	Allowed func(email string) bool
}

// The default guardrails.
const (
	DefaultRemovalShare = 0.10
	DefaultRemovalFloor = 5
)

// Plan is what a sync run would change, and what it leaves alone and why.
type Plan struct {
	// Actions are in ActionKind order, then by email.
	Actions []Action
	// Skipped are the snapshot's skipped records and what the planner left alone, in file
	// order (sortSkipped).
	Skipped []Skip
	// Unchanged counts synced accounts that need nothing: present people's accounts that
	// agree with the export, and members already deactivated whose people are not present.
	Unchanged int
	// Unmanaged counts present people whose account sync did not create.
	Unmanaged int
	// People counts the present people of the export.
	People int
	// Counts has every ActionKind, zero or not.
	Counts map[ActionKind]int
	// RemovalsSuppressed, when not empty, says why no account is removed for being absent
	// from the export in this run: a malformed row names no account, so the person in it
	// may be anyone's. Accounts of gone records are still removed.
	RemovalsSuppressed string
	// Held is set when the plan removes more than the guardrail allows; the caller keeps
	// it for an admin instead of applying it. HeldReason names the numbers.
	Held       bool
	HeldReason string
	// cutOff, when set, says that the last record of a file without a line ending would
	// change an account or invite someone: the file may be cut off, so the plan is held.
	cutOff string
}

// NewPlan computes the actions that bring the synced accounts among current in step with
// the snapshot. It changes nothing. A snapshot without present people is an error wrapping
// ErrNobodyPresent, since applying it would remove everyone.
func NewPlan(s *Snapshot, current []Account, o Options) (Plan, error) {
	if s == nil {
		return Plan{}, errors.New("plan sync: no snapshot")
	}
	o, err := o.withDefaults()
	if err != nil {
		return Plan{}, fmt.Errorf("plan sync: %w", err)
	}
	pl := newPlanner(s, current)
	pl.match()
	if pl.present == 0 {
		return Plan{}, fmt.Errorf("plan sync: %w (%d gone, %d pending, %d skipped): nothing is applied",
			ErrNobodyPresent, pl.gone, pl.pending, len(s.Skipped))
	}
	if err := pl.checkCutOff(); err != nil {
		return Plan{}, err
	}
	pl.decide()
	pl.flagCutOff()
	plan := pl.plan
	plan.refuseOutside(o.Allowed)
	plan.hold(o, pl.live)
	sortSkipped(plan.Skipped)
	return plan, nil
}

// sortSkipped puts the skipped records of a plan in file order: by group (in the order the
// groups first appear), page and row, the parser's and the planner's together; accounts the
// planner left alone, which have no row, come last, in the order it met them.
func sortSkipped(skipped []Skip) {
	group := map[string]int{}
	for _, k := range skipped {
		if _, ok := group[k.Group]; !ok {
			group[k.Group] = len(group)
		}
	}
	slices.SortStableFunc(skipped, func(a, b Skip) int {
		if (a.Row == 0) != (b.Row == 0) {
			if a.Row == 0 {
				return 1
			}
			return -1
		}
		if a.Row == 0 {
			return 0
		}
		return cmp.Or(cmp.Compare(group[a.Group], group[b.Group]), cmp.Compare(a.Page, b.Page), cmp.Compare(a.Row, b.Row))
	})
}

// withDefaults fills in zero options and rejects impossible ones.
func (o Options) withDefaults() (Options, error) {
	switch {
	case math.IsNaN(o.RemovalShare) || o.RemovalShare < 0 || o.RemovalShare > 1:
		return o, fmt.Errorf("removal share %v is not between 0 and 1", o.RemovalShare)
	case o.RemovalFloor < 0:
		return o, fmt.Errorf("removal floor %d is negative", o.RemovalFloor)
	}
	if o.RemovalShare == 0 {
		o.RemovalShare = DefaultRemovalShare
	}
	if o.RemovalFloor == 0 {
		o.RemovalFloor = DefaultRemovalFloor
	}
	return o, nil
}

// hold counts the actions, sorts them, and holds the plan for an admin when it is as
// dangerous as a bad export would make it: when its removals, address changes and role
// changes together exceed max(RemovalShare × live, RemovalFloor), live being the synced
// live accounts (a group mapped to the wrong role changes everyone in it), or when it moves anyone to
// another domain or to an address that is the start of the old one (an export cut off
// inside an address).
func (p *Plan) hold(o Options, live int) {
	order := make(map[ActionKind]int)
	p.Counts = make(map[ActionKind]int)
	for i, k := range ActionKinds() {
		order[k], p.Counts[k] = i, 0
	}
	moved, risky := 0, ""
	for _, a := range p.Actions {
		p.Counts[a.Kind]++
		// An update moves an account; an invite with an old address replaces a revoked
		// invitation that had it, which moves the person just the same.
		if (a.Kind != ActionUpdate && a.Kind != ActionInvite) || a.OldEmail == "" || a.OldEmail == a.Email {
			continue
		}
		if a.Kind == ActionUpdate {
			moved++ // the replaced invitation's revocation counts already
		}
		if why := riskyMove(a.OldEmail, a.Email); why != "" && risky == "" {
			risky = fmt.Sprintf("the plan moves %s to %s, %s", a.OldEmail, a.Email, why)
		}
	}
	slices.SortStableFunc(p.Actions, func(a, b Action) int {
		return cmp.Or(cmp.Compare(order[a.Kind], order[b.Kind]), cmp.Compare(demotes(a), demotes(b)),
			cmp.Compare(a.Email, b.Email), cmp.Compare(a.AccountID, b.AccountID))
	})
	// The epsilon keeps 0.1 × 30 at 3, not 2.9999999999999996.
	limit := max(int(math.Floor(o.RemovalShare*float64(live)+1e-9)), o.RemovalFloor)
	removals := p.Counts[ActionDeactivate] + p.Counts[ActionRevoke]
	// Role changes count, and so do people invited as admins: a group mapped to the wrong
	// role changes everyone in it, whether they are members yet or not.
	roles := p.Counts[ActionRole]
	for _, a := range p.Actions {
		if a.Kind == ActionInvite && a.Role == "admin" {
			roles++
		}
	}
	switch {
	case removals+moved+roles > limit && roles > 0:
		p.Held = true
		p.HeldReason = fmt.Sprintf("the plan removes, readdresses or changes the role of %d of %d synced accounts "+
			"(%d deactivations, %d revocations, %d address changes, %d role changes and invitations as admin), more than the limit of %d (%.4g%% of %d, at least %d)",
			removals+moved+roles, live, p.Counts[ActionDeactivate], p.Counts[ActionRevoke], moved, roles,
			limit, o.RemovalShare*100, live, o.RemovalFloor)
	case removals+moved > limit && moved == 0:
		p.Held = true
		p.HeldReason = fmt.Sprintf("the plan removes %d of %d synced accounts (%d deactivations, %d revocations), "+
			"more than the limit of %d (%.4g%% of %d, at least %d)", removals, live, p.Counts[ActionDeactivate],
			p.Counts[ActionRevoke], limit, o.RemovalShare*100, live, o.RemovalFloor)
	case removals+moved > limit:
		p.Held = true
		p.HeldReason = fmt.Sprintf("the plan removes or readdresses %d of %d synced accounts (%d deactivations, %d revocations, %d address changes), "+
			"more than the limit of %d (%.4g%% of %d, at least %d)", removals+moved, live, p.Counts[ActionDeactivate],
			p.Counts[ActionRevoke], moved, limit, o.RemovalShare*100, live, o.RemovalFloor)
	case risky != "":
		p.Held = true
		p.HeldReason = risky
	case p.cutOff != "":
		p.Held = true
		p.HeldReason = p.cutOff
	}
}

// demotes is 1 for a role change that is not a promotion to admin, which sorts after those
// that are, and 0 otherwise.
func demotes(a Action) int {
	if a.Kind == ActionRole && a.Role != "admin" {
		return 1
	}
	return 0
}

// riskyMove says why moving an account from address old to address new needs an admin's
// eye, or "": a move to another domain hands the account (and its invitation links) to
// whoever owns that domain, and an address that is the start of the old one is what an
// export cut off inside the address looks like.
func riskyMove(old, new string) string {
	switch {
	case strings.HasPrefix(old, new):
		return "an address that is the start of the old one (the export may be cut off)"
	case domainOf(old) != domainOf(new):
		return "another domain"
	}
	return ""
}

// domainOf is the domain of an address.
func domainOf(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }

// refuseOutside moves the actions that would bring in or move someone to an address allowed
// rejects (invites, and updates to a new address) into the skipped records.
func (p *Plan) refuseOutside(allowed func(string) bool) {
	if allowed == nil {
		return
	}
	kept := p.Actions[:0]
	for _, a := range p.Actions {
		moves := a.Kind == ActionInvite || (a.Kind == ActionUpdate && a.OldEmail != "" && a.OldEmail != a.Email)
		if !moves || allowed(a.Email) {
			kept = append(kept, a)
			continue
		}
		p.Skipped = append(p.Skipped, Skip{ExternalID: a.ExternalID, Email: a.Email, Name: a.Name, Status: StatusPresent,
			AccountID: a.AccountID, Code: SkipDomainNotAllowed,
			Reason: "the address is outside the organization's allowed domains; " + actionLeft(a)})
		if a.Kind == ActionInvite {
			p.People--
		}
	}
	p.Actions = kept
}

// actionLeft says what became of an action refused for its domain.
func actionLeft(a Action) string {
	if a.Kind == ActionInvite {
		return "not invited"
	}
	return "the account keeps " + a.OldEmail
}
