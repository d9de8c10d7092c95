package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gatehouse/internal/org"
)

// The event types, as they appear in a payload's "type" and in an endpoint's events. Every
// change of a person (an invitation, a member) that writes an audit entry has one, whichever
// door it came through: SCIM's and directory sync's changes are these events too, with their
// source. Changes of the organization's own set-up (tokens, settings, integrations) have none.
const (
	// EventInvitationCreated: an invitation was made (one by one or in a bulk import).
	EventInvitationCreated = "invitation.created"
	// EventInvitationResent: an invitation was sent again, with a new link.
	EventInvitationResent = "invitation.resent"
	// EventInvitationRevoked: an invitation was withdrawn before it was accepted.
	EventInvitationRevoked = "invitation.revoked"
	// EventInvitationAccepted: the invitee accepted and became a member.
	EventInvitationAccepted = "invitation.accepted"
	// EventInvitationExpired: an invitation's expiry passed unaccepted (from the sweep).
	EventInvitationExpired = "invitation.expired"
	// EventInvitationEmailSent: the invitation email was handed to the mail service.
	EventInvitationEmailSent = "invitation.email_sent"
	// EventInvitationEmailFailed: the invitation email could not be sent.
	EventInvitationEmailFailed = "invitation.email_failed"
	// EventInvitationBounced: the invitation email bounced or drew a complaint.
	EventInvitationBounced = "invitation.bounced"
	// EventInvitationRenamed: a pending invitation's name or identity-provider id changed (the
	// identity provider's, through directory sync or SCIM).
	EventInvitationRenamed = "invitation.renamed"
	// EventInvitationRoleChanged: the role a pending invitation joins with changed (the
	// identity provider's groups, through directory sync or SCIM).
	EventInvitationRoleChanged = "invitation.role_changed"
	// EventMemberRoleChanged: a member's role changed.
	EventMemberRoleChanged = "member.role_changed"
	// EventMemberDeactivated: a member was deactivated and lost access.
	EventMemberDeactivated = "member.deactivated"
	// EventMemberReactivated: a deactivated member was given access again.
	EventMemberReactivated = "member.reactivated"
	// EventMemberUpdated: a member's address, name or identity-provider id changed (the
	// identity provider's, through directory sync or SCIM).
	EventMemberUpdated = "member.updated"
	// EventSyncRunApplied: a directory sync run applied its changes.
	EventSyncRunApplied = "sync.run.applied"
	// EventSyncRunHeld: a directory sync run was held back for an admin to approve.
	EventSyncRunHeld = "sync.run.held"
	// EventSyncRunFailed: a directory sync run failed and applied nothing.
	EventSyncRunFailed = "sync.run.failed"
	// EventSCIMUserProvisioned: an identity provider created or reactivated a person over
	// SCIM. It is sent besides that change's invitation.created or member.reactivated, with
	// the same data, for receivers that follow provisioning alone.
	EventSCIMUserProvisioned = "scim.user.provisioned"
	// EventSCIMUserDeprovisioned: an identity provider deactivated or removed a person over
	// SCIM, besides that change's member.deactivated or invitation.revoked.
	EventSCIMUserDeprovisioned = "scim.user.deprovisioned"
	// EventTest: an admin asked for a test delivery to one endpoint.
	EventTest = "webhook.test"
)

// AllEvents is the subscription to every event type, alone in an endpoint's events.
const AllEvents = "*"

// maxEvents bounds the entries of one subscription: more than every type and "*" can only
// hold mistakes, and one problem each would make an endless answer.
const maxEvents = 100

// eventTypes is every event type, in the order of EventTypes: an array value, so that no
// caller can change the list.
func eventTypes() [20]string {
	all := eventDocs()
	var types [len(all)]string
	for i, d := range all {
		types[i] = d.Type
	}
	return types
}

// EventDoc is an event type and what it announces, in words for a person choosing what an
// endpoint receives.
type EventDoc struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// eventDocs is every event type with its description, in the order of EventTypes.
func eventDocs() [20]EventDoc {
	return [...]EventDoc{
		{EventInvitationCreated, "An invitation was made (one by one or in a bulk import)."},
		{EventInvitationResent, "An invitation was sent again, with a new link."},
		{EventInvitationRevoked, "An invitation was withdrawn before it was accepted."},
		{EventInvitationAccepted, "The invitee accepted and became a member."},
		{EventInvitationExpired, "An invitation's expiry passed unaccepted."},
		{EventInvitationEmailSent, "The invitation email was handed to the mail service."},
		{EventInvitationEmailFailed, "The invitation email could not be sent."},
		{EventInvitationBounced, "The invitation email bounced or drew a complaint."},
		{EventInvitationRenamed, "A pending invitation's name or external id changed (from the directory)."},
		{EventInvitationRoleChanged, "A pending invitation's role changed (from the directory)."},
		{EventMemberRoleChanged, "A member's role changed."},
		{EventMemberDeactivated, "A member was deactivated and lost access."},
		{EventMemberReactivated, "A deactivated member was given access again."},
		{EventMemberUpdated, "A member's address or name changed (from the directory)."},
		{EventSyncRunApplied, "A directory sync run applied its changes."},
		{EventSyncRunHeld, "A directory sync run was held back for an admin to approve."},
		{EventSyncRunFailed, "A directory sync run failed and applied nothing."},
		{EventSCIMUserProvisioned, "An identity provider created or reactivated a person over SCIM (besides the invitation or member event)."},
		{EventSCIMUserDeprovisioned, "An identity provider deactivated or removed a person over SCIM (besides the member or invitation event)."},
		{EventTest, "An admin asked for a test delivery to one endpoint."},
	}
}

