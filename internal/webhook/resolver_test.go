package webhook

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// fakeResolver answers host lookups from a table, so that no test asks a real DNS server;
// a host it does not know does not exist, names are read without case or a final dot, and "flaky.example.com" fails as a DNS server
// that cannot be reached does.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]string
	lookups []string
}

// testDNS is what the fake resolver answers unless a test says otherwise. Public answers
// reach only CheckURL, which does not connect.
func testDNS() *fakeResolver {
	return &fakeResolver{answers: map[string][]string{
		"hooks.example.com":    {"93.184.216.34"},
		"v6.example.com":       {"2606:4700:4700::1111"},
		"internal.example.com": {"10.1.2.3"},
		"corp.example.com":     {"172.20.0.9"},
		"home.example.com":     {"192.168.1.20"},
		"metadata.example.com": {"169.254.169.254"},
		"mapped.example.com":   {"::ffff:192.168.0.10"},
		"ula.example.com":      {"fd00:ec2::254"},
		"mixed.example.com":    {"93.184.216.34", "127.0.0.1"},
		"loop.example.com":     {"127.0.0.1"},
		"localhost":            {"127.0.0.1", "::1"},
	}}
}

// LookupNetIP answers from the table.
func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups = append(r.lookups, host)
	host = strings.ToLower(strings.TrimSuffix(host, ".")) // as DNS reads names
	if host == "flaky.example.com" {
		return nil, &net.DNSError{Err: "i/o timeout", Name: host, Server: "10.0.0.2:53", IsTimeout: true}
	}
	answer, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: "10.0.0.2:53", IsNotFound: true}
	}
	addrs := make([]netip.Addr, len(answer))
	for i, s := range answer {
		addrs[i] = netip.MustParseAddr(s)
	}
	return addrs, nil
}
