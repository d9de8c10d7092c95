package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

var _ dirsync.Store = (*Store)(nil)

// syncConfigItem is an organization's sync configuration, stored under the organization and
// in the SYNCCONFIG partition the schedule lists.
type syncConfigItem struct {
	key
	Type         string    `dynamodbav:"type"`
	OrgID        string    `dynamodbav:"orgId"`
	Sources      []string  `dynamodbav:"sources"`
	Format       string    `dynamodbav:"format"`
	Role         string    `dynamodbav:"role"`
	SendEmail    bool      `dynamodbav:"sendEmail"`
	RemovalShare float64   `dynamodbav:"removalShare"`
	RemovalFloor int       `dynamodbav:"removalFloor"`
	Enabled      bool      `dynamodbav:"enabled"`
	UpdatedAt    string    `dynamodbav:"updatedAt"`
	UpdatedBy    actorAttr `dynamodbav:"updatedBy"`
}

func toSyncConfigItems(c dirsync.Config) (byOrg, listed syncConfigItem) {
	byOrg = syncConfigItem{
		key: key{PK: orgPK(c.OrgID), SK: skSync}, Type: typeSyncConfig, OrgID: c.OrgID, Sources: c.Sources,
		Format: string(c.Format), Role: string(c.Role), SendEmail: c.SendEmail, RemovalShare: c.RemovalShare,
		RemovalFloor: c.RemovalFloor, Enabled: c.Enabled, UpdatedAt: fmtTime(c.UpdatedAt), UpdatedBy: toActorAttr(c.UpdatedBy),
	}
	listed = byOrg
	listed.key = key{PK: pkSyncConfig, SK: c.OrgID}
	return byOrg, listed
}

func (it syncConfigItem) domain() dirsync.Config {
	return dirsync.Config{
		OrgID: it.OrgID, Sources: it.Sources, Format: idp.Format(it.Format), Role: org.Role(it.Role),
		SendEmail: it.SendEmail, RemovalShare: it.RemovalShare, RemovalFloor: it.RemovalFloor, Enabled: it.Enabled,
		UpdatedAt: parseTime(it.UpdatedAt), UpdatedBy: it.UpdatedBy.domain(),
	}
}

// PutSyncConfig stores the configuration under its organization and in the schedule's list.
func (s *Store) PutSyncConfig(ctx context.Context, c dirsync.Config, audit org.AuditEntry) error {
	byOrg, listed := toSyncConfigItems(c)
	orgExists := expression.AttributeExists(expression.Name(attrPK))
	exists, err := s.conditionCheck(orgPK(c.OrgID), skOrg, orgExists)
	if err != nil {
		return err
	}
	actions := []types.TransactWriteItem{exists}
	for _, it := range []syncConfigItem{byOrg, listed} {
		put, err := s.put(it, nil)
		if err != nil {
			return err
		}
		actions = append(actions, put)
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, append(actions, auditPut))
	if failedAt(err, 0) {
		return fmt.Errorf("organization %s: %w", c.OrgID, org.ErrNotFound)
	}
	return err
}

// GetSyncConfig reads an organization's sync configuration.
func (s *Store) GetSyncConfig(ctx context.Context, orgID string) (dirsync.Config, error) {
	var it syncConfigItem
	if err := s.get(ctx, orgPK(orgID), skSync, &it); err != nil {
		return dirsync.Config{}, err
	}
	return it.domain(), nil
}

// SyncConfigs lists every organization's sync configuration.
func (s *Store) SyncConfigs(ctx context.Context) ([]dirsync.Config, error) {
	var out []dirsync.Config
	err := s.queryPartition(ctx, pkSyncConfig, "", nil, func(item map[string]types.AttributeValue) error {
		var it syncConfigItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		out = append(out, it.domain())
		return nil
	})
	return out, err
}

// runItem is a sync run's report; its action and skip lists are kept as one JSON attribute.
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
	Report           string         `dynamodbav:"report"`
	HeldReason       string         `dynamodbav:"heldReason,omitempty"`
	PlanHash         string         `dynamodbav:"planHash,omitempty"`
	ExpiresAt        string         `dynamodbav:"expiresAt,omitempty"`
	Error            string         `dynamodbav:"error,omitempty"`
	ApprovedBy       actorAttr      `dynamodbav:"approvedBy"`
	ApprovedRun      string         `dynamodbav:"approvedRun,omitempty"`
	ActionsTruncated bool           `dynamodbav:"actionsTruncated,omitempty"`
	SkippedTruncated bool           `dynamodbav:"skippedTruncated,omitempty"`
}

// runReport is the JSON of a run's lists.
type runReport struct {
	Actions []dirsync.Outcome `json:"actions,omitempty"`
	Skipped []idp.Skip        `json:"skipped,omitempty"`
}

