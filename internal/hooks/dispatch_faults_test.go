package hooks_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

// TestThePassDeadlineIsNoAttempt: an attempt in flight when the pass's time is up is not
// counted against the receiver: the delivery keeps its attempts and is taken again later.
func TestThePassDeadlineIsNoAttempt(t *testing.T) {
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	sealer, _ := seal.NewLocal(key)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	hk := hooks.New(env.Store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler))
	url, events := srv.URL, []string{"invitation.created"}
	ep, err := hk.CreateEndpoint(context.Background(), admin, hooks.EndpointRequest{URL: &url, Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	stats, err := hk.Sweep(ctx)
	t.Logf("stats %v err %v", stats, err)
	page, err := hk.Deliveries(context.Background(), admin, ep.Endpoint.ID, org.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Items {
		t.Logf("delivery status=%s attempts=%d next=%s err=%q", d.Status, d.Attempts, d.NextAt, d.LastError)
		if d.Attempts > 0 {
			t.Errorf("the pass's own deadline was recorded as a failed attempt of a healthy endpoint")
		}
	}
	e, _ := hk.Endpoint(context.Background(), admin, ep.Endpoint.ID)
	t.Logf("endpoint failingSince=%v", e.FailingSince)
}

// flakyStore fails GetEndpoint once, as DynamoDB throttling would.
type flakyStore struct {
	hooks.Store
	fail atomic.Int32
}

func (f *flakyStore) GetEndpoint(ctx context.Context, orgID, id string) (hooks.Endpoint, error) {
	if f.fail.Add(-1) >= 0 {
		return hooks.Endpoint{}, fmt.Errorf("get endpoint: %w", org.ErrUnavailable)
	}
	return f.Store.GetEndpoint(ctx, orgID, id)
}

// TestADeliveryNotAttemptedLetsItsLeaseGo: a passing failure to read the endpoint after the
// claim lets the lease go, so the next sweep and an admin's retry take the delivery at once.
func TestADeliveryNotAttemptedLetsItsLeaseGo(t *testing.T) {
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	sealer, _ := seal.NewLocal(key)
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1); w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(srv.Close)
	st := &flakyStore{Store: env.Store.Hooks}
	hk := hooks.New(st, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler), hooks.WithClock(clock.Now))
	url, events := srv.URL, []string{"invitation.created"}
	ep, err := hk.CreateEndpoint(context.Background(), admin, hooks.EndpointRequest{URL: &url, Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	st.fail.Store(1)
	stats, err := hk.Sweep(context.Background())
	t.Logf("first sweep %v %v", stats, err)
	clock.Add(time.Minute) // past notAttemptedFor, within the lease
	stats, err = hk.Sweep(context.Background())
	t.Logf("second sweep a minute later %v %v; receiver got %d", stats, err, got.Load())
	page, _ := hk.Deliveries(context.Background(), admin, ep.Endpoint.ID, org.PageRequest{Limit: 10})
	d := page.Items[0]
	t.Logf("delivery status=%s attempts=%d leaseUntil=%s", d.Status, d.Attempts, d.LeaseUntil)
	_, rerr := hk.RetryDelivery(context.Background(), admin, ep.Endpoint.ID, d.ID)
	t.Logf("admin retry: %v", rerr)
	if got.Load() == 0 {
		t.Errorf("a delivery not attempted (endpoint unreadable for a moment) was still not sent a minute later: the lease was kept")
	}
}

// TestABacklogDeeperThanALookStarvesNobody: a dead endpoint with more deliveries due ahead
// of another's than one look reads: the other's delivery is still reached, by looks that
// read on from where the last one stopped.
func TestABacklogDeeperThanALookStarvesNobody(t *testing.T) {
	defer hooks.SetScanPages(1)()
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	key := make([]byte, seal.KeySize)
	_, _ = rand.Read(key)
	sealer, _ := seal.NewLocal(key)
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	t.Cleanup(dead.Close)
	var got atomic.Int32
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1); w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(good.Close)
	hk := hooks.New(env.Store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler), hooks.WithClock(clock.Now))
	events := []string{"invitation.created"}
	u1, u2 := dead.URL, good.URL
	a, err := hk.CreateEndpoint(context.Background(), admin, hooks.EndpointRequest{URL: &u1, Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	b, err := hk.CreateEndpoint(context.Background(), admin, hooks.EndpointRequest{URL: &u2, Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now().Add(-time.Hour)
	for i := range 250 {
		at := start.Add(time.Duration(i) * time.Millisecond)
		d := hooks.Delivery{ID: fmt.Sprintf("msg_a%05d", i), OrgID: "acme", EndpointID: a.Endpoint.ID, EventType: "invitation.created", Body: []byte(`{}`),
			Status: hooks.DeliveryPending, CreatedAt: at, TriesSince: at, NextAt: at, UpdatedAt: at}
		if err := env.Store.Hooks.PutDelivery(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	at := start.Add(10 * time.Second)
	if err := env.Store.Hooks.PutDelivery(context.Background(), hooks.Delivery{ID: "msg_b", OrgID: "acme", EndpointID: b.Endpoint.ID, EventType: "invitation.created",
		Body: []byte(`{}`), Status: hooks.DeliveryPending, CreatedAt: at, TriesSince: at, NextAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		stats, err := hk.Sweep(context.Background())
		t.Logf("sweep %d: %v %v; good endpoint got %d", i, stats, err, got.Load())
		clock.Add(time.Minute)
	}
	if got.Load() == 0 {
		t.Errorf("the healthy endpoint's delivery, due behind a dead endpoint's backlog of 250 (over two looks of 100), was never sent in 5 sweeps")
	}
}
