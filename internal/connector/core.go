package connector

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"gatehouse/internal/egress"
)

// core is what every connector shares: the HTTP client, the limits and clock, the count of
// requests, and the provider's way of putting its errors in words.
type core struct {
	provider Provider
	opts     Options
	client   *http.Client
	requests *atomic.Int64
	secrets  []string
	// explain turns a response that is not a success into an *Error (without the group
	// and page, which the caller fills in) and says whether a retry may help.
	explain func(rq request, r *response) (e *Error, retry bool)
	rate    *rateGate // Okta's rate-limit headers; nil for the others
}

// newCore builds the core of a connector of provider p.
func newCore(p Provider, opts Options, secrets ...string) (*core, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &core{provider: p, opts: opts, requests: new(atomic.Int64)}
	for _, s := range secrets {
		if len(s) >= 4 {
			c.secrets = append(c.secrets, s)
		}
	}
	cl := *opts.HTTPClient
	next := cl.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cl.Transport = &counting{next: next, n: c.requests}
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		return &egress.RedirectError{From: via[len(via)-1].URL.Host, To: req.URL.Host}
	}
	c.client = &cl
	return c, nil
}

// counting counts the requests that pass.
type counting struct {
	next http.RoundTripper
	n    *atomic.Int64
}

// RoundTrip counts req and sends it on.
func (t *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(req)
}

// request is one GET of a connector.
type request struct {
	group string // for errors; "" when not about a group
	page  int    // for errors; 0 when not a page of members
	url   string
	auth  authorizer
}

// authorizer signs requests in.
type authorizer interface {
	// authorize sets the request's credentials; it returns the generation of the token it
	// used, or an *Error.
	authorize(ctx context.Context, req *http.Request) (int, error)
	// refresh drops the token of generation gen after the API refused it, and reports
	// whether signing in again may help.
	refresh(gen int) bool
}

// response is a response read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// fail builds an *Error of this connector about rq, with its reason scrubbed of secrets.
func (c *core) fail(rq request, kind error, status int, code, reason string, cause error) *Error {
	return &Error{Provider: c.provider, Group: rq.group, Page: rq.page, Status: status, Code: code,
		Reason: c.scrub(reason), Kind: kind, cause: cause}
}

// scrub replaces any credential in s: a provider that echoes one back in an error
// message must not put it in a report.
func (c *core) scrub(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

// do sends rq once and reads the response into buf (reset first), within the size limit.
func (c *core) do(ctx context.Context, rq request, buf *bytes.Buffer) (*response, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rq.url, nil)
	if err != nil {
		return nil, 0, c.fail(rq, ErrBadResponse, 0, "", "cannot request "+rq.url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gatehouse-directory-sync")
	gen := 0
	if rq.auth != nil {
		if gen, err = rq.auth.authorize(ctx, req); err != nil {
			return nil, gen, err
		}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, gen, c.transportError(ctx, rq, err)
	}
	defer resp.Body.Close()
	limit := c.opts.MaxPageBytes
	if resp.StatusCode/100 != 2 {
		limit = min(limit, 64<<10) // an error page: enough for its JSON
	}
	buf.Reset()
	if err := egress.ReadInto(buf, resp.Body, limit); err != nil {
		if errors.Is(err, egress.ErrTooLarge) && resp.StatusCode/100 == 2 {
			return nil, gen, c.fail(rq, ErrBadResponse, resp.StatusCode, "",
				fmt.Sprintf("%s sent a page larger than %s", c.provider.name(), size(limit)), err)
		}
		if !errors.Is(err, egress.ErrTooLarge) {
			return nil, gen, c.transportError(ctx, rq, err)
		}
	}
	body := buf.Bytes()
	if resp.StatusCode/100 != 2 {
		// An error page may echo a credential back; it is scrubbed before any part of it is
		// read or cut into a message, so no piece of a credential survives.
		body = c.scrubBytes(body)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, gen, nil
}

// scrubBytes is body with every credential, as sent, URL-encoded or JSON-escaped, replaced.
func (c *core) scrubBytes(body []byte) []byte {
	for _, secret := range c.secrets {
		escaped, _ := json.Marshal(secret)
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.Trim(string(escaped), `"`)} {
			if len(form) >= 4 {
				body = bytes.ReplaceAll(body, []byte(form), []byte(redacted))
			}
		}
	}
	return body
}

// transportError puts a failed exchange in words: an egress refusal (final), the end of
// the run (final), or a broken connection (worth a retry).
func (c *core) transportError(ctx context.Context, rq request, err error) *Error {
	if ctx.Err() != nil {
		return c.contextError(rq, ctx.Err())
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error() // without the URL, which the error already places
	}
	var certErr *tls.CertificateVerificationError
	final := errors.As(err, &certErr) // another try meets the same certificate
	for _, refusal := range []error{egress.ErrForbiddenAddress, egress.ErrForbiddenScheme, egress.ErrRedirect, egress.ErrUnresolvable} {
		final = final || errors.Is(err, refusal)
	}
	if final {
		return c.fail(rq, ErrUnreachable, 0, "", c.provider.name()+" cannot be reached: "+strings.TrimPrefix(msg, "egress: "), err)
	}
	return c.fail(rq, ErrUnavailable, 0, "", c.provider.name()+" could not be reached: "+strings.TrimPrefix(msg, "egress: "), err)
}

// contextError says that the run ended before the read did.
func (c *core) contextError(rq request, err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return c.fail(rq, ErrDeadline, 0, "", "the run's deadline passed", err)
	}
	return c.fail(rq, ErrDeadline, 0, "", "the run was canceled", err)
}

// size is a byte count for a message.
func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
