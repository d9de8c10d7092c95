package scim

import (
	"strconv"
	"strings"
)

// patchPath is the target of a PATCH operation (RFC 7644 §3.5.2): an attribute path such
// as name.familyName, or a value path such as emails[type eq "work"].value or
// members[value eq "…"], optionally URN-prefixed.
type patchPath struct {
	attr  attrRef
	where []comparison // the conditions in brackets; nil without brackets
}

// parsePath reads a PATCH path, refusing anything malformed with invalidPath. The filter
// inside brackets is the same eq-and-and subset as list filters.
func parsePath(s string) (patchPath, error) {
	sc := &scanner{s: strings.TrimSpace(s)}
	ref, err := sc.attr()
	if err != nil {
		return patchPath{}, pathSyntax(s, "expected an attribute name such as name.familyName")
	}
	p := patchPath{attr: ref}
	if sc.next('[') {
		if ref.sub != "" || ref.name == "" {
			return patchPath{}, pathSyntax(s, "a value filter follows an attribute, not a sub-attribute")
		}
		where, word, err := sc.comparisons()
		if err != nil {
			if word != "" {
				return patchPath{}, pathSyntax(s, "the operator "+strconv.Quote(word)+" is not supported; value filters compare with eq, joined by and")
			}
			return patchPath{}, pathSyntax(s, "expected a value filter such as type eq \"work\"")
		}
		if !sc.next(']') {
			return patchPath{}, pathSyntax(s, "expected \"]\"")
		}
		p.where = where
		if sc.next('.') {
			sub, err := sc.attr()
			if err != nil || sub.schema != "" || sub.sub != "" {
				return patchPath{}, pathSyntax(s, "expected a sub-attribute after \"].\"")
			}
			p.attr.sub = sub.name
		}
	}
	if !sc.done() {
		return patchPath{}, pathSyntax(s, "unexpected text at position "+strconv.Itoa(sc.pos+1))
	}
	return p, nil
}

// pathSyntax refuses path with invalidPath, quoting at most its first 100 bytes.
func pathSyntax(path, what string) error {
	if len(path) > 100 {
		path = path[:100] + "…"
	}
	return badRequest(typeInvalidPath, "the path %s is malformed: %s", strconv.Quote(path), what)
}

// ignored reports whether p names an attribute of another schema than want (an extension
// such as the enterprise user), which Gatehouse does not keep.
func (p patchPath) ignored(want string) bool {
	return p.attr.schema != "" && p.attr.schema != strings.ToLower(want)
}

// plain reports whether p is a bare attribute without sub-attribute or value filter.
func (p patchPath) plain() bool { return p.attr.sub == "" && p.where == nil }
