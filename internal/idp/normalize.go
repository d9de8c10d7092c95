package idp

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"gatehouse/internal/org"
)

// normalizeEmail applies the organization's one definition of an address
// (org.NormalizeEmail), so an export names people exactly as every other door does. The
// error says in words what is wrong. The address may share memory with raw.
func normalizeEmail(raw string) (string, error) {
	email, err := org.NormalizeEmail("email", raw)
	if err != nil {
		var verr *org.ValidationError
		if errors.As(err, &verr) && len(verr.Fields) > 0 {
			return "", errors.New(verr.Fields[0].Message)
		}
		return "", fmt.Errorf("normalize email: %w", err)
	}
	return email, nil
}

// emailKey is how the planner compares an account's stored address, or a skipped record's,
// with an export's: by the same definition, and trimmed and lower-cased where it is not a
// valid address at all.
func emailKey(s string) string {
	if email, err := org.NormalizeEmail("email", s); err == nil {
		return email
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// joinName builds "First Last" from the parts a format has, leaving out empty ones; the
// builder cleans the result.
func joinName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// cleanName makes a display name safe for the organization's name rule instead of dropping
// the person: invalid UTF-8 becomes U+FFFD, control characters, line breaks and runs of
// spaces become one space, the result is NFC and at most org.MaxNameLength characters. A
// name that needs no cleaning is raw itself, so callers copy what they keep.
func cleanName(raw string) string {
	if plainASCII(raw) || clean(raw) {
		return raw
	}
	return cleanSlowly(raw)
}

// cleanSlowly is cleanName by its full rules.
func cleanSlowly(raw string) string {
	raw = strings.ToValidUTF8(raw, "\uFFFD")
	var sb strings.Builder
	sb.Grow(len(raw))
	space := false
	for _, r := range raw {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	name := norm.NFC.String(sb.String())
	if utf8.RuneCountInString(name) > org.MaxNameLength {
		name = strings.TrimSpace(string([]rune(name)[:org.MaxNameLength]))
	}
	name, err := org.NormalizeName("name", name)
	if err != nil {
		return "" // cannot happen after the cleaning above; a missing name is harmless
	}
	return name
}

// plainASCII reports whether s is printable ASCII with single inner spaces and no outer
// ones: a name that needs no cleaning.
func plainASCII(s string) bool {
	if len(s) == 0 || len(s) > org.MaxNameLength || s[0] == ' ' || s[len(s)-1] == ' ' {
		return len(s) == 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || (c == ' ' && s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// clean reports whether s is a name that cleanName leaves as it is: valid UTF-8 in NFC,
// at most org.MaxNameLength characters, with single inner ASCII spaces and no other
// white space, control characters or line breaks.
func clean(s string) bool {
	n, ok := cleanRunes(s)
	return ok && n <= org.MaxNameLength && norm.NFC.IsNormalString(s)
}

// cleanRunes counts the characters of s and reports whether it is valid UTF-8 with single
// inner ASCII spaces and no other white space, control characters or line breaks.
func cleanRunes(s string) (int, bool) {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || !utf8.ValidString(s) {
		return 0, false
	}
	n, space := 0, false
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return 0, false
			}
			space = true
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return 0, false
		default:
			space = false
		}
		n++
	}
	return n, true
}

// isASCII reports whether s has only ASCII bytes, which NFC leaves unchanged.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
