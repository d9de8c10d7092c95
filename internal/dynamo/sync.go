package dynamo

import (
	"context"
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
