package dynamo

import (
	"time"

	"gatehouse/internal/org"
)

// timeLayout is fixed-width UTC, so stored times compare correctly as strings.
const timeLayout = "2006-01-02T15:04:05.000Z"

// fmtTime formats t for storage; the zero time is stored as absent.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time; absent or malformed values read as the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// key is an item's primary key.
type key struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
}

type actorAttr struct {
	Type string `dynamodbav:"type"`
	ID   string `dynamodbav:"id"`
	Name string `dynamodbav:"name,omitempty"`
}

func toActorAttr(a org.Actor) actorAttr { return actorAttr(a) }
func (a actorAttr) domain() org.Actor   { return org.Actor(a) }

type orgItem struct {
	key
	Type           string   `dynamodbav:"type"`
	ID             string   `dynamodbav:"id"`
	Name           string   `dynamodbav:"name"`
	AllowedDomains []string `dynamodbav:"allowedDomains,omitempty"`
	CreatedAt      string   `dynamodbav:"createdAt"`
	UpdatedAt      string   `dynamodbav:"updatedAt,omitempty"`
	ActiveAdmins   int      `dynamodbav:"activeAdmins"`
}

func toOrgItem(o org.Org) orgItem {
	return orgItem{key: key{PK: orgPK(o.ID), SK: skOrg}, Type: typeOrg, ID: o.ID, Name: o.Name,
		AllowedDomains: o.AllowedDomains, CreatedAt: fmtTime(o.CreatedAt), UpdatedAt: fmtTime(o.UpdatedAt)}
}

func (it orgItem) domain() org.Org {
	return org.Org{ID: it.ID, Name: it.Name, AllowedDomains: it.AllowedDomains, CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt)}
}

type invitationItem struct {
	key
	Type  string `dynamodbav:"type"`
	ID    string `dynamodbav:"id"`
	OrgID string `dynamodbav:"orgId"`
	Email string `dynamodbav:"email"`
	Name  string `dynamodbav:"name,omitempty"`
	// SearchName is the name in org.Fold's form, which searches compare with; written even
	// when empty, so that every invitation has it (invitations written before it existed
	// have none).
	SearchName        string    `dynamodbav:"searchName"`
	Role              string    `dynamodbav:"role"`
	Status            string    `dynamodbav:"status"`
	TokenHash         string    `dynamodbav:"tokenHash,omitempty"`
	Source            string    `dynamodbav:"source"`
	InvitedBy         actorAttr `dynamodbav:"invitedBy"`
	SendEmail         bool      `dynamodbav:"sendEmail"`
	DeliveryState     string    `dynamodbav:"deliveryState"`
	DeliveryAttempts  int       `dynamodbav:"deliveryAttempts,omitempty"`
	DeliveryMessageID string    `dynamodbav:"deliveryMessageId,omitempty"`
	DeliveryReason    string    `dynamodbav:"deliveryReason,omitempty"`
	DeliveryUpdatedAt string    `dynamodbav:"deliveryUpdatedAt,omitempty"`
	CreatedAt         string    `dynamodbav:"createdAt"`
	UpdatedAt         string    `dynamodbav:"updatedAt"`
	ExpiresAt         string    `dynamodbav:"expiresAt"`
	ExpiresInDays     int       `dynamodbav:"expiresInDays,omitempty"`
	AcceptedAt        string    `dynamodbav:"acceptedAt,omitempty"`
	RevokedAt         string    `dynamodbav:"revokedAt,omitempty"`
	MemberID          string    `dynamodbav:"memberId,omitempty"`
	ExternalID        string    `dynamodbav:"externalId,omitempty"`
	// Queue and Due put a pending invitation in the outbox index until its expiry has been
	// announced (see expiryQueue).
	Queue string `dynamodbav:"queue,omitempty"`
	Due   string `dynamodbav:"due,omitempty"`
}

