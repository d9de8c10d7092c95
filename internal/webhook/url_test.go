package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"gatehouse/internal/egress"
	"gatehouse/internal/org"
)

// check is checkURL with the test resolver.
func check(raw string, local bool) error {
	return checkURL(context.Background(), raw, egress.Options{LocalStack: local, Resolver: testDNS()})
}

func TestCheckURLAccepts(t *testing.T) {
	cases := []struct {
		raw   string
		local bool
	}{
		{"https://hooks.example.com/gatehouse", false},
		{"https://hooks.example.com", false},
		{"HTTPS://hooks.example.com/Path?x=1&y=%20", false},
		{"https://hooks.example.com:8443/a/b", false},
		{"https://hooks.example.com./trailing-dot", false},
		{"https://v6.example.com/", false},
		{"https://93.184.216.34/hook", false},
		{"https://[2606:4700:4700::1111]:443/hook", false},
		{"https://hooks.example.com/gatehouse", true},
		{"http://127.0.0.1:8080/hook", true},
		{"http://[::1]:9000/", true},
		{"https://127.0.0.1:8443/", true},
		{"https://localhost:8443/", true},
	}
	for _, tc := range cases {
		if err := check(tc.raw, tc.local); err != nil {
			t.Errorf("CheckURL(%q, local=%v) = %v", tc.raw, tc.local, err)
		}
	}
}

