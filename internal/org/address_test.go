package org

import (
	"errors"
	"strings"
	"testing"
)

// label63 is a DNS label of the longest allowed length.
var label63 = strings.Repeat("b", 63)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"jane@example.com", "jane@example.com", ""},
		{"  Jane.Doe@Example.COM\t", "jane.doe@example.com", ""},
		{"jane+portal@sub.example.co.uk", "jane+portal@sub.example.co.uk", ""},
		{"", "", "required"},
		{"   ", "", "required"},
		{"jane", "", "invalid_email"},
		{"jane@", "", "invalid_email"},
		{"@example.com", "", "invalid_email"},
		{"jane@example", "", "invalid_email"},
		{`"Jane" <jane@example.com>`, "", "invalid_email"},
		{"<jane@example.com>", "", "invalid_email"},
		{"jane doe@example.com", "", "invalid_email"},
		{"jane@example.com\r\nBcc: x@y.io", "", "invalid_email"},
		{"a@b.io, c@d.io", "", "invalid_email"},
		{strings.Repeat("a", 64) + "@" + label63 + "." + label63 + "." + strings.Repeat("b", 57) + ".com", strings.Repeat("a", 64) + "@" + label63 + "." + label63 + "." + strings.Repeat("b", 57) + ".com", ""},
		{strings.Repeat("a", 64) + "@" + label63 + "." + label63 + "." + strings.Repeat("b", 58) + ".com", "", "invalid_email"},

		// Unicode: one spelling per address a person sees.
		{"a\u0301da@example.com", "áda@example.com", ""}, // decomposed é becomes one character
		{"ÁDA@example.com", "áda@example.com", ""},
		{"zoë@bücher.example", "zoë@xn--bcher-kva.example", ""},
		{"zoë@XN--BCHER-KVA.example", "zoë@xn--bcher-kva.example", ""},
		{"ada@ｅxample.com", "ada@example.com", ""}, // full-width letters in the domain map to ASCII
		{"ada@EXAMPLE．COM", "ada@example.com", ""}, // a full-width full stop too
		{"李雷@example.cn", "李雷@example.cn", ""},
		{"ｊane@example.com", "", "invalid_email"},                        // full-width in the local part: refused, not guessed
		{"ﬁona@example.com", "", "invalid_email"},                        // a ligature
		{"j\u0430ne@example.com", "", "invalid_email"},                   // Cyrillic а among Latin letters
		{"ada@ex\u0430mple.com", "", "invalid_email"},                    // Cyrillic а in a Latin domain label
		{"ada\u200b@example.com", "", "invalid_email"},                   // zero-width space
		{"ada@exa\u200dmple.com", "", "invalid_email"},                   // zero-width joiner
		{"\ufeffada@example.com", "", "invalid_email"},                   // byte order mark
		{"ada\u00ad@example.com", "", "invalid_email"},                   // soft hyphen
		{"ada\u2060@example.com", "", "invalid_email"},                   // word joiner
		{"ada\ufe0f@example.com", "", "invalid_email"},                   // variation selector
		{"ada\u3164@example.com", "", "invalid_email"},                   // Hangul filler
		{"ada\u202e@example.com", "", "invalid_email"},                   // right-to-left override
		{"ada\u00a0x@example.com", "", "invalid_email"},                  // no-break space
		{"ada\x00@example.com", "", "invalid_email"},                     // NUL
		{"ada\u2028@example.com", "", "invalid_email"},                   // line separator
		{"ada\xff@example.com", "", "invalid_email"},                     // not UTF-8
		{"ada@[127.0.0.1]", "", "invalid_email"},                         // address literal
		{"ada@[IPv6:::1]", "", "invalid_email"},                          // address literal
		{"ada@127.0.0.1", "", "invalid_email"},                           // bare IP address
		{"ada@-example.com", "", "invalid_email"},                        // label starting with a hyphen
		{"ada@example-.com", "", "invalid_email"},                        // label ending with a hyphen
		{"ada@exa_mple.com", "", "invalid_email"},                        // underscore
		{"ada@example..com", "", "invalid_email"},                        // empty label
		{"ada@example.com.", "", "invalid_email"},                        // trailing dot
		{"ada@" + strings.Repeat("b", 64) + ".com", "", "invalid_email"}, // label over 63
		{"ada@xn--zz.com", "", "invalid_email"},                          // broken punycode
		{strings.Repeat("a", 65) + "@example.com", "", "invalid_email"},
		{`"ada"@example.com`, "", "invalid_email"},
		{"ada(comment)@example.com", "", "invalid_email"},
		{".ada@example.com", "", "invalid_email"},
		{"ada.@example.com", "", "invalid_email"},
		{"a..da@example.com", "", "invalid_email"},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail("email", tt.in)
		if tt.code == "" {
			if err != nil || got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var verr *ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Code != tt.code || verr.Fields[0].Field != "email" {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want code %s on field email", tt.in, got, err, tt.code)
		}
	}
}

