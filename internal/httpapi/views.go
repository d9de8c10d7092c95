package httpapi

import (
	"time"

	"gatehouse/internal/org"
)

// The JSON shapes of the API. Field names are lowerCamel; times are RFC 3339 UTC; absent
// values are omitted.

type actorView struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type deliveryView struct {
	State     string     `json:"state"`
	Attempts  int        `json:"attempts,omitempty"`
	MessageID string     `json:"messageId,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

type invitationView struct {
	ID          string       `json:"id"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	Role        string       `json:"role"`
	Status      string       `json:"status"`
	Source      string       `json:"source"`
	InvitedBy   actorView    `json:"invitedBy"`
	SendEmail   bool         `json:"sendEmail"`
	Delivery    deliveryView `json:"delivery"`
	CreatedAt   time.Time    `json:"createdAt"`
	ExpiresAt   time.Time    `json:"expiresAt"`
	AcceptedAt  *time.Time   `json:"acceptedAt,omitempty"`
	RevokedAt   *time.Time   `json:"revokedAt,omitempty"`
	MemberID    string       `json:"memberId,omitempty"`
	AcceptToken string       `json:"acceptToken,omitempty"` // shown once, to admins, for invitations without email
	AcceptURL   string       `json:"acceptUrl,omitempty"`   // the same, as the link to hand out
}

// timePtr omits zero times from JSON.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toInvitationView(inv org.Invitation, now time.Time) invitationView {
	return invitationView{
		ID:        inv.ID,
		Email:     inv.Email,
		Name:      inv.Name,
		Role:      string(inv.Role),
		Status:    string(inv.StatusAt(now)),
		Source:    string(inv.Source),
		InvitedBy: actorView(inv.InvitedBy),
		SendEmail: inv.SendEmail,
		Delivery: deliveryView{
			State:     string(inv.Delivery.State),
			Attempts:  inv.Delivery.Attempts,
			MessageID: inv.Delivery.MessageID,
			Reason:    inv.Delivery.Reason,
			UpdatedAt: timePtr(inv.Delivery.UpdatedAt),
		},
		CreatedAt:  inv.CreatedAt,
		ExpiresAt:  inv.ExpiresAt,
		AcceptedAt: timePtr(inv.AcceptedAt),
		RevokedAt:  timePtr(inv.RevokedAt),
		MemberID:   inv.MemberID,
	}
}

type memberView struct {
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

func toMemberView(m org.Member) memberView {
	return memberView{
		ID: m.ID, Email: m.Email, Name: m.Name, Role: string(m.Role), Status: string(m.Status),
		Source: string(m.Source), InvitationID: m.InvitationID, JoinedAt: m.JoinedAt, UpdatedAt: m.UpdatedAt,
		DeactivatedAt: timePtr(m.DeactivatedAt),
	}
}

type tokenView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Hint      string    `json:"hint"` // the secret's last four characters
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy actorView `json:"createdBy"`
	// ExpiresAt is absent for a token that does not expire; Expired says it has.
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	Expired    bool       `json:"expired"`
	OwnerID    string     `json:"ownerId,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"` // to the minute
	Token      string     `json:"token,omitempty"`      // the secret: only in the answer that creates it
}

func toTokenView(t org.APIToken, now time.Time) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Role: string(t.Role), Hint: t.Hint, CreatedAt: t.CreatedAt, CreatedBy: actorView(t.CreatedBy),
		ExpiresAt: timePtr(t.ExpiresAt), Expired: t.ExpiredAt(now), OwnerID: t.OwnerID, LastUsedAt: timePtr(t.LastUsedAt)}
}

type auditView struct {
	ID      string            `json:"id"`
	At      time.Time         `json:"at"`
	Action  string            `json:"action"`
	Actor   actorView         `json:"actor"`
	Source  string            `json:"source"`
	Target  targetView        `json:"target"`
	Details map[string]string `json:"details,omitempty"`
}

type targetView struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func toAuditView(a org.AuditEntry) auditView {
	return auditView{ID: a.ID, At: a.At, Action: a.Action, Actor: actorView(a.Actor), Source: string(a.Source),
		Target: targetView{Type: a.TargetType, ID: a.TargetID}, Details: a.Details}
}

// listView is one page of a list.
type listView[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func toListView[D any, V any](p org.Page[D], view func(D) V) listView[V] {
	out := listView[V]{Items: make([]V, len(p.Items)), NextCursor: p.Next}
	for i, it := range p.Items {
		out.Items[i] = view(it)
	}
	return out
}

type bulkResultView struct {
	Index       int              `json:"index"`
	Email       string           `json:"email"`
	Status      string           `json:"status"`
	Invitation  *invitationView  `json:"invitation,omitempty"`
	ExistingID  string           `json:"existingId,omitempty"`
	DuplicateOf *int             `json:"duplicateOf,omitempty"`
	Errors      []org.FieldError `json:"errors,omitempty"`
}

type bulkView struct {
	Results []bulkResultView `json:"results"`
	Summary map[string]int   `json:"summary"`
}

func toBulkView(results []org.BulkResult, created func(org.Created) invitationView) bulkView {
	v := bulkView{Results: make([]bulkResultView, len(results)), Summary: map[string]int{
		org.BulkCreated: 0, org.BulkAlreadyInvited: 0, org.BulkAlreadyMember: 0, org.BulkInvalid: 0, org.BulkFailed: 0, org.BulkDomainNotAllowed: 0,
	}}
	for i, r := range results {
		rv := bulkResultView{Index: r.Index, Email: r.Email, Status: r.Status, ExistingID: r.ExistingID, DuplicateOf: r.DuplicateOf, Errors: r.Errors}
		if r.Status == org.BulkCreated {
			inv := created(r.Created)
			rv.Invitation = &inv
		}
		v.Results[i] = rv
		v.Summary[r.Status]++
	}
	return v
}
