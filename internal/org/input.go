package org

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength bounds the names people type.
const MaxNameLength = 200

// NormalizeName trims a person's or token's name and rejects control characters and line
// breaks, which could otherwise end up in email headers or logs. An empty name is allowed.
func NormalizeName(field, raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if !utf8.ValidString(name) {
		return "", Invalid(field, "invalid_name", "name must be valid UTF-8")
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return "", Invalid(field, "invalid_name", "name must be at most 200 characters")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", Invalid(field, "invalid_name", "name must not contain control characters or line breaks")
		}
	}
	return name, nil
}

// ParseRole checks a role name, defaulting to def when empty.
func ParseRole(field, raw string, def Role) (Role, error) {
	if raw == "" {
		return def, nil
	}
	r := Role(raw)
	if !r.Valid() {
		return "", Invalid(field, "invalid_role", "role must be one of admin, member, viewer")
	}
	return r, nil
}
