package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readPatch decodes a PATCH body as the handler does and expands it.
func readPatch(t *testing.T, body, schema string) ([]target, error) {
	t.Helper()
	var req patchRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatalf("fixture body: %v", err)
	}
	return patchTargets(req, schema)
}

func ops(list string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":` + list + `}`
}

func TestPatchUser(t *testing.T) {
	base := User{ID: "u1", UserName: "bjensen@example.com", ExternalID: "x1", GivenName: "Barbara", FamilyName: "Jensen",
		DisplayName: "Babs", Email: "bjensen@example.com", Active: true}
	with := func(f func(*User)) User { u := base; f(&u); return u }
	tests := []struct {
		name string
		ops  string
		want User
	}{
		{"replace active path, boolean", `[{"op":"replace","path":"active","value":false}]`, with(func(u *User) { u.Active = false })},
		{"replace active path, Entra string", `[{"op":"Replace","path":"active","value":"False"}]`, with(func(u *User) { u.Active = false })},
		{"replace active, string true", `[{"op":"Replace","path":"active","value":"True"}]`, base},
		{"path-less active", `[{"op":"replace","value":{"active":false}}]`, with(func(u *User) { u.Active = false })},
		{"path-less Active capitalised", `[{"op":"Replace","value":{"Active":"false"}}]`, with(func(u *User) { u.Active = false })},
		{"add on a single value replaces", `[{"op":"Add","path":"displayName","value":"Barb"}]`, with(func(u *User) { u.DisplayName = "Barb" })},
		{"remove displayName", `[{"op":"Remove","path":"displayName"}]`, with(func(u *User) { u.DisplayName = "" })},
		{"replace with null clears", `[{"op":"replace","path":"externalId","value":null}]`, with(func(u *User) { u.ExternalID = "" })},
		{"name.familyName", `[{"op":"replace","path":"name.familyName","value":"Doe"}]`, with(func(u *User) { u.FamilyName = "Doe" })},
		{"name object merges", `[{"op":"replace","path":"name","value":{"givenName":"Bab","formatted":"x"}}]`, with(func(u *User) { u.GivenName = "Bab" })},
		{"remove name", `[{"op":"remove","path":"name"}]`, with(func(u *User) { u.GivenName, u.FamilyName = "", "" })},
		{"name parts not kept are ignored", `[{"op":"replace","path":"name.middleName","value":"Q"}]`, base},
		{"path-less nested name", `[{"op":"replace","value":{"name":{"familyName":"Doe"}}}]`, with(func(u *User) { u.FamilyName = "Doe" })},
		{"Entra dotted keys in document order", `[{"op":"Replace","value":{"name":{"givenName":"A"},"name.givenName":"B","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}]`,
			with(func(u *User) { u.GivenName = "B" })},
		{"core schema URN prefix", `[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:userName","value":"babs"}]`, with(func(u *User) { u.UserName = "babs" })},
		{"work email by filter", `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"B@Example.com "}]`, with(func(u *User) { u.Email = "B@Example.com" })},
		{"primary email by filter", `[{"op":"replace","path":"emails[primary eq true].value","value":"b@example.com"}]`, with(func(u *User) { u.Email = "b@example.com" })},
		{"email by its value", `[{"op":"replace","path":"emails[value eq \"BJENSEN@example.com\"].value","value":"b@example.com"}]`, with(func(u *User) { u.Email = "b@example.com" })},
		{"emails.value", `[{"op":"replace","path":"emails.value","value":"b@example.com"}]`, with(func(u *User) { u.Email = "b@example.com" })},
		{"emails list picks primary", `[{"op":"replace","path":"emails","value":[{"value":"h@example.com","type":"home"},{"value":"p@example.com","primary":"true"}]}]`,
			with(func(u *User) { u.Email = "p@example.com" })},
		{"emails list picks work", `[{"op":"add","path":"emails","value":[{"value":"h@example.com","type":"home"},{"value":"w@example.com","type":"work"}]}]`,
			with(func(u *User) { u.Email = "w@example.com" })},
		{"emails[type eq work] with an object", `[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"o@example.com","type":"work"}}]`, with(func(u *User) { u.Email = "o@example.com" })},
		{"path-less Entra email key", `[{"op":"replace","value":{"emails[type eq \"work\"].value":"k@example.com","emails[type eq \"work\"].primary":true}}]`, with(func(u *User) { u.Email = "k@example.com" })},
		{"home email is not kept", `[{"op":"replace","path":"emails[type eq \"home\"].value","value":"h@example.com"}]`, base},
		{"removing the address falls back to an address userName", `[{"op":"remove","path":"emails[type eq \"work\"]"}]`, base},
		{"remove then add an address", `[{"op":"remove","path":"emails"},{"op":"add","path":"emails","value":[{"value":"n@example.com"}]}]`, with(func(u *User) { u.Email = "n@example.com" })},
		{"password, groups, roles, phone numbers are ignored", `[{"op":"replace","value":{"password":"s3cret","groups":[],"roles":[]}},{"op":"add","path":"phoneNumbers[type eq \"work\"].value","value":"1"},{"op":"remove","path":"title"}]`, base},
		{"enterprise attributes are ignored", `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":[{"value":"m1"}]},{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"HR"}}}]`, base},
		{"repeating the own id is fine", `[{"op":"replace","value":{"id":"u1","displayName":"B"}}]`, with(func(u *User) { u.DisplayName = "B" })},
		{"schemas and meta keys are ignored", `[{"op":"replace","value":{"schemas":["x"],"meta":{"resourceType":"User"}}}]`, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, err := readPatch(t, ops(tt.ops), userSchema)
			if err != nil {
				t.Fatal(err)
			}
			got, err := patchUser(base, targets)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("user mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchUserRefused(t *testing.T) {
	base := User{ID: "u1", UserName: "bjensen", Email: "bjensen@example.com", Active: true}
	tests := []struct {
		name, ops, scimType string
	}{
		{"active not a boolean", `[{"op":"replace","path":"active","value":"yes"}]`, typeInvalidValue},
		{"active a number", `[{"op":"replace","value":{"active":1}}]`, typeInvalidValue},
		{"remove active", `[{"op":"remove","path":"active"}]`, typeInvalidValue},
		{"remove userName", `[{"op":"remove","path":"userName"}]`, typeInvalidValue},
		{"blank userName", `[{"op":"replace","path":"userName","value":"  "}]`, typeInvalidValue},
		{"userName not a string", `[{"op":"replace","path":"userName","value":{"a":1}}]`, typeInvalidValue},
		{"name not an object", `[{"op":"replace","path":"name","value":"Babs"}]`, typeInvalidValue},
		{"givenName not a string", `[{"op":"replace","path":"name","value":{"givenName":3}}]`, typeInvalidValue},
		{"sub-attribute of a simple one", `[{"op":"replace","path":"userName.first","value":"x"}]`, typeInvalidPath},
		{"filter on a simple one", `[{"op":"replace","path":"active[value eq true]","value":false}]`, typeInvalidPath},
		{"filter on name", `[{"op":"replace","path":"name[givenName eq \"x\"]","value":{}}]`, typeInvalidPath},
		{"change the id", `[{"op":"replace","path":"id","value":"u2"}]`, typeMutability},
		{"change the id without path", `[{"op":"replace","value":{"id":"u2"}}]`, typeMutability},
		{"remove the only address", `[{"op":"remove","path":"emails"}]`, typeMutability},
		{"email filter for another address", `[{"op":"replace","path":"emails[value eq \"other@example.com\"].value","value":"x@example.com"}]`, typeNoTarget},
		{"email filter on an unknown sub-attribute", `[{"op":"replace","path":"emails[display eq \"x\"].value","value":"x@example.com"}]`, typeInvalidFilter},
		{"emails list without values", `[{"op":"replace","path":"emails","value":[{"type":"work"}]}]`, typeInvalidValue},
		{"emails not a list", `[{"op":"replace","path":"emails","value":7}]`, typeInvalidValue},
		{"primary not a boolean", `[{"op":"replace","path":"emails","value":[{"value":"a@b.c","primary":"maybe"}]}]`, typeInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, err := readPatch(t, ops(tt.ops), userSchema)
			if err == nil {
				_, err = patchUser(base, targets)
			}
			assertProtocolError(t, err, tt.scimType)
		})
	}
}

func TestPatchGroup(t *testing.T) {
	name := "Admins"
	tests := []struct {
		name string
		ops  string
		want GroupChange
	}{
		{"Okta rename repeating the id", `[{"op":"replace","value":{"id":"g1","displayName":"Admins"}}]`, GroupChange{DisplayName: &name, Add: []string{}, Remove: []string{}}},
		{"Entra rename", `[{"op":"Replace","path":"displayName","value":"Admins"}]`, GroupChange{DisplayName: &name, Add: []string{}, Remove: []string{}}},
		{"add a list", `[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"value":"u2","display":"x"}]}]`, GroupChange{Add: []string{"u1", "u2"}, Remove: []string{}}},
		{"add one object", `[{"op":"add","path":"members","value":{"value":"u1"}}]`, GroupChange{Add: []string{"u1"}, Remove: []string{}}},
		{"Okta remove by filter", `[{"op":"remove","path":"members[value eq \"u1\"]"}]`, GroupChange{Add: []string{}, Remove: []string{"u1"}}},
		{"Entra remove listed only", `[{"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u3"}]}]`, GroupChange{Add: []string{}, Remove: []string{"u1", "u3"}}},
		{"remove with an empty list removes nobody", `[{"op":"Remove","path":"members","value":[]}]`, GroupChange{Add: []string{}, Remove: []string{}}},
		{"remove all without a value", `[{"op":"remove","path":"members"}]`, GroupChange{ReplaceMembers: &[]string{}}},
		{"replace wholesale", `[{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u1"},{"value":"u2"}]}]`, GroupChange{ReplaceMembers: &[]string{"u1", "u2"}}},
		{"path-less replace of members", `[{"op":"replace","value":{"members":[{"value":"u9"}]}}]`, GroupChange{ReplaceMembers: &[]string{"u9"}}},
		{"path-less add of members", `[{"op":"add","value":{"members":[{"value":"u9"}]}}]`, GroupChange{Add: []string{"u9"}, Remove: []string{}}},
		{"Okta remove then add in one request", `[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u2"}]}]`,
			GroupChange{Add: []string{"u2"}, Remove: []string{"u1"}}},
		{"add then remove the same user cancels out", `[{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},{"op":"remove","path":"members[value eq \"u1\"]"}]`,
			GroupChange{Add: []string{"u2"}, Remove: []string{"u1"}}},
		{"remove then add the same user adds", `[{"op":"remove","path":"members","value":[{"value":"u1"}]},{"op":"add","path":"members","value":[{"value":"u1"}]}]`,
			GroupChange{Add: []string{"u1"}, Remove: []string{}}},
		{"replace then edit", `[{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]},{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u3"}]}]`,
			GroupChange{ReplaceMembers: &[]string{"u2", "u3"}}},
		{"member display is read-only", `[{"op":"replace","path":"members[value eq \"u1\"].display","value":"x"}]`, GroupChange{Add: []string{}, Remove: []string{}}},
		{"unknown attributes are ignored", `[{"op":"replace","value":{"description":"x","urn:example:ext:1.0:Group:owner":"y"}}]`, GroupChange{Add: []string{}, Remove: []string{}}},
		{"externalId", `[{"op":"replace","path":"externalId","value":"e1"}]`, GroupChange{ExternalID: ptr("e1"), Add: []string{}, Remove: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, err := readPatch(t, ops(tt.ops), groupSchema)
			if err != nil {
				t.Fatal(err)
			}
			got, err := patchGroup("g1", targets)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("change mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchGroupRefused(t *testing.T) {
	tests := []struct {
		name, ops, scimType string
	}{
		{"remove displayName", `[{"op":"remove","path":"displayName"}]`, typeInvalidValue},
		{"blank displayName", `[{"op":"replace","path":"displayName","value":""}]`, typeInvalidValue},
		{"displayName not a string", `[{"op":"replace","value":{"displayName":["x"]}}]`, typeInvalidValue},
		{"member without value", `[{"op":"add","path":"members","value":[{"display":"x"}]}]`, typeInvalidValue},
		{"member value not a string", `[{"op":"add","path":"members","value":[{"value":5}]}]`, typeInvalidValue},
		{"members not a list", `[{"op":"add","path":"members","value":"u1"}]`, typeInvalidValue},
		{"member filter on display", `[{"op":"remove","path":"members[display eq \"x\"]"}]`, typeInvalidFilter},
		{"add by filter", `[{"op":"add","path":"members[value eq \"u1\"]","value":{"value":"u1"}}]`, typeInvalidPath},
		{"members.value", `[{"op":"remove","path":"members.value"}]`, typeInvalidPath},
		{"another group's id", `[{"op":"replace","value":{"id":"g2"}}]`, typeMutability},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			targets, err := readPatch(t, ops(tt.ops), groupSchema)
			if err == nil {
				_, err = patchGroup("g1", targets)
			}
			assertProtocolError(t, err, tt.scimType)
		})
	}
}
