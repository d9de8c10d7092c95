package org

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Limits on an address (RFC 5321): the whole at most MaxEmailLength characters, the part
// before the @ at most 64 bytes.
const (
	MaxEmailLength     = 254
	maxLocalPartLength = 64
)

// domainProfile maps a domain the way mail and web clients look it up (UTS #46: full-width
// letters, upper case and other compatibility forms become the name DNS resolves), then
// insists on a valid host name: letters, digits and inner hyphens in labels of at most 63
// characters, at most 253 in all, with the bidirectional and joiner rules of IDNA2008.
var domainProfile = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.BidiRule(),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
)

// NormalizeEmail is the one definition of an address in Gatehouse, used by every door (the
// API, bulk imports, Slack, the web page, directory sync and SCIM): two spellings that a
// person cannot tell apart give the same result, and anything that is not a plain,
// deliverable address is refused with a message that says why.
//
//   - Surrounding white space goes; upper case becomes lower case; the text is put in
//     Unicode Normalization Form C, so "é" typed as one character or as "e" and an accent is
//     one address.
//   - Invisible and control characters (zero-width spaces and joiners, soft hyphens, byte
//     order marks, variation selectors, bidirectional controls) are refused anywhere.
//   - The part before the @ is a plain dot-atom: no quoted strings, no comments, no display
//     names, at most 64 bytes. Compatibility forms that would read as other letters
//     (full-width "ａ", ligatures, superscripts) and letters of look-alike scripts mixed in
//     one part (a Cyrillic "а" among Latin letters) are refused rather than guessed.
//   - The domain is mapped and checked under IDNA (UTS #46) and kept in its ASCII form, so
//     "ｅxample.com", "EXAMPLE.com" and "example.com" are one domain and "bücher.example" is
//     stored as "xn--bcher-kva.example"; address literals ("[127.0.0.1]"), bare IP addresses,
//     labels starting or ending with a hyphen, and domains without a dot are refused.
func NormalizeEmail(field, raw string) (string, error) {
	if email, ok := plainASCIIEmail(strings.TrimSpace(raw)); ok {
		return email, nil
	}
	return normalizeSlowly(field, raw)
}

// normalizeSlowly is NormalizeEmail by its full rules.
func normalizeSlowly(field, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Invalid(field, "required", "email is required")
	}
	if !utf8.ValidString(s) {
		return "", invalidEmail(field, "email must be valid UTF-8")
	}
	if utf8.RuneCountInString(s) > MaxEmailLength {
		return "", invalidEmail(field, "email must be at most 254 characters")
	}
	if r, bad := firstInvisible(s); bad {
		return "", invalidEmail(field, "email must not contain invisible or control characters (found "+describeRune(r)+")")
	}
	if !isASCII(s) {
		s = norm.NFC.String(s)
	}
	s = strings.ToLower(s)
	if !isASCII(s) {
		s = norm.NFC.String(s) // lower-casing may leave a composable pair
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", invalidEmail(field, "email must be a plain address such as jane@example.com")
	}
	local, domain := s[:at], s[at+1:]
	if msg := checkLocalPart(local); msg != "" {
		return "", invalidEmail(field, msg)
	}
	ascii, msg := normalizeDomain(domain)
	if msg != "" {
		return "", invalidEmail(field, msg)
	}
	email := local + "@" + ascii
	if utf8.RuneCountInString(email) > MaxEmailLength {
		return "", invalidEmail(field, "email must be at most 254 characters")
	}
	return email, nil
}

// NormalizeDomain puts a domain such as an organization's allowed domain in the form
// NormalizeEmail gives the domains of addresses, or says why it is not a domain.
func NormalizeDomain(field, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", Invalid(field, "required", "domain is required")
	}
	if r, bad := firstInvisible(s); bad || !utf8.ValidString(s) {
		return "", Invalid(field, "invalid_domain", "domain must not contain invisible or control characters (found "+describeRune(r)+")")
	}
	ascii, msg := normalizeDomain(norm.NFC.String(strings.ToLower(s)))
	if msg != "" {
		return "", Invalid(field, "invalid_domain", strings.Replace(msg, "email's domain", "domain", 1))
	}
	return ascii, nil
}

