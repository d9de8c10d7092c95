package idp

import "bufio"

// oktaCSV reads the Okta admin console's group members report:
//
//	"User Id","Status","Username","First name","Last name","Primary email"
//
// with every value quoted. The external id is the Okta user id; the email is the primary
// email (the username is a login, never taken for an address).
type oktaCSV struct{ noFinish }

func (oktaCSV) page(b *builder, r *bufio.Reader) error {
	t, err := openCSV(b, r, "user id", "status", "primary email")
	if err != nil {
		return err
	}
	id, status, email := t.col("user id"), t.col("status"), t.col("primary email")
	first, last := t.col("first name"), t.col("last name")
	t.idCol, t.emailCol = id, email
	for {
		rec, row, err := t.next()
		if err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		b.add(record{
			row:       row,
			id:        rec[id],
			email:     rec[email],
			first:     field(rec, first),
			last:      field(rec, last),
			status:    oktaStatus(rec[status]),
			rawStatus: rec[status],
		})
	}
}
