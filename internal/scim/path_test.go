package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePathAccepted(t *testing.T) {
	enterprise := "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"
	tests := []struct {
		path string
		want patchPath
	}{
		{"active", patchPath{attr: attrRef{name: "active"}}},
		{"Active", patchPath{attr: attrRef{name: "active"}}},
		{"userName", patchPath{attr: attrRef{name: "username"}}},
		{"displayName", patchPath{attr: attrRef{name: "displayname"}}},
		{"externalId", patchPath{attr: attrRef{name: "externalid"}}},
		{"name.familyName", patchPath{attr: attrRef{name: "name", sub: "familyname"}}},
		{" name.givenName ", patchPath{attr: attrRef{name: "name", sub: "givenname"}}},
		{"members", patchPath{attr: attrRef{name: "members"}}},
		{"members.$ref", patchPath{attr: attrRef{name: "members", sub: "$ref"}}},
		{`emails[type eq "work"].value`, patchPath{attr: attrRef{name: "emails", sub: "value"}, where: []comparison{{sub: "type", value: "work"}}}},
		{`emails[type eq "work"]`, patchPath{attr: attrRef{name: "emails"}, where: []comparison{{sub: "type", value: "work"}}}},
		{`emails[primary eq true].value`, patchPath{attr: attrRef{name: "emails", sub: "value"}, where: []comparison{{sub: "primary", value: true}}}},
		{`emails[type eq "work" and primary eq true].value`, patchPath{attr: attrRef{name: "emails", sub: "value"}, where: []comparison{{sub: "type", value: "work"}, {sub: "primary", value: true}}}},
		{`members[value eq "2819c223-7f76-453a-919d-413861904646"]`, patchPath{attr: attrRef{name: "members"}, where: []comparison{{sub: "value", value: "2819c223-7f76-453a-919d-413861904646"}}}},
		{`members[value EQ "a]b"]`, patchPath{attr: attrRef{name: "members"}, where: []comparison{{sub: "value", value: "a]b"}}}},
		{`addresses[type eq "work"].streetAddress`, patchPath{attr: attrRef{name: "addresses", sub: "streetaddress"}, where: []comparison{{sub: "type", value: "work"}}}},
		{`phoneNumbers[type eq "mobile"].value`, patchPath{attr: attrRef{name: "phonenumbers", sub: "value"}, where: []comparison{{sub: "type", value: "mobile"}}}},
		{"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", patchPath{attr: attrRef{schema: "urn:ietf:params:scim:schemas:core:2.0:user", name: "name", sub: "givenname"}}},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", patchPath{attr: attrRef{schema: enterprise, name: "employeenumber"}}},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", patchPath{attr: attrRef{schema: enterprise, name: "manager", sub: "value"}}},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", patchPath{attr: attrRef{schema: enterprise}}},
		{"urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter", patchPath{attr: attrRef{schema: "urn:ietf:params:scim:schemas:extension:custom:2.0:user", name: "costcenter"}}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`, patchPath{attr: attrRef{schema: "urn:ietf:params:scim:schemas:core:2.0:user", name: "emails", sub: "value"}, where: []comparison{{sub: "type", value: "work"}}}},
		{"x-custom_attr2", patchPath{attr: attrRef{name: "x-custom_attr2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := parsePath(tt.path)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(patchPath{}, attrRef{}, comparison{}), ignoreText); diff != "" {
				t.Errorf("path mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ignoreText leaves out attrRef.text, which only feeds messages.
var ignoreText = cmp.Transformer("withoutText", func(r attrRef) attrRef { r.text = ""; return r })

// refusedPaths are malformed PATCH paths; each must be a 400 invalidPath.
var refusedPaths = []string{
	"name..familyName",
	"name.familyName.x",
	".name",
	"name.",
	"1name",
	"na me",
	"name givenName",
	`emails[type eq "work"`,
	`emails[type eq "work"]]`,
	`emails[type eq "work"].`,
	`emails[type eq "work"].value.x`,
	`emails[type eq "work"]value`,
	`emails[]`,
	`emails[type]`,
	`emails[type eq]`,
	`emails[type eq work]`,
	`emails[type eq 'work']`,
	`emails[type eq "work]`,
	`emails[type co "work"]`,
	`emails[type sw "w"]`,
	`emails[value pr]`,
	`emails[type eq "work" or primary eq true]`,
	`emails[not (type eq "work")]`,
	`emails[type eq "work" and]`,
	`emails[name.sub eq "x"]`,
	`emails[urn:x:type eq "x"]`,
	`emails.value[type eq "work"]`,
	`members[value eq "a"][value eq "b"]`,
	`urn:ietf:params:scim:schemas:core:2.0:User:`,
	"urn:",
	`[value eq "a"]`,
	"name/familyName",
	"name\x00",
	"név",
	`"active"`,
	"active extra",
}

func TestParsePathRefused(t *testing.T) {
	for _, path := range refusedPaths {
		t.Run(path, func(t *testing.T) {
			_, err := parsePath(path)
			assertProtocolError(t, err, typeInvalidPath)
		})
	}
}

// TestPatchTargets checks the expansion of operations, including Entra's path-less
// replace whose keys are paths.
func TestPatchTargets(t *testing.T) {
	req := patchRequest{Schemas: []string{patchSchema}, Operations: []patchOp{
		{Op: "Replace", Value: json.RawMessage(`{"name.givenName":"Barbara","urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"Babs"},"active":"False"}`)},
		{Op: "remove", Path: ptr(`members[value eq "u1"]`)},
		{Op: "ADD", Path: ptr("members"), Value: json.RawMessage(`[{"value":"u2"}]`)},
	}}
	got, err := patchTargets(req, userSchema)
	if err != nil {
		t.Fatal(err)
	}
	want := []target{
		{op: "replace", path: patchPath{attr: attrRef{name: "name", sub: "givenname"}}, value: json.RawMessage(`"Barbara"`), keyed: true},
		{op: "replace", path: patchPath{attr: attrRef{name: "displayname"}}, value: json.RawMessage(`"Babs"`), keyed: true},
		{op: "replace", path: patchPath{attr: attrRef{name: "active"}}, value: json.RawMessage(`"False"`), keyed: true},
		{op: "remove", path: patchPath{attr: attrRef{name: "members"}, where: []comparison{{sub: "value", value: "u1"}}}},
		{op: "add", path: patchPath{attr: attrRef{name: "members"}}, value: json.RawMessage(`[{"value":"u2"}]`)},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(target{}, patchPath{}, attrRef{}, comparison{}), ignoreText); diff != "" {
		t.Errorf("targets mismatch (-want +got):\n%s", diff)
	}
}

func TestPatchTargetsRefused(t *testing.T) {
	tests := []struct {
		name     string
		req      patchRequest
		scimType string
	}{
		{"no operations", patchRequest{}, typeInvalidSyntax},
		{"wrong schema", patchRequest{Schemas: []string{userSchema}, Operations: []patchOp{{Op: "add", Path: ptr("displayName"), Value: json.RawMessage(`"x"`)}}}, typeInvalidSyntax},
		{"unknown op", patchRequest{Operations: []patchOp{{Op: "move", Path: ptr("displayName"), Value: json.RawMessage(`"x"`)}}}, typeInvalidSyntax},
		{"missing op", patchRequest{Operations: []patchOp{{Path: ptr("displayName"), Value: json.RawMessage(`"x"`)}}}, typeInvalidSyntax},
		{"remove without path", patchRequest{Operations: []patchOp{{Op: "remove"}}}, typeNoTarget},
		{"remove with empty path", patchRequest{Operations: []patchOp{{Op: "Remove", Path: ptr(" ")}}}, typeNoTarget},
		{"add without value", patchRequest{Operations: []patchOp{{Op: "add", Path: ptr("displayName")}}}, typeInvalidValue},
		{"path-less value not an object", patchRequest{Operations: []patchOp{{Op: "replace", Value: json.RawMessage(`"x"`)}}}, typeInvalidValue},
		{"path-less without value", patchRequest{Operations: []patchOp{{Op: "replace"}}}, typeInvalidValue},
		{"bad path", patchRequest{Operations: []patchOp{{Op: "replace", Path: ptr("name..x"), Value: json.RawMessage(`"x"`)}}}, typeInvalidPath},
		{"bad key", patchRequest{Operations: []patchOp{{Op: "replace", Value: json.RawMessage(`{"name givenName":"x"}`)}}}, typeInvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := patchTargets(tt.req, userSchema)
			assertProtocolError(t, err, tt.scimType)
		})
	}
}

func ptr[T any](v T) *T { return &v }
