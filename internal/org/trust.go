package org

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// An invitation through the API reads the caller's token, then the organization and the
// address, then writes: against DynamoDB, three round trips. The second read's keys are
// known before the first only to a process that saw the same token a moment ago: its
// organization and the member it acts for. Such a process reads the token with everything
// else, in one request, and decides on what that read found exactly as the three would
// have. What it remembers only says what to read; nothing is decided on it, so a token
// deleted a moment ago, or an owner deactivated or demoted, is refused as if nothing were
// remembered. And the write is the same transaction, touching no item another caller's
// write touches.

// seen is what this process remembers of a token: which keys to read with it.
type seen struct {
	orgID, ownerID string
	at             time.Time
}

// seenTokens remembers, for a short while and for a bounded number of tokens, what each
// token's requests read.
type seenTokens struct {
	mu sync.Mutex
	m  map[string]seen // by the hash of the secret
}

const (
	// seenFor is how long a token's keys are remembered. Correctness never depends on it
	// (what they name is read); it bounds how long a process keeps what it no longer needs.
	seenFor = 5 * time.Minute
	// maxSeen bounds the tokens a process remembers; past it, it forgets them all.
	maxSeen = 4096
)

func (t *seenTokens) get(hash string, now time.Time) (seen, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.m[hash]
	if !ok || now.Sub(s.at) >= seenFor || now.Before(s.at) {
		return seen{}, false
	}
	return s, true
}

func (t *seenTokens) put(hash string, s seen) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, known := t.m[hash]; !known && (t.m == nil || len(t.m) >= maxSeen) {
		t.m = make(map[string]seen)
	}
	t.m[hash] = s
}

func (t *seenTokens) forget(hash string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, hash)
}

// unproven is the token a principal of AuthenticateToInvite comes with, not yet read.
type unproven struct {
	hash string
	seen seen
}

// AuthenticateToInvite is Authenticate for a request that does nothing but invite one
// person (Invite). A token this process authenticated in the last few minutes is not read
// now but with what the invitation reads, in the same request; the principal returned is
// then unproven, and only Invite and Verify may be given it.
func (s *Service) AuthenticateToInvite(ctx context.Context, secret string, source Source) (Principal, error) {
	if !LooksLikeAPIToken(secret) {
		return Principal{}, ErrUnauthenticated
	}
	hash := HashSecret(secret)
	seen, ok := s.seen.get(hash, s.nowUTC())
	if !ok {
		return s.Authenticate(ctx, secret, source)
	}
	return Principal{OrgID: seen.orgID, Source: source, unproven: &unproven{hash: hash, seen: seen}}, nil
}

// Verify reads the token of a principal of AuthenticateToInvite, as Authenticate does,
// and returns the principal it acts as. A principal of Authenticate is returned as it is.
func (s *Service) Verify(ctx context.Context, p Principal) (Principal, error) {
	if p.unproven == nil {
		return p, nil
	}
	t, err := s.tokens.TokenByHash(ctx, p.unproven.hash)
	if errors.Is(err, ErrNotFound) {
		s.seen.forget(p.unproven.hash)
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	q, err := s.principalOf(ctx, t, p.Source)
	if err != nil {
		return Principal{}, err
	}
	q.Via, q.Announce = p.Via, p.Announce
	return q, nil
}

// inviteUnproven invites as p, whose token is read with the organization and the address
// (PrepareAs), and decides exactly as Invite does for a principal of Authenticate.
func (s *Service) inviteUnproven(ctx context.Context, p Principal, req InviteRequest) (Created, error) {
	in, err := req.validate()
	if err != nil {
		// Told only to a caller whose token holds, as it is without AuthenticateToInvite.
		if _, verr := s.Verify(ctx, p); verr != nil {
			return Created{}, verr
		}
		return Created{}, err
	}
	u := p.unproven
	var emailed []string
	if in.sendEmail {
		emailed = []string{in.email}
	}
	read, err := s.invitations.PrepareAs(ctx, u.seen.orgID, Caller{TokenHash: u.hash, OwnerID: u.seen.ownerID}, []string{in.email}, emailed)
	if errors.Is(err, ErrNotFound) || (err == nil && (read.Token == nil || read.Token.OrgID != u.seen.orgID || read.Token.OwnerID != u.seen.ownerID)) {
		// Gone, or not the token remembered: decided from a read of the token alone.
		s.seen.forget(u.hash)
		q, verr := s.Verify(ctx, p)
		if verr != nil {
			return Created{}, verr
		}
		return s.Invite(ctx, q, req)
	}
	if err != nil {
		// Refusals first, from a read of the token alone, as where it is read before the
		// rest; then the failure to read the rest.
		q, verr := s.Verify(ctx, p)
		if verr != nil {
			return Created{}, verr
		}
		if rerr := q.mayInvite(in); rerr != nil {
			return Created{}, rerr
		}
		return Created{}, fmt.Errorf("invite: %w", err)
	}
	q, err := s.principalRead(ctx, *read.Token, read.Owner, p.Source)
	if err != nil {
		s.seen.forget(u.hash)
		return Created{}, err
	}
	q.Via, q.Announce = p.Via, p.Announce
	if err := q.mayInvite(in); err != nil {
		return Created{}, err
	}
	inv, a, token := s.newInvitation(q, in, s.nowUTC())
	if err := s.decide(ctx, q.OrgID, read.Org, read.Addresses, []Invitation{inv}, []AuditEntry{a})[0]; err != nil {
		return Created{}, fmt.Errorf("invite %s: %w", inv.ID, err)
	}
	s.countCreated(ctx, q, false, 1)
	return Created{Invitation: inv, Token: token}, nil
}
