package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// Sync keeps directory sync's configurations, run reports and run leases. It implements
// dirsync.Store.
type Sync struct{ t *table }

var _ dirsync.Store = (*Sync)(nil)

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

// PutSyncConfig stores the configuration under its organization (which must exist:
// PartOrg) and in the schedule's list.
func (s *Sync) PutSyncConfig(ctx context.Context, c dirsync.Config, audit org.AuditEntry) error {
	byOrg, listed := toSyncConfigItems(c)
	return s.t.newTx().
		check(org.PartOrg, orgPK(c.OrgID), skOrg, expression.AttributeExists(expression.Name(attrPK))).
		put(org.PartRecord, byOrg, nil).
		put(org.PartRecord, listed, nil).
		audit(audit).
		commit(ctx)
}

// GetSyncConfig reads an organization's sync configuration.
func (s *Sync) GetSyncConfig(ctx context.Context, orgID string) (dirsync.Config, error) {
	var it syncConfigItem
	if err := s.t.get(ctx, orgPK(orgID), skSync, &it); err != nil {
		return dirsync.Config{}, err
	}
	return it.domain(), nil
}

// SyncConfigs lists every organization's sync configuration.
func (s *Sync) SyncConfigs(ctx context.Context) ([]dirsync.Config, error) {
	var out []dirsync.Config
	err := s.t.queryPartition(ctx, pkSyncConfig, "", nil, func(item map[string]types.AttributeValue) error {
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

// AcquireLease takes the organization's sync lease unless another owner holds it past now
// (PartRecord).
func (s *Sync) AcquireLease(ctx context.Context, orgID, owner string, now, until time.Time) error {
	it := leaseItem{key: key{PK: orgPK(orgID), SK: skLease}, Type: typeSyncLease, Owner: owner, Until: fmtTime(until),
		TTL: until.Add(24 * time.Hour).Unix()}
	free := notExists().
		Or(expression.Name("until").LessThan(expression.Value(fmtTime(now)))).
		Or(expression.Name("owner").Equal(expression.Value(owner)))
	return s.t.newTx().put(org.PartRecord, it, &free).commit(ctx)
}

// ReleaseLease drops the lease if owner still holds it; a lease another run took over after
// ours expired is left alone.
func (s *Sync) ReleaseLease(ctx context.Context, orgID, owner string) error {
	ours := expression.Name("owner").Equal(expression.Value(owner))
	err := s.t.newTx().del(org.PartRecord, orgPK(orgID), skLease, ours).commit(ctx)
	if refused(err, org.PartRecord) {
		return nil
	}
	return err
}
