package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"gatehouse/internal/egress"
	"gatehouse/internal/org"
)

// MaxURLLength bounds an endpoint's URL, in bytes.
const MaxURLLength = 2048

// ErrLookup says the host of an endpoint could not be looked up just now: not a fault of
// the URL, and worth another try.
var ErrLookup = errors.New("the endpoint's host could not be looked up just now")

// CheckURL tells whether raw may be an endpoint's URL, for reporting a bad one when an admin
// saves it: an absolute https URL of at most MaxURLLength printable ASCII characters, with
// no user name, password or #fragment, whose host is a name or an IP address in standard
// form and resolves only to public internet addresses (egress.Classify). With local (the
// local stack, never API input) http://127.0.0.1:PORT and http://[::1]:PORT are allowed
// too, and loopback addresses are.
//
// A URL it refuses gets an *org.ValidationError on the field "url" that says what is
// wrong. When the host cannot be looked up just now, the error wraps ErrLookup instead. A
// URL that passes may still be refused at delivery, if its host resolves differently by
// then: Send's check is the one that counts.
func CheckURL(ctx context.Context, raw string, local bool) error {
	return checkURL(ctx, raw, egress.Options{LocalStack: local})
}

// checkURL is CheckURL with the egress options (tests inject a resolver).
func checkURL(ctx context.Context, raw string, o egress.Options) error {
	if _, err := parseURL(raw, o.LocalStack); err != nil {
		return err
	}
	err := egress.CheckURL(ctx, o, raw)
	var addr *egress.AddressError
	var res *egress.ResolveError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &addr):
		return org.Invalid("url", "forbidden_address", addressMessage(addr))
	case errors.As(err, &res) && res.NotFound:
		return org.Invalid("url", "unresolvable_host", fmt.Sprintf("url's host %s does not resolve to any address; check the name", res.Host))
	case errors.As(err, &res):
		return fmt.Errorf("check webhook url: %w: %w", ErrLookup, err)
	case errors.Is(err, egress.ErrForbiddenScheme):
		return org.Invalid("url", "forbidden_scheme", schemeMessage(o.LocalStack))
	}
	return fmt.Errorf("check webhook url: %w", err)
}

// addressMessage says why the host of an AddressError is refused, naming the kind of
// address but not an address behind a name, which the admin has no business learning.
func addressMessage(e *egress.AddressError) string {
	verb := "resolves to"
	if a, err := netip.ParseAddr(e.Host); err == nil && a == e.Addr {
		verb = "is"
	}
	if e.Host == "" {
		verb, e = "connects to", &egress.AddressError{Host: "(unknown)", Class: e.Class}
	}
	return fmt.Sprintf("url's host %s %s %s %s address; webhooks reach only public internet addresses", e.Host, verb, article(e.Class), e.Class)
}

// article is "a" or "an" for word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// schemeMessage says which schemes are allowed.
func schemeMessage(local bool) string {
	if local {
		return "url must start with https://, or http://127.0.0.1: or http://[::1]: on the local stack"
	}
	return "url must start with https://"
}

// parseURL checks everything about raw that needs no DNS: the rules of CheckURL but the
// addresses a name resolves to. Its error is an *org.ValidationError on the field "url".
func parseURL(raw string, local bool) (*url.URL, error) {
	invalid := func(code, msg string) (*url.URL, error) { return nil, org.Invalid("url", code, msg) }
	switch {
	case raw == "":
		return invalid("required", "url is required")
	case len(raw) > MaxURLLength:
		return invalid("too_long", fmt.Sprintf("url is %d bytes long, more than %d", len(raw), MaxURLLength))
	}
	for i := range len(raw) {
		if c := raw[i]; c <= ' ' || c >= 0x7f {
			return invalid("invalid_url", "url must be printable ASCII without spaces: percent-encode other characters, and write an international host name in its xn-- form")
		}
	}
	if strings.Contains(raw, "#") {
		return invalid("fragment", "url must not have a #fragment, which is never sent to the receiver")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return invalid("invalid_url", "url is not a valid URL")
	case u.Scheme == "" || !strings.HasPrefix(strings.ToLower(raw), u.Scheme+"://"):
		return invalid("invalid_url", "url must be an absolute URL, such as https://hooks.example.com/gatehouse")
	case u.User != nil:
		return invalid("userinfo", "url must not hold a user name or password (before an @): the signature tells the receiver the request is from Gatehouse")
	case !schemeAllowed(u, local):
		return invalid("forbidden_scheme", schemeMessage(local))
	}
	if msg := hostProblem(u); msg != "" {
		return invalid("invalid_url", msg)
	}
	return u, nil
}

// schemeAllowed allows https, and http to a loopback IP literal on the local stack.
func schemeAllowed(u *url.URL, local bool) bool {
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return local && (h == "127.0.0.1" || h == "::1")
	}
	return false
}

// hostProblem says what is wrong with the host and port of u, or "".
func hostProblem(u *url.URL) string {
	host := u.Hostname()
	if host == "" {
		return "url has no host"
	}
	if strings.HasSuffix(u.Host, ":") {
		return "url has a colon after its host but no port"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("url's port %s is not between 1 and 65535", p)
		}
	}
	if strings.HasPrefix(u.Host, "[") {
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Zone() != "" {
			return "url's host in brackets must be an IPv6 address without a zone"
		}
		return ""
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.Is4() {
			return "url's IPv6 host must be in brackets"
		}
		return ""
	}
	return nameProblem(host)
}

// nameProblem says what is wrong with a host name, or "". A name whose last label is a
// number could only be an IP address in a form that resolvers read differently (2130706433,
// 0x7f.1, 127.1), so it is refused rather than left to the resolver to interpret.
func nameProblem(host string) string {
	name := strings.TrimSuffix(host, ".")
	if len(name) > 253 {
		return "url's host name is longer than 253 characters"
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Sprintf("url's host %s has an empty label or one longer than 63 characters", host)
		}
		for i := range len(l) {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("url's host %s may hold only letters, digits, hyphens and dots", host)
			}
		}
	}
	last := strings.ToLower(labels[len(labels)-1])
	if strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "" {
		return fmt.Sprintf("url's host %s is neither a host name nor an IP address in dotted form", host)
	}
	return ""
}
