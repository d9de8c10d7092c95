package hooks_test

import (
	"testing"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/webhook"
)

// TestEveryChangeOfAPersonHasAnEvent: each audit action that changes an invitation or a
// member is announced (under its own name where the vocabulary has it); the organization's
// set-up is not.
func TestEveryChangeOfAPersonHasAnEvent(t *testing.T) {
	for action, want := range map[string]string{
		org.ActionInvited:           webhook.EventInvitationCreated,
		org.ActionResent:            webhook.EventInvitationResent,
		org.ActionRevoked:           webhook.EventInvitationRevoked,
		org.ActionAccepted:          webhook.EventInvitationAccepted,
		org.ActionExpired:           webhook.EventInvitationExpired,
		org.ActionEmailSent:         webhook.EventInvitationEmailSent,
		org.ActionEmailFailed:       webhook.EventInvitationEmailFailed,
		org.ActionEmailBounced:      webhook.EventInvitationBounced,
		org.ActionEmailComplained:   webhook.EventInvitationBounced,
		org.ActionInvitationRenamed: webhook.EventInvitationRenamed,
		org.ActionInvitationRole:    webhook.EventInvitationRoleChanged,
		org.ActionRoleChanged:       webhook.EventMemberRoleChanged,
		org.ActionDeactivated:       webhook.EventMemberDeactivated,
		org.ActionReactivated:       webhook.EventMemberReactivated,
		org.ActionMemberUpdated:     webhook.EventMemberUpdated,

		org.ActionTokenCreated:        "",
		org.ActionTokenRevoked:        "",
		org.ActionOrganizationCreate:  "",
		org.ActionOrganizationUpdated: "",
		org.ActionSlackConnected:      "",
		org.ActionSlackDisconnected:   "",
		dirsync.ActionConfigured:      "",
		dirsync.ActionApproved:        "",
		dirsync.ActionDiscarded:       "",
		provision.ActionConfigured:    "",
		provision.ActionTokenCreated:  "",
		provision.ActionDisabled:      "",
		hooks.ActionEndpointCreated:   "",
		hooks.ActionEndpointUpdated:   "",
		hooks.ActionEndpointDeleted:   "",
		hooks.ActionSecretRotated:     "",
		hooks.ActionEndpointDisabled:  "",
		hooks.ActionDeliveryRetried:   "",
		webhook.EventTest:             "", // only ever sent by a test call, never from an audit entry
	} {
		if got := hooks.EventType(org.AuditEntry{Action: action}); got != want {
			t.Errorf("EventType(%s) = %q, want %q", action, got, want)
		}
	}
}
