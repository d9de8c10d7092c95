package egress

import (
	"errors"
	"fmt"
	"net/netip"
)

// The errors a caller may want to tell apart; errors of this package wrap them.
var (
	// ErrForbiddenAddress: the host is, or resolves to, an address outbound requests may
	// not reach.
	ErrForbiddenAddress = errors.New("address is not a public internet address")
	// ErrForbiddenScheme: the URL is not https (nor loopback http on the local stack).
	ErrForbiddenScheme = errors.New("only https URLs are allowed")
	// ErrRedirect: the server answered with a redirect, which this client does not follow.
	ErrRedirect = errors.New("redirects are not followed")
	// ErrUnresolvable: the host name has no address.
	ErrUnresolvable = errors.New("host name does not resolve")
	// ErrTooLarge: a response is larger than the limit its reader was given.
	ErrTooLarge = errors.New("response is too large")
)

// AddressError refuses a host because of one of its addresses. Its message names the host
// and the kind of address, never the address itself: an admin who typed the URL may see
// the message, and the internal addresses behind a name are not theirs to learn. Addr is
// there for the operator's log.
type AddressError struct {
	Host  string     // as in the URL
	Class string     // such as "private", "loopback", "link-local"
	Addr  netip.Addr // the refused address
}

// Error names the host and the kind of address.
func (e *AddressError) Error() string {
	if a, err := netip.ParseAddr(e.Host); err == nil && a == e.Addr {
		return fmt.Sprintf("egress: %s is a %s address, which outbound requests may not reach", e.Host, e.Class)
	}
	if e.Host == "" {
		return fmt.Sprintf("egress: the connection is to a %s address, which outbound requests may not reach", e.Class)
	}
	return fmt.Sprintf("egress: %s resolves to a %s address, which outbound requests may not reach", e.Host, e.Class)
}

// Unwrap lets errors.Is see ErrForbiddenAddress.
func (e *AddressError) Unwrap() error { return ErrForbiddenAddress }

// SchemeError refuses a URL for its scheme.
type SchemeError struct {
	Host   string
	Scheme string
}

// Error names the URL's scheme and host.
func (e *SchemeError) Error() string {
	if e.Scheme == "http" {
		return fmt.Sprintf("egress: http://%s is refused: %v", e.Host, ErrForbiddenScheme)
	}
	return fmt.Sprintf("egress: %q URL for %s is refused: %v", e.Scheme, e.Host, ErrForbiddenScheme)
}

// Unwrap lets errors.Is see ErrForbiddenScheme.
func (e *SchemeError) Unwrap() error { return ErrForbiddenScheme }

// RedirectError refuses a redirect from one host to another (or the same) host.
type RedirectError struct {
	From, To string // hosts
	Hops     int    // redirects followed before this one
}

// Error names both hosts.
func (e *RedirectError) Error() string {
	if e.Hops > 0 {
		return fmt.Sprintf("egress: %s redirected to %s after %d redirects: too many", e.From, e.To, e.Hops)
	}
	return fmt.Sprintf("egress: %s answered with a redirect to %s: %v", e.From, e.To, ErrRedirect)
}

// Unwrap lets errors.Is see ErrRedirect.
func (e *RedirectError) Unwrap() error { return ErrRedirect }

// ResolveError says a host could not be resolved. The resolver's own error (which names
// the DNS server, an internal address) is kept for the log but left out of the message.
type ResolveError struct {
	Host     string
	NotFound bool // the name does not exist, rather than the lookup failing
	Err      error
}

// Error names the host.
func (e *ResolveError) Error() string {
	if e.NotFound {
		return fmt.Sprintf("egress: %s: %v", e.Host, ErrUnresolvable)
	}
	return fmt.Sprintf("egress: %s could not be resolved; try again later", e.Host)
}

// Unwrap gives ErrUnresolvable for a name that does not exist, and the resolver's error.
func (e *ResolveError) Unwrap() []error {
	if e.NotFound {
		return []error{ErrUnresolvable, e.Err}
	}
	return []error{e.Err}
}

// LimitError says a response passed its size limit.
type LimitError struct {
	Limit int64 // bytes
}

// Error gives the limit.
func (e *LimitError) Error() string {
	return fmt.Sprintf("egress: %v: more than %d bytes", ErrTooLarge, e.Limit)
}

// Unwrap lets errors.Is see ErrTooLarge.
func (e *LimitError) Unwrap() error { return ErrTooLarge }
