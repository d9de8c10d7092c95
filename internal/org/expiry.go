package org

import (
	"context"
	"fmt"
	"time"
)

// ActionExpired records that a pending invitation's expiry passed unaccepted.
const ActionExpired = "invitation.expired"

// ExpiryActor is who announces that invitations expired: Gatehouse itself.
var ExpiryActor = Actor{Type: "system", ID: "expiry", Name: "Invitation expiry"}

// expiryGrace is how long after an invitation's expiry its announcement waits: longer than
// an accept begun just before the expiry can take to commit (its tries and settling), so
// an invitation is never announced expired and then accepted.
const expiryGrace = 2 * time.Minute

// expiryPage is how many due invitations one read of the expiry index asks for (a variable
// only so that tests can make it small).
var expiryPage = 100

// AnnounceExpiries records, once per expiry, that each pending invitation whose expiry has
// passed expired: an audit entry invitation.expired, written with its event for webhooks.
// An invitation resent before it expired is announced at its new expiry instead; one
// accepted or revoked meanwhile never is. It goes on until nothing more is due or ctx ends,
// and answers how many it announced.
func (s *Service) AnnounceExpiries(ctx context.Context) (int, error) {
	announced := 0
	for ctx.Err() == nil {
		now := s.nowUTC()
		due, err := s.invitations.DueExpiries(ctx, now.Add(-expiryGrace), expiryPage)
		if err != nil {
			return announced, fmt.Errorf("read expired invitations: %w", err)
		}
		ended := 0
		for _, inv := range due {
			var a *AuditEntry
			if inv.StatusAt(now) == StatusExpired {
				p := Principal{OrgID: inv.OrgID, Actor: ExpiryActor, Source: SourceSystem}
				e := s.audit(p, now, ActionExpired, "invitation", inv.ID, map[string]string{"email": inv.Email})
				e.Subject = inv
				a = &e
			}
			switch err := s.invitations.EndExpiry(ctx, inv, a); {
			case err == nil:
				ended++
				if a != nil {
					announced++
				}
			case Refused(err, PartInvitation):
				// Resent, accepted, revoked or announced since the read: what is stored now is
				// indexed as it should be.
			default:
				return announced, fmt.Errorf("announce the expiry of invitation %s: %w", inv.ID, err)
			}
		}
		if len(due) < expiryPage || ended == 0 {
			// Everything due was seen, or the index still shows only what was just ended
			// (it is eventually consistent): the next pass takes the rest.
			return announced, nil
		}
	}
	return announced, ctx.Err()
}
