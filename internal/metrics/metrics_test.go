package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var stamp = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newSink is a Sink writing to a buffer, its warnings into another.
func newSink(t *testing.T) (*Sink, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, warnings bytes.Buffer
	s, err := New(&out, Config{Namespace: "Gatehouse/test", Function: "api", Now: func() time.Time { return stamp },
		Logger: slog.New(slog.NewJSONHandler(&warnings, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s, &out, &warnings
}

// documents parses out's lines, checking each against the EMF specification.
func documents(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for line := range strings.SplitSeq(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("line is not one JSON object: %v: %s", err, line)
		}
		if err := validEMF(doc); err != nil {
			t.Fatalf("not an EMF document: %v: %s", err, line)
		}
		docs = append(docs, doc)
	}
	return docs
}

// validEMF checks doc as CloudWatch does: _aws with a Timestamp and directives, each
// naming a namespace, dimension sets of at most 30 dimensions that are string members, and
// at most 100 metrics that are number members (or arrays of at most 100 numbers).
func validEMF(doc map[string]any) error {
	raw, err := json.Marshal(doc["_aws"])
	if err != nil {
		return err
	}
	var meta struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil || len(meta.CloudWatchMetrics) == 0 {
		return errors.New("_aws needs a Timestamp and CloudWatchMetrics")
	}
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == "" || len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return fmt.Errorf("directive: namespace %q, %d metrics", d.Namespace, len(d.Metrics))
		}
		for _, set := range d.Dimensions {
			if len(set) == 0 || len(set) > 30 {
				return fmt.Errorf("dimension set of %d", len(set))
			}
			for _, k := range set {
				if v, ok := doc[k].(string); !ok || v == "" {
					return fmt.Errorf("dimension %s is not a string member", k)
				}
			}
		}
		for _, m := range d.Metrics {
			switch v := doc[m.Name].(type) {
			case float64:
			case []any:
				if len(v) == 0 || len(v) > 100 {
					return fmt.Errorf("metric %s has %d values", m.Name, len(v))
				}
				for _, x := range v {
					if _, ok := x.(float64); !ok {
						return fmt.Errorf("metric %s has a value %v", m.Name, x)
					}
				}
			default:
				return fmt.Errorf("metric %s is %T", m.Name, v)
			}
		}
	}
	return nil
}

func TestBatchWritesOneDocumentPerDimensionsWhenFlushed(t *testing.T) {
	s, out, warnings := newSink(t)
	ctx, flush := s.Batch(context.Background())
	s.Count(ctx, "InvitationsCreated", 2, "Source", "api")
	s.Count(ctx, "InvitationsCreated", 3, "Source", "api")
	s.Count(ctx, "InvitationsCreated", 1, "Source", "bulk")
	s.Duration(ctx, "ApiLatency", 12*time.Millisecond, "Route", "GET /api/v1/users")
	s.Count(ctx, "ApiRequests", 1, "StatusClass", "2xx", "Route", "GET /api/v1/users")
	s.Duration(ctx, "ApiLatency", 1500*time.Microsecond, "Route", "GET /api/v1/users")
	s.Duration(ctx, "OutboxAge", -time.Second)
	if out.Len() != 0 {
		t.Fatalf("written before the flush: %s", out)
	}
	flush()
	flush()
	meta := func(sets [][]string, metrics ...string) map[string]any {
		var defs []any
		for i := 0; i < len(metrics); i += 2 {
			defs = append(defs, map[string]any{"Name": metrics[i], "Unit": metrics[i+1]})
		}
		var dims []any
		for _, set := range sets {
			var ks []any
			for _, k := range set {
				ks = append(ks, k)
			}
			dims = append(dims, ks)
		}
		return map[string]any{"Timestamp": float64(stamp.UnixMilli()), "CloudWatchMetrics": []any{
			map[string]any{"Namespace": "Gatehouse/test", "Dimensions": dims, "Metrics": defs},
		}}
	}
	want := []map[string]any{
		{"_aws": meta([][]string{{"Function", "Source"}, {"Function"}}, "InvitationsCreated", "Count"),
			"Function": "api", "Source": "api", "InvitationsCreated": 5.0},
		{"_aws": meta([][]string{{"Function", "Source"}, {"Function"}}, "InvitationsCreated", "Count"),
			"Function": "api", "Source": "bulk", "InvitationsCreated": 1.0},
		{"_aws": meta([][]string{{"Function", "Route"}, {"Function"}}, "ApiLatency", "Milliseconds"),
			"Function": "api", "Route": "GET /api/v1/users", "ApiLatency": []any{12.0, 1.5}},
		{"_aws": meta([][]string{{"Function", "Route", "StatusClass"}, {"Function"}}, "ApiRequests", "Count"),
			"Function": "api", "Route": "GET /api/v1/users", "StatusClass": "2xx", "ApiRequests": 1.0},
		{"_aws": meta([][]string{{"Function"}}, "OutboxAge", "Milliseconds"), "Function": "api", "OutboxAge": 0.0},
	}
	if diff := cmp.Diff(want, documents(t, out)); diff != "" {
		t.Errorf("documents mismatch (-want +got):\n%s", diff)
	}
	if warnings.Len() != 0 {
		t.Errorf("warnings: %s", warnings)
	}
}

func TestMetricsOfOneDimensionsShareADocument(t *testing.T) {
	s, out, _ := newSink(t)
	ctx, flush := s.Batch(context.Background())
	s.Count(ctx, "EmailsSent", 1)
	s.Duration(ctx, "EmailSendLatency", time.Second)
	flush()
	docs := documents(t, out)
	if len(docs) != 1 || docs[0]["EmailsSent"] != 1.0 || docs[0]["EmailSendLatency"] != 1000.0 {
		t.Errorf("documents: %v", docs)
	}
}

func TestDocumentsStayWithinCloudWatchsLimits(t *testing.T) {
	s, out, _ := newSink(t)
	ctx, flush := s.Batch(context.Background())
	for i := range 250 {
		s.Duration(ctx, "ApiLatency", time.Duration(i)*time.Millisecond)
	}
	for i := range 150 {
		s.Count(ctx, fmt.Sprintf("Metric%d", i), i)
	}
	flush()
	docs := documents(t, out)
	var latencies []float64
	counts := map[string]float64{}
	for _, d := range docs {
		switch v := d["ApiLatency"].(type) {
		case []any:
			for _, x := range v {
				latencies = append(latencies, x.(float64))
			}
		case float64:
			latencies = append(latencies, v)
		}
		for k, v := range d {
			if strings.HasPrefix(k, "Metric") {
				counts[k] += v.(float64)
			}
		}
	}
	if len(docs) != 4 || len(latencies) != 250 || latencies[249] != 249 || len(counts) != 150 || counts["Metric149"] != 149 {
		t.Errorf("%d documents, %d latencies (last %v), %d counts", len(docs), len(latencies), latencies[len(latencies)-1], len(counts))
	}
}

func TestBadRecordsAreDroppedAlone(t *testing.T) {
	tests := []struct {
		name   string
		metric string
		dims   []string
	}{
		{"odd dimensions", "EmailsSent", []string{"Status"}},
		{"empty value", "EmailsSent", []string{"Status", ""}},
		{"long value", "EmailsSent", []string{"Status", strings.Repeat("x", 256)}},
		{"bad dimension name", "EmailsSent", []string{"the status", "ok"}},
		{"the function's dimension", "EmailsSent", []string{"Function", "mailer"}},
		{"twice", "EmailsSent", []string{"Status", "a", "Status", "b"}},
		{"the metric's own name", "EmailsSent", []string{"EmailsSent", "a"}},
		{"bad metric name", "emails sent", nil},
		{"_aws", "_aws", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, out, warnings := newSink(t)
			ctx, flush := s.Batch(context.Background())
			s.Count(ctx, tt.metric, 1, tt.dims...)
			s.Count(ctx, "EmailsFailed", 1)
			flush()
			docs := documents(t, out)
			if len(docs) != 1 || docs[0]["EmailsFailed"] != 1.0 || len(docs[0]) != 3 {
				t.Errorf("documents: %v", docs)
			}
			if !strings.Contains(warnings.String(), `"msg":"metric dropped"`) {
				t.Errorf("no warning: %q", warnings)
			}
		})
	}
	t.Run("not a number", func(t *testing.T) {
		s, out, warnings := newSink(t)
		s.record(context.Background(), "ApiLatency", Milliseconds, nan(), false, nil)
		if out.Len() != 0 || !strings.Contains(warnings.String(), "finite") {
			t.Errorf("out %q, warnings %q", out, warnings)
		}
	})
	t.Run("two units", func(t *testing.T) {
		s, out, warnings := newSink(t)
		ctx, flush := s.Batch(context.Background())
		s.Count(ctx, "ApiLatency", 1)
		s.Duration(ctx, "ApiLatency", time.Second)
		flush()
		if docs := documents(t, out); len(docs) != 1 || docs[0]["ApiLatency"] != 1.0 || !strings.Contains(warnings.String(), "two units") {
			t.Errorf("documents %v, warnings %q", docs, warnings)
		}
	})
}

