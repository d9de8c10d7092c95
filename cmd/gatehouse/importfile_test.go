package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadImport(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string // per row: line, email, role, and the codes of its errors or the line it repeats
		err        string
	}{
		{"no header", "ada@example.com,Ada,admin\nbob@example.com\n",
			[]string{"1 ada@example.com admin", "2 bob@example.com member"}, ""},
		{"a header in any order, with a byte-order mark", "\uFEFFName , EMAIL\nAda,ada@example.com\n",
			[]string{"2 ada@example.com member"}, ""},
		{"spreadsheet's trailing empty columns", "email,name,,\nada@example.com,Ada,,\n",
			[]string{"2 ada@example.com member"}, ""},
		{"a quoted field over two lines keeps the lines right", "email,name\nada@example.com,\"Ada\nLovelace\"\nbob@example.com,Bob\n",
			[]string{"2 ada@example.com invalid_name", "4 bob@example.com member"}, ""},
		{"blank rows are skipped, repeats point at the first", "email\n\n,\nada@example.com\n ADA@Example.com \n",
			[]string{"4 ada@example.com member", "5 ada@example.com dup:4"}, ""},
		{"every problem of a row", "nope,A\tB,root\n",
			[]string{"1 nope invalid_email,invalid_name,invalid_role"}, ""},
		{"too many fields", "ada@example.com,Ada,admin,extra\n",
			[]string{"1 ada@example.com too_many_fields"}, ""},
		{"an unknown column", "email,nmae\n", nil, `line 1: the header names a column "nmae"; the columns are email, name and role`},
		{"no email column", "name,role\n", nil, "line 1: the header names no email column"},
		{"a column twice", "email,Email\n", nil, "line 1: the header names the column email twice"},
		{"a gap in the header", "email,,name\n", nil, "line 1: the header's column 2 has no name"},
		{"not CSV", "email\n\"ada@example.com\nbob\n", nil, "record on line 2; parse error on line 3, column 5: extraneous or missing \" in quoted-field"},
		{"nobody", "email,name\n\n", nil, "the file lists nobody to invite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readImport([]byte(tt.file), "")
			if tt.err != "" || err != nil {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) || tt.err == "" {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			var got []string
			for _, r := range rows {
				s := fmt.Sprintf("%d %s ", r.line, r.req.Email)
				switch {
				case !r.valid():
					s = fmt.Sprintf("%d %s ", r.line, r.email)
					var codes []string
					for _, e := range r.errs {
						codes = append(codes, e.Code)
					}
					s += strings.Join(codes, ",")
				case r.dupOf >= 0:
					s += fmt.Sprintf("dup:%d", rows[r.dupOf].line)
				default:
					s += r.req.Role
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The role given for the rows that name none.
	rows, err := readImport([]byte("email,role\nada@example.com,\nbob@example.com,admin\n"), "viewer")
	if err != nil || rows[0].req.Role != "viewer" || rows[1].req.Role != "admin" {
		t.Errorf("default role: %+v, %v", rows, err)
	}
}
