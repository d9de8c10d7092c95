package scim

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUserFilterAccepted(t *testing.T) {
	tests := []struct {
		filter    string
		want      UserFilter
		matchable bool
	}{
		{`userName eq "bjensen"`, UserFilter{UserName: "bjensen"}, true},
		{`userName eq "test.user@okta.local"`, UserFilter{UserName: "test.user@okta.local"}, true},
		{`UserName EQ "bjensen"`, UserFilter{UserName: "bjensen"}, true},
		{`username Eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"`, UserFilter{UserName: "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"}, true},
		{`  userName  eq  "spaced"  `, UserFilter{UserName: "spaced"}, true},
		{`userName eq "quote \" and \\ backslash \u00e9"`, UserFilter{UserName: `quote " and \ backslash é`}, true},
		{`userName eq "has and inside"`, UserFilter{UserName: "has and inside"}, true},
		{`userName eq "]["`, UserFilter{UserName: "]["}, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen"`, UserFilter{UserName: "bjensen"}, true},
		{`externalId eq "00ujl29u0le5T6Aj10h7"`, UserFilter{ExternalID: "00ujl29u0le5T6Aj10h7"}, true},
		{`id eq "23a35c27"`, UserFilter{ID: "23a35c27"}, true},
		{`emails[type eq "work"].value eq "a@example.com"`, UserFilter{Email: "a@example.com"}, true},
		{`emails[type eq "Work"].value eq "a@example.com"`, UserFilter{Email: "a@example.com"}, true},
		{`emails[primary eq true].value eq "a@example.com"`, UserFilter{Email: "a@example.com"}, true},
		{`emails.value eq "a@example.com"`, UserFilter{Email: "a@example.com"}, true},
		{`emails eq "a@example.com"`, UserFilter{Email: "a@example.com"}, true},
		{`emails[value eq "a@example.com"]`, UserFilter{Email: "a@example.com"}, true},
		{`emails[type eq "work" and value eq "a@example.com"]`, UserFilter{Email: "a@example.com"}, true},
		{`userName eq "a" and externalId eq "b"`, UserFilter{UserName: "a", ExternalID: "b"}, true},
		{`userName eq "a" AND externalId eq "b" and id eq "c"`, UserFilter{ID: "c", UserName: "a", ExternalID: "b"}, true},
		{`userName eq "a" and emails[type eq "work"].value eq "x@y.z"`, UserFilter{UserName: "a", Email: "x@y.z"}, true},
		// The same field twice: equal values narrow nothing, different ones match nobody.
		{`userName eq "a" and userName eq "A"`, UserFilter{UserName: "A"}, true},
		{`userName eq "a" and userName eq "b"`, UserFilter{UserName: "b"}, false},
		{`externalId eq "a" and externalId eq "A"`, UserFilter{ExternalID: "A"}, false},
		// Nobody has an empty userName, address or id.
		{`userName eq ""`, UserFilter{UserName: ""}, false},
		{`externalId eq ""`, UserFilter{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			got, matchable, err := userFilter(tt.filter)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter mismatch (-want +got):\n%s", diff)
			}
			if matchable != tt.matchable {
				t.Errorf("matchable %v, want %v", matchable, tt.matchable)
			}
		})
	}
}

