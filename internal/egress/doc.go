// Package egress builds the HTTP clients that reach addresses an admin supplies (identity
// provider APIs, webhook endpoints): only public https hosts, checked after DNS resolution
// and again on every connection, so that a configured URL can never make Gatehouse call its
// own network, the cloud's metadata service or another tenant's private endpoint.
//
// NewClient returns an *http.Client whose transport refuses any scheme but https, resolves
// each host itself and refuses the connection when any answer is a loopback, private,
// link-local, shared (CGNAT), documentation, benchmarking, multicast, broadcast, reserved
// or otherwise special-purpose address, in IPv4, IPv6, IPv4-mapped and NAT64 forms. The
// net.Dialer's Control hook checks the very address being connected to, so a DNS answer
// that changes between a check and the connection (DNS rebinding) is refused too. The
// client reads no proxy from the environment, has timeouts for every phase, and by default
// does not follow redirects. CheckURL gives the same verdict without connecting, for
// reporting a bad URL when an admin saves it; the dial-time check is the one that counts.
//
// Options.LocalStack also lets http://127.0.0.1:PORT and http://[::1]:PORT through, so that
// fake identity providers can stand in on the local stack and in tests. It is a field of a
// Go value that wiring code sets; no API input reaches it.
package egress
