package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/scim"
)

// TestCreateUserAddress checks which address a new person gets.
func TestCreateUserAddress(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"primary wins", `{"userName":"u","emails":[{"value":"w@example.com","type":"work"},{"value":"p@example.com","type":"home","primary":true}]}`, "p@example.com"},
		{"Entra string primary", `{"userName":"u","emails":[{"value":"w@example.com","type":"work"},{"value":"p@example.com","primary":"True"}]}`, "p@example.com"},
		{"else work", `{"userName":"u","emails":[{"value":"h@example.com","type":"home"},{"value":"w@example.com","type":"Work"}]}`, "w@example.com"},
		{"else the first", `{"userName":"u","emails":[{"value":"h@example.com","type":"home"},{"value":"o@example.com","type":"other"}]}`, "h@example.com"},
		{"empty values are skipped", `{"userName":"u","emails":[{"value":"","primary":true},{"value":"h@example.com"}]}`, "h@example.com"},
		{"else the userName", `{"userName":"Babs@Example.com"}`, "babs@example.com"},
		{"userName with no emails list", `{"userName":"babs@example.com","emails":[]}`, "babs@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := newFake()
			rec := call(t, mount(t, backend, nil), "POST", "/Users", scim.ContentType, tt.body)
			if rec.Code != 201 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := backend.users[0].Email; got != tt.want {
				t.Errorf("address %q, want %q", got, tt.want)
			}
			var u struct {
				Emails []map[string]any `json:"emails"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
				t.Fatal(err)
			}
			want := []map[string]any{{"value": tt.want, "type": "work", "primary": true}}
			if diff := cmp.Diff(want, u.Emails); diff != "" {
				t.Errorf("emails mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUpdatesSendOnlyChanges: the backend hears exactly what changed, so it can tell an
// address change from a name change from a deactivation.
func TestUpdatesSendOnlyChanges(t *testing.T) {
	f := false
	tests := []struct {
		name, method, body string
		want               []scim.UserChange
	}{
		{"deactivate", "PATCH", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, []scim.UserChange{{Active: &f}}},
		{"address only", "PATCH", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}]}`,
			[]scim.UserChange{{Email: ptr("new@example.com")}}},
		{"same address in other case changes nothing", "PATCH", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"OLD@example.com"}]}`, nil},
		{"name only", "PATCH", `{"Operations":[{"op":"replace","value":{"name.givenName":"B","displayName":"B J"}}]}`,
			[]scim.UserChange{{GivenName: ptr("B"), DisplayName: ptr("B J")}}},
		{"nothing kept", "PATCH", `{"Operations":[{"op":"replace","value":{"password":"x","title":"y"}}]}`, nil},
		{"PUT with the same profile", "PUT", `{"userName":"old@example.com","externalId":"x1","name":{"givenName":"A"},"emails":[{"value":"old@example.com","primary":true}],"active":true}`, nil},
		{"PUT that drops the name and leaves out active", "PUT", `{"userName":"old@example.com","emails":[{"value":"old@example.com"}]}`,
			[]scim.UserChange{{GivenName: ptr("")}}},
		{"DELETE", "DELETE", ``, []scim.UserChange{{Active: &f}}},
		{"keys in any case", "PATCH", `{"operations":[{"OP":"REPLACE","PATH":"Active","VALUE":"false"}]}`, []scim.UserChange{{Active: &f}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := &recordingBackend{fakeBackend: newFake("u1")}
			if _, err := backend.CreateUser(t.Context(), scim.User{UserName: "old@example.com", Email: "old@example.com", ExternalID: "x1", GivenName: "A", Active: true}); err != nil {
				t.Fatal(err)
			}
			rec := call(t, mount(t, backend, nil), tt.method, "/Users/u1", scim.ContentType, tt.body)
			if rec.Code >= 300 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if diff := cmp.Diff(tt.want, backend.changes); diff != "" {
				t.Errorf("changes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// recordingBackend remembers every user change it was sent.
type recordingBackend struct {
	*fakeBackend
	changes []scim.UserChange
}

func (b *recordingBackend) UpdateUser(ctx context.Context, id string, c scim.UserChange) (scim.User, error) {
	b.changes = append(b.changes, c)
	return b.fakeBackend.UpdateUser(ctx, id, c)
}

func TestDeleteUserTwice(t *testing.T) {
	backend := newFake("u1")
	h := mount(t, backend, nil)
	if rec := call(t, h, "POST", "/Users", scim.ContentType, `{"userName":"a@example.com"}`); rec.Code != 201 {
		t.Fatalf("create: %d", rec.Code)
	}
	for range 2 {
		if rec := call(t, h, "DELETE", "/Users/u1", "", ""); rec.Code != 204 || rec.Body.Len() != 0 {
			t.Fatalf("delete: %d %s", rec.Code, rec.Body)
		}
	}
	if n := backend.callCount("UpdateUser"); n != 1 {
		t.Errorf("%d updates, want 1 (the second delete finds the user inactive)", n)
	}
	if backend.users[0].Active {
		t.Error("still active")
	}
}

// TestGroupPatchThousandMembers: one request adding 1,000 members is one backend call,
// and so is one removing 1,000 of them.
func TestGroupPatchThousandMembers(t *testing.T) {
	backend := newFake()
	ids := seedUsers(t, backend, 1000)
	g, err := backend.CreateGroup(t.Context(), scim.Group{DisplayName: "Everyone"})
	if err != nil {
		t.Fatal(err)
	}
	h := mount(t, backend, nil)
	for _, op := range []string{"add", "Remove"} {
		rec := call(t, h, "PATCH", "/Groups/"+g.ID, scim.ContentType, membersPatch(op, ids))
		if rec.Code != 204 {
			t.Fatalf("%s: status %d: %s", op, rec.Code, rec.Body)
		}
	}
	if n := backend.callCount("UpdateGroup"); n != 2 {
		t.Errorf("%d UpdateGroup calls for two requests", n)
	}
	if got := backend.callCount("GetGroup"); got != 0 {
		t.Errorf("%d group reads for membership changes", got)
	}
}

func membersPatch(op string, ids []string) string {
	values := make([]string, len(ids))
	for i, id := range ids {
		values[i] = fmt.Sprintf(`{"value":%q}`, id)
	}
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + op + `","path":"members","value":[` + strings.Join(values, ",") + `]}]}`
}

