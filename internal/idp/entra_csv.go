package idp

import (
	"bufio"
	"strings"
)

// entraCSV reads the "Download users" CSV of the Microsoft Entra admin center:
//
//	userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,...
//
// usually with a UTF-8 byte order mark and CRLF line ends. Newer downloads name the id
// column "id" instead of "objectId"; either is the external id.
type entraCSV struct{ noFinish }

func (entraCSV) page(b *builder, r *bufio.Reader) error {
	t, err := openCSV(b, r, "userprincipalname")
	if err != nil {
		return err
	}
	id := t.col("objectid")
	if id < 0 {
		id = t.col("id")
	}
	if id < 0 {
		return b.fail(0, ErrWrongFormat, `no header with an "objectId" or "id" column`)
	}
	upn, mail, enabled := t.col("userprincipalname"), t.col("mail"), t.col("accountenabled")
	given, surname, display := t.col("givenname"), t.col("surname"), t.col("displayname")
	t.idCol, t.emailCol = id, mail
	for {
		rec, row, err := t.next()
		if err != nil || rec == nil {
			return err
		}
		email, noEmail := entraEmail(field(rec, mail), rec[upn], b.useUPN)
		r := record{
			row:       row,
			id:        rec[id],
			email:     email,
			noEmail:   noEmail,
			first:     field(rec, given), // else the display name
			last:      field(rec, surname),
			name:      field(rec, display),
			status:    entraEnabled(field(rec, enabled), enabled >= 0),
			rawStatus: "accountEnabled " + field(rec, enabled),
		}
		if r.status == "" && strings.TrimSpace(field(rec, enabled)) == "" {
			r.noStatus = "accountEnabled is empty: the row may be cut off, so its status is unknown"
		}
		b.add(r)
	}
}
