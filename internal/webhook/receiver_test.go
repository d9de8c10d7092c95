package webhook

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// received is one request a receiver got.
type received struct {
	Header http.Header
	Body   []byte
}

// receiver is an HTTP server on 127.0.0.1 that records what it gets and answers with
// handle.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []received
	done chan struct{} // closed when the test ends, to release handlers that wait
}

// newReceiver starts a receiver; handle nil answers 204.
func newReceiver(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte)) *receiver {
	t.Helper()
	rc := &receiver{done: make(chan struct{})}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: read body: %v", err)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{Header: r.Header.Clone(), Body: body})
		rc.mu.Unlock()
		if handle == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		handle(w, r, body)
	}))
	t.Cleanup(func() { close(rc.done); rc.Close() })
	return rc
}

// requests is what the receiver got so far.
func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// testSender is a local Sender with the options o, its connections closed after the test.
func testSender(t *testing.T, o SenderOptions) *Sender {
	t.Helper()
	o.Local = true
	if o.Resolver == nil {
		o.Resolver = testDNS()
	}
	s := NewSender(o)
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// verifier answers 204 to a request that the library's Verify accepts with one of secrets,
// and 401 to any other.
func verifier(t *testing.T, secrets ...string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		for _, s := range secrets {
			wh, err := standardwebhooks.NewWebhook(s)
			if err != nil {
				t.Errorf("receiver: %v", err)
			}
			if err := wh.Verify(body, r.Header); err != nil {
				http.Error(w, "bad signature: "+err.Error(), http.StatusUnauthorized)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
