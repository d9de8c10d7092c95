package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/org"
)

// scimOn creates who's organization's SCIM token and keeps it as "<org>/scim".
func (s *server) scimOn(t *testing.T, orgID string, settings map[string]any) {
	t.Helper()
	if settings != nil {
		if r := s.do(http.MethodPut, "/api/v1/integrations/scim", orgID+"/admin", settings); r.status != http.StatusOK {
			t.Fatalf("configure scim: %d %s", r.status, r.raw)
		}
	}
	r := s.do(http.MethodPost, "/api/v1/integrations/scim/token", orgID+"/admin", nil)
	if r.status != http.StatusCreated || !strings.HasPrefix(r.body["token"].(string), "ghs_") || r.body["baseUrl"] != "https://gatehouse.example.com/scim/v2" {
		t.Fatalf("scim token: %d %s", r.status, r.raw)
	}
	s.tokens[orgID+"/scim"] = r.body["token"].(string)
}

// user is a SCIM User body.
func scimUser(userName, email, given, family string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName, "active": true,
		"name":   map[string]any{"givenName": given, "familyName": family},
		"emails": []any{map[string]any{"value": email, "type": "work", "primary": true}},
	}
}

func wantSCIMError(t *testing.T, r response, status int, scimType string) {
	t.Helper()
	schemas, _ := r.body["schemas"].([]any)
	if r.status != status || r.body["status"] != strconv.Itoa(status) || len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" ||
		(scimType != "" && r.body["scimType"] != scimType) {
		t.Fatalf("got %d %s, want a SCIM error %d %s", r.status, r.raw, status, scimType)
	}
}

func TestSCIMTokensOpenOnlyTheirDoor(t *testing.T) {
	s := newServer(t)
	wantProblem(t, s.do(http.MethodPost, "/api/v1/integrations/scim/token", "acme/member", nil), http.StatusForbidden, "forbidden", "")
	wantProblem(t, s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil), http.StatusNotFound, "scim_not_configured", "")
	s.scimOn(t, "acme", nil)
	// A SCIM token never works on the API, an API token never on SCIM.
	wantProblem(t, s.do(http.MethodGet, "/api/v1/invitations", "acme/scim", nil), http.StatusUnauthorized, "unauthenticated", "")
	wantSCIMError(t, s.do(http.MethodGet, "/scim/v2/Users", "acme/admin", nil), http.StatusUnauthorized, "")
	wantSCIMError(t, s.do(http.MethodGet, "/scim/v2/Users", "", nil), http.StatusUnauthorized, "")
	if r := s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil); r.status != http.StatusOK {
		t.Fatalf("list with the scim token: %d %s", r.status, r.raw)
	}
	// Rotating kills the old token at once.
	old := s.tokens["acme/scim"]
	s.scimOn(t, "acme", nil)
	s.tokens["acme/old"] = old
	wantSCIMError(t, s.do(http.MethodGet, "/scim/v2/Users", "acme/old", nil), http.StatusUnauthorized, "")
	// An organization's token sees only its people.
	s.do(http.MethodPost, "/api/v1/invitations", "globex/admin", map[string]any{"email": "secret@globex.com"})
	s.scimOn(t, "globex", nil)
	g := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "secret@globex.com"`), "globex/scim", nil)
	if g.body["totalResults"] != float64(1) {
		t.Fatalf("globex finds its own person: %s", g.raw)
	}
	id := g.body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	if r := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "secret@globex.com"`), "acme/scim", nil); r.body["totalResults"] != float64(0) {
		t.Errorf("acme's token finds globex's person: %s", r.raw)
	}
	wantSCIMError(t, s.do(http.MethodGet, "/scim/v2/Users/"+id, "acme/scim", nil), http.StatusNotFound, "")
	wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}}),
		http.StatusNotFound, "")
	// Turning SCIM off kills the token and removes nobody.
	if r := s.do(http.MethodDelete, "/api/v1/integrations/scim", "globex/admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("disable: %d %s", r.status, r.raw)
	}
	wantSCIMError(t, s.do(http.MethodGet, "/scim/v2/Users", "globex/scim", nil), http.StatusUnauthorized, "")
	if inv := s.do(http.MethodGet, "/api/v1/invitations?status=pending", "globex/admin", nil); len(inv.body["items"].([]any)) != 1 {
		t.Errorf("after turning SCIM off: %s", inv.raw)
	}
}

// urlq escapes a filter for a query string.
func urlq(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22")
	return r.Replace(s)
}

func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": list}
}

