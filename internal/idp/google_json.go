package idp

import (
	"bufio"
	"strings"
)

// googleJSON reads the Google Directory API's members.list: pages of
// {"kind": "admin#directory#members", "members": [...], "nextPageToken"}. Only members of
// type USER count; a last page that still has a nextPageToken means pages are missing.
// Members carry no name.
type googleJSON struct {
	nextPageToken string // of the page read last
	recognized    int    // members of the page with a kind or role, as every Google member has
}

// googleMember is one element of members.
type googleMember struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

func (g *googleJSON) page(b *builder, r *bufio.Reader) error {
	s := newJSONStream(b, r)
	if err := s.open('{', `a Google members page: {"kind": "admin#directory#members", "members": [...]}`); err != nil {
		return err
	}
	g.nextPageToken, g.recognized = "", 0
	var kind string
	var found bool
	err := s.object(func(key string) error {
		var err error
		switch key {
		case "members":
			found = true
			return s.array("members", func(i int) error { return g.member(s, i+1) })
		case "nextPageToken":
			g.nextPageToken, err = s.str()
			return err
		case "kind":
			kind, err = s.str()
			return err
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	if kind != "admin#directory#members" && (!found || g.recognized == 0) {
		return b.fail(0, ErrWrongFormat, `no kind "admin#directory#members" and no "members" array with roles`)
	}
	return s.close()
}

// member reads one element of members.
func (g *googleJSON) member(s *jsonStream, row int) error {
	var m googleMember
	if err := s.decode(row, &m); err != nil {
		return err
	}
	r := record{row: row, id: m.ID, email: m.Email, status: googleStatus(m.Status), rawStatus: m.Status}
	if m.Kind == "admin#directory#member" || m.Role != "" {
		g.recognized++
	}
	if m.Type != "" && !strings.EqualFold(m.Type, "USER") {
		s.b.skip(r, SkipNotUser, "not a user: "+m.Type)
		return nil
	}
	s.b.add(r)
	return nil
}

func (g *googleJSON) finish(b *builder) error {
	if g.nextPageToken != "" {
		return b.fail(0, ErrTruncated, "the last page still has a nextPageToken: pages are missing or out of order")
	}
	return nil
}
