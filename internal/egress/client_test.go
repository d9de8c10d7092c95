package egress

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// publicDNS is what the fake resolver answers in these tests. No test connects to a
// public address: the public answers only reach CheckURL, which does not connect.
func publicDNS() map[string][][]string {
	return map[string][][]string{
		"api.example.com":      {{"93.184.216.34"}},
		"internal.example.com": {{"10.1.2.3"}},
		"metadata.example.com": {{"169.254.169.254"}},
		"mapped.example.com":   {{"::ffff:192.168.0.10"}},
		"nat64.example.com":    {{"64:ff9b::a00:1"}},
		"ula.example.com":      {{"fd00:ec2::254"}},
		"mixed.example.com":    {{"93.184.216.34", "127.0.0.1"}},
		"rebind.example.com":   {{"93.184.216.34"}, {"10.0.0.5"}},
		"loop.example.com":     {{"127.0.0.1"}},
	}
}

func TestClientRefuses(t *testing.T) {
	cases := []struct {
		name, url string
		local     bool
		want      error
		words     []string
		notWords  []string
	}{
		{name: "http", url: "http://api.example.com/", want: ErrForbiddenScheme, words: []string{"http://api.example.com"}},
		{name: "other scheme", url: "ftp://api.example.com/x", want: ErrForbiddenScheme},
		{name: "private literal", url: "https://10.0.0.1/", want: ErrForbiddenAddress, words: []string{"10.0.0.1 is a private address"}},
		{name: "loopback literal", url: "https://127.0.0.1:8443/", want: ErrForbiddenAddress, words: []string{"loopback"}},
		{name: "ipv6 loopback", url: "https://[::1]/", want: ErrForbiddenAddress, words: []string{"loopback"}},
		{name: "metadata literal", url: "https://169.254.169.254/latest/meta-data/", want: ErrForbiddenAddress, words: []string{"link-local"}},
		{name: "mapped metadata literal", url: "https://[::ffff:169.254.169.254]/", want: ErrForbiddenAddress, words: []string{"IPv4-mapped link-local"}},
		{name: "name of a private address", url: "https://internal.example.com/", want: ErrForbiddenAddress,
			words: []string{"internal.example.com resolves to a private address"}, notWords: []string{"10.1.2.3"}},
		{name: "name of the metadata service", url: "https://metadata.example.com/", want: ErrForbiddenAddress, words: []string{"link-local"}},
		{name: "name of a mapped private address", url: "https://mapped.example.com/", want: ErrForbiddenAddress, words: []string{"IPv4-mapped private"}},
		{name: "name of a NAT64 private address", url: "https://nat64.example.com/", want: ErrForbiddenAddress, words: []string{"NAT64 private"}},
		{name: "name of a unique local address", url: "https://ula.example.com/", want: ErrForbiddenAddress, words: []string{"unique local"}},
		{name: "public and loopback answers", url: "https://mixed.example.com/", want: ErrForbiddenAddress, words: []string{"loopback"}},
		{name: "unknown name", url: "https://nowhere.example.com/", want: ErrUnresolvable,
			words: []string{"nowhere.example.com"}, notWords: []string{"10.0.0.2"}},
		{name: "loopback http without the local stack", url: "http://127.0.0.1:9/", want: ErrForbiddenScheme},
		{name: "localhost http on the local stack", url: "http://localhost:9/", local: true, want: ErrForbiddenScheme},
		{name: "private http on the local stack", url: "http://10.0.0.1:9/", local: true, want: ErrForbiddenScheme},
		{name: "private https on the local stack", url: "https://10.0.0.1/", local: true, want: ErrForbiddenAddress},
		{name: "private name on the local stack", url: "https://internal.example.com/", local: true, want: ErrForbiddenAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Resolver: newResolver(publicDNS()), LocalStack: tc.local}
			c, dialed := testClient(t, o)
			resp, err := c.Get(tc.url)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s succeeded", tc.url)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("GET %s: %v, want %v", tc.url, err, tc.want)
			}
			if len(*dialed) > 0 {
				t.Errorf("GET %s dialed %v, want no connection", tc.url, *dialed)
			}
			checkWords(t, err, tc.words, tc.notWords)
			// CheckURL gives the same verdict without a request.
			if err := CheckURL(context.Background(), o, tc.url); !errors.Is(err, tc.want) {
				t.Errorf("CheckURL(%s) = %v, want %v", tc.url, err, tc.want)
			}
		})
	}
}

// checkWords fails unless err's message has every one of words and none of notWords.
func checkWords(t *testing.T, err error, words, notWords []string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	for _, w := range notWords {
		if strings.Contains(err.Error(), w) {
			t.Errorf("error %q gives away %q", err, w)
		}
	}
}

func TestAddressErrorIsTyped(t *testing.T) {
	c, _ := testClient(t, Options{Resolver: newResolver(publicDNS())})
	_, err := c.Get("https://internal.example.com/")
	var ae *AddressError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *AddressError", err, err)
	}
	got := []string{ae.Host, ae.Class, ae.Addr.String()}
	if diff := cmp.Diff([]string{"internal.example.com", "private", "10.1.2.3"}, got); diff != "" {
		t.Errorf("AddressError mismatch (-want +got):\n%s", diff)
	}
}

