package scim

import "strings"

// The filter language (RFC 7644 §3.4.2.2) is served in the subset Okta and Entra ID send:
// `attr eq "value"` terms joined by "and", where attr is one this package can look up, plus
// the value paths emails[type eq "work"].value eq "…" and members[value eq "…"]. Everything
// else is refused with invalidFilter rather than answered with a wrong or full list.

// term is one comparison of a filter: attr eq value, or a value path attr[where] that may
// carry ".sub eq value" after its brackets.
type term struct {
	attr     attrRef
	where    []comparison
	value    any
	hasValue bool
}

// parseFilter reads a filter into its and-ed terms.
func parseFilter(s string) ([]term, error) {
	sc := &scanner{s: strings.TrimSpace(s)}
	var terms []term
	for {
		t, err := sc.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		if sc.done() {
			return terms, nil
		}
		if !sc.space() {
			return nil, filterSyntax(sc, "expected a space and \"and\"")
		}
		at := sc.pos
		switch w := sc.word(); w {
		case "and":
		case "or", "not":
			return nil, badRequest(typeInvalidFilter, "%q is not supported; join comparisons with \"and\"", w)
		default:
			sc.pos = at
			return nil, filterSyntax(sc, "expected \"and\"")
		}
		if !sc.space() {
			return nil, filterSyntax(sc, "expected a comparison after \"and\"")
		}
	}
}

// term reads one comparison or value path.
func (sc *scanner) term() (term, error) {
	if sc.next('(') {
		return term{}, badRequest(typeInvalidFilter, "grouping with parentheses is not supported")
	}
	ref, err := sc.attr()
	if err != nil {
		return term{}, filterSyntax(sc, "expected an attribute name")
	}
	if ref.name == "not" && ref.schema == "" && ref.sub == "" {
		return term{}, badRequest(typeInvalidFilter, "\"not\" is not supported")
	}
	t := term{attr: ref}
	if sc.next('[') {
		if ref.sub != "" || ref.name == "" {
			return term{}, filterSyntax(sc, "a value filter follows an attribute, not a sub-attribute")
		}
		where, word, err := sc.comparisons()
		if err != nil {
			return term{}, refusedWord(sc, word)
		}
		if !sc.next(']') {
			return term{}, filterSyntax(sc, "expected \"]\"")
		}
		t.where = where
		if !sc.next('.') {
			return t, nil
		}
		sub, err := sc.attr()
		if err != nil || sub.schema != "" || sub.sub != "" {
			return term{}, filterSyntax(sc, "expected a sub-attribute after \"].\"")
		}
		t.attr.sub = sub.name
	}
	if !sc.space() {
		return term{}, filterSyntax(sc, "expected a space and an operator")
	}
	at := sc.pos
	if op := sc.word(); op != "eq" {
		sc.pos = at
		return term{}, refusedWord(sc, op)
	}
	if !sc.space() {
		return term{}, filterSyntax(sc, "expected a space and a value after eq")
	}
	if t.value, err = sc.literal(); err != nil {
		return term{}, filterSyntax(sc, "expected a quoted string, true, false, null or a number")
	}
	t.hasValue = true
	return t, nil
}

// refusedWord explains a refused operator: a known SCIM one is unsupported, anything else
// is a syntax error.
func refusedWord(sc *scanner, word string) error {
	switch word {
	case "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le", "or", "not":
		return badRequest(typeInvalidFilter, "the operator %q is not supported; filters compare with eq, joined by and", word)
	}
	return filterSyntax(sc, "expected the operator eq")
}

func filterSyntax(sc *scanner, what string) error {
	return badRequest(typeInvalidFilter, "the filter is malformed at position %d: %s", sc.pos+1, what)
}

// folded collects a filter's terms into one equality per field. none is set when two terms
// contradict each other or one compares with "", so that nobody can match.
type folded struct {
	fields map[string]string
	none   bool
}

// set records field == v; fold makes the comparison case-insensitive.
func (f *folded) set(field, v string, fold bool) {
	if f.fields == nil {
		f.fields = map[string]string{}
	}
	old, ok := f.fields[field]
	switch {
	case v == "":
		f.none = true
	case ok && (old != v && !fold || fold && !strings.EqualFold(old, v)):
		f.none = true
	}
	f.fields[field] = v
}

