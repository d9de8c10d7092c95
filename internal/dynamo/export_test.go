package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// SetQueryBounds shrinks the bounds on filtered list reads, so tests reach them with few items.
func SetQueryBounds(s *Store, pageSize, pages int) {
	s.t.filteredPageSize, s.t.maxQueryPages = pageSize, pages
}

// SeedMembers writes members straight into the table (with their email markers), 25 items
// per BatchWriteItem, for benchmarks that need a large organization fast. It skips the
// domain's rules: the members must be valid and their addresses distinct.
func SeedMembers(ctx context.Context, db *dynamodb.Client, table string, members []org.Member) error {
	items := make([]any, 0, 2*len(members))
	for _, m := range members {
		items = append(items, toMemberItem(m), memberEmailItem(m))
	}
	return seed(ctx, db, table, items)
}

// SeedInvitations writes pending invitations straight into the table, each with its email
// marker and an audit entry, as creating them would, 25 items per BatchWriteItem. It skips
// the domain's rules: the invitations must be valid and their addresses distinct.
func SeedInvitations(ctx context.Context, db *dynamodb.Client, table string, invs []org.Invitation) error {
	items := make([]any, 0, 3*len(invs))
	for _, inv := range invs {
		items = append(items, toInvitationItem(inv),
			emailItem{key: key{PK: orgPK(inv.OrgID), SK: emailSK(inv.Email)}, Type: typeEmail,
				Holder: holderInvitation, Ref: inv.ID, ExpiresAt: fmtTime(inv.ExpiresAt)},
			toAuditItem(org.AuditEntry{ID: "aud_" + inv.ID, OrgID: inv.OrgID, At: inv.CreatedAt, Action: org.ActionInvited,
				Actor: inv.InvitedBy, Source: inv.Source, TargetType: "invitation", TargetID: inv.ID}))
	}
	return seed(ctx, db, table, items)
}

// seed writes items with BatchWriteItem, 25 at a time, until none is left unprocessed.
func seed(ctx context.Context, db *dynamodb.Client, table string, items []any) error {
	for start := 0; start < len(items); start += 25 {
		reqs := make([]types.WriteRequest, 0, 25)
		for _, it := range items[start:min(start+25, len(items))] {
			av, err := marshal(it)
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
		}
		in := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}}
		for len(in.RequestItems) > 0 {
			out, err := db.BatchWriteItem(ctx, in)
			if err != nil {
				return fmt.Errorf("seed items: %w", err)
			}
			in.RequestItems = out.UnprocessedItems
		}
	}
	return nil
}

// SeedEndpoints writes webhook endpoints straight into the table, leaving the organization's
// count of them as it is: endpoints made before the store counted them, or behind its back.
func SeedEndpoints(ctx context.Context, db *dynamodb.Client, table string, endpoints []hooks.Endpoint) error {
	items := make([]any, 0, len(endpoints))
	for _, e := range endpoints {
		items = append(items, toEndpointItem(e))
	}
	return seed(ctx, db, table, items)
}

// HasEndpointCount reports whether orgID has a count of its webhook endpoints stored.
func HasEndpointCount(ctx context.Context, s *Store, orgID string) (bool, error) {
	var it endpointCountItem
	err := s.t.get(ctx, orgPK(orgID), skWebhookCount, &it)
	if errors.Is(err, org.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// InvitationActions is the number of writes CreateInvitations counts for w and the number
// createInvitation adds to a transaction for it.
func InvitationActions(s *Store, w org.NewInvitation) (counted, added int) {
	x := s.t.newTx()
	createInvitation(x, w)
	return actionsOf(w), len(x.actions)
}
