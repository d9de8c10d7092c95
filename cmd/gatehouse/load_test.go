package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
)

// BenchmarkLoad is the bounded load test of make bench: loadClients clients for
// LOAD_DURATION (default 30s) against `gatehouse dev` on 127.0.0.1, mixing invites, lists,
// resends, accepts and bulk imports of 100, then every invariant of the store over the
// whole organization. It reports requests/s, p50 and p99 latency per operation, 5xx answers
// (none are expected) and the invariants broken (none are). Run it with -benchtime 1x.
func BenchmarkLoad(b *testing.B) {
	duration := 30 * time.Second
	if v := os.Getenv("LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("LOAD_DURATION: %v", err)
		}
		duration = d
	}
	const loadClients = 50
	const token = "ghk_LoadTestLoadTestLoadTestLoadTestLoadTest012"
	st := startDevStack(b, token, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}, Timeout: 30 * time.Second}
	b.Cleanup(client.CloseIdleConnections)

	type sample struct {
		op      string
		status  int
		latency time.Duration
	}
	var (
		mu      sync.Mutex
		samples []sample
		serial  atomic.Int64
	)
	call := func(op, method, path string, body any) (int, map[string]any) {
		var rd io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			rd = bytes.NewReader(raw)
		}
		req, _ := http.NewRequest(method, st.api+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		res, err := client.Do(req)
		status := 0
		var out map[string]any
		if err == nil {
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			status = res.StatusCode
			_ = json.Unmarshal(raw, &out)
		}
		mu.Lock()
		samples = append(samples, sample{op, status, time.Since(start)})
		mu.Unlock()
		return status, out
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := range loadClients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 7))
			type link struct{ id, token string }
			var links []link
			for ctx.Err() == nil {
				switch n := r.IntN(100); {
				case n < 40 || len(links) == 0:
					email := fmt.Sprintf("load%d-%d@example.com", c, serial.Add(1))
					if status, out := call("invite", http.MethodPost, "/api/v1/invitations", map[string]any{"email": email, "sendEmail": false}); status == http.StatusCreated {
						id, _ := out["id"].(string)
						tok, _ := out["acceptToken"].(string)
						links = append(links, link{id, tok})
					}
				case n < 70:
					call("list", http.MethodGet, "/api/v1/invitations?status=pending&limit=50", nil)
				case n < 80:
					i := r.IntN(len(links))
					if status, out := call("resend", http.MethodPost, "/api/v1/invitations/"+links[i].id+"/resend", nil); status == http.StatusOK {
						links[i].token, _ = out["acceptToken"].(string)
					}
				case n < 95:
					i := r.IntN(len(links))
					call("accept", http.MethodPost, "/api/v1/invitations/accept", map[string]any{"token": links[i].token})
					links = slices.Delete(links, i, i+1)
				default:
					rows := make([]any, 100)
					for j := range rows {
						rows[j] = map[string]any{"email": fmt.Sprintf("bulk%d-%d@example.com", c, serial.Add(1)), "sendEmail": false}
					}
					call("bulk", http.MethodPost, "/api/v1/invitations/bulk", map[string]any{"invitations": rows})
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()

	byOp := map[string][]time.Duration{}
	fives, fails := 0, 0
	for _, s := range samples {
		byOp[s.op] = append(byOp[s.op], s.latency)
		switch {
		case s.status >= 500:
			fives++
		case s.status == 0:
			fails++
		}
	}
	b.ReportMetric(float64(len(samples))/duration.Seconds(), "requests/s")
	for op, ls := range byOp {
		slices.Sort(ls)
		b.ReportMetric(float64(ls[len(ls)/2].Microseconds())/1000, op+"-p50-ms")
		b.ReportMetric(float64(ls[len(ls)*99/100].Microseconds())/1000, op+"-p99-ms")
	}
	b.ReportMetric(float64(fives), "5xx")

	// The invariants over the whole organization, read straight from the table.
	cfg, err := env.LoadCommon(func(k string) string {
		return map[string]string{"TABLE_NAME": st.table, "DYNAMODB_ENDPOINT": st.dynamodb}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	awsCfg, err := awsconfig.Load(context.Background(), cfg.AWS)
	if err != nil {
		b.Fatal(err)
	}
	store := dynamo.New(dynamo.NewClient(awsCfg, st.dynamodb), st.table)
	problems, err := store.Verify(context.Background(), devOrg, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(problems)), "invariants-broken")
	for _, p := range problems[:min(len(problems), 20)] {
		b.Error(p)
	}
	if fives > 0 || fails > 0 {
		b.Errorf("%d answers were 5xx and %d requests failed outright, of %d", fives, fails, len(samples))
	}
}