// TestRebinding: the name resolves to a public address when the URL is checked and to a
// private one when the request is made; the request is refused, because the check is made
// on the addresses the dialer is about to connect to.
func TestRebinding(t *testing.T) {
	o := Options{Resolver: newResolver(publicDNS())}
	if err := CheckURL(context.Background(), o, "https://rebind.example.com/hook"); err != nil {
		t.Fatalf("CheckURL while the name is public: %v", err)
	}
	c, dialed := testClient(t, o)
	_, err := c.Get("https://rebind.example.com/hook")
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("GET after the name turned private: %v, want ErrForbiddenAddress", err)
	}
	if len(*dialed) > 0 {
		t.Errorf("dialed %v, want no connection", *dialed)
	}
}

// TestControlChecksEveryConnection: the net.Dialer's Control refuses a special address
// even when the lookup was skipped, so no path reaches connect() unchecked.
func TestControlChecksEveryConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	prod := newDialer(Options{})
	if _, err := prod.connect(context.Background(), "tcp", addr); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("production dialer connecting to %s: %v, want ErrForbiddenAddress", addr, err)
	}
	local := newDialer(Options{LocalStack: true})
	conn, err := local.connect(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatalf("local-stack dialer connecting to %s: %v", addr, err)
	}
	conn.Close()

	for _, address := range []string{"10.0.0.1:443", "[::ffff:10.0.0.1]:443", "[fe80::1%eth0]:443", "[64:ff9b::7f00:1]:443", "[::ffff:127.0.0.1]:443"} {
		if err := prod.control("tcp", address, nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("control(%s) = %v, want ErrForbiddenAddress", address, err)
		}
	}
	if err := prod.control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("control(public) = %v, want nil", err)
	}
	if err := prod.control("tcp", "example.com:443", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("control(name) = %v, want ErrForbiddenAddress", err)
	}
}

func TestLocalStack(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fake idp") }))
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fake idp over tls") }))
	t.Cleanup(tlsSrv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(tlsSrv.Certificate())
	// httptest's certificate is for example.com too: a name that resolves to loopback.
	named := strings.Replace(tlsSrv.URL, "127.0.0.1", "loop.example.com", 1)

	cases := []struct {
		name, url string
		local     bool
		want      error // nil: the body comes back
	}{
		{name: "http loopback, local stack", url: srv.URL, local: true},
		{name: "https loopback, local stack", url: tlsSrv.URL, local: true},
		{name: "https name of loopback, local stack", url: named, local: true},
		{name: "http loopback, production", url: srv.URL, want: ErrForbiddenScheme},
		{name: "https loopback, production", url: tlsSrv.URL, want: ErrForbiddenAddress},
		{name: "https name of loopback, production", url: named, want: ErrForbiddenAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := testClient(t, Options{LocalStack: tc.local, RootCAs: roots, Resolver: newResolver(publicDNS())})
			resp, err := c.Get(tc.url)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("GET %s: %v, want %v", tc.url, err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET %s: %v", tc.url, err)
			}
			defer resp.Body.Close()
			if body, _ := io.ReadAll(resp.Body); !strings.HasPrefix(string(body), "fake idp") {
				t.Errorf("body %q", body)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://10.0.0.7/admin", http.StatusFound)
	})
	mux.HandleFunc("/to-private-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://internal.example.com/admin", http.StatusFound)
	})
	mux.HandleFunc("/to-metadata-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/to-self", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/done", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "done") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	cases := []struct {
		name, path string
		policy     RedirectPolicy
		want       error
	}{
		{name: "refused", path: "/to-self", policy: RedirectRefuse, want: ErrRedirect},
		{name: "refused to private", path: "/to-private", policy: RedirectRefuse, want: ErrRedirect},
		{name: "followed to private address", path: "/to-private", policy: RedirectFollow, want: ErrForbiddenAddress},
		{name: "followed to private name", path: "/to-private-name", policy: RedirectFollow, want: ErrForbiddenAddress},
		{name: "followed to http metadata", path: "/to-metadata-http", policy: RedirectFollow, want: ErrForbiddenScheme},
		{name: "followed too often", path: "/loop", policy: RedirectFollow, want: ErrRedirect},
		{name: "followed to loopback on the local stack", path: "/to-self", policy: RedirectFollow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, dialed := testClient(t, Options{LocalStack: true, Redirects: tc.policy, Resolver: newResolver(publicDNS())})
			resp, err := c.Get(srv.URL + tc.path)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				resp.Body.Close()
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("GET %s: %v, want %v", tc.path, err, tc.want)
			}
			for _, d := range *dialed {
				if !strings.HasPrefix(d, "127.0.0.1:") {
					t.Errorf("dialed %s", d)
				}
			}
		})
	}
}

// TestNoProxyFromEnvironment: a proxy would make the connection for us, to an address
// this package never sees.
func TestNoProxyFromEnvironment(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://10.9.9.9:3128")
	t.Setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
	t.Setenv("NO_PROXY", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "direct") }))
	t.Cleanup(srv.Close)
	c, dialed := testClient(t, Options{LocalStack: true})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	want := []string{strings.TrimPrefix(srv.URL, "http://")}
	if diff := cmp.Diff(want, *dialed); diff != "" {
		t.Errorf("dialed mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckURLAllowsPublic(t *testing.T) {
	o := Options{Resolver: newResolver(publicDNS())}
	for _, u := range []string{"https://api.example.com/v1", "https://93.184.216.34/", "https://[2606:4700:4700::1111]/"} {
		if err := CheckURL(context.Background(), o, u); err != nil {
			t.Errorf("CheckURL(%s) = %v", u, err)
		}
	}
	if err := CheckURL(context.Background(), o, "https://%zz"); err == nil {
		t.Error("CheckURL of a malformed URL succeeded")
	}
}
