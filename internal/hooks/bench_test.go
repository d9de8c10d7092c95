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
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/seal"
	"gatehouse/internal/webhook"
)

// countingMail takes every email.
type countingMail struct{ n atomic.Int64 }

func (m *countingMail) Send(context.Context, mailer.Message) (string, error) {
	return fmt.Sprintf("msg-%d", m.n.Add(1)), nil
}

// BenchmarkWebhooks1000 imports 1,000 invitations in one bulk call to an organization with
// one endpoint for invitation.created on 127.0.0.1, then times the delivery of their 1,000
// events from the import's answer to the last delivery, and the drain of their 1,000
// emails the same way, with DynamoDB requests per delivery and per email.
func BenchmarkWebhooks1000(b *testing.B) {
	const n = 1000
	var hookTimes, mailTimes []time.Duration
	var hookReqs, mailReqs float64
	for range b.N {
		env := dynamotest.New(b)
		svc := org.NewService(env.Store.Org())
		admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
		key := make([]byte, seal.KeySize)
		_, _ = rand.Read(key)
		sealer, _ := seal.NewLocal(key)
		var got atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		hk := hooks.New(env.Store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, slog.New(slog.DiscardHandler))
		url, events := srv.URL, []string{"invitation.created"}
		if _, err := hk.CreateEndpoint(context.Background(), admin, hooks.EndpointRequest{URL: &url, Events: &events}); err != nil {
			b.Fatal(err)
		}
		reqs := make([]org.InviteRequest, n)
		for i := range reqs {
			reqs[i] = org.InviteRequest{Email: fmt.Sprintf("p%d@example.com", i), Name: "P"}
		}
		if _, err := svc.InviteMany(context.Background(), admin, reqs); err != nil {
			b.Fatal(err)
		}
		env.Requests.Reset()
		start := time.Now()
		for got.Load() < n {
			if _, err := hk.Sweep(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		hookTimes = append(hookTimes, time.Since(start))
		hookReqs = float64(env.Requests.Total()) / n

		sent := &countingMail{}
		m, err := mailer.New(env.Store.Deliveries, sent, mailer.Config{PublicURL: "https://gatehouse.example.com"})
		if err != nil {
			b.Fatal(err)
		}
		env.Requests.Reset()
		start = time.Now()
		for sent.n.Load() < n {
			if _, err := m.Sweep(context.Background(), 100); err != nil {
				b.Fatal(err)
			}
		}
		mailTimes = append(mailTimes, time.Since(start))
		mailReqs = float64(env.Requests.Total()) / n
		srv.Close()
	}
	b.ReportMetric(median(hookTimes).Seconds(), "webhooks-s")
	b.ReportMetric(median(mailTimes).Seconds(), "emails-s")
	b.ReportMetric(hookReqs, "requests/delivery")
	b.ReportMetric(mailReqs, "requests/email")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
