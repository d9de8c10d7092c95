package mailer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/ses"
	"gatehouse/internal/ses/sestest"
)

// drainBench queues n invitation emails and measures draining them into the local SES
// emulator at rate emails per second (0: unlimited), reporting emails per second, DynamoDB
// requests per email and retries (throttling or other passing failures).
func drainBench(b *testing.B, n int, rate float64) {
	endpoint := sestest.Start(b)
	sender, err := ses.New(sestest.NewClient(b, endpoint), ses.Config{From: "Gatehouse <invites@gatehouse.example>"})
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		env := dynamotest.New(b)
		svc := org.NewService(env.Store)
		ctx := context.Background()
		admin, _ := orgtest.Seed(b, svc, "bench", "Bench")
		reqs := make([]org.InviteRequest, n)
		for i := range reqs {
			reqs[i] = org.InviteRequest{Email: fmt.Sprintf("person%d@example.com", i), Name: fmt.Sprintf("Person %d", i)}
		}
		if _, err := svc.InviteMany(ctx, admin, reqs); err != nil {
			b.Fatal(err)
		}
		m, err := mailer.New(env.Store, sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Rate: rate})
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
	}
}

// BenchmarkDrain1000 drains 1,000 emails with the send rate lifted.
func BenchmarkDrain1000(b *testing.B) { drainBench(b, 1000, 0) }

// BenchmarkDrainAtDefaultRate drains 70 emails at the default 14 per second: five seconds,
// the same pace at which 1,000 drain in about 72 seconds.
func BenchmarkDrainAtDefaultRate(b *testing.B) { drainBench(b, 70, 14) }
