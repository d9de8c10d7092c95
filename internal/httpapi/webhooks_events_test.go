package httpapi_test

import (
	"net/http"
	"testing"
)

// TestEveryChangeOfAPersonIsAnnounced: the changes directory sync and SCIM make beyond
// inviting, deactivating and reactivating (a pending invitation renamed or given another role
// by its groups, a member's address and name changed by the identity provider) each reach the
// endpoints subscribed to them, with the invitation or member as the API shows it, source
// scim.
func TestEveryChangeOfAPersonIsAnnounced(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false, "defaultRole": "viewer",
		"roleMappings": []any{map[string]any{"group": "Engineers", "role": "member"}}})
	receivers := map[string]*receiver{}
	for _, typ := range []string{"invitation.renamed", "invitation.role_changed", "member.updated"} {
		receivers[typ] = newReceiver(t)
		s.endpoint(t, receivers[typ], typ)
	}

	bob := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("bob@acme.com", "bob@acme.com", "Bob", "B")).body["id"].(string)
	put := scimUser("bob@acme.com", "bob@acme.com", "Robert", "Brown")
	put["id"] = bob
	if r := s.do(http.MethodPut, "/scim/v2/Users/"+bob, "acme/scim", put); r.status != http.StatusOK {
		t.Fatalf("rename bob: %d %s", r.status, r.raw)
	}
	if r := s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Engineers", "members": []any{map[string]any{"value": bob}}}); r.status != http.StatusCreated {
		t.Fatalf("create group: %d %s", r.status, r.raw)
	}
	ada := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	adaMember := s.accept(t, ada)
	put = scimUser("ada@acme.com", "ada.king@acme.com", "Ada", "King")
	put["id"] = ada
	if r := s.do(http.MethodPut, "/scim/v2/Users/"+ada, "acme/scim", put); r.status != http.StatusOK {
		t.Fatalf("readdress ada: %d %s", r.status, r.raw)
	}
	s.sweep(t)

	bobNow := s.do(http.MethodGet, "/api/v1/invitations/"+bob, "acme/admin", nil).body
	adaNow := s.do(http.MethodGet, "/api/v1/users/"+adaMember, "acme/admin", nil).body
	for _, tt := range []struct {
		typ  string
		want map[string]any // fields of data, as the API shows the resource after the change
	}{
		{"invitation.renamed", map[string]any{"id": bob, "email": "bob@acme.com", "name": "Robert Brown", "role": "viewer", "status": "pending"}},
		{"invitation.role_changed", map[string]any{"id": bob, "email": "bob@acme.com", "name": "Robert Brown", "role": bobNow["role"], "status": "pending"}},
		{"member.updated", map[string]any{"id": adaMember, "email": "ada.king@acme.com", "name": "Ada King", "role": adaNow["role"], "status": "active"}},
	} {
		got := receivers[tt.typ].events()
		if len(got) != 1 {
			t.Errorf("%s: %d events, want 1: %+v", tt.typ, len(got), got)
			continue
		}
		ev := got[0]
		if ev.eventType != tt.typ || !ev.verified {
			t.Errorf("%s: got type %s, verified %v", tt.typ, ev.eventType, ev.verified)
		}
		for k, v := range tt.want {
			if ev.data[k] != v {
				t.Errorf("%s: data[%s] = %v, want %v (data %v)", tt.typ, k, ev.data[k], v, ev.data)
			}
		}
		if ev.data["source"] != "scim" || ev.data["actor"] == nil {
			t.Errorf("%s: source %v, actor %v; want scim and the SCIM token", tt.typ, ev.data["source"], ev.data["actor"])
		}
	}
	if bobNow["role"] != "member" {
		t.Errorf("bob's invitation role after joining Engineers = %v, want member", bobNow["role"])
	}
}

// TestSCIMProvisioningHasItsOwnEvents: an identity provider's provisioning over SCIM is
// also scim.user.provisioned, and its deprovisioning scim.user.deprovisioned, with the same
// data as the change's own event but an id of their own; nothing else sends them.
func TestSCIMProvisioningHasItsOwnEvents(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	scimRv, allRv := newReceiver(t), newReceiver(t)
	s.endpoint(t, scimRv, "scim.user.provisioned", "scim.user.deprovisioned")
	s.endpoint(t, allRv, "*")
	id := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	member := s.accept(t, id)
	if r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}})); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.raw)
	}
	// Changes through other doors have no SCIM event.
	s.do(http.MethodPost, "/api/v1/invitations", "acme/admin", map[string]any{"email": "bob@acme.com", "sendEmail": false})
	s.sweep(t)
	got := scimRv.events() // ordering is not promised
	if len(got) == 2 && got[0].eventType == "scim.user.deprovisioned" {
		got[0], got[1] = got[1], got[0]
	}
	if len(got) != 2 || got[0].eventType != "scim.user.provisioned" || got[1].eventType != "scim.user.deprovisioned" {
		t.Fatalf("the SCIM endpoint got %+v, want one provisioned and one deprovisioned", got)
	}
	if got[0].data["email"] != "ada@acme.com" || got[0].data["id"] != id || got[0].data["source"] != "scim" || !got[0].verified {
		t.Errorf("provisioned: %+v", got[0])
	}
	if got[1].data["id"] != member || got[1].data["status"] != "deactivated" {
		t.Errorf("deprovisioned: %+v", got[1])
	}
	ids := map[string]string{}
	for _, ev := range allRv.events() {
		if prev, dup := ids[ev.id]; dup {
			t.Errorf("%s and %s share the webhook-id %s", prev, ev.eventType, ev.id)
		}
		ids[ev.id] = ev.eventType
	}
	for _, want := range []string{"invitation.created", "scim.user.provisioned", "invitation.accepted", "member.deactivated", "scim.user.deprovisioned"} {
		found := false
		for _, typ := range ids {
			found = found || typ == want
		}
		if !found {
			t.Errorf("the endpoint of every event got no %s: %v", want, ids)
		}
	}
}

// TestSCIMInternalStepsAnnounceNoProvisioning: an address change of a pending SCIM person
// swaps invitations inside Gatehouse; it announces neither a provisioning nor a
// deprovisioning, and the person's later deactivation is one deprovisioning.
func TestSCIMInternalStepsAnnounceNoProvisioning(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	rv := newReceiver(t)
	s.endpoint(t, rv, "scim.user.provisioned", "scim.user.deprovisioned")
	id := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("bo@acme.com", "bo@acme.com", "Bo", "B")).body["id"].(string)
	put := scimUser("bo@acme.com", "bo.b@acme.com", "Bo", "B")
	put["id"] = id
	if r := s.do(http.MethodPut, "/scim/v2/Users/"+id, "acme/scim", put); r.status != http.StatusOK {
		t.Fatalf("readdress: %d %s", r.status, r.raw)
	}
	s.sweep(t)
	if got := rv.events(); len(got) != 1 || got[0].eventType != "scim.user.provisioned" {
		t.Fatalf("after create and address change: %+v, want one provisioned", got)
	}
	if r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}})); r.status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", r.status, r.raw)
	}
	s.sweep(t)
	got := rv.events()
	if len(got) != 2 || got[1].eventType != "scim.user.deprovisioned" || got[1].data["email"] != "bo.b@acme.com" {
		t.Errorf("after deactivation: %+v, want one deprovisioned of bo.b@acme.com", got)
	}
}
