package httpapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
)

// bufferedResponse captures a handler's answer so it can be stored before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// idempotent makes a POST with an Idempotency-Key header safe to retry: the first answer
// is kept for a day and replayed for the same key and body; the same key with another body
// is a 422; a key whose first request is still running is a 409. Server errors are not
// kept, so a retry after one runs again.
func idempotent(store idempotency.Store, now func() time.Time, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > idempotency.MaxKeyLength || !printableASCII(key) {
			writeError(w, r, log, org.Invalid("Idempotency-Key", "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 printable ASCII characters"))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p := principalFrom(r.Context())
		t := now()
		claim := idempotency.Record{Fingerprint: idempotency.Fingerprint(r.Method, r.URL.Path, body), ExpiresAt: t.Add(idempotency.TTL)}
		prev, claimed, err := store.Claim(r.Context(), p.OrgID, key, claim, t)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if !claimed {
			replay(w, r, log, prev, claim.Fingerprint)
			return
		}
		buf := &bufferedResponse{header: w.Header()}
		next.ServeHTTP(buf, r)
		if buf.status >= 500 {
			if err := store.Release(r.Context(), p.OrgID, key); err != nil {
				log.ErrorContext(r.Context(), "release idempotency key", "requestId", requestIDFrom(r.Context()), "err", err)
			}
		} else {
			done := claim
			done.Done, done.Status, done.Body = true, buf.status, buf.body.Bytes()
			done.ContentType, done.Location = buf.header.Get("Content-Type"), buf.header.Get("Location")
			if err := store.Complete(r.Context(), p.OrgID, key, done); err != nil {
				// The change is made; a retry will now be told the key is in use rather
				// than repeating it.
				log.ErrorContext(r.Context(), "complete idempotency key", "requestId", requestIDFrom(r.Context()), "err", err)
			}
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// replay answers a repeated request from its stored record.
func replay(w http.ResponseWriter, r *http.Request, log *slog.Logger, prev idempotency.Record, fingerprint string) {
	switch {
	case prev.Fingerprint != fingerprint:
		writeProblem(w, r, newProblem(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"this Idempotency-Key was used for a different request; use a new key for a new request"))
	case !prev.Done:
		w.Header().Set("Retry-After", strconv.Itoa(1))
		writeProblem(w, r, newProblem(http.StatusConflict, "idempotency_in_progress",
			"a request with this Idempotency-Key is still being processed; retry shortly"))
	default:
		w.Header().Set("Idempotent-Replayed", "true")
		if prev.ContentType != "" {
			w.Header().Set("Content-Type", prev.ContentType)
		}
		if prev.Location != "" {
			w.Header().Set("Location", prev.Location)
		}
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
	}
}

// printableASCII reports whether s holds only visible ASCII characters and spaces.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
