package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
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
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	// Scan is for one-off upkeep an operator runs (BackfillExpiries, BackfillSearchNames), never a request.
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Store is the one table, seen by concern: each field serves one consumer and implements
// the small interface that consumer declares.
type Store struct {
	Orgs        *Orgs        // org.OrgStore
	Invitations *Invitations // org.InvitationStore
	Members     *Members     // org.MemberStore
	Tokens      *Tokens      // org.TokenStore
	Audit       *Audit       // org.AuditStore
	Slack       *Slack       // org.SlackStore
	Deliveries  *Deliveries  // mailer.Store
	Idempotency *Idempotency // idempotency.Store
	Sync        *Sync        // dirsync.Store
	SCIM        *SCIM        // provision.Store
	Hooks       *Hooks       // hooks.Store
	t           *table
}

// New returns the store over table name.
func New(db API, name string) *Store {
	t := &table{db: classified{db}, name: name, filteredPageSize: filteredPageSize, maxQueryPages: maxQueryPages}
	return &Store{
		Orgs: &Orgs{t}, Invitations: &Invitations{t}, Members: &Members{t}, Tokens: &Tokens{t}, Audit: &Audit{t},
		Slack: &Slack{t}, Deliveries: &Deliveries{t}, Idempotency: &Idempotency{t}, Sync: &Sync{t}, SCIM: &SCIM{t}, Hooks: &Hooks{t}, t: t,
	}
}

// Org is the stores package org's Service runs on.
func (s *Store) Org() org.Stores {
	return org.Stores{Orgs: s.Orgs, Invitations: s.Invitations, Members: s.Members, Tokens: s.Tokens, Audit: s.Audit, Slack: s.Slack}
}

// Table is the name of the table the store uses.
func (s *Store) Table() string { return s.t.name }

// table is the client and the table every concern reads and writes, with the helpers they share.
type table struct {
	db   API
	name string
	// Bounds on filtered list reads; constants but for tests.
	filteredPageSize, maxQueryPages int
	cursors                         cursorKeys
	// backoff is the first wait before retrying; 10 ms unless set (tests shorten it).
	backoff time.Duration
}

// SetBackoff makes the store wait d before its first retry of a busy or unreachable
// DynamoDB (doubling after, to at most 50 times d); tests shorten the default 10 ms.
func (s *Store) SetBackoff(d time.Duration) { s.t.backoff = d }

// ping reports whether the table can be reached.
func (t *table) ping(ctx context.Context) error {
	if _, err := t.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &t.name}); err != nil {
		return fmt.Errorf("describe table %s: %w", t.name, err)
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
func (t *table) get(ctx context.Context, pk, sk string, out any) error {
	res, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &t.name,
		Key:            keyOf(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("get %s: %w", keyText(pk, sk), err)
	}
	if len(res.Item) == 0 {
		return fmt.Errorf("%s: %w", keyText(pk, sk), org.ErrNotFound)
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s: %w", keyText(pk, sk), err)
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
