package org

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
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
	// Also is a second event the change announces (AnnounceProvisioned,
	// AnnounceDeprovisioned), or "": from Principal.Announce. It is not part of the entry.
	Also string
}

// What an identity provider's SCIM changes announce besides their own events.
const (
	AnnounceProvisioned   = "scim.user.provisioned"
	AnnounceDeprovisioned = "scim.user.deprovisioned"
)

// Announcing is p marked to announce what as well (Principal.Announce).
func (p Principal) Announcing(what string) Principal {
	p.Announce = what
	return p
}

// AuditQuery filters the audit log; the zero value lists every entry.
type AuditQuery struct {
	PageRequest
	// Action keeps the entries of one action (invitation.created), or, ending in ".*", of
	// every action of its kind (invitation.*).
	Action string
	// Actor keeps the entries whose actor has this id or name, as recorded.
	Actor string
	// Source keeps the entries made through one door.
	Source Source
}

// actionPattern is what an action filter may be: dotted lower-case words, the last one
// possibly "*". It compiles on first use, not at every cold start.
var actionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*(\.\*)?$`) })

// maxActorFilter bounds an actor filter: an id, or a name of at most MaxNameLength.
const maxActorFilter = MaxNameLength

// check trims the filters and names each one that is malformed.
func (q *AuditQuery) check() error {
	var verr ValidationError
	q.Action, q.Actor = strings.TrimSpace(q.Action), strings.TrimSpace(q.Actor)
	if q.Action != "" && (len(q.Action) > 64 || !actionPattern().MatchString(q.Action)) {
		verr.Add("action", "invalid_action", "action must be an audit action such as invitation.created, or a kind of them such as invitation.*")
	}
	if !utf8.ValidString(q.Actor) || utf8.RuneCountInString(q.Actor) > maxActorFilter || strings.ContainsFunc(q.Actor, unicode.IsControl) {
		verr.Add("actor", "invalid_actor", "actor must be an actor's id or name, of at most 200 characters without control characters")
	}
	if q.Source != "" && !q.Source.Valid() {
		verr.Add("source", "invalid_source", "source must be one of api, web, slack, sync, cli, scim, mailer, system")
	}
	return verr.Err()
}

// AuditLog lists the caller's organization's audit entries, newest first, as q filters them.
func (s *Service) AuditLog(ctx context.Context, p Principal, q AuditQuery) (Page[AuditEntry], error) {
	if err := p.Require(RoleViewer, "reading the audit log"); err != nil {
		return Page[AuditEntry]{}, err
	}
	var err error
	if q.PageRequest, err = q.PageRequest.Normalize(); err != nil {
		return Page[AuditEntry]{}, err
	}
	if err := q.check(); err != nil {
		return Page[AuditEntry]{}, err
	}
	return s.auditLog.ListAudit(ctx, p.OrgID, q)
}