func nan() float64 { var zero float64; return zero / zero }

func TestOutsideABatchEachRecordIsWrittenAtOnce(t *testing.T) {
	s, out, _ := newSink(t)
	s.Count(context.Background(), "EmailsSent", 1)
	if docs := documents(t, out); len(docs) != 1 || docs[0]["EmailsSent"] != 1.0 {
		t.Fatalf("documents: %v", docs)
	}
	ctx, flush := s.Batch(context.Background())
	flush()
	s.Count(ctx, "EmailsSent", 2) // after its batch was written
	if docs := documents(t, out); len(docs) != 2 || docs[1]["EmailsSent"] != 2.0 {
		t.Errorf("documents: %v", docs)
	}
	other, _, _ := newSink(t)
	octx, oflush := other.Batch(context.Background())
	s.Count(octx, "EmailsSent", 3) // another sink's batch is not this one's
	oflush()
	if docs := documents(t, out); len(docs) != 3 || docs[2]["EmailsSent"] != 3.0 {
		t.Errorf("documents: %v", docs)
	}
}

func TestConcurrentRecordsAllArrive(t *testing.T) {
	s, out, _ := newSink(t)
	ctx, flush := s.Batch(context.Background())
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 100 {
				s.Count(ctx, "WebhookDeliveries", 1, "Status", "delivered")
				s.Duration(ctx, "WebhookDeliveryLatency", time.Millisecond)
				s.Count(context.Background(), "EmailsSent", 1) // written at once, concurrently
			}
		})
	}
	wg.Wait()
	flush()
	var deliveries, latencies, sent float64
	for _, d := range documents(t, out) {
		if v, ok := d["WebhookDeliveries"].(float64); ok {
			deliveries += v
		}
		if v, ok := d["WebhookDeliveryLatency"].([]any); ok {
			latencies += float64(len(v))
		}
		if v, ok := d["EmailsSent"].(float64); ok {
			sent += v
		}
	}
	if deliveries != 1600 || latencies != 1600 || sent != 1600 {
		t.Errorf("deliveries %v, latencies %v, sent %v; want 1600 each", deliveries, latencies, sent)
	}
}

