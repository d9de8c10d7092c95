package egress

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
)

// fakeResolver answers from a table. A host with several answers gives the next one on
// each lookup and then repeats the last, as a rebinding DNS server would.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	lookups map[string]int
}

func newResolver(answers map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: answers, lookups: make(map[string]int)}
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: "10.0.0.2:53", IsNotFound: true}
	}
	n := r.lookups[host]
	r.lookups[host]++
	var addrs []netip.Addr
	for _, s := range seq[min(n, len(seq)-1)] {
		addrs = append(addrs, netip.MustParseAddr(s))
	}
	return addrs, nil
}

// testDialer is the dialer of o whose connections may only go to loopback: a test that
// tries anything else fails, and nothing leaves the machine.
func testDialer(t *testing.T, o Options) (*dialer, *[]string) {
	t.Helper()
	d := newDialer(o)
	real := d.connect
	var dialed []string
	var mu sync.Mutex
	d.connect = func(ctx context.Context, network, address string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, address)
		mu.Unlock()
		if ap, err := netip.ParseAddrPort(address); err != nil || !ap.Addr().Unmap().IsLoopback() {
			t.Errorf("dialed %s: only loopback may be dialed in tests", address)
			return nil, errors.New("test dialer: not loopback")
		}
		return real(ctx, network, address)
	}
	return d, &dialed
}

// testClient is NewClient(o) over testDialer.
func testClient(t *testing.T, o Options) (*http.Client, *[]string) {
	t.Helper()
	d, dialed := testDialer(t, o)
	c := newClient(o, d)
	t.Cleanup(c.CloseIdleConnections)
	return c, dialed
}
