package client

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gatehouse/internal/org"
)

// Problem is an answer other than a success: the API's RFC 9457 problem document, or, for
// an answer that is not one (a gateway's error page), its status and the start of its body.
type Problem struct {
	Status int
	// Code is the API's stable code, such as not_found; empty when the answer was not a
	// problem document.
	Code   string
	Detail string
	// Errors are the fields at fault, for bad input.
	Errors []org.FieldError
	// ExistingID names the invitation or member that already holds an address.
	ExistingID string
	RequestID  string
	// RetryAfter is the answer's Retry-After; zero when it has none.
	RetryAfter time.Duration
}

// Error reads as the code and the API's detail, with the request id of a server error (to
// quote to its operators).
func (p *Problem) Error() string {
	var b strings.Builder
	if p.Code != "" {
		b.WriteString(p.Code)
	} else {
		fmt.Fprintf(&b, "%d %s", p.Status, http.StatusText(p.Status))
	}
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	if p.Status >= 500 && p.RequestID != "" {
		b.WriteString(" (request id " + p.RequestID + ")")
	}
	return b.String()
}

// Retryable reports whether the same request may succeed later: the API or a gateway in
// front of it was unavailable, a rate limit, or a request with the same Idempotency-Key still
// running. An outcome_unknown answer is retryable too: sent again with the same key it is
// never applied twice.
func (p *Problem) Retryable() bool {
	switch p.Status {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	case http.StatusConflict:
		return p.Code == "idempotency_in_progress"
	}
	return false
}

// problemDoc is the problem document as the API sends it.
type problemDoc struct {
	Status     int              `json:"status"`
	Detail     string           `json:"detail"`
	Code       string           `json:"code"`
	Errors     []org.FieldError `json:"errors"`
	RequestID  string           `json:"requestId"`
	ExistingID string           `json:"existingId"`
}

// problemOf reads a failed answer.
func problemOf(res *http.Response, raw []byte) *Problem {
	p := &Problem{Status: res.StatusCode, RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
	media, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	var doc problemDoc
	if (media == "application/problem+json" || media == "application/json") && json.Unmarshal(raw, &doc) == nil && doc.Code != "" {
		p.Code, p.Detail, p.Errors, p.RequestID, p.ExistingID = doc.Code, doc.Detail, doc.Errors, doc.RequestID, doc.ExistingID
		return p
	}
	p.Detail = "the answer is not the API's (" + describe(media, raw) + "); check the API address"
	return p
}

// describe names what an answer that is not a problem document holds.
func describe(media string, raw []byte) string {
	if media == "" {
		media = "no content type"
	}
	text := strings.Join(strings.Fields(string(raw)), " ")
	if len(text) > 120 {
		text = text[:120]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
		text += "…"
	}
	if text == "" {
		return media + ", empty"
	}
	return fmt.Sprintf("%s: %q", media, text)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