func TestInvocationWritesWhenTheHandlerReturns(t *testing.T) {
	s, out, _ := newSink(t)
	h := Invocation(s, func(ctx context.Context, n int) (string, error) {
		s.Count(ctx, "SyncRuns", n, "Status", "applied")
		s.Count(ctx, "SyncRuns", n, "Status", "applied")
		if out.Len() != 0 {
			t.Error("written during the invocation")
		}
		return "done", errors.New("failed")
	})
	if got, err := h(context.Background(), 2); got != "done" || err == nil {
		t.Errorf("handler answered %q, %v", got, err)
	}
	if docs := documents(t, out); len(docs) != 1 || docs[0]["SyncRuns"] != 4.0 {
		t.Errorf("documents: %v", docs)
	}
}

func TestHandlerWritesEachRequestsMetrics(t *testing.T) {
	s, out, _ := newSink(t)
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Count(r.Context(), "ApiRequests", 1, "StatusClass", "2xx")
		s.Count(r.Context(), "ApiRequests", 1, "StatusClass", "2xx")
		w.WriteHeader(http.StatusNoContent)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if docs := documents(t, out); len(docs) != 2 || docs[0]["ApiRequests"] != 2.0 || docs[1]["ApiRequests"] != 2.0 {
		t.Errorf("documents: %v", docs)
	}
}

