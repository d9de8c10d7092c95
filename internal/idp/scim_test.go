package idp

import (
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseSCIM(t *testing.T) {
	const id = "2819c223-7f76-453a-919d-41386190464"
	runSnapshotCases(t, []snapshotCase{{
		name:   "paged list of users",
		format: FormatSCIM,
		files:  []string{"scim-users-1.json", "scim-users-2.json"},
		want: Snapshot{
			Format: FormatSCIM,
			People: []Person{
				// The primary address, not the first; given and family name, not formatted.
				{ExternalID: id + "6", Email: "ada.lovelace@example.com", Name: "Ada Lovelace", Status: StatusPresent, Row: 1, Page: 1},
				// active "True" as a string.
				{ExternalID: id + "7", Email: "zoe.ngata@example.com", Name: "Zo\u00eb Ngata", Status: StatusPresent, Row: 2, Page: 1},
				// active "False" as a string.
				{ExternalID: id + "8", Email: "sam.okafor@example.com", Name: "Sam Okafor", Status: StatusGone, Row: 3, Page: 1},
				// No active attribute; only name.formatted.
				{ExternalID: id + "a", Email: "li.wei@example.com", Name: "李伟", Status: StatusPresent, Row: 2, Page: 2},
				{ExternalID: id + "b", Email: "dee.park@example.com", Name: "Dee Park", Status: StatusGone, Row: 3, Page: 2},
			},
			Skipped: []Skip{
				{Row: 1, Page: 2, ExternalID: id + "9", Name: "Build Robot", Code: SkipNoEmail, Status: StatusPresent,
					Reason: "no emails (userName svc-build@example.com is a login, not taken for an address)"},
			},
		},
	}, {
		name:   "group",
		format: FormatSCIM,
		files:  []string{"scim-group.json"},
		want: Snapshot{
			Format: FormatSCIM,
			People: []Person{
				{ExternalID: id + "6", Email: "ada.lovelace@example.com", Status: StatusPresent, Row: 1},
				{ExternalID: "zoe.ngata@example.com", Email: "zoe.ngata@example.com", Name: "Zoë Ngata", Status: StatusPresent, Row: 2},
			},
			Skipped: []Skip{
				{Row: 3, ExternalID: id + "9", Name: "Build Robot", Code: SkipNoEmail, Status: StatusPresent,
					Reason: "group member without an address: SCIM members carry only an id and a display name"},
				{Row: 4, ExternalID: "6c5bb468-14b2-4183-baf2-06d523e03bd3", Code: SkipNotUser, Status: StatusPresent,
					Reason: "not a user: a nested group"},
			},
		},
	}})
}

func TestParseSCIMListOfGroups(t *testing.T) {
	in := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,
	  "Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"Portal",
	    "members":[{"value":"u1","display":"a@example.com"},{"value":"u2","display":"B@Example.com"}]}]}`
	got, err := Parse(FormatAuto, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Person{
		{ExternalID: "u1", Email: "a@example.com", Status: StatusPresent, Row: 1},
		{ExternalID: "u2", Email: "b@example.com", Status: StatusPresent, Row: 2},
	}
	if got.Format != FormatSCIM || len(got.Skipped) != 0 || !samePeople(want, got.People) {
		t.Errorf("got %+v, want SCIM people %+v", got, want)
	}
}

func TestParseSCIMErrors(t *testing.T) {
	t.Run("fewer resources than totalResults", func(t *testing.T) {
		_, err := Parse(FormatAuto, openFixtures(t, "scim-users-1.json")...)
		wantParseError(t, err, ErrTruncated, 0, 0, "3 resources but totalResults is 6")
	})
	t.Run("neither list nor group", func(t *testing.T) {
		_, err := Parse(FormatSCIM, strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401"}`))
		wantParseError(t, err, ErrWrongFormat, 0, 0, "neither a ListResponse")
	})
	t.Run("unreadable active", func(t *testing.T) {
		s, err := Parse(FormatSCIM, strings.NewReader(`{"Resources":[{"id":"u1","emails":[{"value":"a@example.com"}],"active":"sometimes"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		want := Skip{Row: 1, ExternalID: "u1", Email: "a@example.com", Code: SkipUnknownStatus, Reason: `unknown status "active \"sometimes\""`}
		if len(s.Skipped) != 1 || s.Skipped[0] != want {
			t.Errorf("skipped %+v, want %+v", s.Skipped, want)
		}
	})
}

// samePeople reports whether two lists of people are equal.
func samePeople(a, b []Person) bool {
	if len(a) != len(b) {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// scimPage is a ListResponse page of users with the given ids, as one export of total.
func scimPage(total, start int, ids ...string) string {
	var res []string
	for _, id := range ids {
		res = append(res, `{"id":"`+id+`","emails":[{"value":"`+id+`@example.com","primary":true}],"active":true}`)
	}
	head := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":` + strconv.Itoa(total)
	if start >= 0 {
		head += `,"startIndex":` + strconv.Itoa(start)
	}
	return head + `,"Resources":[` + strings.Join(res, ",") + `]}`
}

func TestParseSCIMPaging(t *testing.T) {
	tests := []struct {
		name  string
		pages []string
		page  int
		words []string // nil: the pages read as one export
	}{
		{"pages in order", []string{scimPage(4, 1, "u1", "u2"), scimPage(4, 3, "u3", "u4")}, 0, nil},
		{"a server counting from 0", []string{scimPage(4, 0, "u1", "u2"), scimPage(4, 2, "u3", "u4")}, 0, nil},
		{"without startIndex", []string{scimPage(4, -1, "u1", "u2"), scimPage(4, -1, "u3", "u4")}, 0, nil},
		{"a page given twice", []string{scimPage(4, 1, "u1", "u2"), scimPage(4, 1, "u1", "u2")}, 2,
			[]string{"page 2", "startIndex is 1", "hold 2 resources, so it should be 3"}},
		{"a page given twice without startIndex", []string{scimPage(4, -1, "u1", "u2"), scimPage(4, -1, "u1", "u2")}, 2,
			[]string{"2 resources but totalResults is 4"}},
		{"pages out of order", []string{scimPage(4, 3, "u3", "u4"), scimPage(4, 1, "u1", "u2")}, 1,
			[]string{"page 1", "startIndex is 3", "should be 1"}},
		{"a middle page missing", []string{scimPage(6, 1, "u1", "u2"), scimPage(6, 5, "u5", "u6")}, 2,
			[]string{"page 2", "startIndex is 5", "should be 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []io.Reader
			for _, p := range tt.pages {
				rs = append(rs, strings.NewReader(p))
			}
			s, err := Parse(FormatAuto, rs...)
			if tt.words == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(s.People) != 4 || len(s.Skipped) != 0 {
					t.Errorf("people %+v, skipped %+v; want u1 to u4", s.People, s.Skipped)
				}
				return
			}
			wantParseError(t, err, ErrTruncated, tt.page, 0, tt.words...)
		})
	}
}
