package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/httpstatus"
	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
)

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
	sealingKey
)

// requestIDFrom is the request's id, for logs and problem responses.
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// principalFrom is the authenticated caller; authenticate guarantees one is set.
func principalFrom(ctx context.Context) org.Principal {
	p, _ := ctx.Value(principalKey).(org.Principal)
	return p
}

// safeRequestID is what a client-supplied X-Request-Id may look like to be trusted in logs. It
// is compiled on first use: its counted repetition makes a large program, which every cold
// start would pay for.
var safeRequestID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`) })

// observe gives every request an id, common headers, an access log line (never with bodies
// or query strings, which may hold tokens), its metrics and a 500 instead of a crash on panic.
func observe(log *slog.Logger, requestID func(*http.Request) string, metrics requestMetrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		if id == "" {
			if h := r.Header.Get("X-Request-Id"); safeRequestID().MatchString(h) {
				id = h
			} else {
				id = ulid.Make().String()
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		rec := &httpstatus.Recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				log.ErrorContext(r.Context(), "panic", "requestId", id, "panic", fmt.Sprint(v))
				if rec.Status == 0 {
					writeProblem(rec, r, problemFor(errors.New("panic")))
				}
			}
			took := time.Since(start)
			log.InfoContext(r.Context(), "request",
				"requestId", id, "method", r.Method, "path", r.URL.Path,
				"status", rec.Status, "durationMs", took.Milliseconds())
			metrics.record(r.Context(), r, rec.Status, took)
		}()
		next.ServeHTTP(rec, r)
	})
}

// authenticate lets through only requests with a valid API token, recording who calls.
func authenticate(auth Authenticator, log *slog.Logger, next http.Handler) http.Handler {
	return authenticateBy(auth.Authenticate, log, next)
}

// authenticateBy is authenticate with the secret resolved by auth.
func authenticateBy(auth func(context.Context, string, org.Source) (org.Principal, error), log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			writeError(w, r, log, org.ErrUnauthenticated)
			return
		}
		p, err := auth(r.Context(), strings.TrimSpace(secret), sourceOf(r))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		ctx := context.WithValue(r.Context(), principalKey, p)
		// Derived from the secret, which is then dropped: kept answers can be opened only
		// by the holder of the token that caused them.
		ctx = context.WithValue(ctx, sealingKey, idempotency.SealingKey(strings.TrimSpace(secret)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SourceHeader names the door a request comes through, for the audit log: the Settings page
// sends "web"; anything else is "api". It labels, it does not authorize: the token does.
const SourceHeader = "X-Gatehouse-Source"

// sourceOf is the source a request's changes are recorded with.
func sourceOf(r *http.Request) org.Source {
	if r.Header.Get(SourceHeader) == string(org.SourceWeb) {
		return org.SourceWeb
	}
	return org.SourceAPI
}

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// decode reads a JSON body into v. Unknown fields are refused unless lenient, so a typo
// such as "emial" is reported instead of silently ignored.
func decode(w http.ResponseWriter, r *http.Request, v any, lenient bool) error {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	if !lenient {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return org.Invalid("body", "malformed_json", "request body must be a single JSON object")
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var verr *org.ValidationError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.As(err, &verr):
		return verr // a field's own decoder named the problem
	case errors.Is(err, io.EOF):
		return org.Invalid("body", "malformed_json", "request body is empty; send a JSON object")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return org.Invalid(field, "invalid_type", fmt.Sprintf("%s must be a JSON %s", field, jsonKind(typeErr.Type.Kind().String())))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return org.Invalid("body", "malformed_json", "request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return org.Invalid(name, "unknown_field", "unknown field "+name)
	}
	return org.Invalid("body", "malformed_json", "request body is not valid JSON")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "int32", "float64":
		return "number"
	case "slice":
		return "array"
	}
	return "object"
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
