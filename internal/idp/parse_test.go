package idp

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

const oktaHeader = `"User Id","Status","Username","First name","Last name","Primary email"` + "\n"

func TestParseNormalizes(t *testing.T) {
	in := oktaHeader +
		// An NFD address and name, upper case and spaces around the address.
		"\"00u1\",\"ACTIVE\",\"x\",\"Zoe\u0308\",\"  Ngata \",\" ZOE\u0308@EXAMPLE.COM \"\n" +
		// Control characters, tabs and invalid UTF-8 in a name.
		"\"00u2\",\"ACTIVE\",\"x\",\"Ada\tM.\x00\",\"Love\xfflace\",\"ada@example.com\"\n" +
		",,,,,\n" + // an empty spreadsheet row: skipped silently, still counted
		"\"00u3\",\"ACTIVE\",\"x\",\"" + strings.Repeat("é", 150) + "\",\"" + strings.Repeat("ß", 100) + "\",\"long@example.com\"\n" +
		// Suspended first, then an active record with the same address: the rehire wins.
		"\"00u4\",\"SUSPENDED\",\"x\",\"Sam\",\"Old\",\"sam@example.com\"\n" +
		"\"00u5\",\"ACTIVE\",\"x\",\"Sam\",\"New\",\"Sam@example.com\"\n"
	got, err := Parse(FormatAuto, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Snapshot{
		Format: FormatOktaCSV,
		People: []Person{
			{ExternalID: "00u1", Email: "zo\u00eb@example.com", Name: "Zo\u00eb Ngata", Status: StatusPresent, Row: 1},
			{ExternalID: "00u2", Email: "ada@example.com", Name: "Ada M. Love\ufffdlace", Status: StatusPresent, Row: 2},
			{ExternalID: "00u3", Email: "long@example.com", Name: strings.Repeat("é", 150) + " " + strings.Repeat("ß", 49), Status: StatusPresent, Row: 4},
			{ExternalID: "00u5", Email: "sam@example.com", Name: "Sam New", Status: StatusPresent, Row: 6},
		},
		Skipped: []Skip{{Row: 5, ExternalID: "00u4", Email: "sam@example.com", Name: "Sam Old", Code: SkipDuplicate, Status: StatusGone,
			Reason: "superseded by row 6: an active record with the same email"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name     string
		format   Format
		pages    []io.Reader
		sentinel error
		page     int
		row      int
		words    []string
	}{
		{"no files", FormatAuto, nil, ErrEmpty, 0, 0, []string{"no file"}},
		{"unknown format", "ldif", []io.Reader{strings.NewReader(oktaHeader)}, ErrUnknownFormat, 0, 0,
			[]string{`"ldif"`, "okta-csv"}},
		{"unreadable at once", FormatAuto, []io.Reader{iotest.ErrReader(boom)}, boom, 0, 0, []string{"unreadable", "connection reset"}},
		{"unreadable after 200 rows", FormatOktaCSV, []io.Reader{io.MultiReader(strings.NewReader(oktaHeader+
			strings.Repeat(`"00u1","ACTIVE","x","A","B","a@example.com"`+"\n", 200)), iotest.ErrReader(boom))},
			boom, 0, 201, []string{"row 201", "connection reset"}},
		{"utf-16 forced", FormatOktaCSV, []io.Reader{strings.NewReader("\xff\xfe\"\x00U\x00")}, ErrWrongFormat, 0, 0, []string{"UTF-16"}},
		{"utf-16 detected on page 2", FormatAuto, []io.Reader{strings.NewReader(oktaHeader), strings.NewReader("\xfe\xff\x00\"")},
			ErrUnknownFormat, 2, 0, []string{"page 2", "UTF-16"}},
		{"bare quote", FormatOktaCSV, []io.Reader{strings.NewReader(oktaHeader + `"00u1","ACTIVE","x",Jo"hn,"Doe","j@example.com"` + "\n" +
			`"00u2","ACTIVE","x","A","B","a@example.com"` + "\n")}, ErrMalformed, 0, 1, []string{"line 2", `bare "`}},
		{"bad quote in the header", FormatOktaCSV, []io.Reader{strings.NewReader("\"User Id\",\"Status\"x,\"Primary email\"\n\"00u1\",\"ACTIVE\",\"a@example.com\"\n")},
			ErrMalformed, 0, 0, []string{"line 1"}},
		{"empty file forced", FormatGoogleCSV, []io.Reader{strings.NewReader("")}, ErrEmpty, 0, 0, []string{"no header"}},
		{"empty json forced", FormatSCIM, []io.Reader{strings.NewReader("  ")}, ErrEmpty, 0, 0, []string{"empty"}},
		{"nobody on any page", FormatAuto, []io.Reader{strings.NewReader("[]"), strings.NewReader("[]")}, ErrEmpty, 0, 0, []string{"no people"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, tt.pages...)
			wantParseError(t, err, tt.sentinel, tt.page, tt.row, tt.words...)
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestParseReadsEachFileOnce(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(oktaHeader)
	for i := range 5000 {
		sb.WriteString(`"00u` + strings.Repeat("x", i%7) + `","ACTIVE","x","A","B","p` + strings.Repeat("y", i%5) + "-" +
			string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + `@example.com"` + "\n")
	}
	in := &countingReader{r: strings.NewReader(sb.String())}
	if _, err := Parse(FormatAuto, in); err != nil {
		t.Fatal(err)
	}
	if in.n != sb.Len() {
		t.Errorf("read %d bytes of a %d-byte export, want each byte once", in.n, sb.Len())
	}
}
