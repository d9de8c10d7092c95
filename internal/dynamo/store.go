package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// Store keeps organizations in one DynamoDB table. It implements org.Store.
type Store struct {
	db    API
	table string
	// Bounds on filtered list reads; constants but for tests.
	filteredPageSize, maxQueryPages int
}

var _ org.Store = (*Store)(nil)

// New returns a Store over table.
func New(db API, table string) *Store {
	return &Store{db: db, table: table, filteredPageSize: filteredPageSize, maxQueryPages: maxQueryPages}
}

// Table is the name of the table the store uses.
func (s *Store) Table() string { return s.table }

// Ping reports whether the table can be reached.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &s.table}); err != nil {
		return fmt.Errorf("describe table %s: %w", s.table, err)
	}
	return nil
}

// keyOf is the attribute map of a primary key.
func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// get reads one item with a strongly consistent read into out; an error wrapping
// org.ErrNotFound, naming the key, if it is absent.
func (s *Store) get(ctx context.Context, pk, sk string, out any) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            keyOf(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("get %s %s: %w", pk, sk, err)
	}
	if len(res.Item) == 0 {
		return fmt.Errorf("%s %s: %w", pk, sk, org.ErrNotFound)
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", pk, sk, err)
	}
	return nil
}

// marshal encodes an item struct. Item structs hold only strings, numbers, booleans and
// maps of those, so an error here is a programming mistake and is returned as such.
func marshal(item any) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	return av, nil
}

// put is a transaction Put of item, under cond when it is set.
func (s *Store) put(item any, cond *expression.ConditionBuilder) (types.TransactWriteItem, error) {
	av, err := marshal(item)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	p := &types.Put{TableName: &s.table, Item: av}
	if cond != nil {
		expr, err := expression.NewBuilder().WithCondition(*cond).Build()
		if err != nil {
			return types.TransactWriteItem{}, fmt.Errorf("build condition: %w", err)
		}
		p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues = expr.Condition(), expr.Names(), expr.Values()
	}
	return types.TransactWriteItem{Put: p}, nil
}

// putNew is a transaction Put that fails if the item exists.
func (s *Store) putNew(item any) (types.TransactWriteItem, error) {
	cond := expression.AttributeNotExists(expression.Name(attrPK))
	return s.put(item, &cond)
}

// update is a transaction Update of the item at pk/sk under cond.
func (s *Store) update(pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build update: %w", err)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 &s.table,
		Key:                       keyOf(pk, sk),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// del is a transaction Delete of the item at pk/sk under cond.
func (s *Store) del(pk, sk string, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build condition: %w", err)
	}
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName:                 &s.table,
		Key:                       keyOf(pk, sk),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// auditPut is the transaction Put of an audit entry.
func (s *Store) auditPut(a org.AuditEntry) (types.TransactWriteItem, error) {
	return s.putNew(toAuditItem(a))
}

// transactionFailure says which actions of a cancelled transaction failed their condition.
type transactionFailure struct {
	failed    []int  // indexes of actions whose condition failed
	transient string // a reason worth retrying the whole transaction for, such as TransactionConflict
	permanent string // a reason that retrying cannot fix, such as ValidationError
}

func (f *transactionFailure) Error() string {
	switch {
	case len(f.failed) > 0:
		return fmt.Sprintf("transaction cancelled: conditions failed at %v", f.failed)
	case f.transient != "":
		return "transaction cancelled: " + f.transient
	}
	return "transaction cancelled: " + f.permanent
}

// Unwrap gives the domain's meaning of a failure that is not a failed condition: another
// writer held an item, or DynamoDB was busy.
func (f *transactionFailure) Unwrap() error {
	switch {
	case len(f.failed) > 0 || f.permanent != "":
		return nil
	case f.transient == "TransactionConflict":
		return org.ErrConflict
	}
	return org.ErrUnavailable
}

// maxTransientRetries bounds how often a transaction cancelled for a passing reason (a
// conflict with another writer, throttling) is retried.
const maxTransientRetries = 5

// transact writes actions atomically. A cancelled transaction is returned as a
// *transactionFailure naming the actions whose condition failed; transactions cancelled for
// passing reasons are retried with jittered exponential backoff first.
func (s *Store) transact(ctx context.Context, actions []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: actions})
		if err == nil {
			return nil
		}
		f := decodeCancellation(err)
		if f == nil {
			return fmt.Errorf("transact write: %w", err)
		}
		if len(f.failed) > 0 || f.transient == "" || attempt == maxTransientRetries {
			return f
		}
		if err := sleep(ctx, attempt); err != nil {
			return err
		}
	}
}

// sleep waits before retry number attempt: 10 ms doubling, with up to 10 ms of jitter.
func sleep(ctx context.Context, attempt int) error {
	backoff := time.Duration(10<<attempt)*time.Millisecond + rand.N(10*time.Millisecond)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(backoff):
		return nil
	}
}

// decodeCancellation turns a TransactionCanceledException into a transactionFailure, or nil
// for any other error.
func decodeCancellation(err error) *transactionFailure {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	f := &transactionFailure{}
	for i, r := range tce.CancellationReasons {
		switch code := aws.ToString(r.Code); code {
		case "", "None":
		case "ConditionalCheckFailed":
			f.failed = append(f.failed, i)
		case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
			f.transient = code
		default:
			f.permanent = code
		}
	}
	if len(f.failed) == 0 && f.transient == "" && f.permanent == "" {
		f.transient = "no reason given"
	}
	return f
}

// failedAt reports whether err is a cancelled transaction whose action i failed its condition.
func failedAt(err error, i int) bool {
	var f *transactionFailure
	if !errors.As(err, &f) {
		return false
	}
	for _, j := range f.failed {
		if j == i {
			return true
		}
	}
	return false
}