// userFilter reads filter into a UserFilter; matchable is false when nobody can match.
func userFilter(filter string) (f UserFilter, matchable bool, err error) {
	terms, err := parseFilter(filter)
	if err != nil {
		return UserFilter{}, false, err
	}
	var fd folded
	for _, t := range terms {
		if t.attr.schema != "" && t.attr.schema != strings.ToLower(userSchema) {
			return UserFilter{}, false, unsupportedTerm(t)
		}
		switch {
		case t.attr.name == "id" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("id", t, false)
		case t.attr.name == "username" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("userName", t, true)
		case t.attr.name == "externalid" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("externalId", t, false)
		case t.attr.name == "emails":
			err = fd.setEmail(t)
		default:
			err = unsupportedTerm(t)
		}
		if err != nil {
			return UserFilter{}, false, err
		}
	}
	v := fd.fields
	return UserFilter{ID: v["id"], UserName: v["userName"], ExternalID: v["externalId"], Email: v["email"]}, !fd.none, nil
}

// groupFilter reads filter into a GroupFilter; matchable is false when no group can match.
func groupFilter(filter string) (f GroupFilter, matchable bool, err error) {
	terms, err := parseFilter(filter)
	if err != nil {
		return GroupFilter{}, false, err
	}
	var fd folded
	for _, t := range terms {
		if t.attr.schema != "" && t.attr.schema != strings.ToLower(groupSchema) {
			return GroupFilter{}, false, unsupportedTerm(t)
		}
		switch {
		case t.attr.name == "id" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("id", t, false)
		case t.attr.name == "displayname" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("displayName", t, true)
		case t.attr.name == "externalid" && t.attr.sub == "" && t.where == nil:
			err = fd.setString("externalId", t, false)
		case t.attr.name == "members":
			err = fd.setMember(t)
		default:
			err = unsupportedTerm(t)
		}
		if err != nil {
			return GroupFilter{}, false, err
		}
	}
	v := fd.fields
	return GroupFilter{ID: v["id"], DisplayName: v["displayName"], ExternalID: v["externalId"], Member: v["member"]}, !fd.none, nil
}

// setString records a plain `attr eq "value"` term.
func (f *folded) setString(field string, t term, fold bool) error {
	s, ok := t.value.(string)
	if !ok {
		return badRequest(typeInvalidFilter, "%s must be compared with a quoted string", field)
	}
	f.set(field, s, fold)
	return nil
}

// setEmail records emails.value eq "…", emails eq "…", emails[type eq "work"].value eq "…"
// or emails[value eq "…"]: the person's address, which is their work and primary email.
func (f *folded) setEmail(t term) error {
	cmps := t.where
	if t.hasValue {
		cmps = append(cmps[:len(cmps):len(cmps)], comparison{sub: t.attr.sub, value: t.value})
	}
	found := false
	for _, c := range cmps {
		switch c.sub {
		case "value", "":
			s, ok := c.value.(string)
			if !ok {
				return badRequest(typeInvalidFilter, "emails.value must be compared with a quoted string")
			}
			f.set("email", s, true)
			found = true
		case "type":
			if s, ok := c.value.(string); !ok || !strings.EqualFold(s, "work") {
				return badRequest(typeInvalidFilter, "only work emails can be filtered on (emails[type eq \"work\"])")
			}
		case "primary":
			if c.value != true {
				return badRequest(typeInvalidFilter, "only the primary email can be filtered on (emails[primary eq true])")
			}
		default:
			return badRequest(typeInvalidFilter, "filtering on emails.%s is not supported", c.sub)
		}
	}
	if !found {
		return badRequest(typeInvalidFilter, "an emails filter must compare the value, as in emails[type eq \"work\"].value eq \"…\"")
	}
	return nil
}

// setMember records members eq "…", members.value eq "…" or members[value eq "…"].
func (f *folded) setMember(t term) error {
	cmps := t.where
	if t.hasValue {
		cmps = append(cmps[:len(cmps):len(cmps)], comparison{sub: t.attr.sub, value: t.value})
	}
	for _, c := range cmps {
		s, ok := c.value.(string)
		if c.sub != "value" && c.sub != "" || !ok {
			return badRequest(typeInvalidFilter, "members can be filtered on by user id only, as in members[value eq \"…\"]")
		}
		f.set("member", s, false)
	}
	return nil
}

// unsupportedTerm refuses a well-formed comparison on an attribute that cannot be searched.
func unsupportedTerm(t term) error {
	name := t.attr.text
	if t.where != nil && t.attr.sub != "" {
		name += "[…]." + t.attr.sub
	}
	return badRequest(typeInvalidFilter, "filtering on %s is not supported", name)
}
