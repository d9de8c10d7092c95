package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
)

// tokenAuth signs requests in with an OAuth 2.0 access token, fetched once and reused for
// its lifetime by every request of the connector (oauth2.ReuseTokenSource), and fetched
// anew when the API refuses it. Fetching holds the lock, so that groups read at once
// share one sign-in.
type tokenAuth struct {
	mu   sync.Mutex
	tok  *oauth2.Token
	gen  int
	core *core
	// fetch gets a new token; ctx carries the HTTP client for oauth2.
	fetch func(ctx context.Context) (*oauth2.Token, error)
	// words puts the token endpoint's refusal in words: its status, OAuth error code and
	// description.
	words func(status int, code, desc string) (kind error, reason string)
}

func (a *tokenAuth) authorize(ctx context.Context, req *http.Request) (int, error) {
	tok, gen, err := a.token(ctx)
	if err != nil {
		return 0, err
	}
	tok.SetAuthHeader(req)
	return gen, nil
}

// token returns the cached token while it is valid, else a new one.
func (a *tokenAuth) token(ctx context.Context) (*oauth2.Token, int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	tctx := context.WithValue(ctx, oauth2.HTTPClient, a.core.client)
	tok, err := oauth2.ReuseTokenSource(a.tok, sourceFunc(func() (*oauth2.Token, error) { return a.fetch(tctx) })).Token()
	if err != nil {
		return nil, 0, a.explain(ctx, err)
	}
	if tok != a.tok {
		a.tok = tok
		a.gen++
	}
	return tok, a.gen, nil
}

func (a *tokenAuth) refresh(gen int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if gen == a.gen {
		a.tok = nil
	}
	return true
}

// explain puts a failed sign-in in words. The oauth2 error itself is not kept: it holds
// the token endpoint's whole answer.
func (a *tokenAuth) explain(ctx context.Context, err error) *Error {
	status, code, desc, ok := retrieveError(err)
	var e *Error
	switch {
	case ctx.Err() != nil:
		e = a.core.contextError(request{}, ctx.Err())
	case !ok:
		e = a.core.transportError(ctx, request{}, err)
	case status == http.StatusTooManyRequests || status >= 500:
		e = a.core.fail(request{}, ErrUnavailable, status, code, fmt.Sprintf("the sign-in endpoint answered %d", status), nil)
	default:
		kind, reason := a.words(status, code, desc)
		return a.core.fail(request{}, kind, status, code, reason, nil)
	}
	e.Reason = "signing in: " + e.Reason
	return e
}

// sourceFunc is a function as an oauth2.TokenSource.
type sourceFunc func() (*oauth2.Token, error)

// Token calls f.
func (f sourceFunc) Token() (*oauth2.Token, error) { return f() }

// staticAuth signs requests in with a fixed Authorization header (Okta's SSWS token, a
// SCIM bearer token); signing in again cannot help.
type staticAuth struct {
	header string
}

func (a staticAuth) authorize(_ context.Context, req *http.Request) (int, error) {
	req.Header.Set("Authorization", a.header)
	return 0, nil
}

func (staticAuth) refresh(int) bool { return false }

// retrieveError is the token endpoint's refusal: its status, OAuth error code and first
// line of description, or nil when err is not one (a network failure).
func retrieveError(err error) (status int, code, desc string, ok bool) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return 0, "", "", false
	}
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code, desc = re.ErrorCode, re.ErrorDescription
	if code == "" {
		// oauth2/jwt leaves the body unparsed: {"error": ..., "error_description": ...}
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			code, desc = body.Error, body.Description
		}
	}
	return status, code, oneLine(desc), true
}
