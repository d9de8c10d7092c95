package connector

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/egress"
	"gatehouse/internal/idp"
)

// The benchmarks: a 100,000-person group read from a local fake that takes benchLatency
// per page, then parsed and planned against an organization that has every one of them
// already (a scheduled resync), against the fake's floor (pages × latency ÷ groups read at once;
// one group's pages come one after the other). Run them with -benchtime 1x:
//
//	go test -run '^$' -bench Connector -benchtime 1x ./internal/connector/
const (
	benchPeople  = 100_000
	benchLatency = 20 * time.Millisecond
)

// benchOptions are real-clock options for a fake on 127.0.0.1.
func benchOptions(b *testing.B) Options {
	client := egress.NewClient(egress.Options{LocalStack: true})
	b.Cleanup(client.CloseIdleConnections)
	return Options{HTTPClient: client}
}

// benchGraph is a fake tenant with one group of benchPeople users, 999 a page.
func benchGraph(b *testing.B) *fakeGraph {
	f := newFakeGraph(b)
	f.pageSize, f.latency = 999, benchLatency
	f.groups[groupPortal] = &fakeGraphGroup{name: "Everyone", count: benchPeople, member: func(i int) graphMember {
		return user(fmt.Sprintf("6f1c3a52-1b7e-4c0e-9d1a-%012d", i), fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i),
			fmt.Sprintf("user%d@contoso.com", i), fmt.Sprintf("user%d@contoso.onmicrosoft.com", i), i%50 != 0)
	}}
	return f
}

func BenchmarkConnectorGraph100k(b *testing.B) {
	f := benchGraph(b)
	pages := (benchPeople + f.pageSize - 1) / f.pageSize
	accounts := benchAccounts(func(i int) (string, string) {
		return fmt.Sprintf("6f1c3a52-1b7e-4c0e-9d1a-%012d", i), fmt.Sprintf("user%d@contoso.com", i)
	})
	benchRead(b, pages, accounts, func() (*Result, error) {
		g, err := NewGraph(f.config(groupPortal), benchOptions(b))
		if err != nil {
			return nil, err
		}
		return g.Fetch(context.Background())
	})
}

func BenchmarkConnectorOkta100k(b *testing.B) {
	f := newFakeOkta(b, newClock())
	f.pageSize, f.latency, f.limit = 200, benchLatency, 1_000_000
	f.groups[oktaPortal] = &fakeOktaGroup{name: "Everyone", count: benchPeople, user: func(i int) oktaUser {
		return newOktaUser(f.srv.URL, fmt.Sprintf("00u%017d", i), "ACTIVE", fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i), fmt.Sprintf("user%d@example.com", i))
	}}
	accounts := benchAccounts(func(i int) (string, string) {
		return fmt.Sprintf("00u%017d", i), fmt.Sprintf("user%d@example.com", i)
	})
	benchRead(b, benchPeople/f.pageSize, accounts, func() (*Result, error) {
		o, err := NewOkta(f.config(oktaPortal), benchOptions(b))
		if err != nil {
			return nil, err
		}
		return o.Fetch(context.Background())
	})
}

// benchAccounts are the synced members of an organization holding every person of a
// benchmark's group, by their id and address.
func benchAccounts(person func(i int) (id, email string)) []idp.Account {
	out := make([]idp.Account, benchPeople+1)
	for i := range benchPeople {
		id, email := person(i)
		out[i] = idp.Account{Kind: idp.AccountMember, ID: fmt.Sprintf("usr_%d", i), ExternalID: id, Email: email,
			Name: fmt.Sprintf("First%d Last%d", i, i), Active: true, Synced: true}
	}
	out[benchPeople] = idp.Account{Kind: idp.AccountMember, ID: "usr_owner", Email: "owner@example.org", Active: true, Admin: true, LastAdmin: true}
	return out
}

// benchRead times fetch, the parse of its one group and its plan against accounts, against
// the floor of pages pages, and reports the peak heap and the size of what was kept.
func benchRead(b *testing.B, pages int, accounts []idp.Account, fetch func() (*Result, error)) {
	b.ReportAllocs()
	for b.Loop() {
		peak := startHeapPeak()
		start := time.Now()
		res, err := fetch()
		if err != nil {
			b.Fatal(err)
		}
		fetched := time.Since(start)
		snap, err := res.Snapshot(0, idp.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		parsed := time.Since(start)
		plan, err := idp.NewPlan(snap, accounts, idp.Options{})
		if err != nil {
			b.Fatal(err)
		}
		total := time.Since(start)
		heap := peak.stop()
		if len(snap.People) != benchPeople || len(res.Groups[0].Pages) != pages {
			b.Fatalf("%d people in %d pages, want %d in %d", len(snap.People), len(res.Groups[0].Pages), benchPeople, pages)
		}
		raw, kept := 0, 0
		for _, p := range res.Groups[0].Pages {
			raw, kept = raw+p.Size(), kept+len(p.deflated)
		}
		floor := time.Duration(pages) * benchLatency
		b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
		b.ReportMetric(float64(fetched.Milliseconds()), "fetch-ms")
		b.ReportMetric(float64(parsed.Milliseconds()), "fetch+parse-ms")
		b.ReportMetric(float64(total.Milliseconds()), "fetch+parse+plan-ms")
		b.ReportMetric(float64(len(plan.Actions)), "actions")
		b.ReportMetric(float64(total)/float64(floor), "x-floor")
		b.ReportMetric(heap, "peak-heap-MB")
		b.ReportMetric(float64(raw)/(1<<20), "pages-MB")
		b.ReportMetric(float64(kept)/(1<<20), "kept-MB")
		b.ReportMetric(float64(res.Requests), "requests")
	}
}

// BenchmarkConnectorGraphDeltaUnchanged: asking whether the 100,000-person group changed
// since its delta link, with the token cached (one request) and by a new connector value
// that signs in first (two).
func BenchmarkConnectorGraphDeltaUnchanged(b *testing.B) {
	f := benchGraph(b)
	g, err := NewGraph(f.config(groupPortal), benchOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	link, err := g.baseline(context.Background(), groupPortal)
	if err != nil || link == "" {
		b.Fatalf("baseline: %q, %v", link, err)
	}
	var cached, fresh int
	for b.Loop() {
		d, err := g.CheckDelta(context.Background(), groupPortal, link)
		if err != nil || d.Changed {
			b.Fatalf("CheckDelta: %+v, %v", d, err)
		}
		cached = d.Requests
	}
	first, err := NewGraph(f.config(groupPortal), benchOptions(b))
	if err != nil {
		b.Fatal(err)
	}
	d, err := first.CheckDelta(context.Background(), groupPortal, link)
	if err != nil || d.Changed {
		b.Fatalf("CheckDelta: %+v, %v", d, err)
	}
	fresh = d.Requests
	b.ReportMetric(float64(cached), "requests")
	b.ReportMetric(float64(fresh), "requests-signing-in")
}

// heapPeak samples the bytes of heap objects (live and not yet swept) while a benchmark
// runs, starting from a collected heap, and reports the largest in MB. The fake provider
// runs in the same process, so its buffers count too.
type heapPeak struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{done: make(chan struct{})}
	h.wg.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.done:
				return
			case <-tick.C:
			}
		}
	})
	return h
}

// stop ends the sampling and returns the peak in MB.
func (h *heapPeak) stop() float64 {
	close(h.done)
	h.wg.Wait()
	return float64(h.peak) / (1 << 20)
}
