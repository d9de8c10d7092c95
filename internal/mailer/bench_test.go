package mailer_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/ses"
	"gatehouse/internal/ses/sestest"
)

// quotaSender enforces an SES-like sending quota in front of a real sender: over the rate it
// refuses with mailer.ErrThrottled, as SES does, and counts the refusals.
type quotaSender struct {
	next      mailer.Sender
	quota     *rate.Limiter
	throttled atomic.Int64
}

func (q *quotaSender) Send(ctx context.Context, m mailer.Message) (string, error) {
	if !q.quota.Allow() {
		q.throttled.Add(1)
		return "", fmt.Errorf("Maximum sending rate exceeded: %w", mailer.ErrThrottled)
	}
	return q.next.Send(ctx, m)
}

// drainBench queues n invitation emails and measures draining them into the local SES
// emulator at sendRate emails per second (0: unlimited), reporting emails per second,
// DynamoDB requests per email, retries, and the sends an SES-like quota of the same rate (and
// a one-second burst) throttled.
func drainBench(b *testing.B, n int, sendRate float64) {
	endpoint := sestest.Start(b)
	sesSender, err := ses.New(sestest.NewClient(b, endpoint), ses.Config{From: "Gatehouse <invites@gatehouse.example>"})
	if err != nil {
		b.Fatal(err)
	}
	quota := rate.Inf
	if sendRate > 0 {
		quota = rate.Limit(sendRate)
	}
	sender := &quotaSender{next: sesSender, quota: rate.NewLimiter(quota, max(1, int(sendRate)))}
	for range b.N {
		b.StopTimer()
		env := dynamotest.New(b)
		svc := org.NewService(env.Store.Org())
		ctx := context.Background()
		admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
		reqs := make([]org.InviteRequest, n)
		for i := range reqs {
			reqs[i] = org.InviteRequest{Email: fmt.Sprintf("person%d@example.com", i), Name: fmt.Sprintf("Person %d", i)}
		}
		if _, err := svc.InviteMany(ctx, admin, reqs); err != nil {
			b.Fatal(err)
		}
		m, err := mailer.New(env.Store.Deliveries, sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Rate: sendRate})
		if err != nil {
			b.Fatal(err)
		}
		env.Requests.Reset()
		start := time.Now()
		b.StartTimer()
		stats, err := m.Sweep(ctx, 25)
		b.StopTimer()
		elapsed := time.Since(start)
		if err != nil || stats[mailer.OutcomeSent] != n {
			b.Fatalf("drained %v, %v; want %d sent", stats, err, n)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "emails/s")
		b.ReportMetric(float64(env.Requests.Total())/float64(n), "requests/email")
		b.ReportMetric(float64(stats[mailer.OutcomeRetry]), "retries")
		b.ReportMetric(float64(sender.throttled.Load()), "throttled")
	}
}

// BenchmarkDrain1000 drains 1,000 emails with the send rate lifted.
func BenchmarkDrain1000(b *testing.B) { drainBench(b, 1000, 0) }

// BenchmarkDrainAtDefaultRate drains 70 emails at the default 14 per second: five seconds,
// the same pace at which 1,000 drain in about 72 seconds.
func BenchmarkDrainAtDefaultRate(b *testing.B) { drainBench(b, 70, 14) }
