package idp

import (
	"strings"
	"testing"
)

func TestParseOkta(t *testing.T) {
	runSnapshotCases(t, []snapshotCase{{
		name:   "group members csv",
		format: FormatOktaCSV,
		files:  []string{"okta-group-members.csv"},
		want: Snapshot{
			Format: FormatOktaCSV,
			People: []Person{
				{ExternalID: "00u1ada0000000000001", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1},
				// NFD "Zoë" in the file, NFC here; the address had spaces around it.
				{ExternalID: "00u1zoe0000000000002", Email: "zoe.ngata@example.com", Name: "Zo\u00eb Ngata", Status: StatusPresent, Row: 2},
				{ExternalID: "00u1ren0000000000003", Email: "rene.dubois@example.com", Name: "René Dubois, Jr.", Status: StatusPresent, Row: 3},
				// A line break inside a quoted name folds to one space.
				{ExternalID: "00u1mo00000000000004", Email: "mo.salah@example.com", Name: "Mo Ahmed Salah", Status: StatusPresent, Row: 4},
				{ExternalID: "00u1sam0000000000005", Email: "sam.okafor@example.com", Name: "Sam Okafor", Status: StatusGone, Row: 5},
				{ExternalID: "00u1dee0000000000006", Email: "dee.park@example.com", Name: "Dee Park", Status: StatusGone, Row: 6},
				{ExternalID: "00u1stg0000000000007", Email: "new.hire@example.com", Name: "Nia Hire", Status: StatusPending, Row: 7},
				{ExternalID: "00u1li00000000000012", Email: "li.wei@example.com", Name: "伟 李", Status: StatusPresent, Row: 13},
				{ExternalID: "00u1rec0000000000013", Email: "omar.haddad@example.com", Name: "Omar Haddad", Status: StatusPresent, Row: 14},
				{ExternalID: "00u1jo00000000000015", Email: "jo.oneill@example.com", Name: "Jo O'Neill", Status: StatusPresent, Row: 16},
			},
			Skipped: []Skip{
				{Row: 8, ExternalID: "00u1nom0000000000008", Name: "Build Robot", Reason: "no email address", Code: SkipNoEmail, Status: StatusPresent},
				{Row: 9, ExternalID: "00u1bad0000000000009", Email: "kim.bad@@example.com", Name: "Kim Bad", Code: SkipInvalidEmail, Status: StatusPresent,
					Reason: `invalid email "kim.bad@@example.com": email must be a plain address such as jane@example.com`},
				{Row: 10, ExternalID: "00u1ada0000000000001", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Code: SkipDuplicate, Status: StatusPresent,
					Reason: "duplicate of row 1: same id"},
				{Row: 11, ExternalID: "00u1ad20000000000010", Email: "ada.lovelace@example.com", Name: "Ada Lovelace (contractor)", Code: SkipDuplicate, Status: StatusPresent,
					Reason: "duplicate of row 1: same email"},
				{Row: 12, ExternalID: "00u1sht0000000000011", Reason: "row has 3 fields, the header 7", Code: SkipMalformedRow},
				{Row: 15, ExternalID: "00u1unk0000000000014", Email: "ivy.chen@example.com", Name: "Ivy Chen", Code: SkipUnknownStatus,
					Reason: `unknown status "PENDING_DELETION"`},
			},
		},
	}, {
		name:   "api json pages",
		format: FormatOktaJSON,
		files:  []string{"okta-users-1.json", "okta-users-2.json"},
		want: Snapshot{
			Format: FormatOktaJSON,
			People: []Person{
				{ExternalID: "00u1ada0000000000001", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1, Page: 1},
				{ExternalID: "00u1zoe0000000000002", Email: "zoe.ngata@example.com", Name: "Zo\u00eb Ngata", Status: StatusPresent, Row: 2, Page: 1},
				{ExternalID: "00u1sam0000000000005", Email: "sam.okafor@example.com", Name: "Sam Okafor", Status: StatusGone, Row: 3, Page: 1},
				{ExternalID: "00u1stg0000000000007", Email: "new.hire@example.com", Name: "Nia Hire", Status: StatusPending, Row: 4, Page: 1},
				{ExternalID: "00u1dee0000000000006", Email: "dee.park@example.com", Name: "Dee Park", Status: StatusGone, Row: 2, Page: 2},
				{ExternalID: "00u1li00000000000012", Email: "li.wei@example.com", Name: "伟 李", Status: StatusPresent, Row: 4, Page: 2},
			},
			Skipped: []Skip{
				{Row: 1, Page: 2, ExternalID: "00u1nom0000000000008", Name: "Build Robot", Reason: "no email address", Code: SkipNoEmail, Status: StatusPresent},
				{Row: 3, Page: 2, ExternalID: "00u1ada0000000000001", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Code: SkipDuplicate, Status: StatusPresent,
					Reason: "duplicate of page 1 row 1: same id"},
			},
		},
	}})
}

