package localdb

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkTransact3Puts times one transaction of three conditional puts (an invitation,
// its address marker and its audit entry, as Gatehouse writes them) through the SDK, on an
// empty table and on one holding 45,000 items: the time per transaction should not depend
// on what the table holds.
func BenchmarkTransact3Puts(b *testing.B) {
	for _, size := range []int{0, 45_000} {
		b.Run(fmt.Sprintf("items=%d", size), func(b *testing.B) {
			db := newTestDB(b)
			ctx := context.Background()
			fill(b, db, size)
			runtime.GC() // the filling's garbage is not the transactions' to collect
			i := 0
			for b.Loop() {
				i++
				id := fmt.Sprintf("inv_%08d", i)
				_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					putNew(invitation("ORG#bench", id, i)),
					putNew(item("ORG#bench", fmt.Sprintf("EMAIL#new%d@example.com", i), "type", "email", "holder", "invitation", "ref", id, "expiresAt", "2026-12-02T12:00:00.000Z")),
					putNew(item("ORG#bench", "AUDIT#"+id, "type", "audit", "action", "invitation.created", "targetType", "invitation", "targetId", id, "at", "2026-11-25T12:00:00.000Z")),
				}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// invitation is an item shaped like Gatehouse's invitations.
func invitation(pk, id string, i int) map[string]types.AttributeValue {
	it := item(pk, "INV#"+id, "type", "invitation", "id", id, "orgId", pk[4:], "email", fmt.Sprintf("person%d@example.com", i),
		"name", fmt.Sprintf("Person %d", i), "role", "member", "status", "pending", "source", "api", "deliveryState", "queued",
		"createdAt", "2026-11-25T12:00:00.000Z", "updatedAt", "2026-11-25T12:00:00.000Z", "expiresAt", "2026-12-02T12:00:00.000Z")
	it["sendEmail"] = &types.AttributeValueMemberBOOL{Value: true}
	it["invitedBy"] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"type": str("token"), "id": str("tok_1")}}
	return it
}

// fill writes n invitations, two thirds of another organization and a third of the benchmark's,
// 25 to a BatchWriteItem.
func fill(tb testing.TB, db *testDB, n int) {
	tb.Helper()
	for start := 0; start < n; start += 25 {
		reqs := make([]types.WriteRequest, 0, 25)
		for i := start; i < min(start+25, n); i++ {
			pk := "ORG#other"
			if i%3 == 2 {
				pk = "ORG#bench"
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: invitation(pk, fmt.Sprintf("old_%08d", i), i)}})
		}
		_, err := db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{testTable: reqs}})
		if err != nil {
			tb.Fatal(err)
		}
	}
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(testTable)})
	if err != nil {
		tb.Fatal(err)
	}
	if got := aws.ToInt64(out.Table.ItemCount); got != int64(n) {
		tb.Fatalf("filled table holds %d items, want %d", got, n)
	}
}
