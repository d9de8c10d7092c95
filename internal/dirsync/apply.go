package dirsync

import (
	"context"
	"errors"
	"fmt"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// inviteChunk is how many invitations go to the organization service at once.
const inviteChunk = org.MaxBulkInvitations

// apply carries out plan as p and returns, index-aligned with plan.Actions, why each action
// failed ("" when it was applied). Removals go first, so addresses they free can be taken by
// the invitations of the same plan; one failing action never stops the others.
func (s *Service) apply(ctx context.Context, p org.Principal, c Config, plan idp.Plan, kinds map[string]idp.AccountKind) []string {
	errs := make([]string, len(plan.Actions))
	var invites []int
	for _, kind := range idp.ActionKinds() {
		if kind == idp.ActionInvite {
			continue
		}
		for i, a := range plan.Actions {
			if a.Kind != kind {
				continue
			}
			if err := ctx.Err(); err != nil {
				errs[i] = "not applied: the run ran out of time"
				continue
			}
			if err := s.applyOne(ctx, p, a, kinds[a.AccountID]); err != nil {
				errs[i] = describe(err)
				s.log.WarnContext(ctx, "sync action failed", "org", p.OrgID, "action", string(a.Kind), "account", a.AccountID, "err", err)
			}
		}
	}
	for i, a := range plan.Actions {
		if a.Kind == idp.ActionInvite {
			invites = append(invites, i)
		}
	}
	for start := 0; start < len(invites); start += inviteChunk {
		s.invite(ctx, p, c, plan, invites[start:min(start+inviteChunk, len(invites))], errs)
	}
	return errs
}

// applyOne carries out one action other than an invitation.
func (s *Service) applyOne(ctx context.Context, p org.Principal, a idp.Action, kind idp.AccountKind) error {
	var err error
	switch a.Kind {
	case idp.ActionRevoke:
		_, err = s.members.Revoke(ctx, p, a.AccountID)
	case idp.ActionDeactivate:
		_, err = s.members.Deactivate(ctx, p, a.AccountID)
	case idp.ActionReactivate:
		_, err = s.members.Reactivate(ctx, p, a.AccountID)
	case idp.ActionRole:
		if kind == idp.AccountInvitation {
			_, err = s.members.SetInvitationRole(ctx, p, a.AccountID, org.Role(a.Role))
		} else {
			_, err = s.members.ChangeRole(ctx, p, a.AccountID, a.Role)
		}
	case idp.ActionUpdate:
		if kind == idp.AccountInvitation {
			_, err = s.members.RenameInvitation(ctx, p, a.AccountID, a.Name, a.ExternalID)
		} else {
			_, err = s.members.UpdateProfile(ctx, p, a.AccountID, org.Profile{Name: a.Name, Email: a.Email, ExternalID: a.ExternalID})
		}
	default:
		err = fmt.Errorf("unknown action %q", a.Kind)
	}
	return err
}

// invite sends the plan's invitations at rows as one bulk call, recording each row's fate.
func (s *Service) invite(ctx context.Context, p org.Principal, c Config, plan idp.Plan, rows []int, errs []string) {
	sendEmail := c.SendEmail
	reqs := make([]org.InviteRequest, len(rows))
	for j, i := range rows {
		a := plan.Actions[i]
		role := a.Role
		if role == "" {
			role = string(c.Role)
		}
		reqs[j] = org.InviteRequest{Email: a.Email, Name: a.Name, Role: role, SendEmail: &sendEmail, ExternalID: a.ExternalID}
	}
	results, err := s.members.InviteMany(ctx, p, reqs)
	if err != nil {
		for _, i := range rows {
			errs[i] = describe(err)
		}
		return
	}
	for j, res := range results {
		i := rows[j]
		switch res.Status {
		case org.BulkCreated:
		case org.BulkAlreadyInvited:
			errs[i] = "the address already has a pending invitation that sync did not create"
		case org.BulkAlreadyMember:
			errs[i] = "the address belongs to a member that sync did not create"
		case org.BulkInvalid:
			errs[i] = "invalid: " + org.Messages(res.Errors)
		case org.BulkDomainNotAllowed:
			errs[i] = "the address is outside the organization's allowed domains"
		case org.BulkFailed:
			if len(res.Errors) > 0 && res.Errors[0].Code == "rate_limited" {
				errs[i] = "rate limited: " + res.Errors[0].Message
				continue
			}
			errs[i] = "not applied: the database was busy; the next run retries"
		default:
			errs[i] = "not applied: the database was busy; the next run retries"
		}
	}
}

// describe says in a sentence why an action failed.
func describe(err error) string {
	var verr *org.ValidationError
	var limited *org.RateLimitError
	switch {
	case errors.As(err, &verr):
		return "invalid: " + org.Messages(verr.Fields)
	case errors.Is(err, org.ErrLastAdmin):
		return "the organization must keep an active admin"
	case errors.Is(err, org.ErrAlreadyMember), errors.Is(err, org.ErrAlreadyInvited):
		return "the new address is already taken in the organization"
	case errors.As(err, &limited):
		return "rate limited: " + limited.Reason
	case errors.Is(err, org.ErrDomainNotAllowed):
		return "the address is outside the organization's allowed domains"
	case errors.Is(err, org.ErrNotFound):
		return "the account no longer exists"
	case errors.Is(err, org.ErrConflict), errors.Is(err, org.ErrMemberActive), errors.Is(err, org.ErrMemberInactive),
		errors.Is(err, org.ErrInvitationAccepted), errors.Is(err, org.ErrInvitationRevoked), errors.Is(err, org.ErrInvitationExpired):
		return "the account changed while sync ran; the next run looks again"
	case errors.Is(err, org.ErrUnavailable):
		return "not applied: the database was busy; the next run retries"
	}
	return "not applied: an internal error"
}
