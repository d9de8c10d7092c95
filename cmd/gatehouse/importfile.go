package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"gatehouse/internal/org"
)

// importRow is one person of an import: where the row is, what it asks, and the domain's
// verdict on it.
type importRow struct {
	line  int               // the row's line in the file; 0 for a person given by flags
	email string            // the address as written
	req   org.InviteRequest // normalized by the domain, when the row is valid
	errs  []org.FieldError  // why the row is invalid
	dupOf int               // the index of an earlier row with the same address, or -1
}

// valid reports whether the row may be sent.
func (r importRow) valid() bool { return len(r.errs) == 0 }

// importColumns are the columns an import may have, in the order of a file without a header.
func importColumns() []string { return []string{"email", "name", "role"} }

// checkRow checks one person by the rules every invitation is made with; role is used when
// the row names none.
func checkRow(line int, email, name, role, defaultRole string) importRow {
	if role == "" {
		role = defaultRole
	}
	r := importRow{line: line, email: email, dupOf: -1}
	req, err := org.InviteRequest{Email: email, Name: name, Role: role}.Normalize()
	var verr *org.ValidationError
	switch {
	case errors.As(err, &verr):
		r.errs = verr.Fields
	case err != nil:
		r.errs = []org.FieldError{{Field: "row", Code: "invalid", Message: err.Error()}}
	default:
		r.req = req
	}
	return r
}

// readImport reads a CSV of people (email, name, role; a header row naming them allows any
// order, and leaving out name or role) and checks every row; defaultRole is the role of
// rows that name none. Rows repeating an earlier row's address point at it. An error is a
// file that cannot be read as such a CSV at all, and names its line.
func readImport(data []byte, defaultRole string) ([]importRow, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	pos := map[string]int{"email": 0, "name": 1, "role": 2}
	width := len(importColumns())
	var rows []importRow
	first := map[string]int{}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // a *csv.ParseError names the record's line and the fault's
		}
		line, _ := r.FieldPos(0)
		if n == 0 && isHeader(rec) {
			if pos, err = headerColumns(rec); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			width = len(pos)
			continue
		}
		if blank(rec) {
			continue
		}
		cell := func(col string) string {
			i, ok := pos[col]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		row := checkRow(line, cell("email"), cell("name"), cell("role"), defaultRole)
		if len(rec) > width && !blank(rec[width:]) {
			row.errs = append(row.errs, org.FieldError{Field: "row", Code: "too_many_fields",
				Message: fmt.Sprintf("the row has %d fields, more than the file's %d columns (%s)", len(rec), width, columnList(pos))})
		}
		if row.valid() {
			if i, dup := first[row.req.Email]; dup {
				row.dupOf = i
			} else {
				first[row.req.Email] = len(rows)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("the file lists nobody to invite")
	}
	return rows, nil
}

// isHeader reports whether the first record names columns rather than a person: one of
// its cells is a column's name.
func isHeader(rec []string) bool {
	for _, c := range rec {
		for _, name := range importColumns() {
			if strings.EqualFold(strings.TrimSpace(c), name) {
				return true
			}
		}
	}
	return false
}

// headerColumns maps each column a header names to its position. Empty cells may end a
// header (spreadsheets write them), not come between its names.
func headerColumns(rec []string) (map[string]int, error) {
	for len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
		rec = rec[:len(rec)-1]
	}
	pos := map[string]int{}
	for i, c := range rec {
		name := strings.ToLower(strings.TrimSpace(c))
		if name == "" {
			return nil, fmt.Errorf("the header's column %d has no name; the columns are email, name and role", i+1)
		}
		known := false
		for _, col := range importColumns() {
			known = known || name == col
		}
		if !known {
			return nil, fmt.Errorf("the header names a column %q; the columns are email, name and role", c)
		}
		if _, dup := pos[name]; dup {
			return nil, fmt.Errorf("the header names the column %s twice", name)
		}
		pos[name] = i
	}
	if _, ok := pos["email"]; !ok {
		return nil, errors.New("the header names no email column")
	}
	return pos, nil
}

// columnList names the columns in pos in their order.
func columnList(pos map[string]int) string {
	names := make([]string, len(pos))
	for name, i := range pos {
		names[i] = name
	}
	return strings.Join(names, ", ")
}

// blank reports whether every cell is empty.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
