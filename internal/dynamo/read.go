package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// decodeItem unmarshals one item, naming it in the error.
func decodeItem(item map[string]types.AttributeValue, out any) error {
	if err := attributevalue.UnmarshalMap(item, out); err != nil {
		return fmt.Errorf("decode item: %w", err)
	}
	return nil
}

// batchGetLimit is the most keys DynamoDB reads in one BatchGetItem.
const batchGetLimit = 100

// batchGet reads keys with strongly consistent reads, 100 per request and up to writeWorkers
// requests at once, re-asking for any keys DynamoDB leaves unprocessed.
func (t *table) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var (
		mu    sync.Mutex
		out   []map[string]types.AttributeValue
		first error
		wg    sync.WaitGroup
	)
	slots := make(chan struct{}, writeWorkers)
	for start := 0; start < len(keys); start += batchGetLimit {
		chunk := keys[start:min(start+batchGetLimit, len(keys))]
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			items, err := t.batchGetChunk(ctx, chunk)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			out = append(out, items...)
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

// batchGetChunk reads at most batchGetLimit keys, asking again for those left unprocessed.
func (t *table) batchGetChunk(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	req := map[string]types.KeysAndAttributes{t.name: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt > maxTransientRetries {
			return nil, fmt.Errorf("batch get: keys left unprocessed: %w", org.ErrUnavailable)
		}
		if attempt > 0 {
			if err := t.sleep(ctx, attempt-1); err != nil {
				return nil, err
			}
		}
		res, err := t.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("batch get: %w", err)
		}
		out = append(out, res.Responses[t.name]...)
		req = res.UnprocessedKeys
	}
	return out, nil
}

// query describes one page of items under an organization whose sort keys share a prefix.
type query struct {
	orgID   string
	prefix  string // sort key prefix, such as "INV#"
	forward bool   // oldest first
	filter  *expression.ConditionBuilder
	// view names the filter for the cursor, such as "status=pending": a cursor continues
	// only the list it was made for.
	view string
	page org.PageRequest
}

// Bounds on one filtered list request: DynamoDB reads at most maxQueryPages pages of
// filteredPageSize items, so a rare status in a large organization answers in time. The page
// may then hold fewer items than asked for, with a cursor to go on from.
const (
	maxQueryPages    = 10
	filteredPageSize = 200
)

// allOf is the filter that holds when every one of filters does; nil when there are none.
func allOf(filters []expression.ConditionBuilder) *expression.ConditionBuilder {
	switch len(filters) {
	case 0:
		return nil
	case 1:
		return &filters[0]
	}
	f := expression.And(filters[0], filters[1], filters[2:]...)
	return &f
}

// queryPage reads one page of q: at most q.page.Limit items that pass the filter, and the
// cursor of the next page when more items may follow.
func (t *table) queryPage(ctx context.Context, q query) ([]map[string]types.AttributeValue, string, error) {
	keyCond := expression.Key(attrPK).Equal(expression.Value(orgPK(q.orgID))).
		And(expression.Key(attrSK).BeginsWith(q.prefix))
	b := expression.NewBuilder().WithKeyCondition(keyCond)
	// One more than asked, to know whether another page follows.
	pageSize := q.page.Limit + 1
	if q.filter != nil {
		b = b.WithFilter(*q.filter)
		pageSize = max(pageSize, t.filteredPageSize)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, "", fmt.Errorf("build query: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName:                 &t.name,
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(q.forward),
		Limit:                     aws.Int32(int32(pageSize)),
	}
	secret, err := t.cursors.get(ctx, t)
	if err != nil {
		return nil, "", err
	}
	if q.page.Cursor != "" {
		sk, err := decodeCursor(secret, q, q.page.Cursor)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = keyOf(orgPK(q.orgID), sk)
	}
	var items []map[string]types.AttributeValue
	var lastRead map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(t.db, in)
	for pages := 0; p.HasMorePages() && len(items) <= q.page.Limit; pages++ {
		if pages == t.maxQueryPages {
			return items, cursorAt(secret, q, lastRead), nil
		}
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("query %s%s: %w", orgPK(q.orgID), q.prefix, err)
		}
		items, lastRead = append(items, res.Items...), res.LastEvaluatedKey
	}
	if len(items) <= q.page.Limit {
		return items, "", nil
	}
	items = items[:q.page.Limit]
	return items, cursorAt(secret, q, items[len(items)-1]), nil
}

