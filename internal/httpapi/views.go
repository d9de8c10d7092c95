package httpapi

import (
	"time"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// The JSON shapes of the API. Field names are lowerCamel; times are RFC 3339 UTC to the
// millisecond (timeView); absent values are omitted.

type (
	actorView      = view.Actor
	invitationView = view.Invitation
	memberView     = view.Member
	auditView      = view.AuditEntry
	// timeView is an instant, to the millisecond; a zero one is left out with omitzero.
	timeView = view.Time
)

func toInvitationView(inv org.Invitation, now time.Time) invitationView {
	return view.OfInvitation(inv, now)
}

func toMemberView(m org.Member) memberView { return view.OfMember(m) }

type tokenView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Hint      string    `json:"hint"` // the secret's last four characters
	CreatedAt timeView  `json:"createdAt"`
	CreatedBy actorView `json:"createdBy"`
	// ExpiresAt is absent for a token that does not expire; Expired says it has.
	ExpiresAt  timeView `json:"expiresAt,omitzero"`
	Expired    bool     `json:"expired"`
	OwnerID    string   `json:"ownerId,omitempty"`
	LastUsedAt timeView `json:"lastUsedAt,omitzero"` // to the minute
	Token      string   `json:"token,omitempty"`     // the secret: only in the answer that creates it
}

func toTokenView(t org.APIToken, now time.Time) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Role: string(t.Role), Hint: t.Hint, CreatedAt: view.At(t.CreatedAt), CreatedBy: actorView(t.CreatedBy),
		ExpiresAt: view.At(t.ExpiresAt), Expired: t.ExpiredAt(now), OwnerID: t.OwnerID, LastUsedAt: view.At(t.LastUsedAt)}
}

func toAuditView(a org.AuditEntry) auditView { return view.OfAudit(a) }

func toListView[D any, V any](p org.Page[D], show func(D) V) view.List[V] {
	return view.OfPage(p, show)
}

func toBulkView(results []org.BulkResult, created func(org.Created) invitationView) view.Bulk {
	return view.OfBulk(results, created)
}
