package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// actionsPerInvitation is the most that creating one invitation writes: the invitation, its
// email marker, its audit entry, its outbox entry and its address's sending history.
// DynamoDB allows 100 actions in one transaction.
const (
	actionsPerInvitation = 5
	invitationsPerTx     = 100 / actionsPerInvitation
)

// CreateInvitations writes invitations with their email markers, audit entries and, for those
// emailed, outbox entries and sending histories. It first reads the markers and histories of
// all addresses, then packs the invitations 20 to a transaction; a transaction whose
// conditions failed (a taken address, a racing writer) is retried without those invitations.
func (s *Store) CreateInvitations(ctx context.Context, invs []org.Invitation, audits []org.AuditEntry) []error {
	results := make([]error, len(invs))
	// One read (100 keys per request) of every address's marker and sending history, so
	// taken addresses cost no failed transaction and each email is counted against its limit.
	markers, sends, err := s.prefetch(ctx, invs)
	if err != nil {
		for i := range results {
			results[i] = err
		}
		return results
	}
	pending := make([]int, 0, len(invs))
	for i, inv := range invs {
		if m, ok := markers[inv.Email]; ok && m.blocks(inv.CreatedAt) {
			results[i] = m.existingError()
			continue
		}
		pending = append(pending, i)
	}
	for start := 0; start < len(pending); start += invitationsPerTx {
		chunk := pending[start:min(start+invitationsPerTx, len(pending))]
		s.createChunk(ctx, invs, audits, sends, chunk, results)
	}
	return results
}

// createChunk writes the invitations at indexes chunk in one transaction, setting results.
// Invitations whose conditions failed get the reason; the rest are written again without
// them. Any other failure is reported for every invitation of the chunk.
func (s *Store) createChunk(ctx context.Context, invs []org.Invitation, audits []org.AuditEntry, sends map[string]sendsItem, chunk []int, results []error) {
	for len(chunk) > 0 {
		actions := make([]types.TransactWriteItem, 0, len(chunk)*actionsPerInvitation)
		rowOf := make([]int, 0, len(chunk)*actionsPerInvitation) // action index -> invitation index
		for _, i := range chunk {
			acts, err := s.createActions(invs[i], audits[i], sends[invs[i].Email])
			if err != nil {
				results[i] = err
				continue
			}
			actions = append(actions, acts...)
			for range acts {
				rowOf = append(rowOf, i)
			}
		}
		if len(actions) == 0 {
			return
		}
		err := s.transact(ctx, actions)
		var f *transactionFailure
		if !errors.As(err, &f) || len(f.failed) == 0 {
			for _, i := range chunk {
				if results[i] == nil {
					results[i] = err
				}
			}
			return
		}
		failed := make(map[int]bool, len(f.failed))
		for _, a := range f.failed {
			failed[rowOf[a]] = true
		}
		retry := chunk[:0:0]
		for _, i := range chunk {
			switch {
			case failed[i]:
				results[i] = s.whyTaken(ctx, invs[i])
			case results[i] == nil:
				retry = append(retry, i)
			}
		}
		chunk = retry
	}
}

// createActions are the writes that create one invitation (and queue its email).
func (s *Store) createActions(inv org.Invitation, audit org.AuditEntry, history sendsItem) ([]types.TransactWriteItem, error) {
	invPut, err := s.putNew(toInvitationItem(inv))
	if err != nil {
		return nil, err
	}
	markerPut, err := s.holdAddress(inv, expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return nil, err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return nil, err
	}
	actions := []types.TransactWriteItem{invPut, markerPut, auditPut}
	if inv.SendEmail {
		queue, err := s.queueEmail(inv)
		if err != nil {
			return nil, err
		}
		sent, err := s.recordSend(inv, history, inv.CreatedAt)
		if err != nil {
			return nil, err
		}
		actions = append(actions, queue, sent)
	}
	return actions, nil
}

// holdAddress is the Put of the email marker that makes inv the holder of its address, on
// condition that the address is free, held by an invitation that has expired at
// inv.UpdatedAt, or (with extra) whatever else the caller allows.
func (s *Store) holdAddress(inv org.Invitation, extra expression.ConditionBuilder) (types.TransactWriteItem, error) {
	marker := emailItem{
		key:       key{PK: orgPK(inv.OrgID), SK: emailSK(inv.Email)},
		Type:      typeEmail,
		Holder:    holderInvitation,
		Ref:       inv.ID,
		ExpiresAt: fmtTime(inv.ExpiresAt),
	}
	expired := expression.Name("holder").Equal(expression.Value(holderInvitation)).
		And(expression.Name("expiresAt").LessThanEqual(expression.Value(fmtTime(inv.UpdatedAt))))
	cond := extra.Or(expired)
	return s.put(marker, &cond)
}

// whyTaken reads the marker of inv's address to say who holds it.
func (s *Store) whyTaken(ctx context.Context, inv org.Invitation) error {
	held, err := s.EmailHolder(ctx, inv.OrgID, inv.Email)
	if errors.Is(err, org.ErrNotFound) {
		return fmt.Errorf("address %s released during write: %w", inv.Email, org.ErrConflict)
	}
	if err != nil {
		return err
	}
	return held
}

// prefetch reads the markers and sending histories of the invitations' addresses, 100 keys
// per request.
func (s *Store) prefetch(ctx context.Context, invs []org.Invitation) (map[string]emailItem, map[string]sendsItem, error) {
	keys := make([]map[string]types.AttributeValue, 0, 2*len(invs))
	seen := make(map[string]bool, len(invs))
	for _, inv := range invs {
		if seen[inv.Email] {
			continue
		}
		seen[inv.Email] = true
		keys = append(keys, keyOf(orgPK(inv.OrgID), emailSK(inv.Email)))
		if inv.SendEmail {
			keys = append(keys, keyOf(orgPK(inv.OrgID), sendsSK(inv.Email)))
		}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, nil, fmt.Errorf("read email markers: %w", err)
	}
	markers := make(map[string]emailItem, len(items))
	sends := make(map[string]sendsItem)
	for _, it := range items {
		sk, _ := it[attrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
			return nil, nil, fmt.Errorf("read email markers: item without sort key")
		case strings.HasPrefix(sk.Value, prefixEmail):
			var m emailItem
			if err := decodeItem(it, &m); err != nil {
				return nil, nil, err
			}
			markers[trimPrefix(m.SK, prefixEmail)] = m
		case strings.HasPrefix(sk.Value, prefixSends):
			var h sendsItem
			if err := decodeItem(it, &h); err != nil {
				return nil, nil, err
			}
			sends[trimPrefix(h.SK, prefixSends)] = h
		}
	}
	return markers, sends, nil
}
