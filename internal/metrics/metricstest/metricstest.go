// Package metricstest records metrics in memory, for the tests of the packages that emit
// them: which metric, how much, with which dimensions.
package metricstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Record is one recorded value.
type Record struct {
	Name  string
	Unit  string // Count or Milliseconds
	Value float64
	Dims  map[string]string
}

// String reads like Name{k=v,...}=value, for failure messages.
func (r Record) String() string {
	keys := slices.Sorted(maps.Keys(r.Dims))
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + r.Dims[k])
	}
	return fmt.Sprintf("%s{%s}=%g", r.Name, b.String(), r.Value)
}

// Recorder keeps every value recorded, safely from many goroutines. It fails the test on a
// call whose dimensions are not name, value pairs of non-empty strings.
type Recorder struct {
	t       testing.TB
	mu      sync.Mutex
	records []Record
}

// New returns an empty Recorder reporting misuse to t.
func New(t testing.TB) *Recorder { return &Recorder{t: t} }

// Count records n of name.
func (r *Recorder) Count(_ context.Context, name string, n int, dims ...string) {
	r.add(name, "Count", float64(n), dims)
}

// Duration records d of name, in milliseconds.
func (r *Recorder) Duration(_ context.Context, name string, d time.Duration, dims ...string) {
	r.add(name, "Milliseconds", float64(d)/float64(time.Millisecond), dims)
}

func (r *Recorder) add(name, unit string, v float64, dims []string) {
	r.t.Helper()
	if len(dims)%2 != 0 {
		r.t.Errorf("metric %s: dimensions %q are not name, value pairs", name, dims)
		return
	}
	m := map[string]string{}
	for i := 0; i < len(dims); i += 2 {
		if dims[i] == "" || dims[i+1] == "" {
			r.t.Errorf("metric %s: dimension %q=%q is empty", name, dims[i], dims[i+1])
		}
		m[dims[i]] = dims[i+1]
	}
	r.mu.Lock()
	r.records = append(r.records, Record{Name: name, Unit: unit, Value: v, Dims: m})
	r.mu.Unlock()
}

// Records is every value recorded so far, in order.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

// Matching is the records of name whose dimensions are exactly dims (name, value pairs).
func (r *Recorder) Matching(name string, dims ...string) []Record {
	want := map[string]string{}
	for i := 0; i+1 < len(dims); i += 2 {
		want[dims[i]] = dims[i+1]
	}
	var out []Record
	for _, rec := range r.Records() {
		if rec.Name == name && maps.Equal(rec.Dims, want) {
			out = append(out, rec)
		}
	}
	return out
}

// Named is the records of name, whatever their dimensions.
func (r *Recorder) Named(name string) []Record {
	var out []Record
	for _, rec := range r.Records() {
		if rec.Name == name {
			out = append(out, rec)
		}
	}
	return out
}

// Sum adds up the values of Matching(name, dims...).
func (r *Recorder) Sum(name string, dims ...string) float64 {
	var sum float64
	for _, rec := range r.Matching(name, dims...) {
		sum += rec.Value
	}
	return sum
}

// Names lists, sorted and once each, the metrics recorded.
func (r *Recorder) Names() []string {
	var names []string
	for _, rec := range r.Records() {
		names = append(names, rec.Name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Written is the EMF documents among the JSON lines of out (a function's standard output,
// its log lines mixed in), failing the test on a document without its metadata.
func Written(t testing.TB, out []byte) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, line := range bytes.Split(out, []byte("\n")) {
		if !bytes.Contains(line, []byte(`"_aws"`)) {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal(line, &doc); err != nil {
			t.Fatalf("metrics line is not JSON: %v: %s", err, line)
		}
		meta, _ := doc["_aws"].(map[string]any)
		if directives, _ := meta["CloudWatchMetrics"].([]any); len(directives) == 0 || meta["Timestamp"] == nil {
			t.Fatalf("metrics line without its metadata: %s", line)
		}
		docs = append(docs, doc)
	}
	return docs
}

// WrittenBy is the documents of Written that carry metric and the Function dimension fn.
func WrittenBy(t testing.TB, out []byte, fn, metric string) []map[string]any {
	t.Helper()
	var found []map[string]any
	for _, doc := range Written(t, out) {
		if _, ok := doc[metric]; ok && doc["Function"] == fn {
			found = append(found, doc)
		}
	}
	return found
}

// Output stands in for a function's standard output: safe to write from many goroutines
// at once, as the logger and the metrics do.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// Bytes is everything written so far.
func (o *Output) Bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.buf.Bytes())
}
