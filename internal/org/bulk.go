package org

import (
	"context"
	"errors"
	"strconv"
)

// MaxBulkInvitations is the most invitations one bulk call may carry.
const MaxBulkInvitations = 1000

// The outcomes of one row of a bulk invitation.
const (
	BulkCreated        = "created"
	BulkAlreadyInvited = "already_invited"
	BulkAlreadyMember  = "already_member"
	BulkInvalid        = "invalid"
	// BulkDomainNotAllowed rows have an address outside the organization's allowed domains.
	BulkDomainNotAllowed = "domain_not_allowed"
	// BulkFailed rows met a passing problem (DynamoDB busy, a network error) and were not
	// created; sending them again is safe.
	BulkFailed = "failed"
)

// BulkResult is the outcome of one row of a bulk invitation, in input order.
type BulkResult struct {
	Index       int
	Email       string
	Status      string
	Created     Created      // when Status is created
	ExistingID  string       // the live invitation or member holding the address
	Errors      []FieldError // when Status is invalid
	DuplicateOf *int         // the earlier row of this request with the same address
}

// InviteMany invites up to MaxBulkInvitations people. Each row succeeds or fails on its own;
// rows repeating an earlier row's address share its outcome instead of inviting twice.
func (s *Service) InviteMany(ctx context.Context, p Principal, reqs []InviteRequest) ([]BulkResult, error) {
	switch {
	case len(reqs) == 0:
		return nil, Invalid("invitations", "required", "invitations must hold at least one invitation")
	case len(reqs) > MaxBulkInvitations:
		return nil, Invalid("invitations", "too_many", "invitations must hold at most 1000 invitations")
	}
	if err := p.Require(RoleMember, "inviting"); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	results := make([]BulkResult, len(reqs))
	firstRow := make(map[string]int, len(reqs))
	var invs []Invitation
	var audits []AuditEntry
	var rows []int
	var tokens []string
	for i, req := range reqs {
		results[i] = BulkResult{Index: i, Email: req.Email}
		in, err := req.validate()
		if err == nil && p.mayInvite(in) != nil {
			err = Invalid("role", "forbidden_role", "your token may not invite with role "+string(in.role)+" or without email")
		}
		if err != nil {
			var verr *ValidationError
			errors.As(err, &verr)
			results[i].Status, results[i].Errors = BulkInvalid, prefixFields(i, verr.Fields)
			continue
		}
		results[i].Email = in.email
		if first, dup := firstRow[in.email]; dup {
			results[i].DuplicateOf = &first
			continue
		}
		firstRow[in.email] = i
		inv, a, token := s.newInvitation(p, in, now)
		invs, audits, rows, tokens = append(invs, inv), append(audits, a), append(rows, i), append(tokens, token)
	}
	if len(invs) > 0 {
		created := 0
		for j, err := range s.create(ctx, p.OrgID, invs, audits) {
			r := &results[rows[j]]
			var existing *ExistingError
			switch {
			case err == nil:
				created++
				r.Status, r.Created = BulkCreated, Created{Invitation: invs[j], Token: tokens[j]}
			case errors.As(err, &existing) && errors.Is(err, ErrAlreadyInvited):
				r.Status, r.ExistingID = BulkAlreadyInvited, existing.ID
			case errors.As(err, &existing) && errors.Is(err, ErrAlreadyMember):
				r.Status, r.ExistingID = BulkAlreadyMember, existing.ID
			case errors.Is(err, ErrDomainNotAllowed):
				r.Status = BulkDomainNotAllowed
				r.Errors = []FieldError{{Field: "invitations[" + strconv.Itoa(rows[j]) + "].email", Code: "domain_not_allowed", Message: err.Error()}}
			default:
				// The row was not written; the others stand. The cause is logged by no one
				// here, so it is kept short and safe to show.
				r.Status = BulkFailed
				msg := "not created because of a passing problem; send this row again"
				var rl *RateLimitError
				switch {
				case errors.As(err, &rl):
					msg = rl.Reason
				case errors.Is(err, ErrOutcomeUnknown):
					msg = "the database could not be reached to confirm whether this row was stored; list pending invitations before sending it again"
				}
				r.Errors = []FieldError{{Field: "invitations[" + strconv.Itoa(rows[j]) + "]", Code: failureCode(err), Message: msg}}
			}
		}
		s.countCreated(ctx, p, true, created)
	}
	for i := range results {
		if first := results[i].DuplicateOf; first != nil {
			results[i].Status, results[i].ExistingID = duplicateOutcome(results[*first])
			if results[i].Status == BulkFailed {
				// The same cause, such as outcome_unknown, named at this row.
				for _, e := range results[*first].Errors {
					e.Field = "invitations[" + strconv.Itoa(i) + "]"
					results[i].Errors = append(results[i].Errors, e)
				}
			}
		}
	}
	return results, nil
}

// duplicateOutcome is what a repeated row reports given the first row's result: the address
// is now invited (or a member) either way, so it is never created twice.
func duplicateOutcome(first BulkResult) (string, string) {
	switch first.Status {
	case BulkCreated:
		return BulkAlreadyInvited, first.Created.Invitation.ID
	default:
		return first.Status, first.ExistingID
	}
}

// failureCode classifies why a row failed without showing internal error text.
func failureCode(err error) string {
	switch {
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrOutcomeUnknown):
		return "outcome_unknown"
	}
	return "temporarily_unavailable"
}

// prefixFields names bulk field errors by row, as in "invitations[3].email".
func prefixFields(row int, fields []FieldError) []FieldError {
	out := make([]FieldError, len(fields))
	for i, f := range fields {
		f.Field = "invitations[" + strconv.Itoa(row) + "]." + f.Field
		out[i] = f
	}
	return out
}