// TestEquivalentSpellingsCollide checks the property every door relies on: spellings of one
// address that a person cannot tell apart normalize to the same string, and the result is a
// fixed point.
func TestEquivalentSpellingsCollide(t *testing.T) {
	groups := [][]string{
		{"áda@example.com", "a\u0301da@example.com", "ÁDA@EXAMPLE.COM", "A\u0301DA@Example.Com", " áda@example.com "},
		{"ada@example.com", "ada@ｅｘａｍｐｌｅ.ｃｏｍ", "ADA@EXAMPLE.COM", "ada@ExAmPlE.cOm"},
		{"zoë@bücher.example", "zoe\u0308@bu\u0308cher.example", "ZOË@BÜCHER.EXAMPLE", "zoë@xn--bcher-kva.example"},
	}
	for _, g := range groups {
		first, err := NormalizeEmail("email", g[0])
		if err != nil {
			t.Fatalf("NormalizeEmail(%q): %v", g[0], err)
		}
		again, err := NormalizeEmail("email", first)
		if err != nil || again != first {
			t.Errorf("NormalizeEmail is not idempotent: %q -> %q -> %q, %v", g[0], first, again, err)
		}
		for _, s := range g[1:] {
			if got, err := NormalizeEmail("email", s); err != nil || got != first {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q like %q", s, got, err, first, g[0])
			}
		}
	}
}

func TestNormalizeDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme.com", "acme.com"},
		{" ａｃｍｅ.io ", "acme.io"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"acme", ""},
		{"-acme.com", ""},
		{"[127.0.0.1]", ""},
		{"10.0.0.1", ""},
		{"ac\u200bme.com", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeDomain("allowedDomains[0]", tt.in)
		if (err == nil) != (tt.want != "") || got != tt.want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"jane@example.com", "a\u0301da@example.com", "ada@ｅxample.com", "zoë@bücher.example", "ada@[127.0.0.1]", "x@y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := NormalizeEmail("email", raw)
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("NormalizeEmail(%q) error %v is not a validation error", raw, err)
			}
			return
		}
		again, err := NormalizeEmail("email", got)
		if err != nil || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q, but normalizing that gives %q, %v", raw, got, again, err)
		}
		if got != strings.TrimSpace(got) || strings.Count(got, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q is not a bare address", raw, got)
		}
	})
}

// FuzzPlainASCIIEmail holds the fast path of NormalizeEmail to the full rules: whatever it
// accepts, the full rules accept with the same result.
func FuzzPlainASCIIEmail(f *testing.F) {
	for _, s := range []string{"jane@example.com", "Jane.Doe@Example.COM", "a@b.io", "x@1.2", "x@ab--c.com", "x@xn--bcher-kva.example", "a..b@c.de", "#!$%&'*+-/=?^_`{|}~@x.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast, ok := plainASCIIEmail(raw)
		if !ok {
			return
		}
		// The full rules, without the fast path in front of them.
		full, err := normalizeSlowly("email", raw)
		if err != nil || full != fast {
			t.Fatalf("plainASCIIEmail(%q) = %q, but the full rules give %q, %v", raw, fast, full, err)
		}
	})
}

// FuzzInvitationToken reads any text as an accept link's token: never a panic, and only the
// shape the service mints (organization, invitation, 43 characters of secret) names an
// invitation, which then cannot be accepted without the secret whose hash is stored.
func FuzzInvitationToken(f *testing.F) {
	f.Add(newInvitationToken("acme", "inv_01ABC"))
	f.Add("acme.inv_01ABC." + strings.Repeat("q", 43))
	f.Add("..")
	f.Add("a.b.c.d")
	stored := HashSecret(newInvitationToken("acme", "inv_01ABC"))
	f.Fuzz(func(t *testing.T, token string) {
		orgID, invID, ok := parseInvitationToken(token)
		if !ok {
			return
		}
		if orgID == "" || invID == "" || strings.Count(token, ".") != 2 {
			t.Fatalf("parseInvitationToken(%q) = %q, %q: not the minted shape", token, orgID, invID)
		}
		if tokenMatches(token, stored) || tokenMatches(token, "") {
			t.Fatalf("token %q matches a hash it was not made for", token)
		}
	})
}
