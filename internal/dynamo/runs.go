package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// runItem is a sync run's report; its action and skip lists are kept as one gzipped JSON
// attribute, small enough for DynamoDB's 400 KB item limit (see maxReportBytes).
type runItem struct {
	key
	Type             string         `dynamodbav:"type"`
	ID               string         `dynamodbav:"id"`
	OrgID            string         `dynamodbav:"orgId"`
	Status           string         `dynamodbav:"status"`
	Trigger          string         `dynamodbav:"trigger"`
	StartedAt        string         `dynamodbav:"startedAt"`
	FinishedAt       string         `dynamodbav:"finishedAt"`
	Format           string         `dynamodbav:"format,omitempty"`
	Counts           map[string]int `dynamodbav:"counts,omitempty"`
	Report           []byte         `dynamodbav:"report,omitempty"`
	HeldReason       string         `dynamodbav:"heldReason,omitempty"`
	Suppressed       string         `dynamodbav:"removalsSuppressed,omitempty"`
	PlanHash         string         `dynamodbav:"planHash,omitempty"`
	ExpiresAt        string         `dynamodbav:"expiresAt,omitempty"`
	Error            string         `dynamodbav:"error,omitempty"`
	ApprovedBy       actorAttr      `dynamodbav:"approvedBy"`
	ApprovedRun      string         `dynamodbav:"approvedRun,omitempty"`
	SupersededBy     string         `dynamodbav:"supersededBy,omitempty"`
	ActionsTruncated bool           `dynamodbav:"actionsTruncated,omitempty"`
	SkippedTruncated bool           `dynamodbav:"skippedTruncated,omitempty"`
}

// maxReportBytes bounds a run's compressed lists, leaving room in the 400 KB item for the
// rest of it. Lists that do not fit are cut (failures stay first) and marked truncated.
const maxReportBytes = 300 << 10

// runReport is the stored form of a run's lists, with short names.
type runReport struct {
	Actions []reportAction `json:"a,omitempty"`
	Skipped []reportSkip   `json:"s,omitempty"`
}

type reportAction struct {
	Kind          string `json:"k"`
	AccountID     string `json:"id,omitempty"`
	Email         string `json:"e,omitempty"`
	Name          string `json:"n,omitempty"`
	ExternalID    string `json:"x,omitempty"`
	OldEmail      string `json:"oe,omitempty"`
	OldName       string `json:"on,omitempty"`
	OldExternalID string `json:"ox,omitempty"`
	Role          string `json:"ro,omitempty"`
	OldRole       string `json:"oro,omitempty"`
	Reason        string `json:"r,omitempty"`
	Error         string `json:"err,omitempty"`
}

type reportSkip struct {
	Row        int    `json:"row,omitempty"`
	Page       int    `json:"p,omitempty"`
	Group      string `json:"g,omitempty"`
	ExternalID string `json:"x,omitempty"`
	Email      string `json:"e,omitempty"`
	Name       string `json:"n,omitempty"`
	Reason     string `json:"r,omitempty"`
	Code       string `json:"c,omitempty"`
	Status     string `json:"st,omitempty"`
	AccountID  string `json:"id,omitempty"`
}

