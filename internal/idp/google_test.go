package idp

import (
	"testing"
)

func TestParseGoogle(t *testing.T) {
	runSnapshotCases(t, []snapshotCase{{
		name:   "download users csv",
		format: FormatGoogleCSV,
		files:  []string{"google-users.csv"},
		want: Snapshot{
			Format: FormatGoogleCSV,
			People: []Person{
				{Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1},
				{Email: "zoe.ngata@example.com", Name: "Zoë Ngata", Status: StatusPresent, Row: 2},
				{Email: "sam.okafor@example.com", Name: "Sam Okafor", Status: StatusGone, Row: 3},
				{Email: "rene.dubois@example.com", Name: "René Dubois, Jr.", Status: StatusPresent, Row: 4},
				{Email: "dee.park@example.com", Name: "Dee Park", Status: StatusGone, Row: 5},
			},
			Skipped: []Skip{
				{Row: 6, Email: "kim.lee.example.com", Name: "Kim Lee", Code: SkipInvalidEmail, Status: StatusPresent,
					Reason: `invalid email "kim.lee.example.com": email must be a plain address such as jane@example.com`},
				{Row: 7, Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Code: SkipDuplicate, Status: StatusPresent,
					Reason: "duplicate of row 1: same email"},
			},
		},
	}, {
		name:   "columns in another order",
		format: FormatGoogleCSV,
		files:  []string{"google-users-reordered.csv"},
		want: Snapshot{
			Format: FormatGoogleCSV,
			People: []Person{
				{Email: "maria.garcia@example.com", Name: "María García", Status: StatusPresent, Row: 1},
				{Email: "tom.brown@example.com", Name: "Tom Brown", Status: StatusGone, Row: 2},
			},
			Skipped: []Skip{
				{Row: 3, Email: "ivy.chen@example.com", Name: "Ivy Chen", Code: SkipUnknownStatus, Reason: `unknown status "On leave"`},
			},
		},
	}, {
		name:   "members.list",
		format: FormatGoogleJSON,
		files:  []string{"google-members.json"},
		want: Snapshot{
			Format: FormatGoogleJSON,
			People: []Person{
				{ExternalID: "114367823451278654321", Email: "ada.lovelace@example.com", Status: StatusPresent, Row: 1},
				{ExternalID: "114367823451278654322", Email: "zoe.ngata@example.com", Status: StatusPresent, Row: 2},
				{ExternalID: "114367823451278654323", Email: "sam.okafor@example.com", Status: StatusGone, Row: 4},
				{ExternalID: "114367823451278654326", Email: "dee.park@example.com", Status: StatusGone, Row: 8},
			},
			Skipped: []Skip{
				{Row: 3, ExternalID: "03ep43zb2k8ryaz", Email: "platform-oncall@example.com", Reason: "not a user: GROUP",
					Code: SkipNotUser, Status: StatusPresent},
				{Row: 5, ExternalID: "C03az79cb", Reason: "not a user: CUSTOMER", Code: SkipNotUser, Status: StatusPresent},
				{Row: 6, ExternalID: "114367823451278654324", Reason: "no email address", Code: SkipNoEmail, Status: StatusPresent},
				{Row: 7, ExternalID: "114367823451278654325", Email: "ada.lovelace@example.com", Code: SkipDuplicate,
					Status: StatusPresent, Reason: "duplicate of row 1: same email"},
			},
		},
	}})
}

func TestParseGoogleErrors(t *testing.T) {
	_, err := Parse(FormatGoogleJSON, openFixtures(t, "google-members-partial.json")...)
	wantParseError(t, err, ErrTruncated, 0, 0, "google-json", "nextPageToken")

	_, err = Parse(FormatGoogleJSON, openFixtures(t, "scim-group.json")...)
	wantParseError(t, err, ErrWrongFormat, 0, 0, `no kind "admin#directory#members"`)
}
