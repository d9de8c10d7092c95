// Package view holds the JSON shapes in which Gatehouse shows its resources, to API clients
// and in webhook events alike: one shape per resource, so an event's data is the resource as
// the API shows it. Field names are lowerCamel; times are Time (RFC 3339 UTC to the
// millisecond); absent values are omitted; no shape ever holds a token or a secret.
package view

import (
	"time"

	"gatehouse/internal/org"
)

// TimeFormat is how answers and events write an instant: RFC 3339 in UTC with exactly three
// fractional digits, such as 2026-12-01T10:00:00.000Z. encoding/json writes a time.Time with
// as many digits as it has (none for a whole second), so times would differ in width and
// would not sort as text.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Time is an instant as answers and events show it, in TimeFormat (its sub-millisecond part
// is dropped). It reads any RFC 3339 time. A zero Time is left out of JSON by omitzero.
type Time struct{ time.Time }

// At is t as a Time.
func At(t time.Time) Time { return Time{t} }

// MarshalJSON writes t in TimeFormat.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeFormat)+2)
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, TimeFormat)
	return append(b, '"'), nil
}

// Actor is who made a change.
type Actor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Delivery is where an invitation's email stands.
type Delivery struct {
	State     string `json:"state"`
	Attempts  int    `json:"attempts,omitempty"`
	MessageID string `json:"messageId,omitempty"`
	Reason    string `json:"reason,omitempty"`
	UpdatedAt Time   `json:"updatedAt,omitzero"`
}

// Invitation is an invitation. AcceptToken and AcceptURL are filled in by the API alone, in
// the answer that creates an invitation without email.
type Invitation struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Status      string   `json:"status"`
	Source      string   `json:"source"`
	InvitedBy   Actor    `json:"invitedBy"`
	SendEmail   bool     `json:"sendEmail"`
	Delivery    Delivery `json:"delivery"`
	CreatedAt   Time     `json:"createdAt"`
	UpdatedAt   Time     `json:"updatedAt,omitzero"`
	ExpiresAt   Time     `json:"expiresAt"`
	AcceptedAt  Time     `json:"acceptedAt,omitzero"`
	RevokedAt   Time     `json:"revokedAt,omitzero"`
	MemberID    string   `json:"memberId,omitempty"`
	AcceptToken string   `json:"acceptToken,omitempty"`
	AcceptURL   string   `json:"acceptUrl,omitempty"`
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
			UpdatedAt: At(inv.Delivery.UpdatedAt),
		},
		CreatedAt:  At(inv.CreatedAt),
		UpdatedAt:  At(inv.UpdatedAt),
		ExpiresAt:  At(inv.ExpiresAt),
		AcceptedAt: At(inv.AcceptedAt),
		RevokedAt:  At(inv.RevokedAt),
		MemberID:   inv.MemberID,
	}
}

// Member is a member of an organization.
type Member struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	Role          string `json:"role"`
	Status        string `json:"status"`
	Source        string `json:"source"`
	InvitationID  string `json:"invitationId,omitempty"`
	JoinedAt      Time   `json:"joinedAt"`
	UpdatedAt     Time   `json:"updatedAt"`
	DeactivatedAt Time   `json:"deactivatedAt,omitzero"`
}

// OfMember shows m.
func OfMember(m org.Member) Member {
	return Member{
		ID: m.ID, Email: m.Email, Name: m.Name, Role: string(m.Role), Status: string(m.Status),
		Source: string(m.Source), InvitationID: m.InvitationID, JoinedAt: At(m.JoinedAt), UpdatedAt: At(m.UpdatedAt),
		DeactivatedAt: At(m.DeactivatedAt),
	}
}
