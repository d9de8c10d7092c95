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
	keys := make([]map[string]types.AttributeValue, 0, len(holders)+len(sends))
	seen := make(map[string]bool, len(holders)+len(sends))
	for _, sk := range append(prefixed(prefixEmail, holders), prefixed(prefixSends, sends)...) {
		if !seen[sk] {
			seen[sk] = true
			keys = append(keys, keyOf(orgPK(orgID), sk))
		}
	}
	items, err := s.t.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read addresses: %w", err)
	}
	out := make(map[string]org.Address, len(items))
	for _, it := range items {
		sk, _ := it[attrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
			return nil, fmt.Errorf("read addresses: item without sort key")
		case strings.HasPrefix(sk.Value, prefixEmail):
			var m emailItem
			if err := decodeItem(it, &m); err != nil {
				return nil, err
			}
			email := trimPrefix(m.SK, prefixEmail)
			a := out[email]
			a.Holder = m.domain()
			out[email] = a
		case strings.HasPrefix(sk.Value, prefixSends):
			var h sendsItem
			if err := decodeItem(it, &h); err != nil {
				return nil, err
			}
			email := trimPrefix(h.SK, prefixSends)
			a := out[email]
			a.Sends = h.domain()
			out[email] = a
		}
	}
	return out, nil
}

// prefixed puts prefix before each of values.
func prefixed(prefix string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = prefix + v
	}
	return out
}
