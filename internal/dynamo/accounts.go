package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// Accounts reads every member and every pending invitation of an organization, a full page
// (1 MB) per request: what directory sync plans against.
func (s *Store) Accounts(ctx context.Context, orgID string) ([]org.Member, []org.Invitation, error) {
	var members []org.Member
	err := s.queryAll(ctx, orgID, prefixMember, nil, func(item map[string]types.AttributeValue) error {
		var it memberItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		members = append(members, it.domain())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	pending := statusIs(org.StatusPending)
	var invs []org.Invitation
	err = s.queryAll(ctx, orgID, prefixInvitation, &pending, func(item map[string]types.AttributeValue) error {
		var it invitationItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		invs = append(invs, it.domain())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return members, invs, nil
}

// queryAll calls fn with every item under the organization whose sort key starts with prefix
// and that passes filter.
func (s *Store) queryAll(ctx context.Context, orgID, prefix string, filter *expression.ConditionBuilder, fn func(map[string]types.AttributeValue) error) error {
	return s.queryPartition(ctx, orgPK(orgID), prefix, filter, fn)
}

// queryPartition calls fn with every item of partition pk whose sort key starts with prefix
// (any, when empty) and that passes filter, a full page (1 MB) per request.
func (s *Store) queryPartition(ctx context.Context, pk, prefix string, filter *expression.ConditionBuilder, fn func(map[string]types.AttributeValue) error) error {
	keyCond := expression.Key(attrPK).Equal(expression.Value(pk))
	if prefix != "" {
		keyCond = keyCond.And(expression.Key(attrSK).BeginsWith(prefix))
	}
	b := expression.NewBuilder().WithKeyCondition(keyCond)
	if filter != nil {
		b = b.WithFilter(*filter)
	}
	expr, err := b.Build()
	if err != nil {
		return fmt.Errorf("build query: %w", err)
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("query %s%s: %w", pk, prefix, err)
		}
		for _, item := range res.Items {
			if sk, ok := item[attrSK].(*types.AttributeValueMemberS); !ok || !strings.HasPrefix(sk.Value, prefix) {
				// Some local DynamoDB implementations page past the prefix: stop there.
				return nil
			}
			if err := fn(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// RenameInvitation stores a pending invitation's new name.
func (s *Store) RenameInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("name"), expression.Value(inv.Name)).
		Set(expression.Name("externalId"), expression.Value(inv.ExternalID)).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt)))
	rename, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), upd, statusIs(org.StatusPending))
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{rename, auditPut})
	if failedAt(err, 0) {
		return fmt.Errorf("invitation %s is no longer pending: %w", inv.ID, org.ErrConflict)
	}
	return err
}
