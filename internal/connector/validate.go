package connector

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"gatehouse/internal/org"
)

// fields collects the problems of one configuration.
type fields struct {
	org.ValidationError
}

// required reports a missing value and says whether it is there.
func (f *fields) required(name, value, example string) bool {
	if strings.TrimSpace(value) == "" {
		f.Add(name, "required", name+" is required, such as "+example)
		return false
	}
	return true
}

// secret checks a credential without ever quoting it.
func (f *fields) secret(name string, s Secret, what string) {
	switch v := strings.TrimSpace(s.Reveal()); {
	case v == "":
		f.Add(name, "required", name+" is required: "+what)
	case s.IsPlaceholder():
		f.Add(name, "redacted", name+` is the placeholder "`+v+`" that answers show; send the secret itself`)
	case strings.ContainsFunc(v, unicode.IsControl) && name != "serviceAccountKey":
		f.Add(name, "invalid", name+" has control characters; paste it again")
	}
}

// baseURL checks an optional API address: https with a host and no query, or loopback
// http for fake providers (which only a local-stack egress client reaches).
func (f *fields) baseURL(name, raw, example string) {
	if raw == "" {
		return
	}
	if err := checkBaseURL(raw); err != nil {
		f.Add(name, "invalid_url", fmt.Sprintf("%s %v, such as %s", name, err, example))
	}
}

// checkBaseURL says what is wrong with an API address, as the end of a sentence.
func checkBaseURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("must be an https URL")
	case u.User != nil:
		return fmt.Errorf("must not carry a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?"):
		return fmt.Errorf("must not have a query or fragment")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && a.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("must be an https URL")
}

// trimBase is an API address without the slash at its end.
func trimBase(raw, def string) string {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	if raw == "" {
		return def
	}
	return raw
}

// groups checks the group list: count, ids, duplicates. valid says what an id may be.
func (f *fields) groups(groups []Group, required bool, valid func(string) bool, kind, example string) {
	switch {
	case len(groups) == 0 && required:
		f.Add("groups", "required", fmt.Sprintf("groups must list at least one group, such as [{\"id\": %q}]", example))
	case len(groups) > MaxGroups:
		f.Add("groups", "too_many", fmt.Sprintf("groups may list at most %d groups", MaxGroups))
	}
	seen := make(map[string]int, len(groups))
	for i, g := range groups {
		name := fmt.Sprintf("groups[%d].id", i)
		id := strings.TrimSpace(g.ID)
		switch j, dup := seen[id]; {
		case id == "":
			f.Add(name, "required", fmt.Sprintf("%s is required: the %s, such as %s", name, kind, example))
		case id != g.ID:
			f.Add(name, "invalid", name+" has spaces around it")
		case len(id) > 256 || strings.ContainsFunc(id, unicode.IsControl) || !valid(id):
			f.Add(name, "invalid", fmt.Sprintf("%s must be the %s, such as %s", name, kind, example))
		case dup:
			f.Add(name, "duplicate", fmt.Sprintf("%s repeats groups[%d].id", name, j))
		default:
			seen[id] = i
		}
	}
}

// isGUID reports whether s is a GUID such as 02bd9fd6-8f93-4758-87c3-1fb73740a315.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// isToken reports whether s has only letters, digits and the characters in extra.
func isToken(s, extra string) bool {
	for _, r := range s {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return s != ""
}
