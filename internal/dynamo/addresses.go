package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// The kinds of holder an email marker points at.
const (
	holderInvitation = string(org.HolderInvitation)
	holderMember     = string(org.HolderMember)
)

// emailItem marks who holds an address in an organization: a live invitation (until
// ExpiresAt) or a member. Writing it conditionally is what keeps addresses unique.
type emailItem struct {
	key
	Type      string `dynamodbav:"type"`
	Holder    string `dynamodbav:"holder"`
	Ref       string `dynamodbav:"ref"`
	ExpiresAt string `dynamodbav:"expiresAt,omitempty"`
	Active    bool   `dynamodbav:"active,omitempty"`
}

func (it emailItem) domain() *org.Holder {
	return &org.Holder{Kind: org.HolderKind(it.Holder), ID: it.Ref, Active: it.Active, Until: parseTime(it.ExpiresAt)}
}

// memberEmailItem is the marker a member holds on its address.
func memberEmailItem(m org.Member) emailItem {
	return emailItem{
		key:    key{PK: orgPK(m.OrgID), SK: emailSK(m.Email)},
		Type:   typeEmail,
		Holder: holderMember,
		Ref:    m.ID,
		Active: m.Status == org.MemberActive,
	}
}

// heldByExpiredInvitation is the condition that an address marker points at an invitation
// that has expired at at, so the address is free to take.
func heldByExpiredInvitation(at time.Time) expression.ConditionBuilder {
	return expression.Name("holder").Equal(expression.Value(holderInvitation)).
		And(expression.Name("expiresAt").LessThanEqual(expression.Value(fmtTime(at))))
}

// Addresses reads the markers of holders and the send histories of sends, 100 keys per
// request, with strongly consistent reads.
func (s *Invitations) Addresses(ctx context.Context, orgID string, holders, sends []string) (map[string]org.Address, error) {
	p, err := s.read(ctx, orgID, false, org.Caller{}, holders, sends)
	return p.Addresses, err
}

// Prepare reads the organization with the markers of holders and the send histories of
// sends, in the same requests.
func (s *Invitations) Prepare(ctx context.Context, orgID string, holders, sends []string) (org.Org, map[string]org.Address, error) {
	p, err := s.read(ctx, orgID, true, org.Caller{}, holders, sends)
	return p.Org, p.Addresses, err
}

// PrepareAs reads what Prepare does and, in the same request, the caller c.
func (s *Invitations) PrepareAs(ctx context.Context, orgID string, c org.Caller, holders, sends []string) (org.Prepared, error) {
	return s.read(ctx, orgID, true, c, holders, sends)
}

// read reads what Addresses, Prepare and PrepareAs answer; the organization only when
// withOrg is set, and the caller's token and owner when c names them.
func (s *Invitations) read(ctx context.Context, orgID string, withOrg bool, c org.Caller, holders, sends []string) (org.Prepared, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(holders)+len(sends)+3)
	seen := make(map[string]bool, len(holders)+len(sends))
	if withOrg {
		keys = append(keys, keyOf(orgPK(orgID), skOrg))
	}
	if c.TokenHash != "" {
		keys = append(keys, keyOf(apiKeyPK(c.TokenHash), skAPIKey))
	}
	if c.OwnerID != "" {
		keys = append(keys, keyOf(orgPK(orgID), memberSK(c.OwnerID)))
	}
	for _, sk := range append(prefixed(prefixEmail, holders), prefixed(prefixSends, sends)...) {
		if !seen[sk] {
			seen[sk] = true
			keys = append(keys, keyOf(orgPK(orgID), sk))
		}
	}
	items, err := s.t.batchGet(ctx, keys)
	if err != nil {
		return org.Prepared{}, fmt.Errorf("read addresses: %w", err)
	}
	var p org.Prepared
	out := make(map[string]org.Address, len(items))
	for _, it := range items {
		sk, _ := it[attrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
			return org.Prepared{}, fmt.Errorf("read addresses: item without sort key")
		case sk.Value == skOrg:
			var oi orgItem
			if err := decodeItem(it, &oi); err != nil {
				return org.Prepared{}, err
			}
			p.Org = oi.domain()
		case sk.Value == skAPIKey:
			var ti tokenItem
			if err := decodeItem(it, &ti); err != nil {
				return org.Prepared{}, err
			}
			t := ti.domain()
			p.Token = &t
		case strings.HasPrefix(sk.Value, prefixMember):
			var mi memberItem
			if err := decodeItem(it, &mi); err != nil {
				return org.Prepared{}, err
			}
			m := mi.domain()
			p.Owner = &m
		case strings.HasPrefix(sk.Value, prefixEmail):
			var m emailItem
			if err := decodeItem(it, &m); err != nil {
				return org.Prepared{}, err
			}
			email := trimPrefix(m.SK, prefixEmail)
			a := out[email]
			a.Holder = m.domain()
			out[email] = a
		case strings.HasPrefix(sk.Value, prefixSends):
			var h sendsItem
			if err := decodeItem(it, &h); err != nil {
				return org.Prepared{}, err
			}
			email := trimPrefix(h.SK, prefixSends)
			a := out[email]
			a.Sends = h.domain()
			out[email] = a
		}
	}
	if withOrg && p.Org.ID == "" {
		return org.Prepared{}, fmt.Errorf("organization %s: %w", orgID, org.ErrNotFound)
	}
	p.Addresses = out
	return p, nil
}

// prefixed puts prefix before each of values.
func prefixed(prefix string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = prefix + v
	}
	return out
}
