package idp

import (
	"strings"
	"testing"
)

func TestParseEntra(t *testing.T) {
	const id = "6f1c3a52-1b7e-4c0e-9d1a-0a1b2c3d4e0"
	guest := "guest without mail: the user principal name sam_vendor.example#EXT#@contoso.onmicrosoft.com is not an address"
	noMail := "no mail: the user principal name zoe.ngata@contoso.com is used only with useUpnWhenNoMail"
	runSnapshotCases(t, []snapshotCase{{
		name:   "download users csv with BOM and CRLF",
		format: FormatEntraCSV,
		files:  []string{"entra-users.csv"},
		want: Snapshot{
			Format: FormatEntraCSV,
			People: []Person{
				{ExternalID: id + "1", Email: "ada.lovelace@contoso.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1},
				// A guest: mail, not the #EXT# principal name; no given name, so the display name.
				{ExternalID: id + "3", Email: "alex@partner.example", Name: "Alex Partner (Fabrikam)", Status: StatusPresent, Row: 3},
				{ExternalID: id + "5", Email: "dee.park@contoso.com", Name: "Dee Park", Status: StatusGone, Row: 5},
				{ExternalID: id + "6", Email: "rene.dubois@contoso.com", Name: "René Dubois", Status: StatusPresent, Row: 6},
			},
			Skipped: []Skip{
				// No mail: the user principal name is not guessed to be the address.
				{Row: 2, ExternalID: id + "2", Name: "Zo\u00eb Ngata", Reason: noMail, Code: SkipNoEmail, Status: StatusPresent},
				{Row: 4, ExternalID: id + "4", Name: "Sam Vendor", Reason: guest, Code: SkipNoEmail, Status: StatusPresent},
				{Row: 7, ExternalID: id + "1", Email: "ada.lovelace@contoso.com", Name: "Ada Lovelace", Code: SkipDuplicate,
					Status: StatusPresent, Reason: "duplicate of row 1: same id"},
				// accountEnabled empty in a column that is there: unknown, not present.
				{Row: 8, ExternalID: id + "7", Name: "Room Berlin 4.01", Code: SkipUnknownStatus,
					Reason: "accountEnabled is empty: the row may be cut off, so its status is unknown"},
				{Row: 9, ExternalID: id + "8", Email: "kim at contoso.com", Name: "Kim", Code: SkipInvalidEmail, Status: StatusPresent,
					Reason: `invalid email "kim at contoso.com": email must be a plain address such as jane@example.com`},
			},
		},
	}, {
		name:   "graph member pages",
		format: FormatEntraJSON,
		files:  []string{"entra-members-1.json", "entra-members-2.json"},
		want: Snapshot{
			Format: FormatEntraJSON,
			People: []Person{
				{ExternalID: id + "1", Email: "ada.lovelace@contoso.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1, Page: 1},
				{ExternalID: id + "3", Email: "alex@partner.example", Name: "Alex Partner (Fabrikam)", Status: StatusPresent, Row: 4, Page: 1},
				{ExternalID: id + "5", Email: "dee.park@contoso.com", Name: "Dee Park", Status: StatusGone, Row: 1, Page: 2},
				{ExternalID: id + "6", Email: "rene.dubois@contoso.com", Name: "René Dubois", Status: StatusPresent, Row: 3, Page: 2},
			},
			Skipped: []Skip{
				{Row: 2, Page: 1, ExternalID: id + "2", Name: "Zo\u00eb Ngata", Reason: noMail, Code: SkipNoEmail, Status: StatusPresent},
				{Row: 3, Page: 1, ExternalID: "9a7e0c11-5d0b-4bb4-8a5e-3c2f1e0d9b10", Name: "Platform Contractors",
					Reason: "not a user: group", Code: SkipNotUser, Status: StatusPresent},
				{Row: 5, Page: 1, ExternalID: id + "4", Name: "Sam Vendor", Reason: guest, Code: SkipNoEmail, Status: StatusPresent},
				{Row: 2, Page: 2, ExternalID: "c8a1b2d3-0000-4e5f-8a9b-0c1d2e3f4a5b", Name: "BER-LT-0042",
					Reason: "not a user: device", Code: SkipNotUser, Status: StatusPresent},
				{Row: 4, Page: 2, ExternalID: id + "1", Email: "ada.lovelace@contoso.com", Name: "Ada Lovelace", Code: SkipDuplicate,
					Status: StatusPresent, Reason: "duplicate of page 1 row 1: same id"},
				{Row: 5, Page: 2, ExternalID: "2b3c4d5e-1111-4f60-9a7b-8c9d0e1f2a3b", Name: "Deploy Bot",
					Reason: "not a user: servicePrincipal", Code: SkipNotUser, Status: StatusPresent},
			},
		},
	}})
}

// TestUseUPNWhenNoMail: with the option, an Entra member without mail is read at their user
// principal name, in both formats; a guest's #EXT# name and Entra's own onmicrosoft.com names
// never are, and without the option nobody's is.
func TestUseUPNWhenNoMail(t *testing.T) {
	for _, files := range [][]string{{"entra-users.csv"}, {"entra-members-1.json", "entra-members-2.json"}} {
		snap, err := ParseWith(ParseOptions{UseUPNWhenNoMail: true}, FormatAuto, openFixtures(t, files...)...)
		if err != nil {
			t.Fatal(err)
		}
		emails := map[string]bool{}
		for _, p := range snap.People {
			emails[p.Email] = true
		}
		if !emails["zoe.ngata@contoso.com"] || emails["sam_vendor.example#ext#@contoso.onmicrosoft.com"] {
			t.Errorf("%v with the option: people %v", files, emails)
		}
	}
	csv := "userPrincipalName,mail,objectId,accountEnabled\n" +
		"ada@contoso.onmicrosoft.com,,1,True\n" +
		"sam_vendor.example#EXT#@contoso.onmicrosoft.com,,2,True\n" +
		"zoe@contoso.com,,3,True\n"
	for _, use := range []bool{false, true} {
		snap, err := ParseWith(ParseOptions{UseUPNWhenNoMail: use}, FormatEntraCSV, strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range snap.People {
			got = append(got, p.Email)
		}
		want := []string(nil)
		if use {
			want = []string{"zoe@contoso.com"}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") || len(snap.Skipped) != 3-len(want) {
			t.Errorf("useUpnWhenNoMail %v: people %v, skipped %+v; want %v", use, got, snap.Skipped, want)
		}
		for _, sk := range snap.Skipped {
			if sk.Code != SkipNoEmail || sk.Reason == "" {
				t.Errorf("skip %+v: want no_email with a reason", sk)
			}
		}
	}
}

func TestParseEntraErrors(t *testing.T) {
	t.Run("last page has a next link", func(t *testing.T) {
		_, err := Parse(FormatAuto, openFixtures(t, "entra-members-1.json")...)
		wantParseError(t, err, ErrTruncated, 0, 0, "entra-json", "@odata.nextLink")
	})
	t.Run("pages out of order", func(t *testing.T) {
		_, err := Parse(FormatEntraJSON, openFixtures(t, "entra-members-2.json", "entra-members-1.json")...)
		wantParseError(t, err, ErrTruncated, 2, 0, "page 2", "out of order")
	})
	t.Run("no value array", func(t *testing.T) {
		_, err := Parse(FormatEntraJSON, strings.NewReader(`{"error":{"code":"Authorization_RequestDenied"}}`))
		wantParseError(t, err, ErrWrongFormat, 0, 0, `no "value" array`)
	})
	t.Run("value not an array", func(t *testing.T) {
		_, err := Parse(FormatEntraJSON, strings.NewReader(`{"value":{"id":"1"}}`))
		wantParseError(t, err, ErrWrongFormat, 0, 0, "value is not an array")
	})
	t.Run("value null", func(t *testing.T) {
		_, err := Parse(FormatEntraJSON, strings.NewReader(`{"@odata.context":"x","value":null}`))
		wantParseError(t, err, ErrEmpty, 0, 0, "no people")
	})
	t.Run("next link not a string", func(t *testing.T) {
		_, err := Parse(FormatEntraJSON, strings.NewReader(`{"value":[],"@odata.nextLink":{"href":"x"}}`))
		wantParseError(t, err, ErrMalformed, 0, 0, "expected a string")
	})
	t.Run("cut inside a member", func(t *testing.T) {
		_, err := Parse(FormatAuto, strings.NewReader(`{"@odata.context":"x","value":[{"id":"1","mail":"a@contoso.com"},{"id":"2","ma`))
		wantParseError(t, err, ErrTruncated, 0, 2, "row 2", "ends inside the JSON document")
	})
	t.Run("csv without an id column", func(t *testing.T) {
		_, err := Parse(FormatEntraCSV, strings.NewReader("userPrincipalName,mail\nada@contoso.com,\n"))
		wantParseError(t, err, ErrWrongFormat, 0, 0, `"objectId"`)
	})
	t.Run("unknown accountEnabled", func(t *testing.T) {
		s, err := Parse(FormatAuto, strings.NewReader(`{"value":[{"id":"1","mail":"a@contoso.com","accountEnabled":"maybe"},`+
			`{"id":"2","mail":"b@contoso.com","accountEnabled":"False"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Skipped) != 1 || s.Skipped[0].Code != SkipUnknownStatus || len(s.People) != 1 || s.People[0].Status != StatusGone {
			t.Errorf("got people %+v, skipped %+v; want b gone and a skipped for its status", s.People, s.Skipped)
		}
	})
}
