package dynamotest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Fault is what happens to one request to DynamoDB.
type Fault int

// The faults. Throttle, ServerError and Refuse never reach DynamoDB; TimeoutAfter and
// ResetAfter reach it, are applied, and lose the answer: the caller cannot know it succeeded.
const (
	None         Fault = iota
	Throttle           // 400 ThrottlingException (or ProvisionedThroughputExceededException, every other one)
	ServerError        // 500 InternalServerError
	Refuse             // the connection is refused
	TimeoutAfter       // applied, then the answer times out
	ResetAfter         // applied, then the connection is reset
)

func (f Fault) String() string {
	return [...]string{"none", "throttle", "server error", "refuse", "timeout after applying", "reset after applying"}[f]
}

// Schedule decides each request's fault from its operation (GetItem, TransactWriteItems…).
type Schedule func(op string) Fault

// Inject makes the env's client meet faults by schedule (nil: none again).
func (e Env) Inject(schedule Schedule) {
	e.Requests.matching.Store(nil)
	if schedule == nil {
		e.Requests.faults.Store(nil)
		return
	}
	e.Requests.faults.Store(&schedule)
}

// InjectWhere is Inject for the requests whose body holds text alone (such as the one
// transaction that writes a given address); the others pass untouched and uncounted.
func (e Env) InjectWhere(text string, schedule Schedule) {
	e.Inject(schedule)
	e.Requests.matching.Store(&text)
}

// Every fails every nth request of the operations ops (all operations when none) with f,
// counting from the first; it is safe for concurrent use.
func Every(n int, f Fault, ops ...string) Schedule {
	var mu sync.Mutex
	count := 0
	return func(op string) Fault {
		if len(ops) > 0 && !slices.Contains(ops, op) {
			return None
		}
		mu.Lock()
		defer mu.Unlock()
		count++
		if count%n == 0 {
			return f
		}
		return None
	}
}

// Burst fails n requests in a row of the operations ops (all when none) with f, starting with
// the from-th (from 1): enough in a row to outlast every retry, so that one write fails for
// good while those before and after it succeed.
func Burst(from, n int, f Fault, ops ...string) Schedule {
	var mu sync.Mutex
	count := 0
	return func(op string) Fault {
		if len(ops) > 0 && !slices.Contains(ops, op) {
			return None
		}
		mu.Lock()
		defer mu.Unlock()
		if count++; count >= from && count < from+n {
			return f
		}
		return None
	}
}

// First fails the first n requests of the operations ops (all when none) with f.
func First(n int, f Fault, ops ...string) Schedule {
	var mu sync.Mutex
	count := 0
	return func(op string) Fault {
		if len(ops) > 0 && !slices.Contains(ops, op) {
			return None
		}
		mu.Lock()
		defer mu.Unlock()
		if count++; count <= n {
			return f
		}
		return None
	}
}

var throttles sync.Mutex
var throttleCount int

// inject carries out fault f on request r, which send would send.
func inject(f Fault, r *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	switch f {
	case Throttle:
		throttles.Lock()
		throttleCount++
		code := "ThrottlingException"
		if throttleCount%2 == 0 {
			code = "ProvisionedThroughputExceededException"
		}
		throttles.Unlock()
		return answer(r, http.StatusBadRequest, code, "Rate of requests exceeds the allowed throughput."), nil
	case ServerError:
		return answer(r, http.StatusInternalServerError, "InternalServerError", "Internal server error"), nil
	case Refuse:
		return nil, fmt.Errorf("dial tcp %s: %w", r.URL.Host, syscall.ECONNREFUSED)
	case TimeoutAfter, ResetAfter:
		res, err := send(r)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if f == TimeoutAfter {
			return nil, fmt.Errorf("read %s: %w", r.URL.Host, context.DeadlineExceeded)
		}
		return nil, fmt.Errorf("read tcp %s: %w", r.URL.Host, syscall.ECONNRESET)
	}
	return send(r)
}

// answer is DynamoDB's JSON error response.
func answer(r *http.Request, status int, code, message string) *http.Response {
	body := fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, message)
	return &http.Response{
		Status: http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Requestid": {"FAULT"}},
		Body:   io.NopCloser(bytes.NewReader([]byte(body))), ContentLength: int64(len(body)), Request: r,
	}
}

// Delay adds d to every request the env's client sends, as the network to DynamoDB in AWS
// does (about 10 ms a round trip); 0 takes it away.
func (e Env) Delay(d time.Duration) { e.Requests.delay.Store(int64(d)) }
