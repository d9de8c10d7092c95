package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"gatehouse/internal/egress"
	"gatehouse/internal/org"
)

// DefaultTimeout bounds one attempt when SenderOptions.Timeout is not set.
const DefaultTimeout = 10 * time.Second

// DefaultUserAgent is the User-Agent of a Sender whose options set none.
const DefaultUserAgent = "Gatehouse-Webhooks/1"

// maxRead bounds how much of an answer is read before the connection is let go.
const maxRead = 64 << 10

// maxRetryAfter bounds the wait a receiver may ask for with Retry-After: the longest step
// of the retry schedule.
const maxRetryAfter = MaxDelay

// Outcome is what an attempt means for the delivery.
type Outcome int

// The outcomes. The zero Outcome is none of them, so that a Result nobody filled in is
// never taken for a delivery.
const (
	// Delivered: the receiver answered 2xx.
	Delivered Outcome = iota + 1
	// Retry: no answer (timeout, connection error), 429, 5xx, a redirect, or a 4xx other
	// than 410. Try again later (NextAttempt).
	Retry
	// Gone: the receiver answered 410 Gone, asking for no more webhooks: disable the
	// endpoint.
	Gone
	// Refused: the URL is not valid, its address is one webhooks may never reach (egress),
	// or the message cannot be signed (no valid secret). Retrying cannot help.
	Refused
)

// String names the outcome in lower case, as stored.
func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case Gone:
		return "gone"
	case Refused:
		return "refused"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Result is what one attempt came to.
type Result struct {
	Outcome Outcome
	// Status is the HTTP status of the answer, or 0 when there was none.
	Status int
	// Body is at most the first MaxBody bytes of the answer's body: valid UTF-8, without
	// control characters, and with any signing secret or signature it held replaced by
	// "[redacted]".
	Body string
	// Error says what went wrong, in plain words, or is "" for a delivery. It never holds a
	// secret or the signature.
	Error string
	// RetryAfter is the wait a 429 or 503 asked for with Retry-After (at most MaxDelay), or
	// 0. Schedule the next attempt no earlier than now plus RetryAfter.
	RetryAfter time.Duration
	// Duration is how long the attempt took, answer read included.
	Duration time.Duration
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	// Local lets webhooks reach http://127.0.0.1:PORT and http://[::1]:PORT and loopback
	// addresses, for `gatehouse dev` and tests. Wiring code sets it; no API input does.
	Local bool
	// Timeout bounds one attempt, from connecting to reading the answer; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string
	// Resolver resolves endpoint host names; nil means the system's. Tests inject one.
	Resolver egress.Resolver
}

// Sender posts webhooks. It builds its own egress client, so that no endpoint can reach a
// private address whatever the caller passes; share one per process to reuse connections.
// Its methods are safe for concurrent use.
type Sender struct {
	client    *http.Client
	local     bool
	timeout   time.Duration
	userAgent string
}

// NewSender returns a Sender with the options o.
func NewSender(o SenderOptions) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	client := egress.NewClient(egress.Options{
		LocalStack:            o.Local,
		Timeout:               o.Timeout,
		DialTimeout:           o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		Resolver:              o.Resolver,
	})
	// The egress client already refuses redirects; taking the redirect itself as the answer
	// keeps its status and body for the delivery log.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Sender{client: client, local: o.Local, timeout: o.Timeout, userAgent: o.UserAgent}
}

// CloseIdleConnections closes the connections kept alive between deliveries.
func (s *Sender) CloseIdleConnections() { s.client.CloseIdleConnections() }

// Send posts body to url once, signed with every secret (Sign), with the headers
// webhook-id (id), webhook-timestamp (at, in Unix seconds), webhook-signature,
// Content-Type: application/json and User-Agent. It sends exactly what it is given: the
// caller passes the same id on every retry of one event, so that receivers can
// deduplicate, and the time of this attempt as at, since receivers refuse a timestamp more
// than a few minutes from their clock.
//
// It does not follow redirects, and reads at most 64 KiB of the answer. Every failure is
// in the Result; ctx ending early is a Retry.
func (s *Sender) Send(ctx context.Context, url string, secrets []string, id string, at time.Time, body []byte) Result {
	start := time.Now()
	res := s.send(ctx, url, secrets, id, at, body)
	res.Duration = time.Since(start)
	return res
}