// EventTypes returns every event type an endpoint may subscribe to, invitations first. The
// slice is the caller's own.
func EventTypes() []string {
	all := eventTypes()
	return all[:]
}

// EventDocs returns every event type with its description, in the order of EventTypes. The
// slice is the caller's own.
func EventDocs() []EventDoc {
	all := eventDocs()
	return all[:]
}

// KnownEvent reports whether t is one of EventTypes.
func KnownEvent(t string) bool {
	all := eventTypes()
	return slices.Contains(all[:], t)
}

// ValidEvents checks an endpoint's subscription: AllEvents alone, or known event types each
// listed once. Its error is an *org.ValidationError with one problem for each bad entry,
// on the field "events[i]" (or "events" when the list is empty or too long).
func ValidEvents(events []string) error {
	switch {
	case len(events) == 0:
		return org.Invalid("events", "required", `events must list at least one event type, or "*" for all of them`)
	case len(events) > maxEvents:
		return org.Invalid("events", "too_many", fmt.Sprintf("events may list at most %d entries, not %d", maxEvents, len(events)))
	}
	var verr org.ValidationError
	first := make(map[string]int, len(events))
	for i, e := range events {
		field := fmt.Sprintf("events[%d]", i)
		if j, dup := first[e]; dup {
			verr.Add(field, "duplicate_event", fmt.Sprintf("%s is listed twice, at events[%d] and here", quote(e), j))
			continue
		}
		first[e] = i
		switch {
		case e == AllEvents && len(events) > 1:
			verr.Add(field, "invalid_events", `"*" means every event type and must be the only entry`)
		case e == AllEvents:
		case e == "":
			verr.Add(field, "unknown_event", "an event type must not be empty")
		case !KnownEvent(e):
			verr.Add(field, "unknown_event", fmt.Sprintf("%s is not an event type", quote(e)))
		}
	}
	return verr.Err()
}

// quote quotes an entry for a message, cut to a readable length.
func quote(s string) string {
	const limit = 64
	if r := []rune(s); len(r) > limit {
		return fmt.Sprintf("%q…", string(r[:limit]))
	}
	return fmt.Sprintf("%q", s)
}

// Subscribed reports whether an endpoint subscribed to events receives an event of type
// eventType: AllEvents matches every known type, and a list matches the types it names.
func Subscribed(events []string, eventType string) bool {
	if !KnownEvent(eventType) {
		return false
	}
	return slices.Contains(events, eventType) || slices.Contains(events, AllEvents)
}

// envelope is a payload, its fields in the order the specification shows them.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// TimestampFormat is how a payload writes its timestamp: RFC 3339 in UTC, to the
// millisecond.
const TimestampFormat = "2006-01-02T15:04:05.000Z07:00"

// Payload returns the body of an event: {"type": eventType, "timestamp": at, "data": data},
// minified, with at in TimestampFormat. data must marshal to a JSON object (nil is {}): it
// is the resource as the API shows it, with the actor and source. at is when the event
// happened, which stays the same on every retry.
func Payload(eventType string, at time.Time, data any) ([]byte, error) {
	if !KnownEvent(eventType) {
		return nil, fmt.Errorf("webhook payload: %s is not an event type", quote(eventType))
	}
	raw := []byte("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("webhook payload %s: marshal data: %w", eventType, err)
		}
		switch {
		case bytes.Equal(b, []byte("null")): // a nil pointer or map: no data
		case b[0] != '{':
			return nil, fmt.Errorf("webhook payload %s: data must be a JSON object, not %s", eventType, kind(b))
		default:
			raw = b
		}
	}
	body, err := json.Marshal(envelope{Type: eventType, Timestamp: at.UTC().Format(TimestampFormat), Data: raw})
	if err != nil {
		return nil, fmt.Errorf("webhook payload %s: %w", eventType, err)
	}
	return body, nil
}

// kind names the JSON kind of a marshaled value that is not an object.
func kind(b []byte) string {
	switch b[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
