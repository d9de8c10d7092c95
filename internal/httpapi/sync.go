package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"gatehouse/internal/connector"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// MaxExportBytes bounds an export uploaded for a preview: API Gateway hands Lambda at most
// 6 MB, the request around the body included. Larger exports are previewed from where the
// configuration reads them (POST /api/v1/sync/preview?source=configured), with no limit but
// the export's own (idp.MaxExportBytes).
const MaxExportBytes = 5 << 20

// Bounds on the lists of a preview's answer, which must stay well inside the 6 MB a Lambda
// answer may be; the counts are always whole.
const (
	maxPreviewActions = 1000
	maxPreviewSkips   = 500
)

// syncConfigView is a sync configuration as the API shows it.
type syncConfigView struct {
	Sources      []dirsync.Source `json:"sources,omitempty"`
	Directory    map[string]any   `json:"directory,omitempty"`
	Format       string           `json:"format"`
	Role         string           `json:"role"`
	SendEmail    bool             `json:"sendEmail"`
	RemovalShare float64          `json:"removalShare"`
	RemovalFloor int              `json:"removalFloor"`
	Enabled      bool             `json:"enabled"`
	UseUPN       bool             `json:"useUpnWhenNoMail"`
	UpdatedAt    timeView         `json:"updatedAt"`
	UpdatedBy    actorView        `json:"updatedBy"`
}

func toSyncConfigView(c dirsync.Config) syncConfigView {
	return syncConfigView{Sources: c.Sources, Directory: toDirectoryView(c.Directory), Format: string(c.Format), Role: string(c.Role),
		SendEmail: c.SendEmail, RemovalShare: c.RemovalShare, RemovalFloor: c.RemovalFloor, Enabled: c.Enabled, UseUPN: c.UseUPNWhenNoMail,
		UpdatedAt: view.At(c.UpdatedAt), UpdatedBy: actorView(c.UpdatedBy)}
}

// toDirectoryView shows a directory's settings with "provider", and "set" for each of its
// credentials: they are write-only.
func toDirectoryView(d *dirsync.Directory) map[string]any {
	if d == nil {
		return nil
	}
	shown := map[string]connector.Secret{}
	for name := range connector.SecretsOf(d.Settings) {
		shown[name] = connector.NewSecret(connector.Set)
	}
	b, err := json.Marshal(connector.WithSecrets(d.Settings, shown))
	out := map[string]any{}
	if err != nil || json.Unmarshal(b, &out) != nil {
		return map[string]any{"provider": d.Settings.Provider()}
	}
	out["provider"] = d.Settings.Provider()
	return out
}

// directoryTestView is what testing a directory's settings found.
type directoryTestView struct {
	OK       bool                 `json:"ok"`
	Provider string               `json:"provider"`
	Error    string               `json:"error,omitempty"`
	Groups   []directoryGroupView `json:"groups"`
	Requests int                  `json:"requests"`
}

type directoryGroupView struct {
	ID     string       `json:"id"`
	Name   string       `json:"name,omitempty"`
	Count  int          `json:"count"`
	More   bool         `json:"more"`
	Sample []personView `json:"sample"`
	Error  string       `json:"error,omitempty"`
}

