// Package view holds the JSON shapes in which Gatehouse shows its resources, to API clients
// and in webhook events alike: one shape per resource, so an event's data is the resource as
// the API shows it. Field names are lowerCamel; times are RFC 3339 UTC; absent values are
// omitted; no shape ever holds a token or a secret.
package view

import (
	"time"

	"gatehouse/internal/org"
)

// Actor is who made a change.
type Actor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Delivery is where an invitation's email stands.
type Delivery struct {
	State     string     `json:"state"`
	Attempts  int        `json:"attempts,omitempty"`
	MessageID string     `json:"messageId,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// Invitation is an invitation. AcceptToken and AcceptURL are filled in by the API alone, in
// the answer that creates an invitation without email.
type Invitation struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Status      string     `json:"status"`
	Source      string     `json:"source"`
	InvitedBy   Actor      `json:"invitedBy"`
	SendEmail   bool       `json:"sendEmail"`
	Delivery    Delivery   `json:"delivery"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   *time.Time `json:"updatedAt,omitempty"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	AcceptedAt  *time.Time `json:"acceptedAt,omitempty"`
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
	MemberID    string     `json:"memberId,omitempty"`
	AcceptToken string     `json:"acceptToken,omitempty"`
	AcceptURL   string     `json:"acceptUrl,omitempty"`
}

// Time omits zero times from JSON.
func Time(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// OfInvitation shows inv as it stands at now (a pending invitation past its expiry shows as
// expired).
func OfInvitation(inv org.Invitation, now time.Time) Invitation {
	return Invitation{
		ID:        inv.ID,
		Email:     inv.Email,
		Name:      inv.Name,
		Role:      string(inv.Role),
		Status:    string(inv.StatusAt(now)),
		Source:    string(inv.Source),
		InvitedBy: Actor(inv.InvitedBy),
		SendEmail: inv.SendEmail,
		Delivery: Delivery{
			State:     string(inv.Delivery.State),
			Attempts:  inv.Delivery.Attempts,
			MessageID: inv.Delivery.MessageID,
			Reason:    inv.Delivery.Reason,
			UpdatedAt: Time(inv.Delivery.UpdatedAt),
		},
		CreatedAt:  inv.CreatedAt,
		UpdatedAt:  Time(inv.UpdatedAt),
		ExpiresAt:  inv.ExpiresAt,
		AcceptedAt: Time(inv.AcceptedAt),
		RevokedAt:  Time(inv.RevokedAt),
		MemberID:   inv.MemberID,
	}
}

// Member is a member of an organization.
type Member struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          string     `json:"role"`
	Status        string     `json:"status"`
	Source        string     `json:"source"`
	InvitationID  string     `json:"invitationId,omitempty"`
	JoinedAt      time.Time  `json:"joinedAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	DeactivatedAt *time.Time `json:"deactivatedAt,omitempty"`
}

// OfMember shows m.
func OfMember(m org.Member) Member {
	return Member{
		ID: m.ID, Email: m.Email, Name: m.Name, Role: string(m.Role), Status: string(m.Status),
		Source: string(m.Source), InvitationID: m.InvitationID, JoinedAt: m.JoinedAt, UpdatedAt: m.UpdatedAt,
		DeactivatedAt: Time(m.DeactivatedAt),
	}
}
