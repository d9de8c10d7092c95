package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	svc := org.NewService(env.Store.Org())
	_, secret := orgtest.Seed(b, svc, "bench", "Bench")
	h := mustAPI(b, httpapi.Config{Service: svc, Idempotency: env.Store.Idempotency, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"email":"person%d@example.com","name":"Person %d"}`, i, i)
	}
	env.Requests.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/invitations", strings.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(env.Requests.Total())/float64(b.N), "requests/invite")
}

// BenchmarkSingleInviteBaseline is the floor under BenchmarkSingleInvite: the same three
// conditional writes in one raw SDK transaction on the same embedded DynamoDB, with no
// handler, authentication or domain logic. The difference is Gatehouse's own cost.
func BenchmarkSingleInviteBaseline(b *testing.B) {
	env := dynamotest.New(b)
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
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
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
