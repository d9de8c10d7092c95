package localdb

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

// dueBy queries the outbox index as the mailer does: the queue, due at or before t.
func dueBy(tb testing.TB, db *testDB, t string, limit int32, start map[string]types.AttributeValue) page {
	tb.Helper()
	in := &dynamodb.QueryInput{
		TableName: aws.String(testTable), IndexName: aws.String("outbox"),
		KeyConditionExpression:    aws.String("(#0 = :0) AND (#1 <= :1)"),
		ExpressionAttributeNames:  map[string]string{"#0": "queue", "#1": "due"},
		ExpressionAttributeValues: vals(":0", "OUTBOX", ":1", t),
		ExclusiveStartKey:         start,
	}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	out, err := db.Query(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return pageOf(tb, out.Items, out.Count, out.ScannedCount, out.LastEvaluatedKey)
}

func TestOutboxIndex(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	db.put(t,
		item("org", "OUTBOX#c", "queue", "OUTBOX", "due", "2026-01-03"),
		item("org", "OUTBOX#a", "queue", "OUTBOX", "due", "2026-01-01"),
		item("org", "OUTBOX#b2", "queue", "OUTBOX", "due", "2026-01-02"),
		item("org", "OUTBOX#b1", "queue", "OUTBOX", "due", "2026-01-02"),
		item("org", "OUTBOX#late", "queue", "OUTBOX", "due", "2026-02-01"),
		item("org", "INV#x", "due", "2026-01-01"), // no queue: not in the sparse index
		item("org", "OTHER#q", "queue", "OTHER", "due", "2026-01-01"),
	)
	want := page{SKs: []string{"OUTBOX#a", "OUTBOX#b1", "OUTBOX#b2", "OUTBOX#c"}, Count: 4, Scanned: 4}
	if diff := cmp.Diff(want, dueBy(t, db, "2026-01-31", 0, nil)); diff != "" {
		t.Errorf("due entries mismatch (-want +got):\n%s", diff)
	}

	first := dueBy(t, db, "2026-01-31", 2, nil)
	wantLast := map[string]any{"pk": "org", "sk": "OUTBOX#b1", "queue": "OUTBOX", "due": "2026-01-02"}
	if diff := cmp.Diff(wantLast, first.Last); diff != "" {
		t.Errorf("LastEvaluatedKey of the index mismatch (-want +got):\n%s", diff)
	}
	start := map[string]types.AttributeValue{"pk": str("org"), "sk": str("OUTBOX#b1"), "queue": str("OUTBOX"), "due": str("2026-01-02")}
	if diff := cmp.Diff([]string{"OUTBOX#b2", "OUTBOX#c"}, dueBy(t, db, "2026-01-31", 0, start).SKs); diff != "" {
		t.Errorf("page after a tie mismatch (-want +got):\n%s", diff)
	}

	// Moving, leaving and deleting change the index at once.
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(testTable), Key: key("org", "OUTBOX#a"), UpdateExpression: aws.String("SET due = :d"),
		ExpressionAttributeValues: vals(":d", "2026-03-01"),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(testTable), Key: key("org", "OUTBOX#b2"), UpdateExpression: aws.String("REMOVE queue"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(testTable), Key: key("org", "OUTBOX#c")}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"OUTBOX#b1", "OUTBOX#late", "OUTBOX#a"}, dueBy(t, db, "2026-12-31", 0, nil).SKs); diff != "" {
		t.Errorf("after moving, leaving and deleting, mismatch (-want +got):\n%s", diff)
	}
}

func TestIndexKeysAreChecked(t *testing.T) {
	db := newTestDB(t)
	tests := []struct {
		name string
		item map[string]types.AttributeValue
	}{
		{"an index key of the wrong type", map[string]types.AttributeValue{"pk": str("p"), "sk": str("s"), "queue": str("OUTBOX"), "due": num("1")}},
		{"an empty index key", item("p", "s", "queue", "OUTBOX", "due", "")},
		{"an empty table key", item("p", "")},
		{"a missing table key", map[string]types.AttributeValue{"pk": str("p")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(testTable), Item: tt.item})
			if code := errorCode(err); code != "ValidationException" {
				t.Errorf("error %v, want ValidationException", err)
			}
		})
	}
	if items := db.all(t); len(items) != 0 {
		t.Errorf("refused items were stored: %v", items)
	}
}