// TestCheckURLRefuses: every class of refused URL, each with the problem's code and what its
// message says.
func TestCheckURLRefuses(t *testing.T) {
	cases := []struct {
		name, raw string
		local     bool
		code      string
		says      string
	}{
		{"empty", "", false, "required", "url is required"},
		{"too long", "https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), false, "too_long", "more than 2048"},
		// Schemes.
		{"http", "http://hooks.example.com/", false, "forbidden_scheme", "must start with https://"},
		{"http to loopback, not local", "http://127.0.0.1:8080/", false, "forbidden_scheme", "must start with https://"},
		{"http to another loopback, local", "http://127.0.0.2:8080/", true, "forbidden_scheme", "http://127.0.0.1:"},
		{"http to localhost, local", "http://localhost:8080/", true, "forbidden_scheme", "http://[::1]:"},
		{"http to a public host, local", "http://hooks.example.com/", true, "forbidden_scheme", "on the local stack"},
		{"ftp", "ftp://hooks.example.com/", false, "forbidden_scheme", "https://"},
		{"no scheme", "hooks.example.com/gatehouse", false, "invalid_url", "absolute URL"},
		{"opaque", "https:hooks.example.com", false, "invalid_url", "absolute URL"},
		{"javascript", "javascript:alert(1)", false, "invalid_url", "absolute URL"},
		{"no host", "https:///gatehouse", false, "invalid_url", "no host"},
		// User info and fragments.
		{"user and password", "https://user:secret@hooks.example.com/", false, "userinfo", "user name or password"},
		{"user", "https://user@hooks.example.com/", false, "userinfo", "user name or password"},
		{"empty user", "https://@hooks.example.com/", false, "userinfo", "user name or password"},
		{"user, local", "http://u:p@127.0.0.1:8080/", true, "userinfo", "user name or password"},
		{"fragment", "https://hooks.example.com/#section", false, "fragment", "#fragment"},
		{"empty fragment", "https://hooks.example.com/#", false, "fragment", "#fragment"},
		// Characters, hosts and ports.
		{"space", "https://hooks.example.com/a b", false, "invalid_url", "without spaces"},
		{"line break", "https://hooks.example.com/\r\nX: y", false, "invalid_url", "without spaces"},
		{"non-ASCII host", "https://bücher.example/", false, "invalid_url", "xn-- form"},
		{"bad escape", "https://hooks.example.com/%zz", false, "invalid_url", "not a valid URL"},
		{"port 0", "https://hooks.example.com:0/", false, "invalid_url", "not between 1 and 65535"},
		{"port too big", "https://hooks.example.com:65536/", false, "invalid_url", "not between 1 and 65535"},
		{"empty port", "https://hooks.example.com:/", false, "invalid_url", "no port"},
		{"decimal IP", "https://2130706433/", false, "invalid_url", "dotted form"},
		{"short IP", "https://127.1/", false, "invalid_url", "dotted form"},
		{"hex IP", "https://0x7f.0x0.0x0.0x1/", false, "invalid_url", "dotted form"},
		{"octal IP", "https://0177.0.0.1/", false, "invalid_url", "dotted form"},
		{"zone", "https://[fe80::1%25eth0]/", false, "invalid_url", "without a zone"},
		{"IPv4 in brackets", "https://[10.0.0.1]/", false, "invalid_url", "not a valid URL"},
		{"empty label", "https://hooks..example.com/", false, "invalid_url", "empty label"},
		{"odd character", "https://hooks!.example.com/", false, "invalid_url", "only letters, digits"},
		// Addresses: IP literals.
		{"loopback", "https://127.0.0.1:8443/", false, "forbidden_address", "127.0.0.1 is a loopback address"},
		{"IPv6 loopback", "https://[::1]:8443/", false, "forbidden_address", "::1 is a loopback address"},
		{"IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/", false, "forbidden_address", "is an IPv4-mapped loopback address"},
		{"IPv4-mapped private", "https://[::ffff:10.0.0.1]/", true, "forbidden_address", "IPv4-mapped private"},
		{"10/8", "https://10.0.0.1/", false, "forbidden_address", "10.0.0.1 is a private address"},
		{"10/8 end", "https://10.255.255.255/", false, "forbidden_address", "private"},
		{"172.16/12", "https://172.16.0.1/", false, "forbidden_address", "private"},
		{"172.16/12 end", "https://172.31.255.254/", false, "forbidden_address", "private"},
		{"192.168/16", "https://192.168.1.1/", false, "forbidden_address", "private"},
		{"metadata service", "https://169.254.169.254/latest/meta-data/", false, "forbidden_address", "is a link-local address"},
		{"metadata service, local", "https://169.254.169.254/", true, "forbidden_address", "link-local"},
		{"this network", "https://0.0.0.0/", false, "forbidden_address", "this-network"},
		{"unspecified IPv6", "https://[::]/", false, "forbidden_address", "unspecified"},
		{"CGNAT", "https://100.64.0.1/", false, "forbidden_address", "shared (CGNAT)"},
		{"unique local", "https://[fc00::1]/", false, "forbidden_address", "private (unique local)"},
		{"unique local fd", "https://[fd00:ec2::254]/", false, "forbidden_address", "private (unique local)"},
		{"IPv6 link-local", "https://[fe80::1]/", false, "forbidden_address", "link-local"},
		{"IPv6 link-local, local", "https://[febf::1]/", true, "forbidden_address", "link-local"},
		{"NAT64 private", "https://[64:ff9b::a00:1]/", false, "forbidden_address", "NAT64 private"},
		{"private, local", "https://10.0.0.1/", true, "forbidden_address", "private"},
		// Addresses: names, refused for what they resolve to.
		{"name to 10/8", "https://internal.example.com/", false, "forbidden_address", "internal.example.com resolves to a private address"},
		{"name to 172.16/12", "https://corp.example.com/", false, "forbidden_address", "resolves to a private address"},
		{"name to 192.168/16", "https://home.example.com/", false, "forbidden_address", "resolves to a private address"},
		{"name to the metadata service", "https://metadata.example.com/", false, "forbidden_address", "resolves to a link-local address"},
		{"name to IPv4-mapped", "https://mapped.example.com/", false, "forbidden_address", "IPv4-mapped private"},
		{"name to unique local", "https://ula.example.com/", false, "forbidden_address", "private (unique local)"},
		{"name to public and loopback", "https://mixed.example.com/", false, "forbidden_address", "resolves to a loopback address"},
		{"name to loopback", "https://loop.example.com/", false, "forbidden_address", "loopback"},
		{"localhost", "https://localhost/", false, "forbidden_address", "loopback"},
		{"name that does not exist", "https://nowhere.example.com/", false, "unresolvable_host", "nowhere.example.com does not resolve"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := check(tc.raw, tc.local)
			wantProblem(t, err, tc.code, tc.says)
			// A name's message gives the kind of address but never the address itself.
			if u, perr := url.Parse(tc.raw); perr == nil && tc.code == "forbidden_address" {
				if _, ipErr := netip.ParseAddr(u.Hostname()); ipErr != nil {
					for _, a := range testDNS().answers[u.Hostname()] {
						if strings.Contains(err.Error(), a) {
							t.Errorf("message %q reveals the address %s", err, a)
						}
					}
				}
			}
		})
	}
}

