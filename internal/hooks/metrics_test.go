package hooks_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/hooks"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

func TestDeliveriesAreMeasuredByStatus(t *testing.T) {
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	sealer, err := seal.NewLocal(key)
	if err != nil {
		t.Fatal(err)
	}
	rec := metricstest.New(t)
	hk := hooks.New(env.Store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler),
		hooks.WithClock(clock.Now), hooks.WithMetrics(rec))
	ctx := context.Background()
	for _, status := range []int{http.StatusNoContent, http.StatusInternalServerError, http.StatusGone} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
		t.Cleanup(srv.Close)
		url, events := srv.URL, []string{"invitation.created"}
		if _, err := hk.CreateEndpoint(ctx, admin, hooks.EndpointRequest{URL: &url, Events: &events}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	clock.Add(3 * time.Second) // delivered three seconds after the change
	if _, err := hk.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	deliveries := map[string]float64{}
	for _, r := range rec.Named("WebhookDeliveries") {
		deliveries[r.Dims["Status"]] += r.Value
	}
	if diff := cmp.Diff(map[string]float64{"delivered": 1, "failing": 1, "failed": 1}, deliveries); diff != "" {
		t.Errorf("deliveries by status mismatch (-want +got):\n%s", diff)
	}
	if n := len(rec.Matching("WebhookAttemptDuration")); n != 3 {
		t.Errorf("%d attempt durations, want one per attempt (3)", n)
	}
	latencies := rec.Matching("WebhookDeliveryLatency")
	if len(latencies) != 1 || latencies[0].Value != 3000 || latencies[0].Unit != "Milliseconds" {
		t.Errorf("delivery latencies %v, want one of 3000 ms", latencies)
	}
}
