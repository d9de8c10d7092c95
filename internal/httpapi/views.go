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

type auditView struct {
	ID      string            `json:"id"`
	At      timeView          `json:"at"`
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
	return auditView{ID: a.ID, At: view.At(a.At), Action: a.Action, Actor: actorView(a.Actor), Source: string(a.Source),
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