func toInvitationItem(inv org.Invitation) invitationItem {
	return invitationItem{
		key:               key{PK: orgPK(inv.OrgID), SK: invitationSK(inv.ID)},
		Type:              typeInvitation,
		ID:                inv.ID,
		OrgID:             inv.OrgID,
		Email:             inv.Email,
		Name:              inv.Name,
		SearchName:        org.Fold(inv.Name),
		Role:              string(inv.Role),
		Status:            string(inv.Status),
		TokenHash:         inv.TokenHash,
		Source:            string(inv.Source),
		InvitedBy:         toActorAttr(inv.InvitedBy),
		SendEmail:         inv.SendEmail,
		DeliveryState:     string(inv.Delivery.State),
		DeliveryAttempts:  inv.Delivery.Attempts,
		DeliveryMessageID: inv.Delivery.MessageID,
		DeliveryReason:    inv.Delivery.Reason,
		DeliveryUpdatedAt: fmtTime(inv.Delivery.UpdatedAt),
		CreatedAt:         fmtTime(inv.CreatedAt),
		UpdatedAt:         fmtTime(inv.UpdatedAt),
		ExpiresAt:         fmtTime(inv.ExpiresAt),
		ExpiresInDays:     inv.ExpiresInDays,
		AcceptedAt:        fmtTime(inv.AcceptedAt),
		RevokedAt:         fmtTime(inv.RevokedAt),
		MemberID:          inv.MemberID,
		ExternalID:        inv.ExternalID,
	}
}

func (it invitationItem) domain() org.Invitation {
	return org.Invitation{
		ID:        it.ID,
		OrgID:     it.OrgID,
		Email:     it.Email,
		Name:      it.Name,
		Role:      org.Role(it.Role),
		Status:    org.InvitationStatus(it.Status),
		TokenHash: it.TokenHash,
		Source:    org.Source(it.Source),
		InvitedBy: it.InvitedBy.domain(),
		SendEmail: it.SendEmail,
		Delivery: org.Delivery{
			State:     org.DeliveryState(it.DeliveryState),
			Attempts:  it.DeliveryAttempts,
			MessageID: it.DeliveryMessageID,
			Reason:    it.DeliveryReason,
			UpdatedAt: parseTime(it.DeliveryUpdatedAt),
		},
		CreatedAt:     parseTime(it.CreatedAt),
		UpdatedAt:     parseTime(it.UpdatedAt),
		ExpiresAt:     parseTime(it.ExpiresAt),
		ExpiresInDays: it.ExpiresInDays,
		AcceptedAt:    parseTime(it.AcceptedAt),
		RevokedAt:     parseTime(it.RevokedAt),
		MemberID:      it.MemberID,
		ExternalID:    it.ExternalID,
	}
}

type memberItem struct {
	key
	Type          string `dynamodbav:"type"`
	ID            string `dynamodbav:"id"`
	OrgID         string `dynamodbav:"orgId"`
	Email         string `dynamodbav:"email"`
	Name          string `dynamodbav:"name,omitempty"`
	Role          string `dynamodbav:"role"`
	Status        string `dynamodbav:"status"`
	Source        string `dynamodbav:"source"`
	InvitationID  string `dynamodbav:"invitationId,omitempty"`
	JoinedAt      string `dynamodbav:"joinedAt"`
	UpdatedAt     string `dynamodbav:"updatedAt"`
	DeactivatedAt string `dynamodbav:"deactivatedAt,omitempty"`
	DeactivatedBy string `dynamodbav:"deactivatedVia,omitempty"`
	ExternalID    string `dynamodbav:"externalId,omitempty"`
}

func toMemberItem(m org.Member) memberItem {
	return memberItem{
		key:           key{PK: orgPK(m.OrgID), SK: memberSK(m.ID)},
		Type:          typeMember,
		ID:            m.ID,
		OrgID:         m.OrgID,
		Email:         m.Email,
		Name:          m.Name,
		Role:          string(m.Role),
		Status:        string(m.Status),
		Source:        string(m.Source),
		InvitationID:  m.InvitationID,
		JoinedAt:      fmtTime(m.JoinedAt),
		UpdatedAt:     fmtTime(m.UpdatedAt),
		DeactivatedAt: fmtTime(m.DeactivatedAt),
		DeactivatedBy: string(m.DeactivatedVia),
		ExternalID:    m.ExternalID,
	}
}

