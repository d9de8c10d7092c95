package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Resolver looks up the addresses of a host; *net.Resolver is one. Tests inject their own.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// dialer resolves a host itself, refuses it when any of its addresses is special, and
// connects to the checked addresses one after the other through a net.Dialer whose Control
// checks the address of each connection again, just before the connect system call.
type dialer struct {
	resolver      Resolver
	allowLoopback bool
	// connect opens a connection to an IP:port; a net.Dialer with control, replaced in
	// tests so that they never connect anywhere but loopback.
	connect func(ctx context.Context, network, address string) (net.Conn, error)
}

// newDialer builds the dialer of o.
func newDialer(o Options) *dialer {
	d := &dialer{resolver: o.Resolver, allowLoopback: o.LocalStack}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	nd := &net.Dialer{Timeout: o.dialTimeout(), KeepAlive: 30 * time.Second, Control: d.control}
	d.connect = nd.DialContext
	return d
}

// refused is the class of a that this dialer refuses, or "".
func (d *dialer) refused(a netip.Addr) string {
	c := Classify(a)
	if d.allowLoopback && (c == "loopback" || c == "IPv4-mapped loopback") {
		return ""
	}
	return c
}

// control runs on every connection, with the address actually being connected to.
func (d *dialer) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("egress: %s connection to an address that is not an IP: %w", network, ErrForbiddenAddress)
	}
	if c := d.refused(ap.Addr()); c != "" {
		return &AddressError{Class: c, Addr: ap.Addr()}
	}
	return nil
}

// lookup resolves host (or takes it as an IP literal) and checks every address.
func (d *dialer) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if c := d.refused(a); c != "" {
			return nil, &AddressError{Host: host, Class: c, Addr: a}
		}
		return []netip.Addr{a}, nil
	}
	addrs, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		var dnsErr *net.DNSError
		return nil, &ResolveError{Host: host, NotFound: errors.As(err, &dnsErr) && dnsErr.IsNotFound, Err: err}
	}
	if len(addrs) == 0 {
		return nil, &ResolveError{Host: host, NotFound: true, Err: errors.New("no addresses")}
	}
	// One special answer refuses the host: a name that mixes public and private answers
	// is an attempt to reach the private one.
	for _, a := range addrs {
		if c := d.refused(a); c != "" {
			return nil, &AddressError{Host: host, Class: c, Addr: a}
		}
	}
	return addrs, nil
}

// DialContext is the transport's dial function.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("egress: dial %s: %w", address, err)
	}
	addrs, err := d.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var first error
	for _, a := range addrs {
		conn, err := d.connect(ctx, network, net.JoinHostPort(a.WithZone("").String(), port))
		if err == nil {
			return conn, nil
		}
		var ae *AddressError
		if errors.As(err, &ae) {
			return nil, &AddressError{Host: host, Class: ae.Class, Addr: ae.Addr}
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("egress: connect to %s: %w", host, first)
}
