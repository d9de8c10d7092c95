package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// The errors a Backend returns, wrapped, for the handler to answer with the matching SCIM
// error. Any other error is a 500 whose text the client never sees.
var (
	// ErrNotFound: no user or group with that ID in the organization (404).
	ErrNotFound = errors.New("scim: not found")
	// ErrUniqueness: the userName, address or externalId is held by someone else (409
	// uniqueness). It is also the answer to a retried create.
	ErrUniqueness = errors.New("scim: already taken")
	// ErrMutability: the change is not allowed in the resource's current state, such as
	// deactivating the organization's last admin (409 mutability: the state, not the request,
	// is what refuses it).
	ErrMutability = errors.New("scim: change not allowed")
	// ErrInvalidValue: a value the domain refuses, such as a malformed address or a member
	// ID that names no user (400 invalidValue).
	ErrInvalidValue = errors.New("scim: invalid value")
	// ErrTooMany: the request would touch more than the backend is willing to process at
	// once (400 tooMany).
	ErrTooMany = errors.New("scim: too many")
	// ErrUnavailable: a passing failure such as a concurrent change or a busy database; the
	// client should retry (503 with Retry-After).
	ErrUnavailable = errors.New("scim: temporarily unavailable")
)

// WithDetail returns err carrying a sentence for the client, shown as the SCIM error's
// detail instead of the default one for err's sentinel. Keep secrets and internals out.
func WithDetail(err error, detail string) error { return &detailError{err: err, detail: detail} }

type detailError struct {
	err    error
	detail string
}

func (e *detailError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.err }

// errorSchema is the URN of RFC 7644's Error message.
const errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// The scimType values of RFC 7644 §3.12 that this package answers with.
const (
	typeInvalidFilter = "invalidFilter"
	typeTooMany       = "tooMany"
	typeUniqueness    = "uniqueness"
	typeMutability    = "mutability"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidPath   = "invalidPath"
	typeNoTarget      = "noTarget"
	typeInvalidValue  = "invalidValue"
)

// protocolError is a refusal decided by this package: a status, a scimType and a detail
// safe to show.
type protocolError struct {
	status   int
	scimType string
	detail   string
}

func (e *protocolError) Error() string { return e.scimType + ": " + e.detail }

// badRequest is a 400 of the given scimType.
func badRequest(scimType, format string, args ...any) *protocolError {
	return &protocolError{status: http.StatusBadRequest, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

// errorBody is the SCIM Error message; status is a string, as RFC 7644 §3.12 shows it.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// sentinels gives each backend error its answer: the one place that decides them.
var sentinels = []struct {
	err      error
	status   int
	scimType string
	detail   string
}{
	{ErrNotFound, http.StatusNotFound, "", "no resource with this id"},
	{ErrUniqueness, http.StatusConflict, typeUniqueness, "the userName, email address or externalId is already in use"},
	{ErrMutability, http.StatusConflict, typeMutability, "this change is not allowed in the resource's current state"},
	{ErrInvalidValue, http.StatusBadRequest, typeInvalidValue, "a value is not acceptable"},
	{ErrTooMany, http.StatusBadRequest, typeTooMany, "the request touches more than can be processed at once"},
	{ErrUnavailable, http.StatusServiceUnavailable, "", "temporarily unavailable; retry shortly"},
}

// errorFor maps err to the answer the client gets. Anything unknown is a 500 with a
// generic detail.
func errorFor(err error) *protocolError {
	var pe *protocolError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &tooBig):
		return &protocolError{status: http.StatusRequestEntityTooLarge, detail: "the request body must be at most " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"}
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			out := &protocolError{status: s.status, scimType: s.scimType, detail: s.detail}
			var d *detailError
			if errors.As(err, &d) && d.detail != "" {
				out.detail = d.detail
			}
			return out
		}
	}
	return &protocolError{status: http.StatusInternalServerError, detail: "something went wrong on our side; retry later"}
}

// writeError answers with the SCIM error for err, logging server-side failures (with their
// text, which the client never sees) exactly once.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	pe := errorFor(err)
	if pe.status >= http.StatusInternalServerError && !errors.Is(err, context.Canceled) {
		log.ErrorContext(r.Context(), "scim request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeProblem(w, pe)
}

// writeProblem sends pe as a SCIM Error message.
func writeProblem(w http.ResponseWriter, pe *protocolError) {
	switch pe.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, pe.status, errorBody{
		Schemas:  []string{errorSchema},
		Status:   strconv.Itoa(pe.status),
		ScimType: pe.scimType,
		Detail:   pe.detail,
	})
}

// WriteUnauthorized answers 401 with a SCIM Error body and a Bearer challenge, for the
// caller's authentication to use when a SCIM token is missing or wrong.
func WriteUnauthorized(w http.ResponseWriter) {
	writeProblem(w, &protocolError{status: http.StatusUnauthorized, detail: "send a valid SCIM token as 'Authorization: Bearer <token>'"})
}

// WriteError answers with a SCIM Error body of the given status, for the caller's own
// refusals (such as 403 or 429) in front of the handler; detail is shown to the client.
func WriteError(w http.ResponseWriter, status int, detail string) {
	writeProblem(w, &protocolError{status: status, detail: detail})
}

// writeJSON sends v as application/scim+json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
