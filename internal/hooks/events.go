package hooks

import (
	"encoding/json"
	"fmt"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
	"gatehouse/internal/webhook"
)

// EventType is the webhook event of audit entry a, or "" when the webhook vocabulary has
// none for it (a token made, a setting changed): the invitation and member changes keep
// their action's name, a bounce or complaint is invitation.bounced, and a sync run's event
// names its status.
func EventType(a org.AuditEntry) string {
	switch a.Action {
	case org.ActionEmailBounced, org.ActionEmailComplained:
		return webhook.EventInvitationBounced
	case "sync.run":
		switch a.Details["status"] {
		case "applied":
			return webhook.EventSyncRunApplied
		case "held":
			return webhook.EventSyncRunHeld
		case "failed":
			return webhook.EventSyncRunFailed
		}
		return ""
	}
	if webhook.KnownEvent(a.Action) && a.Action != webhook.EventTest {
		return a.Action
	}
	return ""
}

// SCIMEventType is the second event of audit entry a, or "": SCIM provisioning marks the
// changes that provision a person (created active, reactivated, invited again) as
// scim.user.provisioned and those that deprovision one (deactivated, or a pending
// invitation withdrawn) as scim.user.deprovisioned; its internal steps (an address change's
// swap of invitations, an expired invitation tidied away) announce nothing more.
func SCIMEventType(a org.AuditEntry) string {
	switch a.Also {
	case org.AnnounceProvisioned:
		return webhook.EventSCIMUserProvisioned
	case org.AnnounceDeprovisioned:
		return webhook.EventSCIMUserDeprovisioned
	}
	return ""
}

// render is the payload of ev: {"type", "timestamp", "data"}, where data is the resource
// as the API shows it (an invitation, a member; else the target and the details of the
// change), with the actor and the source of the change.
func render(ev Event) ([]byte, error) {
	var resource any
	switch {
	case ev.Invitation != nil:
		resource = view.OfInvitation(*ev.Invitation, ev.At)
	case ev.Member != nil:
		resource = view.OfMember(*ev.Member)
	default:
		resource = struct {
			Type    string            `json:"type"`
			ID      string            `json:"id"`
			Details map[string]string `json:"details,omitempty"`
		}{ev.TargetType, ev.TargetID, ev.Details}
	}
	raw, err := json.Marshal(resource)
	if err != nil {
		return nil, fmt.Errorf("render event %s: %w", ev.ID, err)
	}
	data := map[string]any{}
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, fmt.Errorf("render event %s: %w", ev.ID, err)
	}
	data["actor"] = view.Actor(ev.Actor)
	data["source"] = string(ev.Source)
	return webhook.Payload(ev.Type, ev.At, data)
}
