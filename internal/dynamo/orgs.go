package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// CreateOrg writes a new organization, with its first admin member when one is given.
func (s *Store) CreateOrg(ctx context.Context, o org.Org, admin *org.Member, audit org.AuditEntry) error {
	item := orgItem{key: key{PK: orgPK(o.ID), SK: skOrg}, Type: typeOrg, ID: o.ID, Name: o.Name, CreatedAt: fmtTime(o.CreatedAt)}
	if admin != nil {
		item.ActiveAdmins = 1
	}
	items := []any{item, toAuditItem(audit)}
	if admin != nil {
		items = append(items, toMemberItem(*admin), memberEmailItem(*admin))
	}
	actions := make([]types.TransactWriteItem, 0, len(items))
	for _, it := range items {
		action, err := s.putNew(it)
		if err != nil {
			return err
		}
		actions = append(actions, action)
	}
	err := s.transact(ctx, actions)
	if failedAt(err, 0) {
		return fmt.Errorf("organization %s: %w", o.ID, org.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create organization %s: %w", o.ID, err)
	}
	return nil
}

// GetOrg reads an organization.
func (s *Store) GetOrg(ctx context.Context, orgID string) (org.Org, error) {
	var it orgItem
	if err := s.get(ctx, orgPK(orgID), skOrg, &it); err != nil {
		return org.Org{}, err
	}
	return it.domain(), nil
}
