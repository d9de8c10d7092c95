package dynamo_test

import (
	"context"
	"fmt"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// BenchmarkBulkInvite1000 invites 1,000 new people in one bulk call against the embedded
// DynamoDB, reporting DynamoDB requests per invitation next to the time per call.
func BenchmarkBulkInvite1000(b *testing.B) {
	env := dynamotest.New(b)
	svc := org.NewService(env.Store.Org())
	ctx := context.Background()
	admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
	const n = 1000
	batches := make([][]org.InviteRequest, b.N)
	for i := range batches {
		batches[i] = make([]org.InviteRequest, n)
		for j := range batches[i] {
			batches[i][j] = org.InviteRequest{Email: fmt.Sprintf("person%d.%d@example.com", i, j), Name: fmt.Sprintf("Person %d", j)}
		}
	}
	env.Requests.Reset()
	b.ResetTimer()
	for i := range b.N {
		results, err := svc.InviteMany(ctx, admin, batches[i])
		if err != nil {
			b.Fatal(err)
		}
		if results[n-1].Status != org.BulkCreated {
			b.Fatalf("last row: %+v", results[n-1])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(env.Requests.Total())/float64(b.N*n), "requests/invite")
}