func TestSCIMAsOktaProvisions(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	find := func(userName string) response {
		return s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "`+userName+`"`)+"&startIndex=1&count=100", "acme/scim", nil)
	}
	if r := find("ada@acme.com"); r.status != http.StatusOK || r.body["totalResults"] != float64(0) {
		t.Fatalf("lookup before create: %d %s", r.status, r.raw)
	}
	body := scimUser("ada@acme.com", "Ada@Acme.com", "Ada", "Lovelace")
	body["password"] = "t1meMa$heen"
	body["groups"] = []any{}
	created := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", body)
	if created.status != http.StatusCreated || strings.Contains(string(created.raw), "t1meMa$heen") {
		t.Fatalf("create: %d %s", created.status, created.raw)
	}
	id := created.body["id"].(string)
	if created.body["userName"] != "ada@acme.com" || created.body["active"] != true {
		t.Errorf("created user = %s", created.raw)
	}
	// The invitation is made through the one door, as SCIM's.
	inv := s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil)
	if inv.body["email"] != "ada@acme.com" || inv.body["source"] != "scim" || inv.body["name"] != "Ada Lovelace" || inv.body["role"] != "member" {
		t.Fatalf("invitation = %s", inv.raw)
	}
	if r := find("ADA@acme.com"); r.body["totalResults"] != float64(1) {
		t.Errorf("lookup is case-insensitive: %s", r.raw)
	}
	// A retried create is refused, not a second person.
	wantSCIMError(t, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", body), http.StatusConflict, "uniqueness")
	// Okta's deactivation: PATCH without a path.
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
	if r.status != http.StatusOK || r.body["active"] != false {
		t.Fatalf("deactivate: %d %s", r.status, r.raw)
	}
	if inv := s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil); inv.body["status"] != "revoked" {
		t.Errorf("the invitation after deactivation: %s", inv.raw)
	}
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+id, "acme/scim", nil); got.body["active"] != false || got.body["id"] != id {
		t.Errorf("a deactivated user stays readable: %s", got.raw)
	}
	// Reactivating invites again, under the same SCIM id.
	r = s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": true}}))
	if r.status != http.StatusOK || r.body["active"] != true || r.body["id"] != id {
		t.Fatalf("reactivate: %d %s", r.status, r.raw)
	}
	pending := s.do(http.MethodGet, "/api/v1/invitations?status=pending", "acme/admin", nil)
	if items := pending.body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["email"] != "ada@acme.com" {
		t.Fatalf("pending after reactivation: %s", pending.raw)
	}
	// A full replace renames; the attributes are kept as given.
	put := scimUser("ada@acme.com", "ada@acme.com", "Augusta Ada", "King")
	put["id"] = id
	r = s.do(http.MethodPut, "/scim/v2/Users/"+id, "acme/scim", put)
	if r.status != http.StatusOK || r.body["name"].(map[string]any)["givenName"] != "Augusta Ada" {
		t.Fatalf("put: %d %s", r.status, r.raw)
	}
	// DELETE deactivates, answers 204, and the person stays readable.
	if r := s.do(http.MethodDelete, "/scim/v2/Users/"+id, "acme/scim", nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+id, "acme/scim", nil); got.status != http.StatusOK || got.body["active"] != false {
		t.Errorf("after delete: %s", got.raw)
	}
	// Every change is audited as SCIM, by its token.
	audit := s.do(http.MethodGet, "/api/v1/audit-logs?limit=100", "acme/admin", nil)
	scimEntries := 0
	for _, e := range audit.body["items"].([]any) {
		if e.(map[string]any)["source"] == "scim" {
			scimEntries++
		}
	}
	if scimEntries < 4 {
		t.Errorf("audit entries from SCIM = %d, want the create, revokes, re-invite and rename", scimEntries)
	}
}

func TestSCIMFindsPeopleInvitedAnotherWay(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", nil)
	inv := s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "name": "Bob"})
	r := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "Bob@acme.com"`), "acme/scim", nil)
	if r.body["totalResults"] != float64(1) || r.body["Resources"].([]any)[0].(map[string]any)["id"] != inv.body["id"] {
		t.Fatalf("match existing users: %s", r.raw)
	}
	wantSCIMError(t, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("bob@acme.com", "bob@acme.com", "Bob", "B")), http.StatusConflict, "uniqueness")
	// The owner created with the organization is listed too, with the people.
	all := s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil)
	if all.body["totalResults"] != float64(2) {
		t.Errorf("everyone: %s", all.raw)
	}
}

// accept makes SCIM person id (a pending invitation without email) a member.
func (s *server) accept(t *testing.T, id string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := s.svc.Authenticate(ctx, s.tokens["acme/admin"], org.SourceAPI)
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.svc.Resend(ctx, admin, id)
	if err != nil {
		t.Fatalf("link for %s: %v", id, err)
	}
	m, err := s.svc.Accept(ctx, org.SourceWeb, link.Token, "")
	if err != nil {
		t.Fatalf("accept %s: %v", id, err)
	}
	return m.ID
}

