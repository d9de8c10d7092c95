// Package metrics writes CloudWatch metrics in the embedded metric format (EMF): JSON lines
// on a Lambda function's standard output, from which CloudWatch Logs extracts the values.
// Metrics recorded during an invocation or request are gathered in a batch and written
// once, when it ends; nothing goes over the network, and nothing here can fail or hold up
// the work being measured: a metric that cannot be written is reported to the logger and
// dropped.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Unit is a CloudWatch unit.
type Unit string

// The units Gatehouse records in.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
)

// FunctionDimension is the dimension every metric carries: which process recorded it.
const FunctionDimension = "Function"

// Limits of one EMF document (CloudWatch's).
const (
	maxMetrics    = 100 // metric definitions in one directive
	maxValues     = 100 // values of one metric in one document
	maxDimensions = 29  // dimensions of one record, besides Function (30 in a set)
	maxValueLen   = 255 // a dimension value, as alarms accept it
)

// Config says where metrics go and what they are filed under.
type Config struct {
	// Namespace is the CloudWatch namespace, such as Gatehouse/prod; required.
	Namespace string
	// Function is the value of the Function dimension: api, mailer, slack, sync, webhooks, dev.
	Function string
	// Now is the clock documents are stamped with (time.Now when nil).
	Now func() time.Time
	// Logger hears of metrics that could not be written; nil drops them silently.
	Logger *slog.Logger
}

// Sink writes metrics as EMF documents, one JSON line each, to its writer. Its methods are
// safe for concurrent use, and a nil *Sink records nothing.
type Sink struct {
	cfg Config
	mu  sync.Mutex // one document is written at a time, in one Write
	w   io.Writer
}

// validName reports whether s may name a metric or a dimension: a letter, then up to 127
// letters and digits. (Not a regular expression: its counted repetition compiles to a
// program that every cold start would build.)
func validName(s string) bool {
	if len(s) == 0 || len(s) > 128 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// validNamespace reports whether s is what CloudWatch accepts as a custom namespace: 1 to
// 255 letters, digits and the characters . _ / # : - and space.
func validNamespace(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && !strings.ContainsRune("._/#: -", rune(c)) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// New returns a Sink writing to w; a nil w discards everything (and does no work).
func New(w io.Writer, c Config) (*Sink, error) {
	if err := CheckNamespace(c.Namespace); err != nil {
		return nil, err
	}
	if c.Function == "" || len(c.Function) > maxValueLen {
		return nil, fmt.Errorf("metrics: the function name must be 1 to %d characters, got %q", maxValueLen, c.Function)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sink{cfg: c, w: w}, nil
}

// CheckNamespace reports whether ns may be a custom CloudWatch namespace.
func CheckNamespace(ns string) error {
	switch {
	case !validNamespace(ns):
		return fmt.Errorf("metrics namespace %q must be 1 to 255 letters, digits, spaces or . _ / # : -", ns)
	case strings.HasPrefix(ns, "AWS/"):
		return fmt.Errorf("metrics namespace %q must not start with AWS/, which is AWS's own", ns)
	}
	return nil
}

// Count records n of name (unit Count). dims are name, value pairs, of values drawn from a
// small fixed set: each distinct combination is a metric of its own.
func (s *Sink) Count(ctx context.Context, name string, n int, dims ...string) {
	s.record(ctx, name, Count, float64(n), true, dims)
}

// Duration records d of name, in milliseconds; a negative d (clocks apart) counts as 0.
func (s *Sink) Duration(ctx context.Context, name string, d time.Duration, dims ...string) {
	s.record(ctx, name, Milliseconds, float64(max(d, 0))/float64(time.Millisecond), false, dims)
}

// record adds one value to the batch of ctx, or writes it at once outside any batch.
func (s *Sink) record(ctx context.Context, name string, unit Unit, v float64, sum bool, dims []string) {
	if s == nil || s.w == nil {
		return
	}
	if err := check(name, v, dims); err != nil {
		s.cfg.Logger.WarnContext(ctx, "metric dropped", "metric", name, "err", err)
		return
	}
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.sink == s && b.add(ctx, name, unit, v, sum, dims) {
		return
	}
	one := newBatch(s)
	one.add(ctx, name, unit, v, sum, dims)
	one.flush(ctx)
}

// check reports what is wrong with a record, so that one bad call never spoils a document.
func check(name string, v float64, dims []string) error {
	if !validName(name) {
		return errors.New("a metric name must be letters and digits, starting with a letter")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("the value is not a finite number")
	}
	if len(dims)%2 != 0 {
		return errors.New("dimensions must be name, value pairs")
	}
	if len(dims)/2 > maxDimensions {
		return fmt.Errorf("at most %d dimensions", maxDimensions)
	}
	seen := map[string]bool{FunctionDimension: true, name: true}
	for i := 0; i < len(dims); i += 2 {
		k, val := dims[i], dims[i+1]
		switch {
		case !validName(k):
			return fmt.Errorf("dimension name %q must be letters and digits, starting with a letter", k)
		case seen[k]:
			return fmt.Errorf("dimension %s is given twice, or is the metric's or the function's", k)
		case val == "" || len(val) > maxValueLen:
			return fmt.Errorf("dimension %s must have a value of 1 to %d characters", k, maxValueLen)
		}
		seen[k] = true
	}
	return nil
}

// Batch starts gathering the metrics recorded with the returned context (or one derived
// from it); flush writes them, once, and later records are written as they come. Call
// flush when the invocation or request ends.
func (s *Sink) Batch(ctx context.Context) (context.Context, func()) {
	if s == nil || s.w == nil {
		return ctx, func() {}
	}
	b := newBatch(s)
	return context.WithValue(ctx, batchKey{}, b), func() { b.flush(ctx) }
}

// Invocation wraps a Lambda handler so that each invocation's metrics are written once, as
// it returns (or panics).
func Invocation[E, R any](s *Sink, h func(context.Context, E) (R, error)) func(context.Context, E) (R, error) {
	return func(ctx context.Context, e E) (R, error) {
		ctx, flush := s.Batch(ctx)
		defer flush()
		return h(ctx, e)
	}
}

// Handler wraps an HTTP handler so that each request's metrics are written once, when it
// has been answered.
func (s *Sink) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, flush := s.Batch(r.Context())
		defer flush()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// write sends one document, in one Write, so that lines of concurrent batches never mix.
func (s *Sink) write(ctx context.Context, line []byte) {
	s.mu.Lock()
	_, err := s.w.Write(line)
	s.mu.Unlock()
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "metrics not written", "err", err)
	}
}
