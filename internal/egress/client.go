package egress

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/netip"
	"time"
)

// RedirectPolicy says what a client does with a redirect.
type RedirectPolicy int

// The redirect policies.
const (
	// RedirectRefuse fails the request with a *RedirectError (ErrRedirect): an API that
	// redirects is either misconfigured or trying to move a request elsewhere.
	RedirectRefuse RedirectPolicy = iota
	// RedirectFollow follows up to Options.MaxRedirects redirects; every hop passes the
	// same scheme and address checks as the first request, and Go drops the Authorization
	// header on a hop to another host.
	RedirectFollow
)

// Options configure a client. The zero value is the production policy: https only, public
// addresses only, no redirects, the default timeouts.
type Options struct {
	// LocalStack lets http and https reach 127.0.0.1 and [::1] (by IP literal; http only
	// then), for fake identity providers on the local stack and in tests. Wiring code sets
	// it for `gatehouse dev`; it is never read from API input or stored configuration.
	LocalStack bool
	// Redirects is RedirectRefuse (the default) or RedirectFollow.
	Redirects RedirectPolicy
	// MaxRedirects bounds RedirectFollow; 0 means 3.
	MaxRedirects int
	// Timeout bounds a whole request, body included; 0 means 60s.
	Timeout time.Duration
	// DialTimeout bounds one connection attempt; 0 means 10s.
	DialTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for a response's headers; 0 means 30s.
	ResponseHeaderTimeout time.Duration
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// RootCAs are the certificate authorities trusted; nil means the system's.
	RootCAs *x509.CertPool
}

func (o Options) dialTimeout() time.Duration    { return orDefault(o.DialTimeout, 10*time.Second) }
func (o Options) requestTimeout() time.Duration { return orDefault(o.Timeout, 60*time.Second) }
func (o Options) headerTimeout() time.Duration {
	return orDefault(o.ResponseHeaderTimeout, 30*time.Second)
}

func (o Options) maxRedirects() int {
	if o.MaxRedirects <= 0 {
		return 3
	}
	return o.MaxRedirects
}

// orDefault is d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// NewClient returns an *http.Client that reaches only public https hosts. Share one per
// process: it keeps connections alive between requests.
func NewClient(o Options) *http.Client {
	return newClient(o, newDialer(o))
}

// newClient builds the client of o around d.
func newClient(o Options, d *dialer) *http.Client {
	t := &http.Transport{
		Proxy:                  nil, // never HTTPS_PROXY: a proxy would dial for us, unchecked
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  o.headerTimeout(),
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    8,
		MaxResponseHeaderBytes: 256 << 10,
	}
	return &http.Client{
		Transport:     &guard{next: t, local: o.LocalStack},
		CheckRedirect: redirectPolicy(o),
		Timeout:       o.requestTimeout(),
	}
}

// guard refuses every request, redirects included, whose URL is not allowed, before any
// connection is made.
type guard struct {
	next  http.RoundTripper
	local bool
}

// RoundTrip checks the URL and hands the request on.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkScheme(req.URL.Scheme, req.URL.Hostname(), g.local); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// checkScheme allows https, and http to a loopback IP literal on the local stack.
func checkScheme(scheme, host string, local bool) error {
	switch scheme {
	case "https":
		if host == "" {
			return &SchemeError{Host: "(no host)", Scheme: scheme}
		}
		return nil
	case "http":
		if a, err := netip.ParseAddr(host); local && err == nil && a.IsLoopback() {
			return nil
		}
	}
	return &SchemeError{Host: host, Scheme: scheme}
}

// redirectPolicy is the client's CheckRedirect.
func redirectPolicy(o Options) func(*http.Request, []*http.Request) error {
	limit := o.maxRedirects()
	return func(req *http.Request, via []*http.Request) error {
		from := via[len(via)-1].URL.Host
		switch {
		case o.Redirects != RedirectFollow:
			return &RedirectError{From: from, To: req.URL.Host}
		case len(via) > limit:
			return &RedirectError{From: from, To: req.URL.Host, Hops: len(via) - 1}
		}
		return nil
	}
}
