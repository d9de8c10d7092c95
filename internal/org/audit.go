package org

import "time"

// The audit actions.
const (
	ActionInvited            = "invitation.created"
	ActionResent             = "invitation.resent"
	ActionRevoked            = "invitation.revoked"
	ActionEmailSent          = "invitation.email_sent"
	ActionEmailFailed        = "invitation.email_failed"
	ActionEmailBounced       = "invitation.email_bounced"
	ActionEmailComplained    = "invitation.email_complained"
	ActionAccepted           = "invitation.accepted"
	ActionRoleChanged        = "member.role_changed"
	ActionDeactivated        = "member.deactivated"
	ActionReactivated        = "member.reactivated"
	ActionTokenCreated       = "token.created"
	ActionTokenRevoked       = "token.revoked"
	ActionOrganizationCreate = "organization.created"
	ActionSlackConnected     = "slack.connected"
	ActionSlackDisconnected  = "slack.disconnected"
)

// AuditEntry records one change: who did what, through which door, to what.
type AuditEntry struct {
	ID         string // sortable ULID: newer entries sort after older ones
	OrgID      string
	At         time.Time
	Action     string
	Actor      Actor
	Source     Source
	TargetType string // "invitation", "member", "token", "organization"
	TargetID   string
	Details    map[string]string
}