// failingWriter refuses every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("stdout closed") }

func TestAWriteThatFailsIsOnlyLogged(t *testing.T) {
	var warnings bytes.Buffer
	s, err := New(failingWriter{}, Config{Namespace: "Gatehouse", Function: "mailer", Logger: slog.New(slog.NewJSONHandler(&warnings, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Count(context.Background(), "EmailsSent", 1)
	if !strings.Contains(warnings.String(), "stdout closed") {
		t.Errorf("warnings: %q", warnings.String())
	}
}

func TestNothingIsRecordedWithoutAWriter(t *testing.T) {
	var s *Sink
	ctx, flush := s.Batch(context.Background())
	s.Count(ctx, "EmailsSent", 1)
	s.Duration(ctx, "EmailSendLatency", time.Second)
	flush()
	quiet, err := New(nil, Config{Namespace: "Gatehouse", Function: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, flush = quiet.Batch(context.Background())
	quiet.Count(ctx, "EmailsSent", 1)
	flush()
	if ctx.Value(batchKey{}) != nil {
		t.Error("a discarding sink started a batch")
	}
}

func TestNewChecksItsConfiguration(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Namespace: "", Function: "api"}, "namespace"},
		{Config{Namespace: "AWS/Lambda", Function: "api"}, "AWS/"},
		{Config{Namespace: "Gatehouse\nprod", Function: "api"}, "namespace"},
		{Config{Namespace: strings.Repeat("g", 256), Function: "api"}, "namespace"},
		{Config{Namespace: "Gatehouse/prod"}, "function"},
	}
	for _, tt := range tests {
		if _, err := New(&bytes.Buffer{}, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
	if _, err := New(&bytes.Buffer{}, Config{Namespace: "Gatehouse/my-stack_1", Function: "api"}); err != nil {
		t.Errorf("a stack's namespace refused: %v", err)
	}
}

// BenchmarkRequestMetrics is what one API request's metrics cost: two records gathered in
// its batch and written as two documents when it ends.
func BenchmarkRequestMetrics(b *testing.B) {
	s, err := New(io.Discard, Config{Namespace: "Gatehouse/bench", Function: "api"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx, flush := s.Batch(context.Background())
		s.Count(ctx, "ApiRequests", 1, "Route", "POST /api/v1/invitations", "StatusClass", "2xx")
		s.Duration(ctx, "ApiLatency", 12*time.Millisecond, "Route", "POST /api/v1/invitations")
		flush()
	}
}

func TestNamesAndNamespaces(t *testing.T) {
	long := strings.Repeat("a", 128)
	for name, want := range map[string]bool{
		"Invitations": true, "A": true, "a1B2": true, long: true,
		"": false, "1abc": false, "with space": false, "dash-ed": false, "under_score": false, long + "a": false, "Ünicode": false,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
	for ns, want := range map[string]bool{
		"Gatehouse": true, "Gatehouse/prod": true, "a.b_c/d#e:f -g": true, strings.Repeat("n", 255): true,
		"": false, strings.Repeat("n", 256): false, "semi;colon": false, "tab\there": false, "Ünicode": false,
	} {
		if got := validNamespace(ns); got != want {
			t.Errorf("validNamespace(%q) = %v, want %v", ns, got, want)
		}
	}
}