func TestSCIMGroupsGiveRoles(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "defaultRole": "viewer",
		"roleMappings": []any{map[string]any{"group": "Portal Admins", "role": "admin"}, map[string]any{"group": "Engineers", "role": "member"}}})
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	bob := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("bob@acme.com", "bob@acme.com", "Bob", "B")).body["id"].(string)
	adaMember := s.accept(t, ada)
	role := func(memberOrInvitation string) any {
		t.Helper()
		if strings.HasPrefix(memberOrInvitation, "usr_") {
			return s.do(http.MethodGet, "/api/v1/users/"+memberOrInvitation, "acme/admin", nil).body["role"]
		}
		return s.do(http.MethodGet, "/api/v1/invitations/"+memberOrInvitation, "acme/admin", nil).body["role"]
	}
	if role(adaMember) != "viewer" || role(bob) != "viewer" {
		t.Fatalf("default role: %v %v", role(adaMember), role(bob))
	}
	eng := s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Engineers", "members": []any{map[string]any{"value": ada}, map[string]any{"value": bob}}})
	if eng.status != http.StatusCreated {
		t.Fatalf("create group: %d %s", eng.status, eng.raw)
	}
	admins := s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Portal Admins", "members": []any{}}).body["id"].(string)
	if role(adaMember) != "member" || role(bob) != "member" {
		t.Fatalf("in Engineers: %v %v", role(adaMember), role(bob))
	}
	// Adding Ada to the admin group promotes her: the highest role of her groups wins.
	if r := s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", patchOp(map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": ada}}})); r.status != http.StatusNoContent {
		t.Fatalf("add to admins: %d %s", r.status, r.raw)
	}
	if role(adaMember) != "admin" || role(bob) != "member" {
		t.Fatalf("after Portal Admins: %v %v", role(adaMember), role(bob))
	}
	// The owner leaves: Ada is the last active admin, whom no group change may demote.
	owner := s.do(http.MethodGet, "/api/v1/users?limit=100", "acme/admin", nil).body["items"].([]any)[0].(map[string]any)["id"].(string)
	if r := s.do(http.MethodDelete, "/api/v1/users/"+owner, "acme/admin", nil); r.status != http.StatusOK {
		t.Fatalf("deactivate the owner: %d %s", r.status, r.raw)
	}
	remove := patchOp(map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": ada}}})
	wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", remove), http.StatusConflict, "mutability")
	wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "Replace", "path": "active", "value": "False"})),
		http.StatusConflict, "mutability")
	if role(adaMember) != "admin" {
		t.Fatalf("the last admin was demoted: %v", role(adaMember))
	}
	if m := s.do(http.MethodGet, "/scim/v2/Groups/"+admins, "acme/scim", nil).body["members"]; m == nil || len(m.([]any)) != 1 {
		t.Errorf("the refused removal left the group as %v, want Ada still in it", m)
	}
	// With another admin back, removing Ada (Entra's Remove with a value list) demotes her,
	// and only her: Bob stays in Engineers.
	if r := s.do(http.MethodPost, "/api/v1/users/"+owner+"/reactivate", "acme/admin", nil); r.status != http.StatusOK {
		t.Fatalf("reactivate the owner: %d %s", r.status, r.raw)
	}
	if r := s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", remove); r.status != http.StatusNoContent {
		t.Fatalf("remove from admins: %d %s", r.status, r.raw)
	}
	if role(adaMember) != "member" {
		t.Errorf("after leaving Portal Admins: %v", role(adaMember))
	}
	members := s.do(http.MethodGet, "/scim/v2/Groups/"+eng.body["id"].(string), "acme/scim", nil).body["members"].([]any)
	if len(members) != 2 {
		t.Errorf("Engineers members = %v", members)
	}
	// A member id that names nobody is refused.
	wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", patchOp(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": "inv_nobody"}}})),
		http.StatusBadRequest, "invalidValue")

	// Handing the admin group from the last admin to another person in one replace works:
	// the promotion is made before the demotion, whatever order their ids sort in.
	bobMember := s.accept(t, bob)
	if r := s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", patchOp(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": ada}}})); r.status != http.StatusNoContent {
		t.Fatalf("add Ada back: %d %s", r.status, r.raw)
	}
	if r := s.do(http.MethodDelete, "/api/v1/users/"+owner, "acme/admin", nil); r.status != http.StatusOK {
		t.Fatalf("deactivate the owner: %d %s", r.status, r.raw)
	}
	if ada > bob {
		t.Fatalf("the test needs Ada's id (%s) to sort before Bob's (%s)", ada, bob)
	}
	if r := s.do(http.MethodPatch, "/scim/v2/Groups/"+admins, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "members", "value": []any{map[string]any{"value": bob}}})); r.status != http.StatusNoContent {
		t.Fatalf("hand the admin group to Bob: %d %s", r.status, r.raw)
	}
	if role(adaMember) != "member" || role(bobMember) != "admin" {
		t.Errorf("after the handover: Ada %v, Bob %v", role(adaMember), role(bobMember))
	}
}

func TestSCIMHoldsMassDeactivations(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 0.1, "floor": 2, "windowMinutes": 60}})
	var ids []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		ids = append(ids, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser(name+"@acme.com", name+"@acme.com", name, name)).body["id"].(string))
	}
	off := patchOp(map[string]any{"op": "Replace", "path": "active", "value": "False"})
	status := func(id string) any {
		return s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil).body["status"]
	}
	for _, id := range ids[:2] {
		if r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", off); r.body["active"] != false {
			t.Fatalf("deactivate %s: %s", id, r.raw)
		}
	}
	if status(ids[0]) != "revoked" || status(ids[1]) != "revoked" {
		t.Fatalf("within the limit, deactivations apply: %v %v", status(ids[0]), status(ids[1]))
	}
	// The third within the window is held: SCIM shows what it asked, the person stays.
	for _, id := range ids[2:4] {
		if r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", off); r.status != http.StatusOK || r.body["active"] != false {
			t.Fatalf("held deactivation of %s: %d %s", id, r.status, r.raw)
		}
	}
	if status(ids[2]) != "pending" || status(ids[3]) != "pending" {
		t.Fatalf("held deactivations were applied: %v %v", status(ids[2]), status(ids[3]))
	}
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+ids[2], "acme/scim", nil); got.body["active"] != false {
		t.Errorf("a held person reads as asked: %s", got.raw)
	}
	settings := s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil)
	runID, _ := settings.body["heldRun"].(string)
	run := s.do(http.MethodGet, "/api/v1/sync/runs/"+runID, "acme/admin", nil)
	if run.body["status"] != "held" || run.body["trigger"] != "scim" || len(run.body["actions"].([]any)) != 2 {
		t.Fatalf("held run = %s", run.raw)
	}
	// The identity provider changes its mind about one before an admin decides.
	if r := s.do(http.MethodPatch, "/scim/v2/Users/"+ids[3], "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": true})); r.body["active"] != true {
		t.Fatalf("reactivate a held person: %s", r.raw)
	}
	// Taken out, it leaves a new held run: the one read before is superseded.
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs/"+runID+"/approve", "acme/admin", nil), http.StatusConflict, "run_not_held", "")
	runID = s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil).body["heldRun"].(string)
	run = s.do(http.MethodGet, "/api/v1/sync/runs/"+runID, "acme/admin", nil)
	if run.body["status"] != "held" || len(run.body["actions"].([]any)) != 1 {
		t.Fatalf("held run after a reactivation = %s", run.raw)
	}
	// Approved, the held deactivation applies.
	applied := s.do(http.MethodPost, "/api/v1/sync/runs/"+runID+"/approve", "acme/admin", nil)
	if applied.status != http.StatusCreated || applied.body["approvedRun"] != runID {
		t.Fatalf("approve: %d %s", applied.status, applied.raw)
	}
	if status(ids[2]) != "revoked" || status(ids[3]) != "pending" {
		t.Errorf("after approval: %v %v", status(ids[2]), status(ids[3]))
	}
	// Still within the window: the next is held again, and discarding keeps the person.
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[4], "acme/scim", off)
	runID = s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil).body["heldRun"].(string)
	if r := s.do(http.MethodPost, "/api/v1/sync/runs/"+runID+"/discard", "acme/admin", nil); r.status != http.StatusOK || r.body["status"] != "discarded" {
		t.Fatalf("discard: %d %s", r.status, r.raw)
	}
	if status(ids[4]) != "pending" {
		t.Errorf("a discarded deactivation was applied")
	}
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+ids[4], "acme/scim", nil); got.body["active"] != true {
		t.Errorf("after discarding, the person reads active: %s", got.raw)
	}
	// A new window applies again.
	s.clock.Add(61 * time.Minute)
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[4], "acme/scim", off)
	if status(ids[4]) != "revoked" {
		t.Errorf("in a new window, a deactivation applies: %v", status(ids[4]))
	}
}