type personView struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// testDirectory serves POST /api/v1/sync/config/test: with a body {"directory": {...}} it
// tests those settings (stored credentials fill in those left out), without one the stored
// directory. The provider's refusals are answers (ok false, in words), not failures.
func (a *api) testDirectory() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Directory *dirsync.DirectoryRequest `json:"directory"`
		}
		if r.ContentLength != 0 {
			if err := decode(w, r, &req, false); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		rep, err := a.sync.TestDirectory(r.Context(), principalFrom(r.Context()), req.Directory)
		var bad *dirsync.ExportError
		switch {
		case errors.As(err, &bad):
			v := directoryTestView{Error: bad.Reason, Groups: []directoryGroupView{}}
			var cerr *connector.Error
			if errors.As(err, &cerr) {
				v.Provider = string(cerr.Provider)
			}
			writeJSON(w, http.StatusOK, v)
			return
		case err != nil:
			a.fail(w, r, err)
			return
		}
		v := directoryTestView{OK: true, Provider: string(rep.Provider), Requests: rep.Requests, Groups: make([]directoryGroupView, len(rep.Groups))}
		for i, g := range rep.Groups {
			gv := directoryGroupView{ID: g.ID, Name: g.Name, Count: g.Count, More: g.More, Sample: make([]personView, len(g.Sample))}
			for j, p := range g.Sample {
				gv.Sample[j] = personView{Name: p.Name, Email: p.Email}
			}
			if g.Err != nil {
				gv.Error, v.OK = g.Err.Error(), false
			}
			v.Groups[i] = gv
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// actionView is one planned action, and for applied runs what became of it.
type actionView struct {
	Action     string `json:"action"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	ExternalID string `json:"externalId,omitempty"`
	AccountID  string `json:"accountId,omitempty"`
	OldEmail   string `json:"oldEmail,omitempty"`
	OldName    string `json:"oldName,omitempty"`
	Role       string `json:"role,omitempty"`
	OldRole    string `json:"oldRole,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Error      string `json:"error,omitempty"`
}

// skipView is one record or account sync left alone.
type skipView struct {
	Row        int    `json:"row,omitempty"`
	Page       int    `json:"page,omitempty"`
	Group      string `json:"group,omitempty"`
	Email      string `json:"email,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	Name       string `json:"name,omitempty"`
	AccountID  string `json:"accountId,omitempty"`
	Code       string `json:"code,omitempty"`
	Reason     string `json:"reason"`
}

func toActionView(a idp.Action, errText string) actionView {
	return actionView{Action: string(a.Kind), Email: a.Email, Name: a.Name, ExternalID: a.ExternalID, AccountID: a.AccountID,
		OldEmail: a.OldEmail, OldName: a.OldName, Role: a.Role, OldRole: a.OldRole, Reason: a.Reason, Error: errText}
}

func toSkipViews(skips []idp.Skip) []skipView {
	out := make([]skipView, len(skips))
	for i, s := range skips {
		out[i] = skipView{Row: s.Row, Page: s.Page, Group: s.Group, Email: s.Email, ExternalID: s.ExternalID, Name: s.Name,
			AccountID: s.AccountID, Code: string(s.Code), Reason: s.Reason}
	}
	return out
}

// planView is a preview's answer.
type planView struct {
	Format     string `json:"format"`
	Held       bool   `json:"held"`
	HeldReason string `json:"heldReason,omitempty"`
	// RemovalsSuppressed says why nobody would be removed for being absent from the export.
	RemovalsSuppressed string         `json:"removalsSuppressed,omitempty"`
	Counts             map[string]int `json:"counts"`
	// Actions and Skipped list at most 1,000 and 500, the most dangerous first (removals,
	// then address changes); the truncated flags say when more were planned.
	Actions          []actionView `json:"actions"`
	ActionsTruncated bool         `json:"actionsTruncated,omitempty"`
	Skipped          []skipView   `json:"skipped"`
	SkippedTruncated bool         `json:"skippedTruncated,omitempty"`
}

func toPlanView(p idp.Plan, f idp.Format) planView {
	skipped := p.Skipped
	v := planView{Format: string(f), Held: p.Held, HeldReason: p.HeldReason, RemovalsSuppressed: p.RemovalsSuppressed,
		Counts: map[string]int{"skipped": len(p.Skipped), "unchanged": p.Unchanged, "unmanaged": p.Unmanaged, "people": p.People}}
	if len(skipped) > maxPreviewSkips {
		skipped, v.SkippedTruncated = skipped[:maxPreviewSkips], true
	}
	v.Skipped = toSkipViews(skipped)
	for k, n := range p.Counts {
		v.Counts[string(k)] = n
	}
	actions := p.Actions // in plan order: removals, then updates, then the rest
	if len(actions) > maxPreviewActions {
		actions, v.ActionsTruncated = actions[:maxPreviewActions], true
	}
	v.Actions = make([]actionView, len(actions))
	for i, a := range actions {
		v.Actions[i] = toActionView(a, "")
	}
	return v
}

// runView is a sync run's report.
type runView struct {
	ID               string         `json:"id,omitempty"` // absent for unchanged runs, which are not stored
	Status           string         `json:"status"`
	Trigger          string         `json:"trigger"`
	StartedAt        timeView       `json:"startedAt"`
	FinishedAt       timeView       `json:"finishedAt"`
	DurationMs       int64          `json:"durationMs"`
	Format           string         `json:"format,omitempty"`
	Counts           map[string]int `json:"counts"`
	Actions          []actionView   `json:"actions"`
	ActionsTruncated bool           `json:"actionsTruncated,omitempty"`
	Skipped          []skipView     `json:"skipped"`
	SkippedTruncated bool           `json:"skippedTruncated,omitempty"`
	HeldReason       string         `json:"heldReason,omitempty"`
	// RemovalsSuppressed says why nobody was removed for being absent from the export.
	RemovalsSuppressed string     `json:"removalsSuppressed,omitempty"`
	ExpiresAt          timeView   `json:"expiresAt,omitzero"`
	Error              string     `json:"error,omitempty"`
	ApprovedBy         *actorView `json:"approvedBy,omitempty"`
	ApprovedRun        string     `json:"approvedRun,omitempty"`
	SupersededBy       string     `json:"supersededBy,omitempty"`
}

func toRunView(r dirsync.Run, now time.Time) runView {
	v := runView{ID: r.ID, Status: string(r.StatusAt(now)), Trigger: r.Trigger, StartedAt: view.At(r.StartedAt), FinishedAt: view.At(r.FinishedAt),
		DurationMs: r.Duration().Milliseconds(), Format: string(r.Format), Counts: r.Counts, ActionsTruncated: r.ActionsTruncated,
		Skipped: toSkipViews(r.Skipped), SkippedTruncated: r.SkippedTruncated, HeldReason: r.HeldReason, Error: r.Error,
		RemovalsSuppressed: r.RemovalsSuppressed,
		ApprovedRun:        r.ApprovedRun, SupersededBy: r.SupersededBy, Actions: make([]actionView, len(r.Actions))}
	if r.Status == dirsync.RunUnchanged {
		v.ID = ""
	}
	if v.Counts == nil {
		v.Counts = map[string]int{}
	}
	for i, o := range r.Actions {
		v.Actions[i] = toActionView(o.Action, o.Error)
	}
	v.ExpiresAt = view.At(r.ExpiresAt)
	if r.ApprovedBy.ID != "" {
		by := actorView(r.ApprovedBy)
		v.ApprovedBy = &by
	}
	return v
}

// getSyncConfig serves GET /api/v1/sync/config.
func (a *api) getSyncConfig() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.sync.Config(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSyncConfigView(c))
	})
}

// putSyncConfig serves PUT /api/v1/sync/config.
func (a *api) putSyncConfig() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req dirsync.ConfigRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		c, err := a.sync.Configure(r.Context(), principalFrom(r.Context()), req)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSyncConfigView(c))
	})
}

// previewSync serves POST /api/v1/sync/preview?format=: the body is the export itself, at
// most MaxExportBytes; with ?source=configured (and no body) the configured export is read.
func (a *api) previewSync() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var (
			plan   idp.Plan
			format idp.Format
			err    error
		)
		switch src := r.URL.Query().Get("source"); src {
		case "configured":
			plan, format, err = a.sync.PreviewConfigured(r.Context(), principalFrom(r.Context()))
		case "", "body":
			body := http.MaxBytesReader(w, r.Body, MaxExportBytes)
			plan, format, err = a.sync.Preview(r.Context(), principalFrom(r.Context()), r.URL.Query().Get("format"), body)
		default:
			err = org.Invalid("source", "invalid_source", "source must be body (the default: the export is the request body) or configured")
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toPlanView(plan, format))
	})
}

// runSync serves POST /api/v1/sync/runs: run now. A run that read a broken export is still
// a run (stored as failed) and is answered as such.
func (a *api) runSync() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, err := a.sync.SyncNow(r.Context(), principalFrom(r.Context()))
		if err != nil && run.Status != dirsync.RunFailed {
			a.fail(w, r, err)
			return
		}
		status := http.StatusCreated
		if run.Status == dirsync.RunUnchanged {
			status = http.StatusOK
		}
		writeJSON(w, status, toRunView(run, a.now()))
	})
}

// listSyncRuns serves GET /api/v1/sync/runs.
func (a *api) listSyncRuns() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := pageRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		page, err := a.sync.Runs(r.Context(), principalFrom(r.Context()), pr)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		now := a.now()
		writeJSON(w, http.StatusOK, toListView(page, func(run dirsync.Run) runView { return toRunView(run, now) }))
	})
}

// getSyncRun serves GET /api/v1/sync/runs/{id}.
func (a *api) getSyncRun() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, err := a.sync.Run(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toRunView(run, a.now()))
	})
}

// approveSyncRun serves POST /api/v1/sync/runs/{id}/approve: apply a held plan.
func (a *api) approveSyncRun() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, err := a.sync.Approve(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toRunView(run, a.now()))
	})
}

// discardSyncRun serves POST /api/v1/sync/runs/{id}/discard: a held plan is refused, and
// nothing of it is applied.
func (a *api) discardSyncRun() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run, err := a.sync.Discard(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toRunView(run, a.now()))
	})
}
