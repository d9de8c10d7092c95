package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/hooks"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

// TestStreamBatchDeliversTheEvents replays a stream batch through the function wired as in
// AWS, with the environment template.yaml gives WebhooksFunction on a local stack: an
// invitation made after acme's endpoint was created reaches the endpoint, once, signed.
func TestStreamBatchDeliversTheEvents(t *testing.T) {
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "WebhooksFunction")
	ctx := context.Background()
	out := &metricstest.Output{}
	h, err := newHandler(ctx, fn.Getenv, out)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Type string }
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		got = append(got, p.Type+" "+r.Header.Get("webhook-id"))
		mu.Unlock()
	}))
	defer srv.Close()
	store := dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"])
	svc := org.NewService(store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	hk := stackHooks(t, stack, store)
	url, events := srv.URL, []string{"*"}
	if _, err := hk.CreateEndpoint(ctx, admin, hooks.EndpointRequest{URL: &url, Events: &events}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "webhooks-stream-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	var batch wakeUp
	if err := json.Unmarshal(raw, &batch); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second batch finds nothing more to send
		if _, err := h(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h(ctx, wakeUp{}); err == nil {
		t.Error("an event that is neither a stream batch nor a schedule woke the function")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "invitation.created msg_") {
		t.Errorf("the endpoint got %v, want one invitation.created", got)
	}
	if docs := metricstest.WrittenBy(t, out.Bytes(), "webhooks", "WebhookDeliveries"); len(docs) != 1 || docs[0]["Status"] != "delivered" {
		t.Errorf("WebhookDeliveries documents %v, want one delivered", docs)
	}
}

// TestScheduleAnnouncesExpiredInvitations wakes the function with the schedule's event: an
// invitation whose expiry passed is announced, and its invitation.expired event delivered,
// in that one invocation; the next finds nothing more.
func TestScheduleAnnouncesExpiredInvitations(t *testing.T) {
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "WebhooksFunction")
	ctx := context.Background()
	h, err := newHandler(ctx, fn.Getenv, io.Discard)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Type string
			Data struct{ Email, Status string }
		}
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		got = append(got, p.Type+" "+p.Data.Email+" "+p.Data.Status)
		mu.Unlock()
	}))
	defer srv.Close()
	store := dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"])
	// The invitation was made eight days ago, so its seven days have passed.
	past := org.NewService(store.Org(), org.WithClock(func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }))
	admin, _ := orgtest.Seed(t, past, "acme", "Acme")
	hk := stackHooks(t, stack, store)
	url, events := srv.URL, []string{webhook.EventInvitationExpired}
	if _, err := hk.CreateEndpoint(ctx, admin, hooks.EndpointRequest{URL: &url, Events: &events}); err != nil {
		t.Fatal(err)
	}
	if _, err := past.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "webhooks-schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tick wakeUp
	if err := json.Unmarshal(raw, &tick); err != nil {
		t.Fatal(err)
	}
	stats, err := h(ctx, tick)
	if err != nil {
		t.Fatal(err)
	}
	if stats["expired"] != 1 {
		t.Errorf("stats = %v, want one invitation expired", stats)
	}
	if stats, err = h(ctx, tick); err != nil || stats["expired"] != 0 {
		t.Errorf("second tick: stats %v, err %v; want nothing more expired", stats, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "invitation.expired ada@acme.com expired" {
		t.Errorf("the endpoint got %v, want one invitation.expired for ada@acme.com", got)
	}
}

func TestHandlerRefusesIncompleteConfiguration(t *testing.T) {
	_, err := newHandler(context.Background(), func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("err = %v, want TABLE_NAME named", err)
	}
	_, err = newHandler(context.Background(), func(k string) string {
		return map[string]string{"TABLE_NAME": "t", "DYNAMODB_ENDPOINT": "http://127.0.0.1:1"}[k]
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SECRETS_KEY_ID") {
		t.Errorf("err = %v, want SECRETS_KEY_ID named", err)
	}
}

// TestTheStreamFilterWakesForWhatIsDue holds template.yaml's filter of the table's stream to
// the items the code really writes: a change's event and a delivery made due wake the
// function; the dispatcher's own claim of a delivery, its outcome, and everything else do not.
func TestTheStreamFilterWakesForWhatIsDue(t *testing.T) {
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "WebhooksFunction")
	var patterns []string
	for _, tr := range fn.Triggers {
		if tr.Type == "DynamoDB" {
			p, err := tr.Filters()
			if err != nil {
				t.Fatal(err)
			}
			patterns = append(patterns, p...)
		}
	}
	if len(patterns) == 0 {
		t.Fatal("WebhooksFunction has no filtered DynamoDB trigger")
	}
	ctx := context.Background()
	table := fn.Env["TABLE_NAME"]
	store := dynamo.New(stack.DynamoDB, table)
	svc := org.NewService(store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer srv.Close()
	hk := stackHooks(t, stack, store)
	url, events := srv.URL, []string{"*"}
	ep, err := hk.CreateEndpoint(ctx, admin, hooks.EndpointRequest{URL: &url, Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	// items is every item of the table of type typ.
	items := func(typ string) []map[string]types.AttributeValue {
		out, err := stack.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: &table, FilterExpression: aws.String("#t = :t"),
			ExpressionAttributeNames: map[string]string{"#t": "type"}, ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: typ}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Items
	}
	wakes := func(what, eventName string, item map[string]types.AttributeValue, want bool) {
		t.Helper()
		got, err := lambdatest.Matches(patterns, lambdatest.StreamRecord(eventName, item))
		if err != nil || got != want {
			t.Errorf("%s (%s): wakes the function = %v (%v), want %v", what, eventName, got, err, want)
		}
	}
	if _, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@acme.com", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	evs := items("event")
	if len(evs) != 1 {
		t.Fatalf("%d event items, want 1", len(evs))
	}
	wakes("the invitation's event", "INSERT", evs[0], true)
	for _, other := range []string{"invitation", "audit", "outbox", "webhook"} {
		for _, it := range items(other) {
			wakes("a "+other+" item", "INSERT", it, false)
			wakes("a "+other+" item", "MODIFY", it, false)
		}
	}
	if err := hk.Fanout(ctx, hooks.Stats{}); err != nil {
		t.Fatal(err)
	}
	ds := items("webhookdelivery")
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want 1", len(ds))
	}
	wakes("a new delivery", "INSERT", ds[0], true)
	due, _, err := store.Hooks.DueDeliveries(ctx, time.Now().Add(time.Minute), 10, "")
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	if err := store.Hooks.ClaimDelivery(ctx, due[0], "lease-1", time.Now(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	wakes("a delivery's claim", "MODIFY", items("webhookdelivery")[0], false)
	d := due[0]
	d.LeaseID, d.Status, d.Attempts, d.NextAt, d.UpdatedAt = "lease-1", hooks.DeliveryFailing, 1, time.Now().Add(time.Hour), time.Now().UTC().Truncate(time.Millisecond)
	if err := store.Hooks.RecordDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	wakes("a failed attempt's record", "MODIFY", items("webhookdelivery")[0], false)
	if _, err := hk.RetryDelivery(ctx, admin, ep.Endpoint.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	wakes("an admin's retry", "MODIFY", items("webhookdelivery")[0], true)
}

// stackHooks is a webhooks service over store, sealing with the stack's key as the function
// does, delivering to receivers on 127.0.0.1.
func stackHooks(t *testing.T, stack *lambdatest.Stack, store *dynamo.Store) *hooks.Service {
	t.Helper()
	key, err := seal.LoadOrCreateKey(stack.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	return hooks.New(store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler))
}
