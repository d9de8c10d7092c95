package org

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// An invitation through the API needs three things read before it is written: the caller's
// token, the organization (its allowed domains) and the address (who holds it, how often it
// was emailed). Against DynamoDB each read is a round trip as long as the write. A process that
// served the same caller a moment ago already knows the first two, and a fresh address has
// nothing to read. So Invite may take them on trust, writing once with a Guard: the write is
// refused unless the token still exists, its owner is still active in the same role, the
// organization is unchanged and the address is free with no send history. A refused write is
// decided again from what is read then, exactly as without trust. Nothing is ever allowed on
// trust that a read would have refused: a token deleted a moment ago fails the write.

// Guard is what a write takes on trust from an earlier request instead of reading it now: the
// write is refused, naming the part, unless each that is set still holds.
type Guard struct {
	// Token: the API token still exists with its role (PartToken).
	Token *APIToken
	// Owner: the member the token acts for is still active with this role (PartMember).
	Owner *Member
	// Org: the organization has not been updated since this (PartOrg).
	Org *Org
}

// trusted is what this process learned when it last authenticated a token: the token and,
// when it acts for a member, that member.
type trusted struct {
	token APIToken
	owner *Member
	at    time.Time
}

// trust holds what Invite may take on trust, for a short while and for a bounded number of
// tokens and organizations.
type trust struct {
	mu     sync.Mutex
	tokens map[string]trusted // by the hash of the secret
	orgs   map[string]Org     // by id
}

const (
	// trustFor is how long a token is taken on trust before it is read again. Correctness
	// never depends on it (the write proves what it trusts); it bounds how long a process
	// keeps what it no longer needs.
	trustFor = 5 * time.Minute
	// maxTrusted bounds the tokens and organizations a process remembers; past it, it
	// forgets them all and learns again.
	maxTrusted = 1024
)

func (t *trust) token(hash string, now time.Time) (trusted, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.tokens[hash]
	if !ok || now.Sub(g.at) >= trustFor || now.Before(g.at) {
		return trusted{}, false
	}
	return g, true
}

func (t *trust) rememberToken(g trusted) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens == nil || len(t.tokens) >= maxTrusted {
		t.tokens = make(map[string]trusted)
	}
	t.tokens[g.token.Hash] = g
}

func (t *trust) org(id string) (Org, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.orgs[id]
	return o, ok
}

// rememberOrg keeps o unless a later version of it is already kept.
func (t *trust) rememberOrg(o Org) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.orgs == nil || len(t.orgs) >= maxTrusted {
		t.orgs = make(map[string]Org)
	}
	if kept, ok := t.orgs[o.ID]; ok && kept.UpdatedAt.After(o.UpdatedAt) {
		return
	}
	t.orgs[o.ID] = o
}

// forget drops what a refused write showed to be out of date.
func (t *trust) forget(err error, hash, orgID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if Refused(err, PartToken) || Refused(err, PartMember) {
		delete(t.tokens, hash)
	}
	if Refused(err, PartOrg) {
		delete(t.orgs, orgID)
	}
}

// AuthenticateToInvite is Authenticate for a request that does nothing but invite one person
// (Invite): a token this process authenticated in the last few minutes is taken on trust,
// unread, and the invitation's write proves it. Any other use of the principal it returns
// would trust the token unproven: call it for nothing else.
func (s *Service) AuthenticateToInvite(ctx context.Context, secret string, source Source) (Principal, error) {
	if !LooksLikeAPIToken(secret) {
		return Principal{}, ErrUnauthenticated
	}
	now := s.nowUTC()
	g, ok := s.trust.token(HashSecret(secret), now)
	if !ok || g.token.ExpiredAt(now) {
		return s.Authenticate(ctx, secret, source)
	}
	p := principalFor(g.token, source)
	if g.owner != nil && g.owner.Role.rank() < p.Role.rank() {
		p.Role = g.owner.Role
	}
	p.trusted = &g
	s.touch(ctx, g.token, now)
	return p, nil
}

// inviteOnTrust writes w in one request, trusting p's token and the organization as this
// process last saw them and the address to be free and never emailed. It reports whether it
// settled the invitation (err is then its outcome); false when the write was refused, or
// there was nothing to trust, and the invitation must be decided from what is read.
func (s *Service) inviteOnTrust(ctx context.Context, p Principal, inv Invitation, a AuditEntry) (bool, error) {
	o, ok := s.trust.org(p.OrgID)
	if !ok || checkDomain(o, inv.Email) != nil {
		return false, nil
	}
	w := NewInvitation{Invitation: inv, Audit: a}
	if inv.SendEmail {
		sends, err := AllowSend(inv.Email, SendHistory{}, inv.CreatedAt)
		if err != nil {
			return false, nil
		}
		w.Email = &QueuedEmail{Due: inv.UpdatedAt, Sends: sends}
	}
	g := p.trusted
	err := s.invitations.CreateInvitationIf(ctx, w, Guard{Token: &g.token, Owner: g.owner, Org: &o})
	if isRefused(err) {
		s.trust.forget(err, g.token.Hash, p.OrgID)
		return false, nil
	}
	return true, err
}

// verify reads p's token again, as Authenticate does, when p was taken on trust.
func (s *Service) verify(ctx context.Context, p Principal) (Principal, error) {
	if p.trusted == nil {
		return p, nil
	}
	t, err := s.tokens.TokenByHash(ctx, p.trusted.token.Hash)
	if errors.Is(err, ErrNotFound) {
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
