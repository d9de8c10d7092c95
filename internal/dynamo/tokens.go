package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// CreateToken writes an API token under its organization and under the hash of its secret.
func (s *Store) CreateToken(ctx context.Context, t org.APIToken, audit org.AuditEntry) error {
	byOrg, byHash := toTokenItems(t)
	actions := make([]types.TransactWriteItem, 0, 3)
	for _, it := range []any{byOrg, byHash, toAuditItem(audit)} {
		a, err := s.putNew(it)
		if err != nil {
			return err
		}
		actions = append(actions, a)
	}
	// The organization must exist: a token must never float free of one.
	exists, err := s.conditionCheck(orgPK(t.OrgID), skOrg, expression.AttributeExists(expression.Name(attrPK)))
	if err != nil {
		return err
	}
	err = s.transact(ctx, append(actions, exists))
	switch {
	case failedAt(err, 3):
		return fmt.Errorf("organization %s: %w", t.OrgID, org.ErrNotFound)
	case failedAt(err, 0) || failedAt(err, 1):
		return fmt.Errorf("token %s: %w", t.ID, org.ErrExists)
	}
	return err
}

// conditionCheck is a transaction ConditionCheck on the item at pk/sk.
func (s *Store) conditionCheck(pk, sk string, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build condition: %w", err)
	}
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                 &s.table,
		Key:                       keyOf(pk, sk),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// TokenByHash finds the API token whose secret hashes to hash.
func (s *Store) TokenByHash(ctx context.Context, hash string) (org.APIToken, error) {
	var it tokenItem
	if err := s.get(ctx, apiKeyPK(hash), skAPIKey, &it); err != nil {
		return org.APIToken{}, err
	}
	return it.domain(), nil
}

// GetToken reads one of an organization's API tokens.
func (s *Store) GetToken(ctx context.Context, orgID, id string) (org.APIToken, error) {
	var it tokenItem
	if err := s.get(ctx, orgPK(orgID), tokenSK(id), &it); err != nil {
		return org.APIToken{}, err
	}
	return it.domain(), nil
}

// maxTokens bounds a token listing; an organization needs far fewer.
const maxTokens = 1000

// ListTokens lists an organization's API tokens, oldest first.
func (s *Store) ListTokens(ctx context.Context, orgID string) ([]org.APIToken, error) {
	items, _, err := s.queryPage(ctx, query{orgID: orgID, prefix: prefixToken, forward: true, page: org.PageRequest{Limit: maxTokens}})
	if err != nil {
		return nil, err
	}
	page, err := decodePage(items, "", tokenItem.domain)
	return page.Items, err
}

// DeleteToken removes an API token; its secret stops authenticating at once.
func (s *Store) DeleteToken(ctx context.Context, t org.APIToken, audit org.AuditEntry) error {
	exists := expression.AttributeExists(expression.Name(attrPK))
	byOrg, err := s.del(orgPK(t.OrgID), tokenSK(t.ID), exists)
	if err != nil {
		return err
	}
	byHash, err := s.del(apiKeyPK(t.Hash), skAPIKey, exists)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{byOrg, byHash, auditPut})
	if failedAt(err, 0) || failedAt(err, 1) {
		return fmt.Errorf("token %s: %w", t.ID, org.ErrNotFound)
	}
	return err
}

// ListAudit lists audit entries newest first.
func (s *Store) ListAudit(ctx context.Context, orgID string, p org.PageRequest) (org.Page[org.AuditEntry], error) {
	items, next, err := s.queryPage(ctx, query{orgID: orgID, prefix: prefixAudit, page: p})
	if err != nil {
		return org.Page[org.AuditEntry]{}, err
	}
	return decodePage(items, next, auditItem.domain)
}
