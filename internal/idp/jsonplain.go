package idp

import (
	"strings"
	"unicode/utf8"
)

// Most people in a JSON page are plain objects: string values without escapes under the
// keys of the struct they are decoded into. encoding/json decodes those through reflection
// one field at a time; eachMember reads them in one pass over the object, which a
// json.Decoder has already checked is valid JSON when it hands it to an UnmarshalJSON.
// Anything else (an escape, a key that matches a field but for case, a value of another
// type) is left to encoding/json, which then decides exactly as it always has.

// eachMember calls fn with the key and the value's JSON text of each member of the object
// in s, in order, and reports whether every call returned true. It reports false, without
// reading on, when s is not an object or a key has escapes or non-ASCII characters (which
// encoding/json would unescape and fold), and it expects s to be valid JSON.
func eachMember(s string, fn func(key, value string) bool) bool {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return true
	}
	for i < len(s) && s[i] == '"' {
		end := i + 1
		for end < len(s) && s[end] != '"' {
			if c := s[end]; c == '\\' || c >= utf8.RuneSelf {
				return false
			}
			end++
		}
		key := s[i+1 : min(end, len(s))]
		i = skipSpace(s, end+1)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		start := skipSpace(s, i+1)
		i = skipValue(s, start)
		if i > len(s) || !fn(key, s[start:i]) {
			return false
		}
		i = skipSpace(s, i)
		if i < len(s) && s[i] == '}' {
			return true
		}
		if i >= len(s) || s[i] != ',' {
			return false
		}
		i = skipSpace(s, i+1)
	}
	return false
}

// skipValue returns the end of the JSON value that starts at s[i], or len(s)+1 when s ends
// before it does.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return len(s) + 1
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(s) + 1
	}
	for i < len(s) && strings.IndexByte(",}] \t\r\n", s[i]) < 0 {
		i++ // a number, true, false or null
	}
	return i
}

// skipString returns the end of the JSON string that starts at s[i].
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s) + 1
}

// skipSpace returns the index of the first byte from i on that is not JSON white space.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// plainString stores in dst what encoding/json stores in a string field for the JSON value
// v, when that is simple: null leaves dst as it is, and a string without escapes whose
// content is valid UTF-8 is its content. It reports false for any other value.
func plainString(dst *string, v string) bool {
	if v == "null" {
		return true
	}
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	v = v[1 : len(v)-1]
	if strings.IndexByte(v, '\\') >= 0 || (!isASCII(v) && !utf8.ValidString(v)) {
		return false
	}
	*dst = v
	return true
}

// foldsToAny reports whether key is one of names but for case, so that encoding/json would
// decode its value into that field; key is ASCII (eachMember sees to it).
func foldsToAny(key string, names ...string) bool {
	for _, n := range names {
		if len(n) == len(key) && strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}
