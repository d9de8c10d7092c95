package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
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
// is kept for a day and replayed to the same token for the same key and body; the same key
// with another body is a 422; a key whose first request is still running is a 409. Server
// errors are not kept, so a retry after one runs again. Keys belong to the calling token, and
// kept answers are sealed with a key derived from its secret.
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
		ctx := r.Context()
		p := principalFrom(ctx)
		seal, _ := ctx.Value(sealingKey).([]byte)
		scope, key := p.OrgID, p.Actor.ID+"\x00"+key
		t := now()
		claim := idempotency.Record{Fingerprint: idempotency.Fingerprint(r.Method, r.URL.Path, body), ExpiresAt: t.Add(idempotency.ClaimTTL)}
		prev, claimed, err := store.Claim(ctx, scope, key, claim, t)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if !claimed {
			replay(w, r, log, prev, claim.Fingerprint, seal)
			return
		}
		release := func() {
			if err := store.Release(ctx, scope, key); err != nil {
				log.ErrorContext(ctx, "release idempotency key", "requestId", requestIDFrom(ctx), "err", err)
			}
		}
		buf := &bufferedResponse{header: w.Header()}
		func() {
			defer func() {
				if v := recover(); v != nil {
					release()
					panic(v)
				}
			}()
			next.ServeHTTP(buf, r)
		}()
		// Server errors and rate limits are not kept: retrying after either (as Retry-After
		// says) runs the request again. An unknown outcome is kept: the request may have
		// been applied, so running it again could apply it twice.
		if (buf.status >= 500 && !unknownOutcome(buf)) || buf.status == http.StatusTooManyRequests {
			release()
		} else if err := complete(ctx, store, scope, key, claim, buf, seal, now()); err != nil {
			// The change is made. The claim lapses after ClaimTTL; a retry then runs again
			// and is refused by the state it finds (already invited, say).
			log.ErrorContext(ctx, "complete idempotency key", "requestId", requestIDFrom(ctx), "err", err)
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// unknownOutcome reports whether buf is the problem answer outcome_unknown.
func unknownOutcome(buf *bufferedResponse) bool {
	if buf.status != http.StatusServiceUnavailable {
		return false
	}
	var p struct{ Code string }
	return json.Unmarshal(buf.body.Bytes(), &p) == nil && p.Code == "outcome_unknown"
}

// complete keeps the finished answer, sealed, for a day.
func complete(ctx context.Context, store idempotency.Store, scope, key string, claim idempotency.Record, buf *bufferedResponse, seal []byte, t time.Time) error {
	sealed, err := idempotency.Seal(seal, buf.body.Bytes())
	if err != nil {
		return err
	}
	done := claim
	done.Done, done.Status, done.Body, done.ExpiresAt = true, buf.status, sealed, t.Add(idempotency.TTL)
	done.ContentType, done.Location = buf.header.Get("Content-Type"), buf.header.Get("Location")
	return store.Complete(ctx, scope, key, done)
}

// replay answers a repeated request from its kept record.
func replay(w http.ResponseWriter, r *http.Request, log *slog.Logger, prev idempotency.Record, fingerprint string, seal []byte) {
	switch {
	case prev.Fingerprint != fingerprint:
		writeProblem(w, r, newProblem(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"this Idempotency-Key was used for a different request; use a new key for a new request"))
		return
	case !prev.Done:
		w.Header().Set("Retry-After", strconv.Itoa(1))
		writeProblem(w, r, newProblem(http.StatusConflict, "idempotency_in_progress",
			"a request with this Idempotency-Key is still being processed; retry shortly"))
		return
	}
	body, err := idempotency.Open(seal, prev.Body)
	if err != nil {
		writeError(w, r, log, err)
		return
	}
	w.Header().Set("Idempotent-Replayed", "true")
	if prev.ContentType != "" {
		w.Header().Set("Content-Type", prev.ContentType)
	}
	if prev.Location != "" {
		w.Header().Set("Location", prev.Location)
	}
	w.WriteHeader(prev.Status)
	_, _ = w.Write(body)
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