func (it memberItem) domain() org.Member {
	return org.Member{
		ID:             it.ID,
		OrgID:          it.OrgID,
		Email:          it.Email,
		Name:           it.Name,
		Role:           org.Role(it.Role),
		Status:         org.MemberStatus(it.Status),
		Source:         org.Source(it.Source),
		InvitationID:   it.InvitationID,
		JoinedAt:       parseTime(it.JoinedAt),
		UpdatedAt:      parseTime(it.UpdatedAt),
		DeactivatedAt:  parseTime(it.DeactivatedAt),
		DeactivatedVia: org.Source(it.DeactivatedBy),
		ExternalID:     it.ExternalID,
	}
}

// tokenItem is an API token; the same attributes are stored under its organization (to
// list) and under the hash of its secret (to authenticate with one read).
type tokenItem struct {
	key
	Type      string    `dynamodbav:"type"`
	ID        string    `dynamodbav:"id"`
	OrgID     string    `dynamodbav:"orgId"`
	Name      string    `dynamodbav:"name"`
	Role      string    `dynamodbav:"role"`
	Hash      string    `dynamodbav:"hash"`
	Hint      string    `dynamodbav:"hint"`
	CreatedAt string    `dynamodbav:"createdAt"`
	CreatedBy actorAttr `dynamodbav:"createdBy"`
	ExpiresAt string    `dynamodbav:"expiresAt,omitempty"`
	OwnerID   string    `dynamodbav:"ownerId,omitempty"`
	// LastUsedAt is kept on the listed item only.
	LastUsedAt string `dynamodbav:"lastUsedAt,omitempty"`
}

func toTokenItems(t org.APIToken) (byOrg, byHash tokenItem) {
	byOrg = tokenItem{
		key:       key{PK: orgPK(t.OrgID), SK: tokenSK(t.ID)},
		Type:      typeToken,
		ID:        t.ID,
		OrgID:     t.OrgID,
		Name:      t.Name,
		Role:      string(t.Role),
		Hash:      t.Hash,
		Hint:      t.Hint,
		CreatedAt: fmtTime(t.CreatedAt),
		CreatedBy: toActorAttr(t.CreatedBy),
		ExpiresAt: fmtTime(t.ExpiresAt),
		OwnerID:   t.OwnerID,
	}
	byHash = byOrg
	byHash.key, byHash.Type = key{PK: apiKeyPK(t.Hash), SK: skAPIKey}, typeAPIKey
	return byOrg, byHash
}

func (it tokenItem) domain() org.APIToken {
	return org.APIToken{
		ID:         it.ID,
		OrgID:      it.OrgID,
		Name:       it.Name,
		Role:       org.Role(it.Role),
		Hash:       it.Hash,
		Hint:       it.Hint,
		CreatedAt:  parseTime(it.CreatedAt),
		CreatedBy:  it.CreatedBy.domain(),
		ExpiresAt:  parseTime(it.ExpiresAt),
		OwnerID:    it.OwnerID,
		LastUsedAt: parseTime(it.LastUsedAt),
	}
}

type auditItem struct {
	key
	Type       string            `dynamodbav:"type"`
	ID         string            `dynamodbav:"id"`
	OrgID      string            `dynamodbav:"orgId"`
	At         string            `dynamodbav:"at"`
	Action     string            `dynamodbav:"action"`
	Actor      actorAttr         `dynamodbav:"actor"`
	Source     string            `dynamodbav:"source"`
	TargetType string            `dynamodbav:"targetType"`
	TargetID   string            `dynamodbav:"targetId"`
	Details    map[string]string `dynamodbav:"details,omitempty"`
}

func toAuditItem(a org.AuditEntry) auditItem {
	return auditItem{
		key:        key{PK: orgPK(a.OrgID), SK: auditSK(a.ID)},
		Type:       typeAudit,
		ID:         a.ID,
		OrgID:      a.OrgID,
		At:         fmtTime(a.At),
		Action:     a.Action,
		Actor:      toActorAttr(a.Actor),
		Source:     string(a.Source),
		TargetType: a.TargetType,
		TargetID:   a.TargetID,
		Details:    a.Details,
	}
}

func (it auditItem) domain() org.AuditEntry {
	return org.AuditEntry{
		ID:         it.ID,
		OrgID:      it.OrgID,
		At:         parseTime(it.At),
		Action:     it.Action,
		Actor:      it.Actor.domain(),
		Source:     org.Source(it.Source),
		TargetType: it.TargetType,
		TargetID:   it.TargetID,
		Details:    it.Details,
	}
}
