package idp

import (
	"bufio"
	"strings"
)

// googleCSV reads the "Download users" CSV of the Google Admin console, whose headers carry
// notes ("Email Address [Required]", "Status [READ ONLY]") and come in any order among
// many others. It has no stable user id, so people are matched by email.
type googleCSV struct{ noFinish }

func (googleCSV) page(b *builder, r *bufio.Reader) error {
	t, err := openCSV(b, r, "email address")
	if err != nil {
		return err
	}
	email, status := t.col("email address"), t.col("status")
	first, last := t.col("first name"), t.col("last name")
	t.emailCol = email
	for {
		rec, row, err := t.next()
		if err != nil || rec == nil {
			return err
		}
		raw := field(rec, status)
		st := googleStatus(raw)
		if status >= 0 && strings.TrimSpace(raw) == "" {
			// The column is there but this row's is empty, as in a file cut inside its last
			// field: unknown, never present.
			st = ""
		}
		b.add(record{
			row:       row,
			email:     rec[email],
			first:     field(rec, first),
			last:      field(rec, last),
			status:    st,
			rawStatus: raw,
		})
	}
}

// googleStatus maps a Google user or member status to a Status; "" when unknown. An empty
// status (a field or column not exported) reads as present.
func googleStatus(raw string) Status {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "ACTIVE", "":
		return StatusPresent
	case "SUSPENDED", "ARCHIVED":
		return StatusGone
	}
	return ""
}
