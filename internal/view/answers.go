package view

import (
	"gatehouse/internal/org"
)

// List is one page of a list; NextCursor is absent on the last page.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// OfPage shows a page of domain items with show.
func OfPage[D any, V any](p org.Page[D], show func(D) V) List[V] {
	out := List[V]{Items: make([]V, len(p.Items)), NextCursor: p.Next}
	for i, it := range p.Items {
		out.Items[i] = show(it)
	}
	return out
}

// AuditEntry is one entry of the audit log.
type AuditEntry struct {
	ID      string            `json:"id"`
	At      Time              `json:"at"`
	Action  string            `json:"action"`
	Actor   Actor             `json:"actor"`
	Source  string            `json:"source"`
	Target  Target            `json:"target"`
	Details map[string]string `json:"details,omitempty"`
}

// Target is what an audited change was made to.
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// OfAudit shows a.
func OfAudit(a org.AuditEntry) AuditEntry {
	return AuditEntry{ID: a.ID, At: At(a.At), Action: a.Action, Actor: Actor(a.Actor), Source: string(a.Source),
		Target: Target{Type: a.TargetType, ID: a.TargetID}, Details: a.Details}
}

// BulkResult is the outcome of one row of a bulk invitation: Status is one of the org.Bulk*
// outcomes; Invitation is set when it is created, ExistingID when the address was already
// invited or a member, Errors when it is invalid or failed.
type BulkResult struct {
	Index       int              `json:"index"`
	Email       string           `json:"email"`
	Status      string           `json:"status"`
	Invitation  *Invitation      `json:"invitation,omitempty"`
	ExistingID  string           `json:"existingId,omitempty"`
	DuplicateOf *int             `json:"duplicateOf,omitempty"`
	Errors      []org.FieldError `json:"errors,omitempty"`
}

// Bulk is the answer of a bulk invitation: one result per row, in input order, and how many
// rows had each outcome.
type Bulk struct {
	Results []BulkResult   `json:"results"`
	Summary map[string]int `json:"summary"`
}

// OfBulk shows the results of a bulk invitation, each created invitation shown by created.
func OfBulk(results []org.BulkResult, created func(org.Created) Invitation) Bulk {
	v := Bulk{Results: make([]BulkResult, len(results)), Summary: map[string]int{
		org.BulkCreated: 0, org.BulkAlreadyInvited: 0, org.BulkAlreadyMember: 0, org.BulkInvalid: 0, org.BulkFailed: 0, org.BulkDomainNotAllowed: 0,
	}}
	for i, r := range results {
		rv := BulkResult{Index: r.Index, Email: r.Email, Status: r.Status, ExistingID: r.ExistingID, DuplicateOf: r.DuplicateOf, Errors: r.Errors}
		if r.Status == org.BulkCreated {
			inv := created(r.Created)
			rv.Invitation = &inv
		}
		v.Results[i] = rv
		v.Summary[r.Status]++
	}
	return v
}
