package dynamo_test

import (
	"context"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gatehouse/internal/dynamo"
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

// BenchmarkBulkInvite1000TableSize invites 1,000 new people in one bulk call on an empty
// table and on a table already holding 45,000 items (invitations, with their address
// markers and audit entries, of another organization and of the same one), rounds of each
// in turn, and reports the median of each and their ratio (ns/op is the time of all the
// rounds' bulk calls). Run it with -benchtime 1x: the embedded DynamoDB should cost the same
// per operation whatever the table holds.
func BenchmarkBulkInvite1000TableSize(b *testing.B) {
	const rounds, prefill = 5, 45_000
	var empty, filled []time.Duration
	for range b.N {
		for range rounds {
			empty = append(empty, bulkInviteOnce(b, 0))
			filled = append(filled, bulkInviteOnce(b, prefill))
		}
	}
	e, f := median(empty), median(filled)
	b.ReportMetric(e.Seconds(), "empty-s")
	b.ReportMetric(f.Seconds(), "45k-s")
	b.ReportMetric(f.Seconds()/e.Seconds(), "ratio")
}

// bulkInviteOnce times one bulk invitation of 1,000 people into a fresh table holding
// prefill items first: two thirds of another organization, one third of the inviting one.
func bulkInviteOnce(b *testing.B, prefill int) time.Duration {
	b.Helper()
	b.StopTimer()
	env := dynamotest.New(b)
	defer func() {
		table := env.Store.Table()
		_, _ = env.Client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table})
	}()
	svc := org.NewService(env.Store.Org())
	ctx := context.Background()
	admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
	now := time.Now().UTC().Truncate(time.Millisecond)
	invs := make([]org.Invitation, prefill/3)
	for i := range invs {
		orgID := "other"
		if i%3 == 2 {
			orgID = "bench"
		}
		invs[i] = org.Invitation{
			ID: fmt.Sprintf("inv_%026d", i), OrgID: orgID, Email: fmt.Sprintf("earlier%06d@example.com", i),
			Name: fmt.Sprintf("Earlier %d", i), Role: org.RoleMember, Status: org.StatusPending, Source: org.SourceAPI,
			InvitedBy: admin.Actor, SendEmail: true, Delivery: org.Delivery{State: org.DeliverySent, UpdatedAt: now},
			CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour),
		}
	}
	if err := dynamo.SeedInvitations(ctx, env.Client, env.Store.Table(), invs); err != nil {
		b.Fatal(err)
	}
	reqs := make([]org.InviteRequest, 1000)
	for i := range reqs {
		reqs[i] = org.InviteRequest{Email: fmt.Sprintf("person%d@example.com", i), Name: fmt.Sprintf("Person %d", i)}
	}
	runtime.GC() // the filling's garbage is not the bulk call's to collect
	b.StartTimer()
	start := time.Now()
	results, err := svc.InviteMany(ctx, admin, reqs)
	took := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		if r.Status != org.BulkCreated {
			b.Fatalf("row %d: %+v", r.Index, r)
		}
	}
	return took
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkBulkInvite1000Latency is the bulk invitation of 1,000 people with 10 ms added to
// every DynamoDB request, as the network in AWS adds, against its floor: BatchWriteItem of the
// same number of items (five per invitation) by eight workers, on the same table and latency.
func BenchmarkBulkInvite1000Latency(b *testing.B) {
	const n, latency = 1000, 10 * time.Millisecond
	var invite, floor []time.Duration
	for round := range b.N * 5 {
		env := dynamotest.New(b)
		svc := org.NewService(env.Store.Org())
		admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
		reqs := make([]org.InviteRequest, n)
		for j := range reqs {
			reqs[j] = org.InviteRequest{Email: fmt.Sprintf("person%d.%d@example.com", round, j), Name: fmt.Sprintf("Person %d", j)}
		}
		env.Delay(latency)
		start := time.Now()
		results, err := svc.InviteMany(context.Background(), admin, reqs)
		invite = append(invite, time.Since(start))
		if err != nil || results[n-1].Status != org.BulkCreated {
			b.Fatalf("bulk: %v %+v", err, results[n-1])
		}
		start = time.Now()
		batchWriteFloor(b, env, n*5)
		floor = append(floor, time.Since(start))
		env.Delay(0)
	}
	i, f := median(invite), median(floor)
	b.ReportMetric(i.Seconds(), "bulk-s")
	b.ReportMetric(f.Seconds(), "batchwrite-floor-s")
	b.ReportMetric(i.Seconds()/f.Seconds(), "ratio")
}

// batchWriteFloor writes items items of an invitation's size with BatchWriteItem, 25 to a
// request, eight requests at once.
func batchWriteFloor(b *testing.B, env dynamotest.Env, items int) {
	table := env.Store.Table()
	var reqs [][]types.WriteRequest
	for start := 0; start < items; start += 25 {
		var batch []types.WriteRequest
		for i := start; i < min(start+25, items); i++ {
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"pk":    &types.AttributeValueMemberS{Value: "ORG#floor"},
				"sk":    &types.AttributeValueMemberS{Value: fmt.Sprintf("ITEM#%07d", i)},
				"email": &types.AttributeValueMemberS{Value: fmt.Sprintf("person%d@example.com", i)},
				"name":  &types.AttributeValueMemberS{Value: fmt.Sprintf("Person %d", i)},
				"at":    &types.AttributeValueMemberS{Value: time.Now().UTC().Format(time.RFC3339Nano)},
			}}})
		}
		reqs = append(reqs, batch)
	}
	var wg sync.WaitGroup
	work := make(chan []types.WriteRequest)
	for range 8 {
		wg.Go(func() {
			for batch := range work {
				for len(batch) > 0 {
					out, err := env.Client.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch}})
					if err != nil {
						b.Error(err)
						return
					}
					batch = out.UnprocessedItems[table]
				}
			}
		})
	}
	for _, batch := range reqs {
		work <- batch
	}
	close(work)
	wg.Wait()
}