// cursorAt is the cursor that continues after the item (or key) it is given. A key outside
// the prefix (which some local implementations report) means the range is exhausted.
func cursorAt(secret []byte, q query, item map[string]types.AttributeValue) string {
	sk, ok := item[attrSK].(*types.AttributeValueMemberS)
	if !ok || !strings.HasPrefix(sk.Value, q.prefix) {
		return ""
	}
	return encodeCursor(secret, q, sk.Value)
}

// decodePage decodes a page of items with the item type's domain mapping.
func decodePage[I any, T any](items []map[string]types.AttributeValue, next string, domain func(I) T) (org.Page[T], error) {
	page := org.Page[T]{Items: make([]T, 0, len(items)), Next: next}
	for _, raw := range items {
		var it I
		if err := decodeItem(raw, &it); err != nil {
			return org.Page[T]{}, err
		}
		page.Items = append(page.Items, domain(it))
	}
	return page, nil
}

// queryAll calls fn with every item under the organization whose sort key starts with prefix
// and that passes filter.
func (t *table) queryAll(ctx context.Context, orgID, prefix string, filter *expression.ConditionBuilder, fn func(map[string]types.AttributeValue) error) error {
	return t.queryPartition(ctx, orgPK(orgID), prefix, filter, fn)
}

// queryPartition calls fn with every item of partition pk whose sort key starts with prefix
// (any, when empty) and that passes filter, a full page (1 MB) per request.
func (t *table) queryPartition(ctx context.Context, pk, prefix string, filter *expression.ConditionBuilder, fn func(map[string]types.AttributeValue) error) error {
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
	p := dynamodb.NewQueryPaginator(t.db, &dynamodb.QueryInput{
		TableName:                 &t.name,
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

// due reads up to limit items of partition queue of the outbox index that are due at or
// before until, soonest first.
func (t *table) due(ctx context.Context, queue string, until time.Time, limit int) ([]map[string]types.AttributeValue, error) {
	items, _, err := t.duePage(ctx, queue, until, limit, "")
	return items, err
}

// duePage is due with paging: after is "" or the next of the page before, and next is ""
// on the last page. A page token is the index key of the page's last item, as JSON; it is
// used within one process only, never shown.
func (t *table) duePage(ctx context.Context, queue string, until time.Time, limit int, after string) (items []map[string]types.AttributeValue, next string, err error) {
	cond := expression.Key("queue").Equal(expression.Value(queue)).And(expression.Key("due").LessThanEqual(expression.Value(fmtTime(until))))
	expr, err := expression.NewBuilder().WithKeyCondition(cond).Build()
	if err != nil {
		return nil, "", fmt.Errorf("build queue query: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName: &t.name, IndexName: aws.String(outboxIndex), KeyConditionExpression: expr.KeyCondition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), Limit: aws.Int32(int32(limit)),
	}
	if after != "" {
		var k map[string]string
		if err := json.Unmarshal([]byte(after), &k); err != nil {
			return nil, "", fmt.Errorf("the %s queue's page token is not one it made: %w", queue, err)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{}
		for name, v := range k {
			in.ExclusiveStartKey[name] = &types.AttributeValueMemberS{Value: v}
		}
	}
	res, err := t.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query the %s queue: %w", queue, err)
	}
	if len(res.LastEvaluatedKey) > 0 {
		k := map[string]string{}
		for name, v := range res.LastEvaluatedKey {
			s, ok := v.(*types.AttributeValueMemberS)
			if !ok {
				return nil, "", fmt.Errorf("query the %s queue: key attribute %s is not a string", queue, name)
			}
			k[name] = s.Value
		}
		b, _ := json.Marshal(k)
		next = string(b)
	}
	return res.Items, next, nil
}