func toRunItem(r dirsync.Run) (runItem, error) {
	report, err := json.Marshal(runReport{Actions: r.Actions, Skipped: r.Skipped})
	if err != nil {
		return runItem{}, fmt.Errorf("encode run report: %w", err)
	}
	return runItem{
		key: key{PK: orgPK(r.OrgID), SK: runSK(r.ID)}, Type: typeSyncRun, ID: r.ID, OrgID: r.OrgID,
		Status: string(r.Status), Trigger: r.Trigger, StartedAt: fmtTime(r.StartedAt), FinishedAt: fmtTime(r.FinishedAt),
		Format: string(r.Format), Counts: r.Counts, Report: string(report), HeldReason: r.HeldReason, PlanHash: r.PlanHash,
		ExpiresAt: fmtTime(r.ExpiresAt), Error: r.Error, ApprovedBy: toActorAttr(r.ApprovedBy), ApprovedRun: r.ApprovedRun,
		ActionsTruncated: r.ActionsTruncated, SkippedTruncated: r.SkippedTruncated,
	}, nil
}

func (it runItem) domain() (dirsync.Run, error) {
	var rep runReport
	if it.Report != "" {
		if err := json.Unmarshal([]byte(it.Report), &rep); err != nil {
			return dirsync.Run{}, fmt.Errorf("decode report of run %s: %w", it.ID, err)
		}
	}
	return dirsync.Run{
		ID: it.ID, OrgID: it.OrgID, Status: dirsync.RunStatus(it.Status), Trigger: it.Trigger,
		StartedAt: parseTime(it.StartedAt), FinishedAt: parseTime(it.FinishedAt), Format: idp.Format(it.Format),
		Counts: it.Counts, Actions: rep.Actions, ActionsTruncated: it.ActionsTruncated, Skipped: rep.Skipped,
		SkippedTruncated: it.SkippedTruncated, HeldReason: it.HeldReason, PlanHash: it.PlanHash,
		ExpiresAt: parseTime(it.ExpiresAt), Error: it.Error, ApprovedBy: it.ApprovedBy.domain(), ApprovedRun: it.ApprovedRun,
	}, nil
}

// PutRun stores a new run with its audit entry.
func (s *Store) PutRun(ctx context.Context, r dirsync.Run, audit org.AuditEntry) error {
	it, err := toRunItem(r)
	if err != nil {
		return err
	}
	put, err := s.putNew(it)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{put, auditPut})
	if failedAt(err, 0) {
		return fmt.Errorf("run %s: %w", r.ID, org.ErrExists)
	}
	return err
}

// ApproveRun marks a held run approved, once.
func (s *Store) ApproveRun(ctx context.Context, r dirsync.Run, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(dirsync.RunApproved))).
		Set(expression.Name("approvedBy"), expression.Value(toActorAttr(r.ApprovedBy)))
	held := expression.Name("status").Equal(expression.Value(string(dirsync.RunHeld)))
	approve, err := s.update(orgPK(r.OrgID), runSK(r.ID), upd, held)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{approve, auditPut})
	if failedAt(err, 0) {
		return fmt.Errorf("run %s: %w", r.ID, dirsync.ErrNotHeld)
	}
	return err
}

// GetRun reads one run.
func (s *Store) GetRun(ctx context.Context, orgID, id string) (dirsync.Run, error) {
	var it runItem
	if err := s.get(ctx, orgPK(orgID), runSK(id), &it); err != nil {
		return dirsync.Run{}, err
	}
	return it.domain()
}

// ListRuns lists runs newest first.
func (s *Store) ListRuns(ctx context.Context, orgID string, p org.PageRequest) (org.Page[dirsync.Run], error) {
	items, next, err := s.queryPage(ctx, query{orgID: orgID, prefix: prefixRun, page: p})
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

// leaseItem says who applies a sync to an organization, until when.
type leaseItem struct {
	key
	Type  string `dynamodbav:"type"`
	Owner string `dynamodbav:"owner"`
	Until string `dynamodbav:"until"`
	TTL   int64  `dynamodbav:"ttl"`
}

// AcquireLease takes the organization's sync lease unless another owner holds it past now.
func (s *Store) AcquireLease(ctx context.Context, orgID, owner string, now, until time.Time) error {
	it := leaseItem{key: key{PK: orgPK(orgID), SK: skLease}, Type: typeSyncLease, Owner: owner, Until: fmtTime(until),
		TTL: until.Add(24 * time.Hour).Unix()}
	free := expression.AttributeNotExists(expression.Name(attrPK)).
		Or(expression.Name("until").LessThan(expression.Value(fmtTime(now)))).
		Or(expression.Name("owner").Equal(expression.Value(owner)))
	put, err := s.put(it, &free)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{put})
	if failedAt(err, 0) {
		return fmt.Errorf("another sync of %s is running: %w", orgID, org.ErrConflict)
	}
	return err
}

// ReleaseLease drops the lease if owner still holds it.
func (s *Store) ReleaseLease(ctx context.Context, orgID, owner string) error {
	ours := expression.Name("owner").Equal(expression.Value(owner))
	del, err := s.del(orgPK(orgID), skLease, ours)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{del})
	if failedAt(err, 0) {
		return nil // another run took it over after ours expired
	}
	return err
}