func TestParseOktaErrors(t *testing.T) {
	tests := []struct {
		name     string
		format   Format
		files    []string
		sentinel error
		page     int
		row      int
		words    []string
	}{
		{"cut inside a quoted field", FormatOktaCSV, []string{"okta-truncated.csv"}, ErrTruncated, 0, 2,
			[]string{"okta-csv", "row 2", "ends inside a quoted field", "line 3"}},
		{"short last row", FormatAuto, []string{"okta-short-last-row.csv"}, ErrTruncated, 0, 2,
			[]string{"last row has 4 fields, the header 6"}},
		{"header only", FormatOktaCSV, []string{"okta-header-only.csv"}, ErrEmpty, 0, 0, []string{"empty"}},
		{"google csv forced as okta", FormatOktaCSV, []string{"google-users.csv"}, ErrWrongFormat, 0, 0,
			[]string{`no header with a "user id" column`, `the first line has 14 cells`}},
		{"json forced as okta csv", FormatOktaCSV, []string{"okta-users-1.json"}, ErrWrongFormat, 0, 0, []string{"user id"}},
		{"csv forced as okta json", FormatOktaJSON, []string{"okta-group-members.csv"}, ErrWrongFormat, 0, 0,
			[]string{"expected a JSON array of Okta users"}},
		{"second page of another format", FormatAuto, []string{"okta-users-1.json", "entra-members-2.json"}, ErrWrongFormat, 2, 0,
			[]string{"page 2", "this page is entra-json, the first page okta-json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, openFixtures(t, tt.files...)...)
			wantParseError(t, err, tt.sentinel, tt.page, tt.row, tt.words...)
		})
	}
}

func TestParseOktaJSONErrors(t *testing.T) {
	user := `{"id":"00u1","status":"ACTIVE","profile":{"email":"a@example.com","login":"a@example.com"}}`
	tests := []struct {
		name     string
		in       string
		sentinel error
		row      int
		words    []string
	}{
		{"cut mid user", "[" + user + `,{"id":"00u2","status":"ACT`, ErrTruncated, 2, []string{"ends inside the JSON document"}},
		{"cut after a comma", "[" + user + ",", ErrTruncated, 2, nil},
		{"syntax", "[" + user + `,{"id" "00u2"}]`, ErrMalformed, 2, []string{"byte"}},
		{"not a user", "[" + user + `,{"name":"x"}]`, ErrWrongFormat, 2, []string{"not an Okta user"}},
		{"wrong type", `[{"id":"00u1","status":7,"profile":{}}]`, ErrMalformed, 1, []string{"status"}},
		{"trailing data", "[" + user + "] []", ErrMalformed, 0, []string{"after the end"}},
		{"empty array", "[]", ErrEmpty, 0, []string{"no people"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(FormatOktaJSON, strings.NewReader(tt.in))
			wantParseError(t, err, tt.sentinel, 0, tt.row, tt.words...)
		})
	}
}
