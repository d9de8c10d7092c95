package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// endpointCountItem is how many webhook endpoints an organization has: creating one adds one
// on condition that it is below hooks.MaxEndpoints, in the create's own transaction, so that
// creates at once never pass the limit together; deleting one takes one off.
type endpointCountItem struct {
	key
	Type  string `dynamodbav:"type"`
	Count int    `dynamodbav:"count"`
}

// countEndpoints adds to x the change of orgID's count of endpoints by delta (+1 or -1), on
// condition that the count exists and stays within 0..hooks.MaxEndpoints
// (hooks.PartEndpointCount otherwise).
func countEndpoints(x *tx, orgID string, delta int) {
	count := expression.Name("count")
	upd := expression.Add(count, expression.Value(delta)).Set(expression.Name("type"), expression.Value(typeWebhookCount))
	cond := count.LessThan(expression.Value(hooks.MaxEndpoints))
	if delta < 0 {
		cond = count.GreaterThanEqual(expression.Value(-delta))
	}
	x.update(hooks.PartEndpointCount, orgPK(orgID), skWebhookCount, upd, cond)
}

// counted commits the transaction write builds, which changes orgID's count of endpoints by
// delta (countEndpoints). The count refusing it is read: an organization without one yet
// (it never had an endpoint, or its endpoints predate the count) has it made from the
// endpoints there are, and a count that changed meanwhile so as to allow the write is tried
// again, a few times; otherwise the refusal stands.
func (s *Hooks) counted(ctx context.Context, orgID string, delta int, write func() *tx) error {
	for try := 0; ; try++ {
		err := write().commit(ctx)
		if !refused(err, hooks.PartEndpointCount) || refused(err, org.PartOrg) || try == maxCountTries {
			return err
		}
		n, ok, rerr := s.endpointCount(ctx, orgID)
		if rerr != nil {
			return fmt.Errorf("count the webhooks of %s: %w", orgID, rerr)
		}
		if ok && (n+delta < 0 || n+delta > hooks.MaxEndpoints) {
			return err // the count refused for real
		}
	}
}

// maxCountTries bounds how often counted tries again.
const maxCountTries = 4

// endpointCount reads orgID's count of endpoints; without one, it makes it from the endpoints
// there are and reports false. Until the count exists no endpoint of orgID is created or
// deleted (each needs it), so the endpoints read are the ones there are; two makers at once
// write the same count, the second refused.
func (s *Hooks) endpointCount(ctx context.Context, orgID string) (int, bool, error) {
	var it endpointCountItem
	switch err := s.t.get(ctx, orgPK(orgID), skWebhookCount, &it); {
	case err == nil:
		return it.Count, true, nil
	case !errors.Is(err, org.ErrNotFound):
		return 0, false, err
	}
	n, err := s.countEndpointItems(ctx, orgID)
	if err != nil {
		return 0, false, err
	}
	av, err := marshal(endpointCountItem{key: key{PK: orgPK(orgID), SK: skWebhookCount}, Type: typeWebhookCount, Count: n})
	if err != nil {
		return 0, false, err
	}
	_, err = s.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if err != nil && !errors.As(err, new(*types.ConditionalCheckFailedException)) {
		return 0, false, fmt.Errorf("store the count of webhooks: %w", err)
	}
	return n, false, nil
}

// countEndpointItems counts orgID's endpoint items, reading consistently.
func (s *Hooks) countEndpointItems(ctx context.Context, orgID string) (int, error) {
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(attrPK).Equal(expression.Value(orgPK(orgID))).And(expression.Key(attrSK).BeginsWith(prefixWebhook))).
		WithProjection(expression.NamesList(expression.Name(attrSK))).Build()
	if err != nil {
		return 0, fmt.Errorf("build query: %w", err)
	}
	p := dynamodb.NewQueryPaginator(s.t.db, &dynamodb.QueryInput{
		TableName: &s.t.name, KeyConditionExpression: expr.KeyCondition(), ProjectionExpression: expr.Projection(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
	})
	n := 0
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count webhooks of %s: %w", orgID, err)
		}
		for _, item := range res.Items {
			if sk, ok := item[attrSK].(*types.AttributeValueMemberS); !ok || !strings.HasPrefix(sk.Value, prefixWebhook) {
				return n, nil // some local DynamoDB implementations page past the prefix
			}
			n++
		}
	}
	return n, nil
}
