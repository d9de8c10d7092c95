package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

// TestSCIMReaddressAnnouncesNoDeprovisioning: an identity provider changing a pending
// person's address leaves them provisioned, and the scim.user events say so.
func TestSCIMReaddressAnnouncesNoDeprovisioning(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	rv := newReceiver(t)
	s.endpoint(t, rv, "scim.user.provisioned", "scim.user.deprovisioned")
	id := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	s.clock.Add(time.Second)
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{`emails[type eq "work"].value`: "ada2@acme.com"}}))
	t.Logf("readdress: %d active=%v", r.status, r.body["active"])
	s.sweep(t)
	var types []string
	for _, ev := range rv.events() {
		types = append(types, ev.eventType+" "+ev.id+" "+ev.data["email"].(string))
	}
	t.Logf("scim events in id order: %v", types)
	if len(types) > 0 && r.body["active"] == true {
		last := rv.events()[len(rv.events())-1]
		if last.eventType == "scim.user.deprovisioned" {
			t.Errorf("an active SCIM user's last scim.user event is deprovisioned")
		}
	}
}

// TestSCIMReactivatingAnExpiredInvitationEndsProvisioned: the identity provider reactivating
// a person whose invitation expired invites them again and tidies the expired one away: the
// last scim.user event says provisioned.
func TestSCIMReactivatingAnExpiredInvitationEndsProvisioned(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", map[string]any{"sendEmail": false})
	rv := newReceiver(t)
	s.endpoint(t, rv, "scim.user.provisioned", "scim.user.deprovisioned")
	id := s.do(http.MethodPost, "/scim/v2/Users", "acme/scim", scimUser("ada@acme.com", "ada@acme.com", "Ada", "L")).body["id"].(string)
	s.sweep(t)
	s.clock.Add(30 * 24 * time.Hour)
	r := s.do(http.MethodPatch, "/scim/v2/Users/"+id, "acme/scim", patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": true}}))
	t.Logf("reactivate: %d active=%v", r.status, r.body["active"])
	s.sweep(t)
	var types []string
	for _, ev := range rv.events() {
		types = append(types, ev.eventType+" "+ev.id+" "+ev.data["id"].(string))
	}
	t.Logf("scim events: %v", types)
	if evs := rv.events(); len(evs) > 0 && evs[len(evs)-1].eventType == "scim.user.deprovisioned" {
		t.Errorf("reactivating an expired SCIM user ends its scim.user events with deprovisioned")
	}
}
