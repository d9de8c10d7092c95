package idp

import (
	"bufio"
	"encoding/json"
	"strings"
)

// entraJSON reads Microsoft Graph's GET /groups/{id}/members: pages of
// {"@odata.context", "value": [...], "@odata.nextLink"}. Only #microsoft.graph.user members
// count; groups, devices, service principals and contacts are skipped. The pages of one
// export are given in order; a last page that still has a nextLink means pages are missing.
type entraJSON struct {
	nextLink string // of the page read last
	// decoded is each member in turn, its JSON text kept in text only
	// until the builder has copied what it keeps.
	decoded plainGraphMember
	text    strs
}

// graphMember is the part of a Graph directory object that sync reads.
type graphMember struct {
	Type              string   `json:"@odata.type"`
	ID                string   `json:"id"`
	DisplayName       string   `json:"displayName"`
	GivenName         string   `json:"givenName"`
	Surname           string   `json:"surname"`
	Mail              string   `json:"mail"`
	UserPrincipalName string   `json:"userPrincipalName"`
	AccountEnabled    flexBool `json:"accountEnabled"`
}

// plainGraphMember is a graphMember decoded by plainGraphMember.UnmarshalJSON.
type plainGraphMember struct {
	m    graphMember
	text *strs // where the member's JSON text is copied to, when not nil
}

// UnmarshalJSON decodes a member as encoding/json does, in one pass when it is plain (see
// eachMember). graphMember itself has no UnmarshalJSON, so the fallback is the decoding
// it always had.
func (w *plainGraphMember) UnmarshalJSON(data []byte) error {
	var m graphMember
	var text string
	if w.text != nil {
		text = w.text.keepBytes(data)
	} else {
		text = string(data)
	}
	plain := eachMember(text, func(key, v string) bool {
		switch key {
		case "@odata.type":
			return plainString(&m.Type, v)
		case "id":
			return plainString(&m.ID, v)
		case "displayName":
			return plainString(&m.DisplayName, v)
		case "givenName":
			return plainString(&m.GivenName, v)
		case "surname":
			return plainString(&m.Surname, v)
		case "mail":
			return plainString(&m.Mail, v)
		case "userPrincipalName":
			return plainString(&m.UserPrincipalName, v)
		case "accountEnabled":
			m.AccountEnabled.read(v)
			return true
		}
		return !foldsToAny(key, "@odata.type", "id", "displayName", "givenName", "surname", "mail", "userPrincipalName",
			"accountEnabled")
	})
	if !plain {
		w.m = graphMember{}
		return json.Unmarshal(data, &w.m)
	}
	w.m = m
	return nil
}

// graphUser is the @odata.type of users; a member without one is read as a user, as a
// $select without @odata.type leaves it out.
const graphUser = "#microsoft.graph.user"

func (e *entraJSON) page(b *builder, r *bufio.Reader) error {
	s := newJSONStream(b, r)
	if err := s.open('{', `a Microsoft Graph page: {"value": [...]}`); err != nil {
		return err
	}
	e.nextLink = ""
	var found bool
	err := s.object(func(key string) error {
		switch key {
		case "value":
			found = true
			return s.array("value", func(i int) error { return e.member(s, i+1) })
		case "@odata.nextLink":
			var err error
			e.nextLink, err = s.str()
			return err
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	if !found {
		return b.fail(0, ErrWrongFormat, `no "value" array of members`)
	}
	return s.close()
}

// member reads one element of value.
func (e *entraJSON) member(s *jsonStream, row int) error {
	e.decoded = plainGraphMember{text: &e.text}
	if err := s.decode(row, &e.decoded); err != nil {
		return err
	}
	m := e.decoded.m
	// Given name and surname, else the display name.
	r := record{row: row, id: m.ID, first: m.GivenName, last: m.Surname, name: m.DisplayName}
	if m.Type != "" && !strings.EqualFold(m.Type, graphUser) {
		r.status = StatusPresent
		s.b.skip(r, SkipNotUser, "not a user: "+strings.TrimPrefix(m.Type, "#microsoft.graph."))
		return nil
	}
	r.email, r.noEmail = entraEmail(m.Mail, m.UserPrincipalName, s.b.useUPN)
	r.status, r.rawStatus = m.AccountEnabled.status(), "accountEnabled "+m.AccountEnabled.raw
	s.b.add(r)
	return nil
}

func (e *entraJSON) finish(b *builder) error {
	if e.nextLink != "" {
		return b.fail(0, ErrTruncated, "the last page still has an @odata.nextLink: pages are missing or out of order")
	}
	return nil
}
