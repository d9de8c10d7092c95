package idp

import (
	"bufio"
	"fmt"
	"strings"
)

// scimParser reads SCIM 2.0 (RFC 7643, RFC 7644): a ListResponse whose Resources are Users
// or Groups, or one Group. Attribute names are case-insensitive, as the RFC says. Users
// carry emails, active and a name; Group members carry only value (the User's id), display
// and $ref, so a member counts only when display or value is an address. Paged
// ListResponses are one export: each page's startIndex must follow the pages before it,
// and fewer distinct Resources than totalResults means pages are missing.
type scimParser struct {
	total     int             // the largest totalResults of any page
	read      int             // elements of Resources read over every page
	resources int             // distinct Resources (by id) read over every page
	ids       map[string]bool // ids of the Resources read
	base      int             // startIndex of the first resource: 1, or 0 from a server that counts from 0
	started   bool            // whether a page had a startIndex yet
	row       int             // records of the current page
}

// scimResource is a User or a Group.
type scimResource struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName"`
	Name        struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
		Formatted  string `json:"formatted"`
	} `json:"name"`
	Emails []struct {
		Value   string   `json:"value"`
		Type    string   `json:"type"`
		Primary flexBool `json:"primary"`
	} `json:"emails"`
	Active  flexBool     `json:"active"`
	Members []scimMember `json:"members"`
}

// scimMember is one member of a Group.
type scimMember struct {
	Value   string `json:"value"`
	Display string `json:"display"`
	Ref     string `json:"$ref"`
	Type    string `json:"type"`
}

func (p *scimParser) page(b *builder, r *bufio.Reader) error {
	s := newJSONStream(b, r)
	if err := s.open('{', "a SCIM ListResponse or Group"); err != nil {
		return err
	}
	p.row = 0
	before, start := p.read, -1
	var found bool
	err := s.object(func(key string) error {
		switch strings.ToLower(key) {
		case "resources":
			found = true
			return s.array("Resources", func(int) error { return p.resource(s) })
		case "members":
			found = true
			return s.array("members", func(int) error {
				var m scimMember
				p.row++
				if err := s.decode(p.row, &m); err != nil {
					return err
				}
				p.member(b, m)
				return nil
			})
		case "totalresults":
			var n int
			if err := s.decode(0, &n); err != nil {
				return err
			}
			p.total = max(p.total, n)
			return nil
		case "startindex":
			return s.decode(0, &start)
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	if !found {
		return b.fail(0, ErrWrongFormat, `neither a ListResponse with "Resources" nor a Group with "members"`)
	}
	if err := p.checkStart(b, start, before); err != nil {
		return err
	}
	return s.close()
}

// checkStart checks that a page's startIndex (-1 when it has none) continues where the
// pages before it, holding before resources, ended: a page given twice or out of order
// would otherwise count as the page it replaces.
func (p *scimParser) checkStart(b *builder, start, before int) error {
	if start < 0 {
		return nil
	}
	if !p.started {
		p.started, p.base = true, 1
		if before == 0 && start == 0 {
			p.base = 0 // a server that counts from 0, against RFC 7644
		}
	}
	if want := p.base + before; start != want {
		return b.fail(0, ErrTruncated, "startIndex is %d, but the pages before it hold %d resources, so it should be %d: "+
			"a page is missing, repeated or out of order", start, before, want)
	}
	return nil
}

// resource reads one element of Resources: a User becomes a record, a Group its members.
func (p *scimParser) resource(s *jsonStream) error {
	p.read++
	var res scimResource
	if err := s.decode(p.row+1, &res); err != nil {
		return err
	}
	switch id := strings.TrimSpace(res.ID); {
	case id == "":
		p.resources++ // nothing to tell it from another
	case !p.ids[id]:
		if p.ids == nil {
			p.ids = make(map[string]bool)
		}
		p.ids[id] = true
		p.resources++
	}
	if res.Members != nil || hasSchema(res.Schemas, ":Group") {
		for _, m := range res.Members {
			p.row++
			p.member(s.b, m)
		}
		return nil
	}
	p.row++
	r := record{
		row:       p.row,
		id:        firstNonBlank(res.ID, res.ExternalID),
		email:     primaryEmail(res),
		name:      firstNonBlank(joinName(res.Name.GivenName, res.Name.FamilyName), res.Name.Formatted, res.DisplayName),
		status:    res.Active.status(),
		rawStatus: "active " + res.Active.raw,
	}
	if r.email == "" && strings.Contains(res.UserName, "@") {
		r.noEmail = fmt.Sprintf("no emails (userName %s is a login, not taken for an address)", strings.TrimSpace(res.UserName))
	}
	s.b.add(r)
	return nil
}

// member adds one Group member: present, with an address only if display or value is one.
func (p *scimParser) member(b *builder, m scimMember) {
	r := record{row: p.row, id: m.Value, status: StatusPresent}
	if strings.EqualFold(m.Type, "Group") || strings.Contains(m.Ref, "/Groups/") {
		b.skip(r, SkipNotUser, "not a user: a nested group")
		return
	}
	switch {
	case isAddress(m.Display):
		r.email = m.Display
	case isAddress(m.Value):
		r.email, r.name = m.Value, m.Display
	default:
		r.name = m.Display
		r.noEmail = "group member without an address: SCIM members carry only an id and a display name"
	}
	b.add(r)
}

func (p *scimParser) finish(b *builder) error {
	if p.resources < p.total {
		return b.fail(0, ErrTruncated, "the pages hold %d resources but totalResults is %d: pages are missing",
			p.resources, p.total)
	}
	return nil
}

// primaryEmail is the primary address, else the first work address, else the first one.
func primaryEmail(res scimResource) string {
	first, work := "", ""
	for _, e := range res.Emails {
		switch v := strings.TrimSpace(e.Value); {
		case v == "":
		case e.Primary.value:
			return v
		case work == "" && strings.EqualFold(e.Type, "work"):
			work = v
		case first == "":
			first = v
		}
	}
	return firstNonBlank(work, first)
}

// hasSchema reports whether a schema URN ends with suffix.
func hasSchema(schemas []string, suffix string) bool {
	for _, s := range schemas {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// isAddress reports whether s is a valid email address.
func isAddress(s string) bool {
	_, err := normalizeEmail(s)
	return strings.Contains(s, "@") && err == nil
}

// firstNonBlank is the first non-empty string after trimming.
func firstNonBlank(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