func TestGroupFilterAccepted(t *testing.T) {
	tests := []struct {
		filter string
		want   GroupFilter
	}{
		{`displayName eq "Test SCIMv2"`, GroupFilter{DisplayName: "Test SCIMv2"}},
		{`DISPLAYNAME eq "x"`, GroupFilter{DisplayName: "x"}},
		{`urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"`, GroupFilter{DisplayName: "x"}},
		{`externalId eq "8aa1a0c0"`, GroupFilter{ExternalID: "8aa1a0c0"}},
		{`id eq "g1" and members eq "u1"`, GroupFilter{ID: "g1", Member: "u1"}},
		{`id eq "g1" and members.value eq "u1"`, GroupFilter{ID: "g1", Member: "u1"}},
		{`members[value eq "u1"]`, GroupFilter{Member: "u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			got, matchable, err := groupFilter(tt.filter)
			if err != nil || !matchable {
				t.Fatalf("refused (matchable %v): %v", matchable, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// refusedFilters are user filters outside the supported subset; each must be a 400
// invalidFilter, never a 500 and never a full list.
var refusedFilters = []string{
	``,
	` `,
	`userName co "bjensen"`,
	`userName sw "b"`,
	`userName ew "n"`,
	`userName ne "bjensen"`,
	`userName pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`userName eq "a" or userName eq "b"`,
	`not (userName eq "a")`,
	`not userName eq "a"`,
	`(userName eq "a")`,
	`userName eq "a" and (externalId eq "b")`,
	`displayName eq "Babs"`,
	`title eq "Tour Guide"`,
	`name.familyName eq "Jensen"`,
	`active eq true`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`,
	`urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User eq "x"`,
	`emails[type eq "home"].value eq "a@example.com"`,
	`emails[primary eq false].value eq "a@example.com"`,
	`emails[type eq "work"]`,
	`emails[type eq "work"].display eq "x"`,
	`emails[type co "work"].value eq "a@example.com"`,
	`emails[type eq "work" or primary eq true].value eq "a"`,
	`emails[type eq "work".value eq "a"`,
	`emails[].value eq "a"`,
	`emails.value[type eq "work"] eq "a"`,
	`userName eq bjensen`,
	`userName eq 'bjensen'`,
	`userName eq "bjensen`,
	`userName eq "bjensen\"`,
	`userName eq "a" "b"`,
	`userName eq "bad \x escape"`,
	`userName eq 5`,
	`userName eq true`,
	`userName eq null`,
	`id eq 23`,
	`userName eq`,
	`userName`,
	`eq "a"`,
	`userName eq "a" and`,
	`userName eq "a" and and userName eq "b"`,
	`userName eq "a"and externalId eq "b"`,
	`userName eq "a" andexternalId eq "b"`,
	`userName eq"a"`,
	`userName  "a"`,
	`userName.eq "a"`,
	`user name eq "a"`,
	`userName eq "a" garbage`,
	`1userName eq "a"`,
	`name..familyName eq "a"`,
	`name.familyName.x eq "a"`,
	`urn: eq "a"`,
	`userName eq "a"]`,
	`%%%`,
	"userName eq \"a\"\x00",
	"userName\teq \"a\"",
}

func TestUserFilterRefused(t *testing.T) {
	for _, filter := range refusedFilters {
		t.Run(filter, func(t *testing.T) {
			f, matchable, err := userFilter(filter)
			assertProtocolError(t, err, typeInvalidFilter)
			if matchable || f != (UserFilter{}) {
				t.Errorf("refused filter still gave %+v (matchable %v)", f, matchable)
			}
		})
	}
}

func TestGroupFilterRefused(t *testing.T) {
	for _, filter := range []string{
		`displayName co "Test"`,
		`displayName eq "a" or displayName eq "b"`,
		`members[display eq "Babs"]`,
		`members[value eq 5]`,
		`members.display eq "Babs"`,
		`userName eq "a"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"`,
		`displayName eq 5`,
		`displayName pr`,
	} {
		t.Run(filter, func(t *testing.T) {
			_, _, err := groupFilter(filter)
			assertProtocolError(t, err, typeInvalidFilter)
		})
	}
}

// assertProtocolError checks that err is a 400 of scimType.
func assertProtocolError(t *testing.T, err error, scimType string) {
	t.Helper()
	var pe *protocolError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a %s refusal", err, scimType)
	}
	if pe.status != 400 || pe.scimType != scimType || pe.detail == "" {
		t.Errorf("got %d %s %q, want 400 %s with a detail", pe.status, pe.scimType, pe.detail, scimType)
	}
}