// send is Send but for the duration.
func (s *Sender) send(ctx context.Context, url string, secrets []string, id string, at time.Time, body []byte) Result {
	sc := newScrubber(secrets, "")
	if _, err := parseURL(url, s.local); err != nil {
		return Result{Outcome: Refused, Error: sc.clean([]byte(problems(err)), maxError)}
	}
	sig, err := Sign(secrets, id, at, body)
	if err != nil {
		return Result{Outcome: Refused, Error: sc.clean([]byte("cannot sign the webhook: "+err.Error()), maxError)}
	}
	sc = newScrubber(secrets, sig)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Outcome: Refused, Error: sc.clean([]byte("url is not a valid URL"), maxError)}
	}
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)

	resp, err := s.client.Do(req)
	if err != nil {
		outcome, msg := s.failure(ctx, req.URL.Host, err)
		return Result{Outcome: outcome, Error: sc.clean([]byte(msg), maxError)}
	}
	// A body that stops early (the timeout, a reset) still leaves its status to go by.
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxRead))
	resp.Body.Close()

	res := Result{Status: resp.StatusCode, Body: sc.clean(b, MaxBody)}
	res.Outcome, res.Error = judge(resp)
	if res.Outcome == Retry && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		res.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	res.Error = sc.clean([]byte(res.Error), maxError)
	return res
}

// problems is the messages of a validation error, for a person to read.
func problems(err error) string {
	if verr, ok := errors.AsType[*org.ValidationError](err); ok {
		return org.Messages(verr.Fields)
	}
	return err.Error()
}

// maxError bounds Result.Error, in bytes.
const maxError = 500

// judge says what an answer means.
func judge(resp *http.Response) (Outcome, string) {
	code := resp.StatusCode
	status := strconv.Itoa(code)
	if text := http.StatusText(code); text != "" {
		status += " " + text
	}
	switch {
	case code >= 200 && code <= 299:
		return Delivered, ""
	case code == http.StatusGone:
		return Gone, "the endpoint answered " + status + ": it wants no more webhooks, so it is to be disabled"
	case code >= 300 && code <= 399:
		msg := "the endpoint answered " + status
		if loc, err := resp.Location(); err == nil {
			msg += " (a redirect to " + loc.Host + ")"
		}
		return Retry, msg + ", and redirects are not followed: correct the endpoint's URL"
	}
	return Retry, "the endpoint answered " + status
}

// failure says what a request that got no answer means.
func (s *Sender) failure(ctx context.Context, host string, err error) (Outcome, string) {
	var addr *egress.AddressError
	var res *egress.ResolveError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &addr):
		if addr.Host == "" {
			addr.Host = host
		}
		return Refused, addressMessage(addr)
	case errors.Is(err, egress.ErrForbiddenScheme):
		return Refused, schemeMessage(s.local)
	case errors.As(err, &res) && res.NotFound:
		return Retry, fmt.Sprintf("the host %s does not resolve to any address", res.Host)
	case errors.As(err, &res):
		return Retry, fmt.Sprintf("the host %s could not be looked up", res.Host)
	case errors.Is(ctx.Err(), context.Canceled):
		return Retry, "the attempt was canceled before the endpoint answered"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return Retry, "the attempt ran out of time before the endpoint answered"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return Retry, fmt.Sprintf("the endpoint did not answer within %s", s.timeout)
	}
	return Retry, fmt.Sprintf("could not reach %s: %s", host, innermost(err))
}

// innermost is the message of the deepest error err wraps: what went wrong, without the
// method and URL (which the caller knows) that *url.Error adds.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date) as a wait from now,
// bounded by maxRetryAfter; 0 when there is none or it cannot be read.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(n, 0), int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
