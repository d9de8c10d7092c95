// Package client calls Gatehouse's REST API for scripts and the gatehouse command: typed
// calls for invitations, members and the audit log, lists read to the end through their
// cursors, retries of the answers that say to retry (503, 429, 502 and 504 from a gateway, an
// Idempotency-Key still in progress, a connection lost) honouring Retry-After, and errors that
// carry the API's problem code and detail.
package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gatehouse/internal/pause"
)

// Config is what a Client is made from.
type Config struct {
	// URL is the API's base URL: http://127.0.0.1:3000 locally, the stack's ApiUrl output
	// (https://….execute-api.….amazonaws.com/Prod) deployed. A trailing /api/v1 is allowed.
	URL string
	// Token is the API token (ghk_…).
	Token string
	// HTTP sends the requests; a client with a 60 s timeout when nil.
	HTTP *http.Client
	// Retry bounds the retries; its zero value is the defaults.
	Retry Retry
	// Retrying, when set, hears of each retry before its wait.
	Retrying func(Retried)
}

// Retry bounds how a Client retries.
type Retry struct {
	// Attempts is how many times a request is sent at most (default 6).
	Attempts int
	// Base is the wait after the first failure (default 500 ms); it doubles with each try,
	// jittered, and a longer Retry-After is honoured.
	Base time.Duration
	// Max is the longest wait (default 30 s): an answer asking to wait longer (a Retry-After
	// of an hour for an address emailed too often) is returned rather than waited for.
	Max time.Duration
}

// Retried describes one retry: the try that failed, why, and how long the client waits.
type Retried struct {
	Attempt int
	Wait    time.Duration
	Err     error
}

// Client calls one Gatehouse API with one token. It is safe for concurrent use.
type Client struct {
	base     string
	token    string
	http     *http.Client
	retry    Retry
	retrying func(Retried)
	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New checks c and returns a Client.
func New(c Config) (*Client, error) {
	base, err := baseURL(c.URL)
	if err != nil {
		return nil, err
	}
	token := strings.TrimSpace(c.Token)
	switch {
	case token == "":
		return nil, errors.New("no API token: set GATEHOUSE_TOKEN or pass --token-file")
	case strings.ContainsAny(token, " \t\r\n"):
		return nil, errors.New("the API token holds spaces or line breaks; a token is one word, such as ghk_…")
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Retry.Attempts <= 0 {
		c.Retry.Attempts = 6
	}
	if c.Retry.Base <= 0 {
		c.Retry.Base = 500 * time.Millisecond
	}
	if c.Retry.Max <= 0 {
		c.Retry.Max = 30 * time.Second
	}
	return &Client{base: base, token: token, http: c.HTTP, retry: c.Retry, retrying: c.Retrying, sleep: pause.For}, nil
}

// baseURL checks raw and returns it without a trailing slash or /api/v1.
func baseURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("no API address: set GATEHOUSE_API or pass --api, such as --api http://127.0.0.1:3000")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("API address %q must be an http or https URL such as https://gatehouse.example.com", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	u.RawPath = ""
	return strings.TrimRight(u.String(), "/"), nil
}

// NewKey returns a fresh Idempotency-Key, for a request that is not to be repeated across
// runs (a run's own retries reuse it).
func NewKey() string { return "cli-" + crand.Text() }

// maxAnswerBytes bounds what is read of one answer.
const maxAnswerBytes = 32 << 20

// do sends one call, retrying as Retry allows, and decodes a 2xx answer into out (unless
// nil). A POST carries key as its Idempotency-Key, so that its retries are never applied
// twice. Any other answer is a *Problem.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, key string, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode the request: %w", err)
		}
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, method, target, payload, key, out)
		wait, again := c.retryable(err, attempt)
		if !again {
			return err
		}
		if c.retrying != nil {
			c.retrying(Retried{Attempt: attempt, Wait: wait, Err: err})
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (while waiting to retry after: %v)", serr, err)
		}
	}
}

// once sends one request.
func (c *Client) once(ctx context.Context, method, target string, payload []byte, key string, out any) error {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gatehouse-cli")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &transportError{err: err}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswerBytes))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &transportError{err: fmt.Errorf("read the answer: %w", err)}
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("the API answered %d with a body that is not the expected JSON: %w", res.StatusCode, err)
		}
		return nil
	}
	return problemOf(res, raw)
}

// transportError is a request that got no answer: the connection was refused, reset or
// timed out. Whether a write was applied is unknown, so it is retried with the same key.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// retryable says whether err, from the attempt-th try, is worth another and how long to
// wait first.
func (c *Client) retryable(err error, attempt int) (time.Duration, bool) {
	if err == nil || attempt >= c.retry.Attempts {
		return 0, false
	}
	wait := c.backoff(attempt)
	var p *Problem
	var te *transportError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cert):
		return 0, false
	case errors.As(err, &te):
		return wait, true
	case errors.As(err, &p) && p.Retryable():
		if p.RetryAfter > c.retry.Max {
			return 0, false
		}
		return max(wait, p.RetryAfter), true
	}
	return 0, false
}

// backoff is the jittered wait after the attempt-th try: Base doubled per try, at most Max.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.Base << min(attempt-1, 20)
	if d <= 0 || d > c.retry.Max {
		d = c.retry.Max
	}
	return d/2 + rand.N(d/2+1)
}