func TestSCIMBearerSchemeIsCaseInsensitive(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	secret := s.tokens["acme/scim"]
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"capitalised", "Bearer " + secret, http.StatusOK},
		{"lower case", "bearer " + secret, http.StatusOK},
		{"upper case", "BEARER " + secret, http.StatusOK},
		{"extra spaces", "Bearer   " + secret + " ", http.StatusOK},
		{"no token", "Bearer ", http.StatusUnauthorized},
		{"scheme only", "Bearer", http.StatusUnauthorized},
		{"another scheme", "Basic " + secret, http.StatusUnauthorized},
		{"token without scheme", secret, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(http.MethodGet, "/scim/v2/Users", "", nil, "Authorization", tc.header)
			if tc.want == http.StatusOK {
				if r.status != http.StatusOK {
					t.Fatalf("got %d %s, want 200", r.status, r.raw)
				}
				return
			}
			wantSCIMError(t, r, tc.want, "")
		})
	}
}

func TestSCIMRefusesBodiesOverOneMegabyte(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	big := scimUser("big@acme.com", "big@acme.com", "B", "B")
	big["displayName"] = strings.Repeat("a", 1<<20)
	wantSCIMError(t, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", big), http.StatusRequestEntityTooLarge, "")
	if r := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "big@acme.com"`), "acme/scim", nil); r.body["totalResults"] != float64(0) {
		t.Errorf("a refused body made a person: %s", r.raw)
	}
}

// pendingCount is how many pending invitations acme has for email.
func pendingCount(s *server, email string) int {
	s.t.Helper()
	n := 0
	for _, it := range s.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=100", "acme/admin", nil).body["items"].([]any) {
		if it.(map[string]any)["email"] == email {
			n++
		}
	}
	return n
}

func TestSCIMExpiredInvitationsReadInactiveAndAreInvitedAgain(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "roleMappings": []any{map[string]any{"group": "Portal Admins", "role": "admin"}}})
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	g := s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"displayName": "Portal Admins", "members": []any{}}).body["id"].(string)
	s.clock.Add(8 * 24 * time.Hour) // past the invitation's 7 days
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); got.body["active"] != false {
		t.Fatalf("an expired invitation reads as %s, want active false", got.raw)
	}
	// Group pushes that name the expired person succeed, every time.
	for i, op := range []map[string]any{
		{"op": "add", "path": "members", "value": []any{map[string]any{"value": ada}}},
		{"op": "replace", "path": "members", "value": []any{map[string]any{"value": ada}}},
		{"op": "replace", "value": map[string]any{"displayName": "Portal Admins"}},
	} {
		if r := s.do(http.MethodPatch, "/scim/v2/Groups/"+g, "acme/scim", patchOp(op)); r.status != http.StatusNoContent {
			t.Fatalf("group push #%d: %d %s", i+1, r.status, r.raw)
		}
	}
	// Asked for again, the person is invited again under the same SCIM id, with the role
	// their groups give now; the expired invitation is withdrawn.
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": true}))
	if r.status != http.StatusOK || r.body["active"] != true || r.body["id"] != ada {
		t.Fatalf("reactivate an expired person: %d %s", r.status, r.raw)
	}
	if pendingCount(s, "ada@acme.com") != 1 {
		t.Fatalf("pending invitations for ada@ = %d, want 1", pendingCount(s, "ada@acme.com"))
	}
	if st := s.do(http.MethodGet, "/api/v1/invitations/"+ada, "acme/admin", nil).body["status"]; st != "revoked" {
		t.Errorf("the expired invitation is %v, want revoked", st)
	}
	for _, it := range s.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=100", "acme/admin", nil).body["items"].([]any) {
		if inv := it.(map[string]any); inv["email"] == "ada@acme.com" && inv["role"] != "admin" {
			t.Errorf("the new invitation's role is %v, want admin (Portal Admins)", inv["role"])
		}
	}
}

func TestSCIMCreatesInactivePeopleWithdrawnWithoutEmail(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", nil) // sendEmail: true, the default
	body := scimUser("gone@acme.com", "gone@acme.com", "Gone", "Person")
	body["active"] = false
	r := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", body)
	if r.status != http.StatusCreated || r.body["active"] != false {
		t.Fatalf("create inactive: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	inv := s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil)
	if inv.body["status"] != "revoked" || inv.body["sendEmail"] != false || pendingCount(s, "gone@acme.com") != 0 {
		t.Fatalf("a person created inactive got invitation %s", inv.raw)
	}
	if got := s.do(http.MethodGet, "/scim/v2/Users/"+id, "acme/scim", nil); got.body["active"] != false || got.body["userName"] != "gone@acme.com" {
		t.Errorf("read back: %s", got.raw)
	}
	// A retried create is refused, not a second person.
	wantSCIMError(t, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", body), http.StatusConflict, "uniqueness")
	// Enabled later, they are invited as configured: with an email, under the same id.
	r = s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "Replace", "path": "active", "value": "True"}))
	if r.status != http.StatusOK || r.body["active"] != true || r.body["id"] != id {
		t.Fatalf("enable: %d %s", r.status, r.raw)
	}
	for _, it := range s.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=100", "acme/admin", nil).body["items"].([]any) {
		if inv := it.(map[string]any); inv["email"] == "gone@acme.com" && inv["sendEmail"] != true {
			t.Errorf("the invitation made on enabling: %v, want one with an email", inv)
		}
	}
	if pendingCount(s, "gone@acme.com") != 1 {
		t.Errorf("pending invitations after enabling = %d, want 1", pendingCount(s, "gone@acme.com"))
	}
}

func TestSCIMChangeThatIsRefusedKeepsThePerson(t *testing.T) {
	for _, tc := range []struct {
		name     string
		value    map[string]any // a replace without a path
		status   int
		scimType string
		member   bool // Ada has accepted
	}{
		{"member: userName taken, with a new address", map[string]any{"userName": "bob@acme.com", `emails[type eq "work"].value`: "ada2@acme.com"}, http.StatusConflict, "uniqueness", true},
		{"member: address taken", map[string]any{`emails[type eq "work"].value`: "taken@acme.com"}, http.StatusConflict, "uniqueness", true},
		{"address taken by an invitation", map[string]any{`emails[type eq "work"].value`: "taken@acme.com"}, http.StatusConflict, "uniqueness", false},
		{"address outside the allowed domains", map[string]any{`emails[type eq "work"].value`: "ada@elsewhere.org"}, http.StatusBadRequest, "invalidValue", false},
		{"address that is no address", map[string]any{`emails[type eq "work"].value`: "not an address"}, http.StatusBadRequest, "invalidValue", false},
		{"userName taken, with a new address", map[string]any{"userName": "bob@acme.com", `emails[type eq "work"].value`: "ada2@acme.com"}, http.StatusConflict, "uniqueness", false},
		{"externalId taken, with a new address", map[string]any{"externalId": "bob-1", `emails[type eq "work"].value`: "ada2@acme.com"}, http.StatusConflict, "uniqueness", false},
		{"userName taken, with a new name", map[string]any{"userName": "BOB@acme.com", "displayName": "Ada Two"}, http.StatusConflict, "uniqueness", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			if r := s.do(http.MethodPatch, "/api/v1/organization", "acme/admin", map[string]any{"allowedDomains": []string{"acme.com"}}); r.status != http.StatusOK {
				t.Fatalf("allowed domains: %d %s", r.status, r.raw)
			}
			// The window's one deactivation is spent, so a withdrawal would not be held.
			s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 0.1, "floor": 1, "windowMinutes": 60}})
			x := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("x@acme.com", "x@acme.com", "X", "X")).body["id"].(string)
			s.do(http.MethodPatch, "/scim/v2/Users/"+x, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": false}))
			ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
			bob := scimUser("bob@acme.com", "bob@acme.com", "Bob", "B")
			bob["externalId"] = "bob-1"
			s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", bob)
			s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "taken@acme.com", "sendEmail": false})
			member := ""
			if tc.member {
				member = s.accept(t, ada)
			}
			before := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil)
			people := s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil).body["totalResults"]

			wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "value": tc.value})), tc.status, tc.scimType)

			if tc.member {
				if m := s.do(http.MethodGet, "/api/v1/users/"+member, "acme/admin", nil); m.body["email"] != "ada@acme.com" || m.body["status"] != "active" {
					t.Errorf("after a refused change Ada is %s", m.raw)
				}
			} else if inv := s.do(http.MethodGet, "/api/v1/invitations/"+ada, "acme/admin", nil); inv.body["status"] != "pending" || inv.body["name"] != "Ada L" {
				t.Errorf("after a refused change Ada's invitation is %v, named %v; want pending, Ada L", inv.body["status"], inv.body["name"])
			}
			if want := map[bool]int{false: 1, true: 0}[tc.member]; pendingCount(s, "ada2@acme.com") != 0 || pendingCount(s, "ada@acme.com") != want {
				t.Errorf("pending invitations: ada@ %d, ada2@ %d; want %d, 0", pendingCount(s, "ada@acme.com"), pendingCount(s, "ada2@acme.com"), want)
			}
			if after := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); string(after.raw) != string(before.raw) {
				t.Errorf("SCIM shows Ada changed by a refused request:\nbefore %s\nafter  %s", before.raw, after.raw)
			}
			if got := s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil).body["totalResults"]; got != people {
				t.Errorf("people after a refused change = %v, want %v", got, people)
			}
		})
	}
}

func TestSCIMAddressChangeOfAPendingPersonInvitesTheNewAddress(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "path": `emails[type eq "work"].value`, "value": "ada.new@acme.com"}))
	if r.status != http.StatusOK || r.body["id"] != ada || r.body["emails"].([]any)[0].(map[string]any)["value"] != "ada.new@acme.com" {
		t.Fatalf("address change: %d %s", r.status, r.raw)
	}
	if pendingCount(s, "ada.new@acme.com") != 1 || pendingCount(s, "ada@acme.com") != 0 {
		t.Errorf("pending invitations: ada.new@ %d, ada@ %d; want 1, 0", pendingCount(s, "ada.new@acme.com"), pendingCount(s, "ada@acme.com"))
	}
	if st := s.do(http.MethodGet, "/api/v1/invitations/"+ada, "acme/admin", nil).body["status"]; st != "revoked" {
		t.Errorf("the old invitation is %v, want revoked", st)
	}
}

func TestSCIMAddressChangeWhileWithdrawnIsInvitedOnReactivation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		withdraw func(s *server, id string)
	}{
		{"withdrawn by SCIM", func(s *server, id string) {
			s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": false}))
		}},
		{"past its expiry", func(s *server, id string) { s.clock.Add(8 * 24 * time.Hour) }},
		{"withdrawn by the same request", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.scimOn(t, "acme", map[string]any{"sendEmail": false})
			ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
			change := map[string]any{`emails[type eq "work"].value`: "Ada.New@acme.com", "displayName": "Ada New", "externalId": "ada-2"}
			if tc.withdraw != nil {
				tc.withdraw(s, ada)
			} else {
				change["active"] = false
			}
			r := s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "value": change}))
			if r.status != http.StatusOK || r.body["active"] != false || r.body["emails"].([]any)[0].(map[string]any)["value"] != "ada.new@acme.com" {
				t.Fatalf("address change while withdrawn: %d %s", r.status, r.raw)
			}
			if pendingCount(s, "ada.new@acme.com") != 0 {
				t.Fatalf("a withdrawn person's new address was invited at once")
			}
			if got := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); got.body["emails"].([]any)[0].(map[string]any)["value"] != "ada.new@acme.com" {
				t.Errorf("the kept address reads as %s", got.raw)
			}
			// An address that is no address is refused, and the kept one stays.
			wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "path": `emails[type eq "work"].value`, "value": "nope"})),
				http.StatusBadRequest, "invalidValue")
			r = s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": true}))
			if r.status != http.StatusOK || r.body["active"] != true || r.body["id"] != ada {
				t.Fatalf("reactivate: %d %s", r.status, r.raw)
			}
			if pendingCount(s, "ada.new@acme.com") != 1 || pendingCount(s, "ada@acme.com") != 0 {
				t.Fatalf("after reactivation: pending ada.new@ %d, ada@ %d; want 1, 0", pendingCount(s, "ada.new@acme.com"), pendingCount(s, "ada@acme.com"))
			}
			for _, it := range s.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=100", "acme/admin", nil).body["items"].([]any) {
				if inv := it.(map[string]any); inv["email"] == "ada.new@acme.com" && inv["name"] != "Ada New" {
					t.Errorf("the new invitation is named %v, want Ada New", inv["name"])
				}
			}
			if got := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); got.body["emails"].([]any)[0].(map[string]any)["value"] != "ada.new@acme.com" || got.body["externalId"] != "ada-2" {
				t.Errorf("after reactivation: %s", got.raw)
			}
		})
	}
}

func TestSCIMKnowsAPersonByOneIDAcrossReinvitations(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada", "ada@acme.com", "Ada", "L")).body["id"].(string)
	off := patchOp(map[string]any{"op": "replace", "path": "active", "value": false})
	on := patchOp(map[string]any{"op": "replace", "path": "active", "value": true})
	s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", off)
	s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", on) // a new invitation, the same person
	var reinvited string
	for _, it := range s.do(http.MethodGet, "/api/v1/invitations?status=pending&limit=100", "acme/admin", nil).body["items"].([]any) {
		if inv := it.(map[string]any); inv["email"] == "ada@acme.com" {
			reinvited = inv["id"].(string)
		}
	}
	if reinvited == "" || reinvited == ada {
		t.Fatalf("the reactivation made no new invitation (%q)", reinvited)
	}
	member := s.accept(t, reinvited)
	one := func(t *testing.T, r response) map[string]any {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if res, ok := r.body["Resources"].([]any); ok {
			if len(res) != 1 {
				t.Fatalf("found %d, want 1: %s", len(res), r.raw)
			}
			return res[0].(map[string]any)
		}
		return r.body
	}
	for _, tc := range []struct{ name, path string }{
		{"email filter", "/scim/v2/Users?filter=" + urlq(`emails[type eq "work"].value eq "ada@acme.com"`)},
		{"userName filter", "/scim/v2/Users?filter=" + urlq(`userName eq "ada"`)},
		{"the re-invitation's id", "/scim/v2/Users/" + reinvited},
		{"the member's id", "/scim/v2/Users/" + member},
		{"the SCIM id", "/scim/v2/Users/" + ada},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := one(t, s.do(http.MethodGet, tc.path, "acme/scim", nil))
			if got["id"] != ada || got["userName"] != "ada" || got["active"] != true {
				t.Errorf("found id %v userName %v active %v, want %s ada true", got["id"], got["userName"], got["active"], ada)
			}
		})
	}
	// A change sent to an account's id changes the one person.
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+member, "acme/scim", patchOp(map[string]any{"op": "replace", "path": "displayName", "value": "Ada L"}))
	if r.status != http.StatusOK || r.body["id"] != ada || r.body["displayName"] != "Ada L" {
		t.Fatalf("PATCH by the member's id: %d %s", r.status, r.raw)
	}
	if all := s.do(http.MethodGet, "/scim/v2/Users", "acme/scim", nil); all.body["totalResults"] != float64(2) {
		t.Errorf("people = %v, want 2 (owner, ada): %s", all.body["totalResults"], all.raw)
	}
	if got := one(t, s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil)); got["displayName"] != "Ada L" || got["userName"] != "ada" {
		t.Errorf("the person after the change: %v", got)
	}
}

func TestSCIMReactivatesOnlyThePeopleItDeactivated(t *testing.T) {
	off := patchOp(map[string]any{"op": "Replace", "path": "active", "value": "False"})
	on := patchOp(map[string]any{"op": "Replace", "path": "active", "value": "True"})
	for _, tc := range []struct {
		name string
		// deactivate deactivates SCIM person id (accepted as member, if not ""), and says
		// how to read their account's status.
		deactivate func(s *server, id, member string) string
		member     bool
		refused    bool
		detail     string
	}{
		{"member an admin deactivated", func(s *server, id, member string) string {
			s.do(http.MethodDelete, "/api/v1/users/"+member, "acme/admin", nil)
			return "/api/v1/users/" + member
		}, true, true, "deactivated in Gatehouse by an admin"},
		{"invitation an admin withdrew", func(s *server, id, member string) string {
			s.do(http.MethodDelete, "/api/v1/invitations/"+id, "acme/admin", nil)
			return "/api/v1/invitations/" + id
		}, false, true, "withdrawn in Gatehouse by an admin"},
		{"member SCIM deactivated", func(s *server, id, member string) string {
			s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", off)
			return "/api/v1/users/" + member
		}, true, false, ""},
		{"invitation SCIM withdrew", func(s *server, id, member string) string {
			s.do(http.MethodDelete, "/scim/v2/Users/"+id, "acme/scim", nil)
			return "/api/v1/invitations/" + id
		}, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.scimOn(t, "acme", map[string]any{"sendEmail": false})
			ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
			member := ""
			if tc.member {
				member = s.accept(t, ada)
			}
			account := tc.deactivate(s, ada, member)
			if got := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); got.body["active"] != false {
				t.Fatalf("after the deactivation SCIM shows %s", got.raw)
			}
			statusBefore := s.do(http.MethodGet, account, "acme/admin", nil).body["status"]
			// Entra's next cycle sees the drift and asks for the person active again.
			r := s.do(http.MethodPatch, "/scim/v2/Users/"+ada, "acme/scim", on)
			if !tc.refused {
				if r.status != http.StatusOK || r.body["active"] != true {
					t.Fatalf("SCIM reactivating what it deactivated: %d %s", r.status, r.raw)
				}
				if tc.member {
					if st := s.do(http.MethodGet, account, "acme/admin", nil).body["status"]; st != "active" {
						t.Errorf("member after reactivation: %v", st)
					}
				} else if pendingCount(s, "ada@acme.com") != 1 {
					t.Errorf("pending invitations after reactivation = %d, want 1", pendingCount(s, "ada@acme.com"))
				}
				return
			}
			wantSCIMError(t, r, http.StatusConflict, "mutability")
			if d, _ := r.body["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Errorf("detail %q does not say %q", d, tc.detail)
			}
			if st := s.do(http.MethodGet, account, "acme/admin", nil).body["status"]; st != statusBefore {
				t.Errorf("the account became %v, want it left %v", st, statusBefore)
			}
			if pendingCount(s, "ada@acme.com") != 0 {
				t.Errorf("a person an admin locked out was invited again")
			}
			// An admin can still let them back in.
			if tc.member {
				if r := s.do(http.MethodPost, "/api/v1/users/"+member+"/reactivate", "acme/admin", nil); r.status != http.StatusOK {
					t.Fatalf("admin reactivation: %d %s", r.status, r.raw)
				}
				if got := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); got.body["active"] != true {
					t.Errorf("after an admin's reactivation SCIM shows %s", got.raw)
				}
			}
		})
	}
}

func TestSCIMDeactivationWindowSlidesAndCountsOnlyWhatIsApplied(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 0.1, "floor": 2, "windowMinutes": 60}})
	var ids []string
	for _, n := range []string{"a", "b", "c", "d"} {
		ids = append(ids, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser(n+"@acme.com", n+"@acme.com", n, n)).body["id"].(string))
	}
	off := patchOp(map[string]any{"op": "replace", "path": "active", "value": false})
	status := func(id string) any {
		return s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil).body["status"]
	}
	// The last admin's deactivation is refused, and uses up nothing of the window.
	owner := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "owner@acme.example"`), "acme/scim", nil).body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	wantSCIMError(t, s.do(http.MethodPatch, "/scim/v2/Users/"+owner, "acme/scim", off), http.StatusConflict, "mutability")
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[0], "acme/scim", off) // t0
	s.clock.Add(59 * time.Minute)
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[1], "acme/scim", off) // t0+59m: the limit of 2
	if status(ids[0]) != "revoked" || status(ids[1]) != "revoked" {
		t.Fatalf("within the limit: %v %v, want both revoked", status(ids[0]), status(ids[1]))
	}
	// Past the first window's end, only one more fits the last 60 minutes.
	s.clock.Add(2 * time.Minute)
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[2], "acme/scim", off)
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[3], "acme/scim", off)
	if status(ids[2]) != "revoked" || status(ids[3]) != "pending" {
		t.Errorf("across the window's edge: %v %v, want revoked, then held (pending)", status(ids[2]), status(ids[3]))
	}
}

