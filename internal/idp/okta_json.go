package idp

import "bufio"

// oktaJSON reads the Okta API's GET /api/v1/groups/{id}/users: an array of users. Okta
// pages through a Link header, so the pages of one export are arrays given in order, and a
// missing page cannot be told from the bodies.
type oktaJSON struct{ noFinish }

// oktaUser is the part of an Okta user that sync reads.
type oktaUser struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Profile *struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"profile"`
}

func (oktaJSON) page(b *builder, r *bufio.Reader) error {
	s := newJSONStream(b, r)
	if err := s.open('[', "a JSON array of Okta users"); err != nil {
		return err
	}
	for i := 0; s.dec.More(); i++ {
		var u oktaUser
		if err := s.decode(i+1, &u); err != nil {
			return err
		}
		if u.Profile == nil || u.ID == "" {
			return b.fail(i+1, ErrWrongFormat, "not an Okta user: no id or profile")
		}
		b.add(record{
			row:       i + 1,
			id:        u.ID,
			email:     u.Profile.Email,
			first:     u.Profile.FirstName,
			last:      u.Profile.LastName,
			status:    oktaStatus(u.Status),
			rawStatus: u.Status,
		})
	}
	if _, err := s.dec.Token(); err != nil { // the closing ']'
		return s.err(0, err)
	}
	return s.close()
}
