package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/connector"
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
	Type    string   `dynamodbav:"type"`
	OrgID   string   `dynamodbav:"orgId"`
	Sources []string `dynamodbav:"sources"`
	// SourceRoles are the roles of Sources, index-aligned; absent when no source has one.
	SourceRoles []string `dynamodbav:"sourceRoles,omitempty"`
	// Directory is the identity provider read instead of files: its provider, its settings
	// as JSON without credentials, and the credentials sealed for the organization.
	DirectoryProvider string    `dynamodbav:"directoryProvider,omitempty"`
	DirectorySettings string    `dynamodbav:"directorySettings,omitempty"`
	DirectorySealed   []byte    `dynamodbav:"directorySealed,omitempty"`
	Format            string    `dynamodbav:"format"`
	Role              string    `dynamodbav:"role"`
	SendEmail         bool      `dynamodbav:"sendEmail"`
	RemovalShare      float64   `dynamodbav:"removalShare"`
	RemovalFloor      int       `dynamodbav:"removalFloor"`
	Enabled           bool      `dynamodbav:"enabled"`
	UseUPNWhenNoMail  bool      `dynamodbav:"useUpnWhenNoMail,omitempty"`
	UpdatedAt         string    `dynamodbav:"updatedAt"`
	UpdatedBy         actorAttr `dynamodbav:"updatedBy"`
}

func toSyncConfigItems(c dirsync.Config) (byOrg, listed syncConfigItem, err error) {
	byOrg = syncConfigItem{
		key: key{PK: orgPK(c.OrgID), SK: skSync}, Type: typeSyncConfig, OrgID: c.OrgID, Sources: []string{},
		Format: string(c.Format), Role: string(c.Role), SendEmail: c.SendEmail, RemovalShare: c.RemovalShare,
		RemovalFloor: c.RemovalFloor, Enabled: c.Enabled, UseUPNWhenNoMail: c.UseUPNWhenNoMail, UpdatedAt: fmtTime(c.UpdatedAt), UpdatedBy: toActorAttr(c.UpdatedBy),
	}
	roles := false
	for _, src := range c.Sources {
		byOrg.Sources = append(byOrg.Sources, src.URI)
		byOrg.SourceRoles = append(byOrg.SourceRoles, string(src.Role))
		roles = roles || src.Role != ""
	}
	if !roles {
		byOrg.SourceRoles = nil
	}
	if d := c.Directory; d != nil {
		settings, err := json.Marshal(connector.WithoutSecrets(d.Settings))
		if err != nil {
			return byOrg, listed, fmt.Errorf("encode directory settings: %w", err)
		}
		byOrg.DirectoryProvider, byOrg.DirectorySettings, byOrg.DirectorySealed = string(d.Settings.Provider()), string(settings), d.Sealed
	}
	listed = byOrg
	listed.key = key{PK: pkSyncConfig, SK: c.OrgID}
	return byOrg, listed, nil
}

func (it syncConfigItem) domain() (dirsync.Config, error) {
	c := dirsync.Config{
		OrgID: it.OrgID, Format: idp.Format(it.Format), Role: org.Role(it.Role),
		SendEmail: it.SendEmail, RemovalShare: it.RemovalShare, RemovalFloor: it.RemovalFloor, Enabled: it.Enabled, UseUPNWhenNoMail: it.UseUPNWhenNoMail,
		UpdatedAt: parseTime(it.UpdatedAt), UpdatedBy: it.UpdatedBy.domain(),
	}
	for i, uri := range it.Sources {
		src := dirsync.Source{URI: uri}
		if i < len(it.SourceRoles) {
			src.Role = org.Role(it.SourceRoles[i])
		}
		c.Sources = append(c.Sources, src)
	}
	if it.DirectoryProvider != "" {
		settings, err := connector.DecodeStored(it.DirectoryProvider, []byte(it.DirectorySettings))
		if err != nil {
			return dirsync.Config{}, fmt.Errorf("decode the directory settings of %s: %w", it.OrgID, err)
		}
		c.Directory = &dirsync.Directory{Settings: settings, Sealed: it.DirectorySealed}
	}
	return c, nil
}

// PutSyncConfig stores the configuration under its organization (which must exist:
// PartOrg) and in the schedule's list.
func (s *Sync) PutSyncConfig(ctx context.Context, c dirsync.Config, audit org.AuditEntry) error {
	byOrg, listed, err := toSyncConfigItems(c)
	if err != nil {
		return err
	}
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
	return it.domain()
}

// SyncConfigs lists every organization's sync configuration; one that cannot be decoded is
// listed apart, with why, unless it is known to be disabled.
func (s *Sync) SyncConfigs(ctx context.Context) ([]dirsync.Config, []dirsync.Unreadable, error) {
	var out []dirsync.Config
	var bad []dirsync.Unreadable
	err := s.t.queryPartition(ctx, pkSyncConfig, "", nil, func(item map[string]types.AttributeValue) error {
		var it syncConfigItem
		err := decodeItem(item, &it)
		decoded := err == nil
		var c dirsync.Config
		if decoded {
			c, err = it.domain()
		}
		if err != nil {
			if decoded && !it.Enabled {
				return nil // not synced anyway: its admins see the error when they read it
			}
			orgID := it.OrgID
			if sk, ok := item[attrSK].(*types.AttributeValueMemberS); ok {
				orgID = sk.Value // the schedule's list is keyed by organization
			}
			bad = append(bad, dirsync.Unreadable{OrgID: orgID, Err: err})
			return nil
		}
		out = append(out, c)
		return nil
	})
	return out, bad, err
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

// directoryStateItem is what the last full read of an organization's directory left.
type directoryStateItem struct {
	key
	Type       string            `dynamodbav:"type"`
	Settings   string            `dynamodbav:"settings"`
	FullReadAt string            `dynamodbav:"fullReadAt"`
	DeltaLinks map[string]string `dynamodbav:"deltaLinks,omitempty"`
}

// GetDirectoryState reads what the last full read of the organization's directory left.
func (s *Sync) GetDirectoryState(ctx context.Context, orgID string) (dirsync.DirectoryState, error) {
	var it directoryStateItem
	if err := s.t.get(ctx, orgPK(orgID), skDirectoryState, &it); err != nil {
		return dirsync.DirectoryState{}, err
	}
	return dirsync.DirectoryState{Settings: it.Settings, FullReadAt: parseTime(it.FullReadAt), DeltaLinks: it.DeltaLinks}, nil
}

// PutDirectoryState replaces what the last full read left.
func (s *Sync) PutDirectoryState(ctx context.Context, orgID string, st dirsync.DirectoryState) error {
	it := directoryStateItem{key: key{PK: orgPK(orgID), SK: skDirectoryState}, Type: typeDirectoryState,
		Settings: st.Settings, FullReadAt: fmtTime(st.FullReadAt), DeltaLinks: st.DeltaLinks}
	return s.t.newTx().put(org.PartRecord, it, nil).commit(ctx)
}