// wantProblem fails unless err is an *org.ValidationError with one problem on "url" of the
// code, whose message says says.
func wantProblem(t *testing.T, err error, code, says string) {
	t.Helper()
	var verr *org.ValidationError
	if !errors.As(err, &verr) || len(verr.Fields) != 1 {
		t.Fatalf("error %v, want one field problem", err)
	}
	f := verr.Fields[0]
	if f.Field != "url" || f.Code != code || !strings.Contains(f.Message, says) {
		t.Errorf("problem %+v, want field url, code %s, a message saying %q", f, code, says)
	}
}

// TestCheckURLLookupFails: a lookup that fails for now is not the URL's fault.
func TestCheckURLLookupFails(t *testing.T) {
	err := check("https://flaky.example.com/", false)
	var verr *org.ValidationError
	if !errors.Is(err, ErrLookup) || errors.As(err, &verr) {
		t.Errorf("CheckURL with a failing lookup = %v, want ErrLookup and no field problem", err)
	}
	if strings.Contains(err.Error(), "10.0.0.2") {
		t.Errorf("error %q names the DNS server", err)
	}
}

// TestCheckURLExported: the exported function applies the same rules (with IP literals, so
// that no DNS server is asked).
func TestCheckURLExported(t *testing.T) {
	ctx := context.Background()
	if err := CheckURL(ctx, "https://93.184.216.34/hook", false); err != nil {
		t.Errorf("CheckURL(public IP) = %v", err)
	}
	if err := CheckURL(ctx, "http://127.0.0.1:8080/hook", true); err != nil {
		t.Errorf("CheckURL(local loopback) = %v", err)
	}
	wantProblem(t, CheckURL(ctx, "https://169.254.169.254/", false), "forbidden_address", "link-local")
	wantProblem(t, CheckURL(ctx, "http://127.0.0.1:8080/hook", false), "forbidden_scheme", "https://")
}

// anyName resolves every host name to one public address, so that fuzzing explores what
// passes without asking a DNS server.
type anyName struct{}

// LookupNetIP answers a documentation-free public address.
func (anyName) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

// FuzzCheckURL: CheckURL never panics, refuses only with a field problem on "url", and
// accepts only absolute https URLs (or local loopback http) without user info or fragment,
// whose IP literal if any is public (or local loopback), and that a request can be made of.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://hooks.example.com/gatehouse", "http://127.0.0.1:8080/hook", "http://[::1]:9/",
		"https://user:pw@hooks.example.com/", "https://hooks.example.com/#x", "https://[::ffff:127.0.0.1]/",
		"https://10.0.0.1/", "https://[fe80::1%25eth0]/", "https://2130706433/", "https:hooks",
		"https://hooks.example.com:65536/", "HTTP://127.0.0.1:1/", "https://[::]:0", "https://a.b:/",
		"https://%31%32%37.0.0.1/", "https://[64:ff9b::7f00:1]/", "http://127.0.0.1@hooks.example.com/",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, local bool) {
		err := checkURL(context.Background(), raw, egress.Options{LocalStack: local, Resolver: anyName{}})
		if err != nil {
			var verr *org.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != "url" {
				t.Fatalf("CheckURL(%q) = %v, want one problem on url", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		switch {
		case perr != nil:
			t.Fatalf("accepted %q, which url.Parse refuses: %v", raw, perr)
		case len(raw) > MaxURLLength, strings.Contains(raw, "#"), u.User != nil, u.Host == "":
			t.Fatalf("accepted %q: too long, a fragment, user info or no host", raw)
		}
		host := u.Hostname()
		loopbackHTTP := local && u.Scheme == "http" && (host == "127.0.0.1" || host == "::1")
		if u.Scheme != "https" && !loopbackHTTP {
			t.Fatalf("accepted %q: scheme %q", raw, u.Scheme)
		}
		if a, err := netip.ParseAddr(host); err == nil {
			if c := egress.Classify(a); c != "" && !(local && strings.HasSuffix(c, "loopback")) {
				t.Fatalf("accepted %q: a %s address", raw, c)
			}
		}
		if _, err := http.NewRequest(http.MethodPost, raw, nil); err != nil {
			t.Fatalf("accepted %q, of which no request can be made: %v", raw, err)
		}
	})
}