func TestDiscovery(t *testing.T) {
	h := mount(t, newFake(), nil)
	get := func(path string) map[string]any {
		t.Helper()
		rec := call(t, h, "GET", path, "", "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != scim.ContentType {
			t.Fatalf("GET %s: %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	spc := get("/ServiceProviderConfig")
	want := map[string]any{
		"patch": map[string]any{"supported": true}, "changePassword": map[string]any{"supported": false},
		"sort": map[string]any{"supported": false}, "etag": map[string]any{"supported": false},
		"filter": map[string]any{"supported": true, "maxResults": float64(scim.MaxCount)},
		"bulk":   map[string]any{"supported": false, "maxOperations": float64(0), "maxPayloadSize": float64(0)},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, spc[k]); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", k, diff)
		}
	}
	if s := spc["authenticationSchemes"].([]any)[0].(map[string]any); s["type"] != "oauthbearertoken" {
		t.Errorf("authentication scheme %v", s["type"])
	}
	if loc := spc["meta"].(map[string]any)["location"]; loc != baseURL+"/ServiceProviderConfig" {
		t.Errorf("location %v", loc)
	}
	for path, n := range map[string]float64{"/ResourceTypes": 2, "/Schemas": 2} {
		if got := get(path)["totalResults"]; got != n {
			t.Errorf("%s: totalResults %v, want %v", path, got, n)
		}
	}
	if got := get("/ResourceTypes/User")["endpoint"]; got != "/Users" {
		t.Errorf("User endpoint %v", got)
	}
	schema := get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")
	if schema["meta"].(map[string]any)["location"] != baseURL+"/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group" {
		t.Errorf("schema location %v", schema["meta"])
	}
}

func ptr[T any](v T) *T { return &v }