// encodeReport compresses r's lists, cutting them until they fit maxReportBytes.
func encodeReport(r *dirsync.Run) ([]byte, error) {
	rep := runReport{Actions: make([]reportAction, len(r.Actions)), Skipped: make([]reportSkip, len(r.Skipped))}
	for i, o := range r.Actions {
		rep.Actions[i] = reportAction{Kind: string(o.Kind), AccountID: o.AccountID, Email: o.Email, Name: o.Name,
			ExternalID: o.ExternalID, OldEmail: o.OldEmail, OldName: o.OldName, OldExternalID: o.OldExternalID,
			Role: o.Role, OldRole: o.OldRole, Reason: o.Reason, Error: o.Error}
	}
	for i, k := range r.Skipped {
		rep.Skipped[i] = reportSkip{Row: k.Row, Page: k.Page, Group: k.Group, ExternalID: k.ExternalID, Email: k.Email, Name: k.Name,
			Reason: k.Reason, Code: string(k.Code), Status: string(k.Status), AccountID: k.AccountID}
	}
	for {
		raw, err := json.Marshal(rep)
		if err != nil {
			return nil, fmt.Errorf("encode run report: %w", err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(raw); err != nil {
			return nil, fmt.Errorf("compress run report: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("compress run report: %w", err)
		}
		if buf.Len() <= maxReportBytes || (len(rep.Actions) == 0 && len(rep.Skipped) == 0) {
			r.Actions, r.Skipped = r.Actions[:len(rep.Actions)], r.Skipped[:len(rep.Skipped)]
			return buf.Bytes(), nil
		}
		rep.Actions, rep.Skipped = rep.Actions[:len(rep.Actions)/2], rep.Skipped[:len(rep.Skipped)/2]
		r.ActionsTruncated, r.SkippedTruncated = true, true
	}
}

// decodeReport reverses encodeReport.
func decodeReport(id string, raw []byte) ([]dirsync.Outcome, []idp.Skip, error) {
	if len(raw) == 0 {
		return nil, nil, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("decompress report of run %s: %w", id, err)
	}
	var rep runReport
	if err := json.NewDecoder(zr).Decode(&rep); err != nil {
		return nil, nil, fmt.Errorf("decode report of run %s: %w", id, err)
	}
	actions := make([]dirsync.Outcome, len(rep.Actions))
	for i, a := range rep.Actions {
		actions[i] = dirsync.Outcome{Action: idp.Action{Kind: idp.ActionKind(a.Kind), AccountID: a.AccountID, Email: a.Email,
			Name: a.Name, ExternalID: a.ExternalID, OldEmail: a.OldEmail, OldName: a.OldName, OldExternalID: a.OldExternalID,
			Role: a.Role, OldRole: a.OldRole, Reason: a.Reason}, Error: a.Error}
	}
	skipped := make([]idp.Skip, len(rep.Skipped))
	for i, k := range rep.Skipped {
		skipped[i] = idp.Skip{Row: k.Row, Page: k.Page, Group: k.Group, ExternalID: k.ExternalID, Email: k.Email, Name: k.Name,
			Reason: k.Reason, Code: idp.SkipCode(k.Code), Status: idp.Status(k.Status), AccountID: k.AccountID}
	}
	return actions, skipped, nil
}

func toRunItem(r dirsync.Run) (runItem, error) {
	report, err := encodeReport(&r)
	if err != nil {
		return runItem{}, err
	}
	return runItem{
		key: key{PK: orgPK(r.OrgID), SK: runSK(r.ID)}, Type: typeSyncRun, ID: r.ID, OrgID: r.OrgID,
		Status: string(r.Status), Trigger: r.Trigger, StartedAt: fmtTime(r.StartedAt), FinishedAt: fmtTime(r.FinishedAt),
		Format: string(r.Format), Counts: r.Counts, Report: report, HeldReason: r.HeldReason, Suppressed: r.RemovalsSuppressed, PlanHash: r.PlanHash,
		ExpiresAt: fmtTime(r.ExpiresAt), Error: r.Error, ApprovedBy: toActorAttr(r.ApprovedBy), ApprovedRun: r.ApprovedRun,
		ActionsTruncated: r.ActionsTruncated, SkippedTruncated: r.SkippedTruncated, SupersededBy: r.SupersededBy,
	}, nil
}

func (it runItem) domain() (dirsync.Run, error) {
	actions, skipped, err := decodeReport(it.ID, it.Report)
	if err != nil {
		return dirsync.Run{}, err
	}
	return dirsync.Run{
		ID: it.ID, OrgID: it.OrgID, Status: dirsync.RunStatus(it.Status), Trigger: it.Trigger,
		StartedAt: parseTime(it.StartedAt), FinishedAt: parseTime(it.FinishedAt), Format: idp.Format(it.Format),
		Counts: it.Counts, Actions: actions, ActionsTruncated: it.ActionsTruncated, Skipped: skipped,
		SkippedTruncated: it.SkippedTruncated, HeldReason: it.HeldReason, RemovalsSuppressed: it.Suppressed, PlanHash: it.PlanHash,
		ExpiresAt: parseTime(it.ExpiresAt), Error: it.Error, ApprovedBy: it.ApprovedBy.domain(), ApprovedRun: it.ApprovedRun,
		SupersededBy: it.SupersededBy,
	}, nil
}

// PutRun stores a new run (PartRecord: its id is new) with its audit entry.
func (s *Sync) PutRun(ctx context.Context, r dirsync.Run, audit org.AuditEntry) error {
	it, err := toRunItem(r)
	if err != nil {
		return err
	}
	return s.t.newTx().putNew(org.PartRecord, it).audit(audit).commit(ctx)
}

// ApproveRun marks a held run approved, once (PartRecord: it must still be held), and drops
// the organization's hold on it.
func (s *Sync) ApproveRun(ctx context.Context, r dirsync.Run, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(dirsync.RunApproved))).
		Set(expression.Name("approvedBy"), expression.Value(toActorAttr(r.ApprovedBy)))
	held := expression.Name("status").Equal(expression.Value(string(dirsync.RunHeld)))
	ours := notExists().Or(expression.Name("runId").Equal(expression.Value(r.ID)))
	return s.t.newTx().
		update(org.PartRecord, orgPK(r.OrgID), runSK(r.ID), upd, held).
		del(org.PartRecord, orgPK(r.OrgID), skHold, ours).
		audit(audit).commit(ctx)
}

// holdItem names the organization's held run.
type holdItem struct {
	key
	Type      string `dynamodbav:"type"`
	RunID     string `dynamodbav:"runId"`
	PlanHash  string `dynamodbav:"planHash"`
	ExpiresAt string `dynamodbav:"expiresAt"`
}

// CurrentHold reads which run of the organization waits for approval.
func (s *Sync) CurrentHold(ctx context.Context, orgID string) (dirsync.Hold, error) {
	var it holdItem
	if err := s.t.get(ctx, orgPK(orgID), skHold, &it); err != nil {
		return dirsync.Hold{}, err
	}
	return dirsync.Hold{RunID: it.RunID, PlanHash: it.PlanHash, ExpiresAt: parseTime(it.ExpiresAt)}, nil
}

// PutHeldRun stores the held run r and makes it the organization's hold in place of prev,
// marking prev's run superseded by r if it is still held.
func (s *Sync) PutHeldRun(ctx context.Context, r dirsync.Run, prev *dirsync.Hold, audit org.AuditEntry) error {
	it, err := toRunItem(r)
	if err != nil {
		return err
	}
	hold := holdItem{key: key{PK: orgPK(r.OrgID), SK: skHold}, Type: typeSyncHold, RunID: r.ID, PlanHash: r.PlanHash, ExpiresAt: fmtTime(r.ExpiresAt)}
	same := notExists()
	if prev != nil {
		same = expression.Name("runId").Equal(expression.Value(prev.RunID))
	}
	x := s.t.newTx().putNew(org.PartRecord, it).put(org.PartRecord, hold, &same).audit(audit)
	if prev != nil {
		// Only a run still held is superseded; an expired or approved one keeps its status.
		upd := expression.Set(expression.Name("status"), expression.Value(string(dirsync.RunSuperseded))).
			Set(expression.Name("supersededBy"), expression.Value(r.ID))
		stillHeld := expression.Name("status").Equal(expression.Value(string(dirsync.RunHeld))).
			And(expression.Name("expiresAt").GreaterThan(expression.Value(fmtTime(r.FinishedAt))))
		var old runItem
		if err := s.t.get(ctx, orgPK(r.OrgID), runSK(prev.RunID), &old); err == nil && old.Status == string(dirsync.RunHeld) && old.ExpiresAt > fmtTime(r.FinishedAt) {
			x.update(org.PartRecord, orgPK(r.OrgID), runSK(prev.RunID), upd, stillHeld)
		}
	}
	return x.commit(ctx)
}

// GetRun reads one run.
func (s *Sync) GetRun(ctx context.Context, orgID, id string) (dirsync.Run, error) {
	var it runItem
	if err := s.t.get(ctx, orgPK(orgID), runSK(id), &it); err != nil {
		return dirsync.Run{}, err
	}
	return it.domain()
}

// ListRuns lists runs newest first.
func (s *Sync) ListRuns(ctx context.Context, orgID string, p org.PageRequest) (org.Page[dirsync.Run], error) {
	items, next, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: prefixRun, page: p})
	if err != nil {
		return org.Page[dirsync.Run]{}, err
	}
	page := org.Page[dirsync.Run]{Items: make([]dirsync.Run, 0, len(items)), Next: next}
	for _, raw := range items {
		var it runItem
		if err := decodeItem(raw, &it); err != nil {
			return org.Page[dirsync.Run]{}, err
		}
		r, err := it.domain()
		if err != nil {
			return org.Page[dirsync.Run]{}, err
		}
		page.Items = append(page.Items, r)
	}
	return page, nil
}

// DiscardRun marks a held run discarded, once (PartRecord: it must still be held).
func (s *Sync) DiscardRun(ctx context.Context, r dirsync.Run, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(dirsync.RunDiscarded))).
		Set(expression.Name("approvedBy"), expression.Value(toActorAttr(r.ApprovedBy)))
	held := expression.Name("status").Equal(expression.Value(string(dirsync.RunHeld)))
	return s.t.newTx().update(org.PartRecord, orgPK(r.OrgID), runSK(r.ID), upd, held).audit(audit).commit(ctx)
}
