package localdb

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// testTable is the table every test gets: Gatehouse's schema, with its outbox index.
const testTable = "things"

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testDB is an embedded DynamoDB for one test, reached through the real SDK client over
// HTTP, with a table and a settable clock.
type testDB struct {
	*dynamodb.Client
	clock *clock
}

func newTestDB(tb testing.TB) *testDB {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	srv := serve(ln, newEngine(c.Now))
	tb.Cleanup(func() { _ = srv.Close() })
	client := dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
	})
	db := &testDB{Client: client, clock: c}
	_, err = client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(testTable),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("queue"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("due"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("outbox"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("queue"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("due"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		tb.Fatalf("create table: %v", err)
	}
	return db
}

// str is a string attribute value.
func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// num is a number attribute value.
func num(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// key is the primary key pk, sk.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
}

// item is an item of string attributes: pk, sk and the pairs of kv.
func item(pk, sk string, kv ...string) map[string]types.AttributeValue {
	it := key(pk, sk)
	for i := 0; i+1 < len(kv); i += 2 {
		it[kv[i]] = str(kv[i+1])
	}
	return it
}

// plain is an item as Go values, for comparing with cmp.
func plain(tb testing.TB, it map[string]types.AttributeValue) map[string]any {
	tb.Helper()
	if it == nil {
		return nil
	}
	var out map[string]any
	if err := attributevalue.UnmarshalMap(it, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func (db *testDB) put(tb testing.TB, items ...map[string]types.AttributeValue) {
	tb.Helper()
	for _, it := range items {
		if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: it}); err != nil {
			tb.Fatalf("put: %v", err)
		}
	}
}

// get reads an item as Go values; nil when it is absent.
func (db *testDB) get(tb testing.TB, pk, sk string) map[string]any {
	tb.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(testTable), Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		tb.Fatalf("get %s %s: %v", pk, sk, err)
	}
	return plain(tb, out.Item)
}

// all is every item of the table, in key order, as Go values.
func (db *testDB) all(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(testTable)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("scan: %v", err)
		}
		for _, it := range page.Items {
			out = append(out, plain(tb, it))
		}
	}
	return out
}

// errorCode is the API error code of err, or "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