func TestSCIMApprovalAppliesOnlyTheHeldRunTheAdminRead(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 0.1, "floor": 1, "windowMinutes": 60}})
	var ids []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		ids = append(ids, s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser(n+"@acme.com", n+"@acme.com", n, n)).body["id"].(string))
	}
	off := patchOp(map[string]any{"op": "replace", "path": "active", "value": false})
	status := func(id string) any {
		return s.do(http.MethodGet, "/api/v1/invitations/"+id, "acme/admin", nil).body["status"]
	}
	heldRun := func() string {
		return s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil).body["heldRun"].(string)
	}
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[0], "acme/scim", off) // the window's one
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[1], "acme/scim", off) // held
	seen := heldRun()
	if n := len(s.do(http.MethodGet, "/api/v1/sync/runs/"+seen, "acme/admin", nil).body["actions"].([]any)); n != 1 {
		t.Fatalf("the held run holds %d, want 1", n)
	}
	// The misconfigured scope keeps going while the admin reads: each deactivation held
	// makes a new run, which supersedes the one before.
	for _, id := range ids[2:] {
		s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", off)
	}
	old := s.do(http.MethodGet, "/api/v1/sync/runs/"+seen, "acme/admin", nil)
	if old.body["status"] != "superseded" || old.body["supersededBy"] == nil || old.body["supersededBy"] == "" {
		t.Fatalf("the run the admin read is now %s, want superseded", old.raw)
	}
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs/"+seen+"/approve", "acme/admin", nil), http.StatusConflict, "run_not_held", "")
	for _, id := range ids[1:] {
		if status(id) != "pending" {
			t.Fatalf("approving a superseded run deactivated %s", id)
		}
	}
	// The newest run holds all four; a reactivation taken out of it supersedes it too.
	latest := heldRun()
	if n := len(s.do(http.MethodGet, "/api/v1/sync/runs/"+latest, "acme/admin", nil).body["actions"].([]any)); n != 4 {
		t.Fatalf("the newest held run holds %d, want 4", n)
	}
	s.do(http.MethodPatch, "/scim/v2/Users/"+ids[4], "acme/scim", patchOp(map[string]any{"op": "replace", "path": "active", "value": true}))
	wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs/"+latest+"/approve", "acme/admin", nil), http.StatusConflict, "run_not_held", "")
	final := heldRun()
	run := s.do(http.MethodGet, "/api/v1/sync/runs/"+final, "acme/admin", nil)
	if run.body["status"] != "held" || len(run.body["actions"].([]any)) != 3 {
		t.Fatalf("held run after the reactivation: %s", run.raw)
	}
	applied := s.do(http.MethodPost, "/api/v1/sync/runs/"+final+"/approve", "acme/admin", nil)
	if applied.status != http.StatusCreated || len(applied.body["actions"].([]any)) != 3 {
		t.Fatalf("approve the run read: %d %s", applied.status, applied.raw)
	}
	for i, want := range []string{"revoked", "revoked", "revoked", "revoked", "pending"} {
		if got := status(ids[i]); got != want {
			t.Errorf("%s after approval: %v, want %s", []string{"a", "b", "c", "d", "e"}[i], got, want)
		}
	}
}