// DomainOf is the domain of a normalized address.
func DomainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}

func invalidEmail(field, msg string) error { return Invalid(field, "invalid_email", msg) }

// checkLocalPart says what is wrong with the part of an address before the @, or "".
func checkLocalPart(local string) string {
	switch {
	case local == "":
		return "email must have a name before the @, such as jane@example.com"
	case len(local) > maxLocalPartLength:
		return "the part of email before the @ must be at most 64 bytes"
	case strings.ContainsAny(local, "\"()<>[]\\,;: \t"):
		return "email must be a plain address such as jane@example.com"
	}
	// net/mail knows the dot-atom grammar (RFC 5322, with UTF-8 as RFC 6532 allows); a plain
	// address comes back unchanged. The domain is checked on its own below.
	probe := local + "@example.com"
	if a, err := mail.ParseAddress(probe); err != nil || a.Name != "" || a.Address != probe {
		return "email must be a plain address such as jane@example.com"
	}
	if !isASCII(local) {
		if !norm.NFKC.IsNormalString(local) {
			return "the part of email before the @ must be typed in plain letters (it holds full-width or other compatibility characters)"
		}
		if mixedScripts(local) {
			return "the part of email before the @ mixes letters of look-alike scripts (such as Latin and Cyrillic)"
		}
	}
	return ""
}

// normalizeDomain maps and checks the domain of an address, returning its ASCII form or a
// message saying what is wrong.
func normalizeDomain(domain string) (string, string) {
	switch {
	case domain == "":
		return "", "email must have a domain such as example.com"
	case strings.HasPrefix(domain, "["):
		return "", "email must name a domain, not an address literal such as [127.0.0.1]"
	case strings.HasSuffix(domain, "."):
		return "", "email's domain must not end with a dot"
	}
	ascii, err := domainProfile.ToASCII(domain)
	switch {
	case err != nil && strings.HasSuffix(ascii, "."):
		return "", "email's domain must not end with a dot"
	case err != nil:
		return "", "email's domain is not a valid domain name (labels of letters, digits and inner hyphens, such as example.com)"
	case strings.HasSuffix(ascii, "."):
		return "", "email's domain must not end with a dot"
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", "email must have a domain such as example.com"
	}
	switch tld := labels[len(labels)-1]; {
	case strings.Trim(tld, "0123456789") == "":
		return "", "email must name a domain, not an IP address"
	case len(tld) < 2:
		return "", "email's domain must end in a top-level domain of at least two letters, such as .com"
	}
	for _, label := range labels {
		if !strings.HasPrefix(label, "xn--") {
			continue // ASCII labels are one script
		}
		// A label typed in Unicode or as punycode is judged the same way.
		if u, err := domainProfile.ToUnicode(label); err == nil && mixedScripts(u) {
			return "", "email's domain mixes letters of look-alike scripts (such as Latin and Cyrillic)"
		}
	}
	return ascii, ""
}

// firstInvisible finds the first character a person cannot see or that controls the text's
// layout rather than showing: control and format characters, other default-ignorable code
// points (such as the Hangul filler and variation selectors), and line or paragraph
// separators. Ordinary spaces are left to the address grammar.
func firstInvisible(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r == ' ':
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r),
			unicode.Is(unicode.Zs, r), unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r),
			unicode.Is(unicode.Variation_Selector, r), unicode.Is(unicode.Co, r), r == utf8.RuneError,
			r == '\u2800', r == '\u3164', r == '\uffa0', r == '\u115f', r == '\u1160': // blanks that show nothing
			return r, true
		}
	}
	return 0, false
}

// describeRune names a character for an error message: its code point, since it may not show.
func describeRune(r rune) string {
	const hex = "0123456789ABCDEF"
	b := []byte("U+")
	digits := 4
	if r > 0xFFFF {
		digits = 6
	}
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hex[(r>>(4*i))&0xF])
	}
	return string(b)
}

