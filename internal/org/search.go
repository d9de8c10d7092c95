package org

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSearchLength bounds a search of a list, in characters.
const MaxSearchLength = 100

// Fold is the form in which a search and what it looks through are compared: composed
// (NFC, so "é" typed either way is one letter) and lower-cased. Stores keep the folded name of
// what may be searched, and search it with the folded query.
func Fold(s string) string {
	return norm.NFC.String(strings.ToLower(norm.NFC.String(s)))
}

// NormalizeSearch trims a search typed into field and checks it: at most MaxSearchLength
// characters of valid UTF-8 without control characters. An empty search matches everything.
func NormalizeSearch(field, raw string) (string, error) {
	q := strings.TrimSpace(raw)
	switch {
	case !utf8.ValidString(q):
		return "", Invalid(field, "invalid_query", field+" must be valid UTF-8")
	case utf8.RuneCountInString(q) > MaxSearchLength:
		return "", Invalid(field, "invalid_query", field+" must be at most 100 characters")
	case strings.ContainsFunc(q, unicode.IsControl):
		return "", Invalid(field, "invalid_query", field+" must not contain control characters or line breaks")
	}
	return q, nil
}
