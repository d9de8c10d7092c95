package dirsync

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// RunStatus is how a run ended.
type RunStatus string

// The run statuses. Unchanged runs are reported to their caller but never stored: a sync that
// finds nothing to do writes nothing.
const (
	RunApplied  RunStatus = "applied"
	RunHeld     RunStatus = "held"     // waiting for an admin's approval
	RunApproved RunStatus = "approved" // a held run an admin approved (the run applying it follows)
	RunExpired  RunStatus = "expired"  // a held run nobody approved in time (derived on read)
	// RunSuperseded is a held run whose plan a newer held run replaced (SupersededBy): the
	// export or the members changed, and only the newest plan may be approved.
	RunSuperseded RunStatus = "superseded"
	// RunDiscarded is a held run an admin refused: nothing of it is applied, and the same plan
	// is not held again.
	RunDiscarded RunStatus = "discarded"
	RunFailed    RunStatus = "failed" // the export could not be read or planned; nothing applied
	RunUnchanged RunStatus = "unchanged"
)

// Triggers say what started a run.
const (
	TriggerSchedule = "schedule"
	TriggerAPI      = "api"
	TriggerApproval = "approval"
)

// HoldFor is how long a held plan waits for approval.
const HoldFor = 72 * time.Hour

// Bounds on what a stored report lists; its counts are always whole.
const (
	MaxReportedActions = 1000
	MaxReportedSkips   = 500
)

// The audit actions of sync.
const (
	ActionConfigured = "sync.configured"
	ActionRun        = "sync.run"
	ActionApproved   = "sync.approved"
	ActionDiscarded  = "sync.discarded"
)

// Errors of sync.
var (
	ErrNotConfigured = errors.New("directory sync is not configured")
	// ErrPlanChanged means a held plan no longer matches what the export and the members
	// give now, so approving it would apply something nobody reviewed.
	ErrPlanChanged = errors.New("the plan changed since it was held")
	// ErrNotHeld means the run is not waiting for approval (applied, failed, approved or expired).
	ErrNotHeld = errors.New("the run is not waiting for approval")
)

// Outcome is one planned action and what became of it.
type Outcome struct {
	idp.Action
	Error string // why it was not applied; empty when it was (or, for held plans, when planned)
}

// Run is the report of one sync run.
type Run struct {
	ID               string
	OrgID            string
	Status           RunStatus
	Trigger          string
	StartedAt        time.Time
	FinishedAt       time.Time
	Format           idp.Format
	Counts           map[string]int // per action kind, plus skipped, unchanged, unmanaged, people, failed
	Actions          []Outcome      // at most MaxReportedActions
	ActionsTruncated bool
	Skipped          []idp.Skip // at most MaxReportedSkips
	SkippedTruncated bool
	HeldReason       string
	// RemovalsSuppressed, when set, says why nobody was removed for being absent from the
	// export (a row that could not be read might have been theirs).
	RemovalsSuppressed string
	PlanHash           string // identifies a held plan, so approval applies exactly it
	ExpiresAt          time.Time
	Error              string
	ApprovedBy         org.Actor
	ApprovedRun        string // for a run applying an approved plan: the held run's id
	SupersededBy       string // for a superseded run: the held run with the newer plan
}

// Hold names an organization's held run, the one waiting for approval: there is at most one.
type Hold struct {
	RunID     string
	PlanHash  string
	ExpiresAt time.Time
}

// StatusAt is the status as seen at now: a held run past its expiry has expired.
func (r Run) StatusAt(now time.Time) RunStatus {
	if r.Status == RunHeld && !now.Before(r.ExpiresAt) {
		return RunExpired
	}
	return r.Status
}

// Duration is how long the run took.
func (r Run) Duration() time.Duration { return r.FinishedAt.Sub(r.StartedAt) }

// planHash identifies a plan by its actions (kind, account, email, name, id and role), in
// order. A plan without roles hashes as it did before roles were planned.
func planHash(p idp.Plan) string {
	h := sha256.New()
	for _, a := range p.Actions {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s", a.Kind, a.AccountID, a.Email, a.Name, a.ExternalID, a.OldEmail, a.OldName)
		if a.Role != "" || a.OldRole != "" {
			fmt.Fprintf(h, "\x00%s\x00%s", a.Role, a.OldRole)
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// report fills r's counts and lists from plan, with outcomes (index-aligned with the plan's
// actions; nil for a plan not applied).
func (r *Run) report(plan idp.Plan, errs []string) {
	r.Counts = map[string]int{
		"skipped": len(plan.Skipped), "unchanged": plan.Unchanged, "unmanaged": plan.Unmanaged, "people": plan.People,
	}
	for _, k := range idp.ActionKinds() {
		r.Counts[string(k)] = plan.Counts[k]
	}
	var failed, applied []Outcome
	for i, a := range plan.Actions {
		o := Outcome{Action: a}
		if i < len(errs) && errs[i] != "" {
			o.Error = errs[i]
			failed = append(failed, o)
			continue
		}
		applied = append(applied, o)
	}
	// Failures are listed first so a capped report never hides them.
	r.Actions = append(failed, applied...)
	r.Counts["failed"] = len(failed)
	r.RemovalsSuppressed = plan.RemovalsSuppressed
	if len(r.Actions) > MaxReportedActions {
		r.Actions, r.ActionsTruncated = r.Actions[:MaxReportedActions], true
	}
	r.Skipped = plan.Skipped
	if len(r.Skipped) > MaxReportedSkips {
		r.Skipped, r.SkippedTruncated = r.Skipped[:MaxReportedSkips], true
	}
}
