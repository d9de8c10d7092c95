package scim

import (
	"encoding/json"
	"errors"
	"strings"
)

// Schema URNs that attribute paths may be prefixed with.
const (
	userSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// attrRef is an attribute path (RFC 7644 §3.4.2.2 attrPath) with every name lower-cased,
// since SCIM attribute names are case-insensitive.
type attrRef struct {
	text   string // as written, for messages
	schema string // the URN prefix, lower-cased; "" when absent
	name   string // "" when the reference is a whole schema (an extension's URN alone)
	sub    string
}

// comparison is one `sub eq value` inside a filter or a value path's brackets.
type comparison struct {
	sub   string
	value any // string, bool, nil or json.Number
}

// errSyntax marks a malformed filter or path; callers turn it into their scimType.
var errSyntax = errors.New("malformed")

// scanner reads a filter or a PATCH path from left to right. Every method leaves pos at
// the first byte it did not consume.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) done() bool { return sc.pos >= len(sc.s) }

// next reports whether the next byte is c, consuming it if so.
func (sc *scanner) next(c byte) bool {
	if sc.pos < len(sc.s) && sc.s[sc.pos] == c {
		sc.pos++
		return true
	}
	return false
}

// space consumes one or more spaces and reports whether there were any.
func (sc *scanner) space() bool {
	start := sc.pos
	for sc.pos < len(sc.s) && sc.s[sc.pos] == ' ' {
		sc.pos++
	}
	return sc.pos > start
}

// isPathByte reports whether c may appear in an attribute path with its URN prefix.
func isPathByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == '$'
}

// word consumes a run of letters (an operator or "and") and returns it lower-cased.
func (sc *scanner) word() string {
	start := sc.pos
	for sc.pos < len(sc.s) && (sc.s[sc.pos] >= 'a' && sc.s[sc.pos] <= 'z' || sc.s[sc.pos] >= 'A' && sc.s[sc.pos] <= 'Z') {
		sc.pos++
	}
	return strings.ToLower(sc.s[start:sc.pos])
}

// attr consumes an attribute path such as name.givenName or a URN-prefixed one.
func (sc *scanner) attr() (attrRef, error) {
	start := sc.pos
	for sc.pos < len(sc.s) && isPathByte(sc.s[sc.pos]) {
		sc.pos++
	}
	return parseAttrRef(sc.s[start:sc.pos])
}

// parseAttrRef splits [urn ":"] name ["." sub] and checks each name's spelling.
func parseAttrRef(tok string) (attrRef, error) {
	var ref attrRef
	rest := tok
	if len(tok) > 4 && strings.EqualFold(tok[:4], "urn:") {
		switch lower := strings.ToLower(tok); lower {
		case strings.ToLower(userSchema), strings.ToLower(groupSchema), strings.ToLower(enterpriseSchema):
			return attrRef{text: tok, schema: lower}, nil
		}
		i := strings.LastIndexByte(tok, ':')
		ref.schema, rest = strings.ToLower(tok[:i]), tok[i+1:]
	}
	name, sub, dotted := strings.Cut(rest, ".")
	if !validName(name) || dotted && !validName(sub) {
		return attrRef{}, errSyntax
	}
	ref.text, ref.name, ref.sub = tok, strings.ToLower(name), strings.ToLower(sub)
	return ref, nil
}

// validName reports whether s is an ATTRNAME (RFC 7643 §2.1), also allowing "$ref".
func validName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isPathByte(c) || c == '.' || c == ':' || c == '$' {
			return false
		}
	}
	return true
}

// literal consumes a comparison value: a JSON string, true, false, null or a number. On
// failure pos stays at the value's start.
func (sc *scanner) literal() (v any, err error) {
	start := sc.pos
	defer func() {
		if err != nil {
			sc.pos = start
		}
	}()
	if sc.done() {
		return nil, errSyntax
	}
	switch c := sc.s[sc.pos]; {
	case c == '"':
		sc.pos++
		for sc.pos < len(sc.s) && sc.s[sc.pos] != '"' {
			if sc.s[sc.pos] == '\\' {
				sc.pos++
			}
			sc.pos++
		}
		if sc.pos >= len(sc.s) {
			return nil, errSyntax
		}
		sc.pos++
		var s string
		if err := json.Unmarshal([]byte(sc.s[start:sc.pos]), &s); err != nil {
			return nil, errSyntax
		}
		return s, nil
	case c == '-' || c >= '0' && c <= '9':
		for sc.pos < len(sc.s) && strings.IndexByte("0123456789+-.eE", sc.s[sc.pos]) >= 0 {
			sc.pos++
		}
		var n json.Number
		if err := json.Unmarshal([]byte(sc.s[start:sc.pos]), &n); err != nil {
			return nil, errSyntax
		}
		return n, nil
	}
	switch sc.word() {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	return nil, errSyntax
}

// comparisons consumes `sub eq value` terms joined by "and", as inside a value path's
// brackets, stopping before the closing bracket. An operator other than eq, or "or" or
// "not", is refused with the word that was found.
func (sc *scanner) comparisons() ([]comparison, string, error) {
	var out []comparison
	for {
		ref, err := sc.attr()
		if err != nil || ref.schema != "" || ref.sub != "" {
			return nil, "", errSyntax
		}
		if !sc.space() {
			return nil, "", errSyntax
		}
		if op := sc.word(); op != "eq" {
			return nil, op, errSyntax
		}
		if !sc.space() {
			return nil, "", errSyntax
		}
		v, err := sc.literal()
		if err != nil {
			return nil, "", err
		}
		out = append(out, comparison{sub: ref.name, value: v})
		if !sc.space() {
			return out, "", nil
		}
		if w := sc.word(); w != "and" {
			if w == "" {
				return out, "", nil
			}
			return nil, w, errSyntax
		}
		if !sc.space() {
			return nil, "", errSyntax
		}
	}
}
