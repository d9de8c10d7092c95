package egress

import "net/netip"

// Classify names the kind of a special-purpose address, or returns "" for a public one
// that outbound requests may reach.
//
// The ranges are those of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (RFC 6890 and its updates) that are not globally reachable, plus the deprecated and
// address-embedding forms that could smuggle one of them through: IPv4-mapped
// (::ffff:0:0/96), IPv4-compatible (::/96), IPv4-translated (::ffff:0:0:0/96), the
// well-known NAT64 prefix (64:ff9b::/96) of a refused IPv4 address, local-use NAT64
// (64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (in 2001::/23). In IPv6 only global
// unicast (2000::/3) is allowed at all. A zone is ignored.
func Classify(a netip.Addr) string {
	a = a.WithZone("")
	switch {
	case !a.IsValid():
		return "invalid"
	case a.Is4():
		return classify4(a.As4())
	case a.Is4In6():
		if c := classify4(a.Unmap().As4()); c != "" {
			return "IPv4-mapped " + c
		}
		return ""
	}
	return classify6(a.As16())
}

// classify4 is Classify for an IPv4 address.
func classify4(b [4]byte) string {
	switch {
	case b[0] == 0:
		return "this-network" // 0.0.0.0/8, with the unspecified 0.0.0.0
	case b[0] == 10, b[0] == 172 && b[1]&0xf0 == 16, b[0] == 192 && b[1] == 168:
		return "private" // RFC 1918
	case b[0] == 100 && b[1]&0xc0 == 64:
		return "shared (CGNAT)" // 100.64.0.0/10, RFC 6598
	case b[0] == 127:
		return "loopback"
	case b[0] == 169 && b[1] == 254:
		return "link-local" // with the metadata service 169.254.169.254
	case b[0] == 192 && b[1] == 0 && b[2] == 0:
		return "IETF protocol assignment" // 192.0.0.0/24
	case b[0] == 192 && b[1] == 0 && b[2] == 2, b[0] == 198 && b[1] == 51 && b[2] == 100,
		b[0] == 203 && b[1] == 0 && b[2] == 113:
		return "documentation" // TEST-NET-1, -2, -3
	case b[0] == 192 && b[1] == 88 && b[2] == 99:
		return "6to4 relay anycast" // 192.88.99.0/24, deprecated
	case b[0] == 198 && b[1]&0xfe == 18:
		return "benchmarking" // 198.18.0.0/15
	case b[0] >= 224 && b[0] < 240:
		return "multicast"
	case b == [4]byte{255, 255, 255, 255}:
		return "broadcast"
	case b[0] >= 240:
		return "reserved" // 240.0.0.0/4
	}
	return ""
}

// classify6 is Classify for an IPv6 address that is not IPv4-mapped.
func classify6(b [16]byte) string {
	zero := func(from, to int) bool {
		for _, x := range b[from:to] {
			if x != 0 {
				return false
			}
		}
		return true
	}
	embedded := [4]byte{b[12], b[13], b[14], b[15]}
	switch {
	case zero(0, 16):
		return "unspecified"
	case zero(0, 15) && b[15] == 1:
		return "loopback"
	case zero(0, 12):
		return "IPv4-compatible" // ::/96, deprecated
	case zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0:
		return "IPv4-translated" // ::ffff:0:0:0/96
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12):
		if c := classify4(embedded); c != "" {
			return "NAT64 " + c // 64:ff9b::/96 in front of a refused IPv4 address
		}
		return ""
	case b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1:
		return "local-use NAT64" // 64:ff9b:1::/48
	case b[0] == 0x01 && zero(1, 8):
		return "discard-only" // 100::/64
	case b[0]&0xfe == 0xfc:
		return "private (unique local)" // fc00::/7
	case b[0] == 0xfe && b[1]&0xc0 == 0x80:
		return "link-local" // fe80::/10
	case b[0] == 0xfe && b[1]&0xc0 == 0xc0:
		return "site-local" // fec0::/10, deprecated
	case b[0] == 0xff:
		return "multicast"
	case b[0]&0xe0 != 0x20:
		return "reserved" // outside global unicast 2000::/3
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8, b[0] == 0x3f && b[1] == 0xff && b[2]&0xf0 == 0:
		return "documentation" // 2001:db8::/32, 3fff::/20
	case b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02:
		return "IETF protocol assignment" // 2001::/23, with Teredo 2001::/32
	case b[0] == 0x20 && b[1] == 0x02:
		return "6to4" // 2002::/16, which embeds an IPv4 address
	}
	return ""
}
