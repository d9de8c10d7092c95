package org

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what people type.
const (
	MaxEmailLength = 254
	MaxNameLength  = 200
)

// NormalizeEmail trims and lower-cases an address and checks that it is a bare address
// (no display name, no angle brackets) of at most MaxEmailLength characters.
func NormalizeEmail(field, raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case email == "":
		return "", Invalid(field, "required", "email is required")
	case utf8.RuneCountInString(email) > MaxEmailLength:
		return "", Invalid(field, "invalid_email", "email must be at most 254 characters")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email || strings.ContainsAny(email, "<> \t\r\n") {
		return "", Invalid(field, "invalid_email", "email must be a plain address such as jane@example.com")
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || !strings.Contains(email[at+1:], ".") {
		return "", Invalid(field, "invalid_email", "email must have a domain such as example.com")
	}
	return email, nil
}

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