// scriptOf is the script of a letter: the first of Unicode's script tables holding it.
func scriptOf(r rune) string {
	for name, t := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

// highlyRestrictive are the sets of scripts Unicode's "highly restrictive" profile (UTS #39)
// lets one word mix, as Japanese, Chinese and Korean names do; any other mix is refused.
var highlyRestrictive = []map[string]bool{
	{"Latin": true, "Han": true, "Hiragana": true, "Katakana": true},
	{"Latin": true, "Han": true, "Bopomofo": true},
	{"Latin": true, "Han": true, "Hangul": true},
}

// mixedScripts reports whether s has letters of more than one script, beyond the mixes the
// highly restrictive profile allows: the classic look-alike is a Cyrillic "а" among Latin
// letters.
func mixedScripts(s string) bool {
	seen := map[string]bool{}
	for _, r := range s {
		if r < utf8.RuneSelf && !unicode.IsLetter(r) {
			continue
		}
		if sc := scriptOf(r); sc != "" {
			seen[sc] = true
		}
	}
	if len(seen) <= 1 {
		return false
	}
	for _, allowed := range highlyRestrictive {
		ok := true
		for sc := range seen {
			ok = ok && allowed[sc]
		}
		if ok {
			return false
		}
	}
	return true
}

// plainASCIIEmail is NormalizeEmail's answer for the common case, decided in one pass
// without parsing: an address of printable ASCII whose local part is a dot-atom and whose
// domain is letters, digits and inner hyphens in at least two labels (none an "xn--"
// label, which needs IDNA's checks). ok is false for anything else, which the full rules
// then judge; for what it accepts it gives exactly their result (FuzzPlainASCIIEmail holds
// it to that).
func plainASCIIEmail(s string) (string, bool) {
	if len(s) < 3 || len(s) > MaxEmailLength {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > maxLocalPartLength || at == len(s)-1 || s[0] == '.' || s[at-1] == '.' {
		return "", false
	}
	lower := true
	// The local part: atoms of atext (RFC 5322) joined by single dots.
	for i := 0; i < at; i++ {
		switch k := asciiClass[s[i]]; {
		case k&(classLower|classDigit|classHyphen|classAtext) != 0:
		case k == classUpper:
			lower = false
		case k == classDot && s[i-1] != '.': // s[0] is not a dot
		default:
			return "", false
		}
	}
	// The domain: a host name that IDNA would keep as it is (lower-cased), of at most 253
	// characters in labels of at most 63, at least two of them, the last of two characters
	// at least and not all digits.
	domain := s[at+1:]
	if len(domain) > 253 {
		return "", false
	}
	labels, start, digits := 0, 0, true
	for i := 0; ; i++ {
		if i == len(domain) || domain[i] == '.' {
			n := i - start
			if n == 0 || n > 63 || domain[start] == '-' || domain[i-1] == '-' ||
				(n >= 4 && domain[start+2] == '-' && domain[start+3] == '-') {
				return "", false // empty (a leading, double or trailing dot), long, or hyphens where IDNA looks
			}
			labels++
			if i == len(domain) {
				if labels < 2 || digits || n < 2 {
					return "", false
				}
				break
			}
			start, digits = i+1, true
			continue
		}
		switch k := asciiClass[domain[i]]; k {
		case classLower, classHyphen:
			digits = false
		case classDigit:
		case classUpper:
			lower, digits = false, false
		default:
			return "", false
		}
	}
	if !lower {
		s = strings.ToLower(s)
	}
	return s, true
}

// The classes of bytes plainASCIIEmail tells apart; 0 for every other byte.
const (
	classLower  uint8 = 1 << iota // a-z
	classDigit                    // 0-9
	classUpper                    // A-Z
	classHyphen                   // -
	classDot                      // .
	classAtext                    // the rest of RFC 5322's atext
)

// asciiClass is the class of each byte.
var asciiClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = classLower
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
	}
	t['-'], t['.'] = classHyphen, classDot
	for _, c := range "!#$%&'*+/=?^_`{|}~" {
		t[c] = classAtext
	}
	return t
}()

// isASCII reports whether s has only ASCII bytes, which normalization leaves unchanged.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
