package idp

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// The benchmark: the organization has benchPeople synced active members; the export has
// benchPeople people, of whom benchChanges are new, while benchChanges members are no longer
// in it; of the rest, benchChanges changed their name and as many their address.
const (
	benchPeople  = 100_000
	benchChanges = 20
)

// benchPerson is person i of the benchmark export, as the identity provider has it now.
func benchPerson(i int) (id, email, first, last string) {
	first, last = fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i)
	if i%10 == 0 {
		first = "Zoë" // some names that need NFC checks
	}
	email = fmt.Sprintf("user%d@example.com", i)
	switch {
	case i >= benchChanges && i < 2*benchChanges:
		last += "-Renamed"
	case i >= 2*benchChanges && i < 3*benchChanges:
		email = fmt.Sprintf("user%d.new@example.com", i)
	}
	return fmt.Sprintf("00u%017d", i), email, first, last
}

// benchAccounts are the synced members the organization has before the run.
func benchAccounts() []Account {
	accounts := make([]Account, 0, benchPeople)
	for i := range benchPeople {
		first, last := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i)
		if i%10 == 0 {
			first = "Zoë"
		}
		accounts = append(accounts, Account{Kind: AccountMember, ID: fmt.Sprintf("mem_%d", i), Email: fmt.Sprintf("user%d@example.com", i),
			Name: first + " " + last, ExternalID: fmt.Sprintf("00u%017d", i), Active: true, Synced: true})
	}
	return accounts
}

// benchOktaCSV is the export as an Okta group members report.
func benchOktaCSV() []byte {
	var buf bytes.Buffer
	buf.WriteString(`"User Id","Status","Username","First name","Last name","Primary email"` + "\n")
	for i := benchChanges; i < benchPeople+benchChanges; i++ {
		id, email, first, last := benchPerson(i)
		fmt.Fprintf(&buf, "%q,\"ACTIVE\",%q,%q,%q,%q\n", id, email, first, last, email)
	}
	return buf.Bytes()
}

// benchGraphPages is the export as Microsoft Graph member pages of 999, the largest $top.
func benchGraphPages(tb testing.TB) [][]byte {
	type user struct {
		Type           string `json:"@odata.type"`
		ID             string `json:"id"`
		DisplayName    string `json:"displayName"`
		GivenName      string `json:"givenName"`
		Surname        string `json:"surname"`
		Mail           string `json:"mail"`
		UPN            string `json:"userPrincipalName"`
		AccountEnabled bool   `json:"accountEnabled"`
	}
	var pages [][]byte
	for start := benchChanges; start < benchPeople+benchChanges; start += 999 {
		page := struct {
			Context  string `json:"@odata.context"`
			NextLink string `json:"@odata.nextLink,omitempty"`
			Value    []user `json:"value"`
		}{Context: "https://graph.microsoft.com/v1.0/$metadata#directoryObjects"}
		for i := start; i < min(start+999, benchPeople+benchChanges); i++ {
			id, email, first, last := benchPerson(i)
			page.Value = append(page.Value, user{"#microsoft.graph.user", id, first + " " + last, first, last, email, email, true})
		}
		if start+999 < benchPeople+benchChanges {
			page.NextLink = fmt.Sprintf("https://graph.microsoft.com/v1.0/groups/g/members?$top=999&$skiptoken=%d", start)
		}
		data, err := json.Marshal(page)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, data)
	}
	return pages
}

func BenchmarkParseAndPlan100k(b *testing.B) {
	accounts := benchAccounts()
	exports := []struct {
		name  string
		pages func(testing.TB) [][]byte
	}{{"okta-csv", func(testing.TB) [][]byte { return [][]byte{benchOktaCSV()} }}, {"entra-json", benchGraphPages}}
	for _, e := range exports {
		b.Run(e.name, func(b *testing.B) {
			pages := e.pages(b) // once: b.Loop runs this function a single time
			size := 0
			for _, p := range pages {
				size += len(p)
			}
			b.SetBytes(int64(size))
			var plan Plan
			peak := startHeapPeak()
			for b.Loop() {
				readers := make([]io.Reader, len(pages))
				for i, p := range pages {
					readers[i] = bytes.NewReader(p)
				}
				snap, err := Parse(FormatAuto, readers...)
				if err != nil {
					b.Fatal(err)
				}
				if plan, err = NewPlan(snap, accounts, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(peak.stop(), "peak-heap-MB")
			want := map[ActionKind]int{ActionInvite: benchChanges, ActionUpdate: 2 * benchChanges, ActionDeactivate: benchChanges,
				ActionReactivate: 0, ActionRevoke: 0, ActionRole: 0}
			if fmt.Sprint(plan.Counts) != fmt.Sprint(want) || plan.Held || plan.Unchanged != benchPeople-3*benchChanges {
				b.Fatalf("plan counts %v, unchanged %d, held %v; want %v and %d unchanged", plan.Counts, plan.Unchanged, plan.Held,
					want, benchPeople-3*benchChanges)
			}
		})
	}
}

// BenchmarkCSVReadBaseline100k reads the same Okta CSV with encoding/csv alone: the floor
// that parsing and planning add to.
func BenchmarkCSVReadBaseline100k(b *testing.B) {
	data := benchOktaCSV()
	b.SetBytes(int64(len(data)))
	peak := startHeapPeak()
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		rows := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if rows != benchPeople+1 {
			b.Fatalf("read %d rows", rows)
		}
	}
	b.ReportMetric(peak.stop(), "peak-heap-MB")
}

// BenchmarkJSONDecodeBaseline100k decodes the same Graph pages member by member with a
// json.Decoder alone, the floor of the entra-json figure.
func BenchmarkJSONDecodeBaseline100k(b *testing.B) {
	pages := benchGraphPages(b)
	size := 0
	for _, p := range pages {
		size += len(p)
	}
	b.SetBytes(int64(size))
	peak := startHeapPeak()
	for b.Loop() {
		n := 0
		for _, p := range pages {
			dec := json.NewDecoder(bytes.NewReader(p))
			// '{', then keys with string values up to "value", then its '['.
			for tok, err := dec.Token(); tok != "value"; tok, err = dec.Token() {
				if err != nil {
					b.Fatal(err)
				}
			}
			if _, err := dec.Token(); err != nil {
				b.Fatal(err)
			}
			for dec.More() {
				var m graphMember
				if err := dec.Decode(&m); err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		if n != benchPeople {
			b.Fatalf("decoded %d members", n)
		}
	}
	b.ReportMetric(peak.stop(), "peak-heap-MB")
}

// heapPeak samples the bytes of heap objects (live and not yet swept) while a benchmark
// runs, starting from a collected heap, and reports the largest in MB.
type heapPeak struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// startHeapPeak collects garbage and starts sampling every half millisecond.
func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(500 * time.Microsecond)
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
	}()
	return h
}

// stop ends the sampling and returns the peak in MB.
func (h *heapPeak) stop() float64 {
	close(h.done)
	h.wg.Wait()
	return float64(h.peak) / (1 << 20)
}
