package org

import (
	"context"
	"time"
)

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
	// Subject is the resource as the change left it, an Invitation or a Member, when the
	// store writes the change's event with it (webhooks show it); nil otherwise. It is not
	// part of the audit entry.
	Subject any
}

// AuditLog lists the caller's organization's audit entries, newest first.
func (s *Service) AuditLog(ctx context.Context, p Principal, pr PageRequest) (Page[AuditEntry], error) {
	if err := p.Require(RoleViewer, "reading the audit log"); err != nil {
		return Page[AuditEntry]{}, err
	}
	pr, err := pr.Normalize()
	if err != nil {
		return Page[AuditEntry]{}, err
	}
	return s.auditLog.ListAudit(ctx, p.OrgID, pr)
}
