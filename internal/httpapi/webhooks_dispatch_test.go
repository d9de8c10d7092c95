package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/hooks"
)

// globexEndpoint creates an endpoint of globex for every event at rv.
func (s *server) globexEndpoint(t *testing.T, rv *receiver) map[string]any {
	t.Helper()
	r := s.do(http.MethodPost, "/api/v1/webhooks", "globex/admin", map[string]any{"url": rv.url, "events": []string{"*"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create globex's webhook: %d %s", r.status, r.raw)
	}
	rv.trust(r.body["secret"].(string))
	return r.body
}

// bulk invites n people to acme without email.
func (s *server) bulk(t *testing.T, n int) {
	t.Helper()
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"email": "p" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String() + "@acme.com", "sendEmail": false}
	}
	if r := s.do(http.MethodPost, "/api/v1/invitations/bulk", "acme/admin", map[string]any{"invitations": rows}); r.status != http.StatusMultiStatus && r.status != http.StatusOK {
		t.Fatalf("bulk: %d %s", r.status, r.raw)
	}
}

// TestABackloggedEndpointNeverHoldsBackAnother: acme's receiver times out and has 150
// events waiting; globex's one event still goes out in the same sweep, before acme's
// receiver has been tried more than a few times, and acme's receiver is left alone for the
// rest of the sweep after breaking three times in a row.
func TestABackloggedEndpointNeverHoldsBackAnother(t *testing.T) {
	s := newServerWith(t, serverOptions{webhookTimeout: 200 * time.Millisecond})
	slow, other := newReceiver(t), newReceiver(t)
	var slowOn atomic.Bool
	slowOn.Store(true)
	slow.answer = func(int) int {
		if slowOn.Load() {
			time.Sleep(time.Second)
		}
		return http.StatusNoContent
	}
	s.endpoint(t, slow, "invitation.created")
	s.globexEndpoint(t, other)
	s.bulk(t, 150)
	var triedBefore atomic.Int64
	other.answer = func(int) int {
		triedBefore.Store(int64(len(slow.events())))
		return http.StatusNoContent
	}
	s.do(http.MethodPost, "/api/v1/invitations", "globex/admin", map[string]any{"email": "ada@globex.com", "sendEmail": false})
	stats := s.sweep(t)
	if n := len(other.events()); n != 1 {
		t.Fatalf("globex's endpoint got %d events, want 1 (stats %v)", n, stats)
	}
	if n := triedBefore.Load(); n > 4 {
		t.Errorf("acme's backlog was tried %d times before globex's one event went out", n)
	}
	if n := len(slow.events()); n > 4 {
		t.Errorf("acme's timing-out receiver was tried %d times in one sweep, want it left alone after 3 failures in a row", n)
	}
	// The backlog is not lost: a receiver that answers again gets all of it.
	slowOn.Store(false)
	for range 20 {
		s.clock.Add(10 * time.Minute)
		s.sweep(t)
	}
	ids := map[string]bool{}
	for _, ev := range slow.events() {
		if ev.eventType == "invitation.created" && ev.verified {
			ids[ev.id] = true
		}
	}
	if len(ids) != 150 {
		t.Errorf("acme's receiver got %d of its 150 events once it answered", len(ids))
	}
}

// damageSecret overwrites the sealed secrets of acme's endpoint id.
func (s *server) damageSecret(t *testing.T, id string) {
	t.Helper()
	table := s.store.Table()
	_, err := s.env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ORG#acme"}, "sk": &types.AttributeValueMemberS{Value: "WEBHOOK#" + id},
		},
		UpdateExpression:          aws.String("SET sealed = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberB{Value: []byte("not a sealed secret")}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAnUnopenableSecretFailsItsDeliveriesOnly: deliveries whose endpoint's secret cannot be
// opened fail as attempts (and so give up in time) naming the cause, while everyone else's
// go out.
func TestAnUnopenableSecretFailsItsDeliveriesOnly(t *testing.T) {
	s := newServer(t)
	broken, other := newReceiver(t), newReceiver(t)
	ep := s.endpoint(t, broken, "invitation.created")
	s.globexEndpoint(t, other)
	s.damageSecret(t, ep["id"].(string))
	s.bulk(t, 20)
	s.do(http.MethodPost, "/api/v1/invitations", "globex/admin", map[string]any{"email": "ada@globex.com", "sendEmail": false})
	s.sweep(t)
	if n := len(other.events()); n != 1 {
		t.Errorf("globex's endpoint got %d events, want 1", n)
	}
	if n := len(broken.events()); n != 0 {
		t.Errorf("a receiver got %d unsigned requests", n)
	}
	list := s.do(http.MethodGet, "/api/v1/webhooks/"+ep["id"].(string)+"/deliveries?limit=100", "acme/admin", nil)
	items, _ := list.body["items"].([]any)
	failing := 0
	for _, it := range items {
		d := it.(map[string]any)
		if d["status"] == "failing" && strings.Contains(d["lastError"].(string), "signing secret cannot be opened") {
			failing++
		}
	}
	if failing == 0 || failing > 4 {
		t.Errorf("%d deliveries say the secret cannot be opened, want 1 to 4 (left alone after 3 in a row, 2 at a time)", failing)
	}
}

// TestADeadEndpointIsDisabledWhenItsDeliveriesGiveUp: an endpoint that never answers well
// is disabled (its admins told) when a delivery gives up after its three days; one that
// answered well during that time is not, and a single failure long after a streak does not
// disable it either.
func TestADeadEndpointIsDisabledWhenItsDeliveriesGiveUp(t *testing.T) {
	s := newServerWith(t, serverOptions{})
	dead := newReceiver(t)
	dead.answer = func(int) int { return http.StatusServiceUnavailable }
	ep := s.endpoint(t, dead, "invitation.created")
	id := ep["id"].(string)
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "ada@acme.com", "sendEmail": false})
	for range 100 {
		s.sweep(t)
		got := s.do(http.MethodGet, "/api/v1/webhooks/"+id, "acme/admin", nil)
		if got.body["enabled"] == false {
			break
		}
		s.clock.Add(time.Hour)
	}
	got := s.do(http.MethodGet, "/api/v1/webhooks/"+id, "acme/admin", nil)
	if got.body["enabled"] != false || got.body["disabledReason"] != "deliveries have failed for three days" {
		t.Fatalf("a dead endpoint after its delivery gave up: %s", got.raw)
	}
	if n := len(s.notices.all()); n != 1 {
		t.Errorf("%d notices to admins, want 1", n)
	}

	// Another endpoint fails one delivery for three days while answering others well.
	flaky := newReceiver(t)
	flaky.answer = func(int) int { return http.StatusNoContent }
	ep2 := s.endpoint(t, flaky, "invitation.created")
	id2 := ep2["id"].(string)
	var failOne atomic.Bool
	failOne.Store(true)
	flaky.answer = func(n int) int {
		if n == 1 || (failOne.Load() && len(flaky.events()) > 0 && flaky.events()[len(flaky.events())-1].id == flaky.events()[0].id) {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	}
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	for i := range 90 {
		s.sweep(t)
		if i%10 == 5 { // now and then another event, which it takes
			s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "p" + time.Duration(i).String() + "@acme.com", "sendEmail": false})
		}
		s.clock.Add(time.Hour)
	}
	got = s.do(http.MethodGet, "/api/v1/webhooks/"+id2, "acme/admin", nil)
	if got.body["enabled"] != true {
		t.Errorf("an endpoint answering well in the meantime was disabled: %s", got.raw)
	}
	_ = hooks.DisableAfter
}
