package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// BenchmarkSingleInvite sends one POST /api/v1/invitations through the HTTP handler
// (authentication, decoding, the transaction on the embedded DynamoDB, the answer).
func BenchmarkSingleInvite(b *testing.B) {
	env := dynamotest.New(b)
	invite := singleInviter(b, env)
	env.Requests.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		invite(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(env.Requests.Total())/float64(b.N), "requests/invite")
}

// BenchmarkSingleInviteBaseline is the floor under BenchmarkSingleInvite: the same three
// conditional writes in one raw SDK transaction on the same embedded DynamoDB, with no
// handler, authentication or domain logic. The difference is Gatehouse's own cost.
func BenchmarkSingleInviteBaseline(b *testing.B) {
	env := dynamotest.New(b)
	put := rawPuts(b, env)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		put(i)
	}
}

// BenchmarkSingleInviteLatency is BenchmarkSingleInvite and its baseline, alternately, with
// 10 ms added to every DynamoDB request, as the network in AWS adds: there the round trips
// an invitation makes, not the work around them, decide its time.
func BenchmarkSingleInviteLatency(b *testing.B) {
	env := dynamotest.New(b)
	invite, put := singleInviter(b, env), rawPuts(b, env)
	env.Delay(10 * time.Millisecond)
	var invites, puts []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		invite(i)
		invites = append(invites, time.Since(start))
		start = time.Now()
		put(i)
		puts = append(puts, time.Since(start))
	}
	b.StopTimer()
	inv, raw := median(invites), median(puts)
	b.ReportMetric(float64(inv.Microseconds())/1e3, "invite-ms")
	b.ReportMetric(float64(raw.Microseconds())/1e3, "raw-tx-ms")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// singleInviter returns what invites person i through the HTTP handler, once a first
// invitation has been made (the process has seen its caller, as a warm function has).
func singleInviter(b *testing.B, env dynamotest.Env) func(i int) {
	svc := org.NewService(env.Store.Org())
	_, secret := orgtest.Seed(b, svc, "bench", "Bench")
	h := mustAPI(b, httpapi.Config{Service: svc, Idempotency: env.Store.Idempotency, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	invite := func(email string) {
		body := fmt.Sprintf(`{"email":%q,"name":"Person"}`, email)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/invitations", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	invite("first@example.com")
	return func(i int) { invite(fmt.Sprintf("person%d@example.com", i)) }
}

// rawPuts returns what writes person i's three items in one raw transaction.
func rawPuts(b *testing.B, env dynamotest.Env) func(i int) {
	ctx := context.Background()
	table := env.Store.Table()
	notExists := aws.String("attribute_not_exists(pk)")
	item := func(sk string, i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk":    &types.AttributeValueMemberS{Value: "ORG#bench"},
			"sk":    &types.AttributeValueMemberS{Value: fmt.Sprintf("%s#%d", sk, i)},
			"email": &types.AttributeValueMemberS{Value: fmt.Sprintf("person%d@example.com", i)},
			"name":  &types.AttributeValueMemberS{Value: fmt.Sprintf("Person %d", i)},
		}
	}
	return func(i int) {
		_, err := env.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: &table, Item: item("INV", i), ConditionExpression: notExists}},
			{Put: &types.Put{TableName: &table, Item: item("EMAIL", i), ConditionExpression: notExists}},
			{Put: &types.Put{TableName: &table, Item: item("AUDIT", i), ConditionExpression: notExists}},
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
}