func TestSCIMExpiredHoldShowsThePersonActiveAgain(t *testing.T) {
	for _, tc := range []struct {
		name          string
		windowMinutes int
		want          string // b's invitation once the identity provider asks again
	}{
		{"the window has room again: applied", 60, "revoked"},
		{"the window is still full: held anew", 7 * 24 * 60, "pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.scimOn(t, "acme", map[string]any{"sendEmail": false, "deactivationHold": map[string]any{"share": 0.1, "floor": 1, "windowMinutes": tc.windowMinutes}})
			a := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("a@acme.com", "a@acme.com", "a", "a")).body["id"].(string)
			b := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("b@acme.com", "b@acme.com", "b", "b")).body["id"].(string)
			off := patchOp(map[string]any{"op": "replace", "path": "active", "value": false})
			s.do(http.MethodPatch, "/scim/v2/Users/"+a, "acme/scim", off)
			s.do(http.MethodPatch, "/scim/v2/Users/"+b, "acme/scim", off) // held
			run := s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil).body["heldRun"].(string)
			if got := s.do(http.MethodGet, "/scim/v2/Users/"+b, "acme/scim", nil); got.body["active"] != false {
				t.Fatalf("while held: %s", got.raw)
			}
			s.clock.Add(73 * time.Hour) // nobody approved: the held run expires
			wantProblem(t, s.do(http.MethodPost, "/api/v1/sync/runs/"+run+"/approve", "acme/admin", nil), http.StatusConflict, "run_not_held", "")
			// SCIM tells the identity provider the truth again: b is active.
			if got := s.do(http.MethodGet, "/scim/v2/Users/"+b, "acme/scim", nil); got.body["active"] != true {
				t.Errorf("after the hold expired, SCIM shows %s", got.raw)
			}
			list := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "b@acme.com"`), "acme/scim", nil)
			if got := list.body["Resources"].([]any)[0].(map[string]any)["active"]; got != true {
				t.Errorf("after the hold expired, the list shows b active=%v", got)
			}
			// The identity provider deactivates b again: counted anew.
			r := s.do(http.MethodPatch, "/scim/v2/Users/"+b, "acme/scim", off)
			if r.status != http.StatusOK || r.body["active"] != false {
				t.Fatalf("deactivate again: %d %s", r.status, r.raw)
			}
			if st := s.do(http.MethodGet, "/api/v1/invitations/"+b, "acme/admin", nil).body["status"]; st != tc.want {
				t.Errorf("b's invitation is %v, want %s", st, tc.want)
			}
			if tc.want == "pending" {
				next := s.do(http.MethodGet, "/api/v1/integrations/scim", "acme/admin", nil).body["heldRun"].(string)
				held := s.do(http.MethodGet, "/api/v1/sync/runs/"+next, "acme/admin", nil)
				if next == run || held.body["status"] != "held" || len(held.body["actions"].([]any)) != 1 {
					t.Errorf("held anew in %s: %s", next, held.raw)
				}
			}
		})
	}
}

func TestSCIMLastAdminsDeactivationWithARenameChangesNothing(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "roleMappings": []any{map[string]any{"group": "Portal Admins", "role": "admin"}}})
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	member := s.accept(t, ada)
	s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"displayName": "Portal Admins", "members": []any{map[string]any{"value": ada}}})
	owner := s.do(http.MethodGet, "/scim/v2/Users?filter="+urlq(`userName eq "owner@acme.example"`), "acme/scim", nil).body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	if r := s.do(http.MethodDelete, "/scim/v2/Users/"+owner, "acme/scim", nil); r.status != http.StatusNoContent {
		t.Fatalf("deactivate the owner: %d %s", r.status, r.raw)
	}
	before := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil)
	put := scimUser("ada@acme.com", "ada.new@acme.com", "Augusta", "King")
	put["active"] = false
	wantSCIMError(t, s.do(http.MethodPut, "/scim/v2/Users/"+ada, "acme/scim", put), http.StatusConflict, "mutability")
	if m := s.do(http.MethodGet, "/api/v1/users/"+member, "acme/admin", nil); m.body["status"] != "active" || m.body["email"] != "ada@acme.com" || m.body["name"] != "Ada L" {
		t.Errorf("the last admin after a refused PUT: %s", m.raw)
	}
	if after := s.do(http.MethodGet, "/scim/v2/Users/"+ada, "acme/scim", nil); string(after.raw) != string(before.raw) {
		t.Errorf("SCIM shows a refused PUT applied:\nbefore %s\nafter  %s", before.raw, after.raw)
	}
}
