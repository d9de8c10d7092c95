package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// Invitations keeps invitations and the markers that hold their addresses. It implements
// org.InvitationStore.
type Invitations struct{ t *table }

var _ org.InvitationStore = (*Invitations)(nil)

// maxTxActions is the most actions DynamoDB allows in one transaction.
const maxTxActions = 100

// actionsOf is how many writes createInvitation makes for w: the invitation, its address
// marker, its audit entry and each of the entry's events, and, when it is emailed, its
// outbox entry and its address's send history. Six for most; seven when it also announces
// a SCIM provisioning.
func actionsOf(w org.NewInvitation) int {
	n := 3
	if hooks.EventType(w.Audit) != "" {
		n++
	}
	if hooks.SCIMEventType(w.Audit) != "" {
		n++
	}
	if w.Email != nil {
		n += 2
	}
	return n
}

// CreateInvitations writes the invitations as many to a transaction as fit in its 100
// actions (16 of six writes each). A transaction whose conditions failed is written again
// without the invitations whose conditions failed, which get a *org.ConflictError naming
// their failed parts; any other failure is reported for every invitation of its
// transaction.
//
// Chunks are written writeWorkers at a time: their invitations have distinct addresses (the
// domain passes each address once), so no two chunks write one item, and each row's result
// is its own.
func (s *Invitations) CreateInvitations(ctx context.Context, invs []org.NewInvitation) []error {
	results := make([]error, len(invs))
	var wg sync.WaitGroup
	slots := make(chan struct{}, writeWorkers)
	for start := 0; start < len(invs); {
		var rows []int
		for actions := 0; start < len(invs); start++ {
			n := actionsOf(invs[start])
			if len(rows) > 0 && actions+n > maxTxActions {
				break
			}
			actions += n
			rows = append(rows, start) // at least one, so that the loop always moves on
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			s.createChunk(ctx, invs, rows, results)
		})
	}
	wg.Wait()
	return results
}

// writeWorkers bounds the transactions one bulk write has in flight: against DynamoDB's
// round trips, eight at once make 50 chunks about as fast as a BatchWriteItem of their items.
const writeWorkers = 8

// createChunk writes the invitations at rows in one transaction, setting their results.
func (s *Invitations) createChunk(ctx context.Context, invs []org.NewInvitation, rows []int, results []error) {
	for len(rows) > 0 {
		x := s.t.newTx()
		for _, i := range rows {
			createInvitation(x.forRow(i), invs[i])
		}
		err := x.commit(ctx)
		if errors.Is(err, org.ErrOutcomeUnknown) {
			err = s.settleChunk(ctx, invs[rows[0]].Invitation, err)
		}
		var f *txFailure
		if !errors.As(err, &f) || len(f.failed) == 0 {
			for _, i := range rows {
				results[i] = err
			}
			return
		}
		failed := f.rows()
		retry := rows[:0:0]
		for _, i := range rows {
			if failed[i] {
				results[i] = f.forRowOnly(i)
			} else {
				retry = append(retry, i)
			}
		}
		rows = retry
	}
}

// settleChunk learns whether a chunk whose transaction's outcome is unknown was written, by
// reading back its first invitation (the chunk is atomic): nil when it was, err when the
// read cannot tell, and an error wrapping org.ErrUnavailable alone (not written; sending it
// again is safe) when it was not.
func (s *Invitations) settleChunk(ctx context.Context, first org.Invitation, err error) error {
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleFor)
	defer cancel()
	var it invitationItem
	switch rerr := s.t.get(readCtx, orgPK(first.OrgID), invitationSK(first.ID), &it); {
	case rerr == nil:
		return nil
	case errors.Is(rerr, org.ErrNotFound) && !errors.As(err, new(*types.TransactionInProgressException)):
		return fmt.Errorf("invitations not written: %w", org.ErrUnavailable)
	}
	// Unreadable, or an earlier try was still being applied and may yet land: unknown.
	return err
}

// createInvitation adds the writes that create one invitation (and queue its email) to x.
func createInvitation(x *tx, w org.NewInvitation) {
	inv := w.Invitation
	it := toInvitationItem(inv)
	if inv.Status == org.StatusPending {
		it.Queue, it.Due = expiryQueue(inv.ID), it.ExpiresAt
	}
	x.putNew(org.PartInvitation, it)
	holdAddress(x, inv, notExists())
	w.Audit.Subject = inv
	x.audit(w.Audit)
	if w.Email != nil {
		queueEmail(x, inv, w.Email)
	}
}

// holdAddress adds to x the Put of the marker that makes inv the holder of its address, on
// condition that the address is free (or whatever else extra allows) or held by an
// invitation that has expired at inv.UpdatedAt.
func holdAddress(x *tx, inv org.Invitation, extra expression.ConditionBuilder) {
	marker := emailItem{
		key:       key{PK: orgPK(inv.OrgID), SK: emailSK(inv.Email)},
		Type:      typeEmail,
		Holder:    holderInvitation,
		Ref:       inv.ID,
		ExpiresAt: fmtTime(inv.ExpiresAt),
	}
	cond := extra.Or(heldByExpiredInvitation(inv.UpdatedAt))
	x.put(org.PartAddress, marker, &cond)
}

// GetInvitation reads one invitation.
func (s *Invitations) GetInvitation(ctx context.Context, orgID, id string) (org.Invitation, error) {
	var it invitationItem
	if err := s.t.get(ctx, orgPK(orgID), invitationSK(id), &it); err != nil {
		return org.Invitation{}, err
	}
	return it.domain(), nil
}

// statusIs is the condition that the invitation's stored status is status.
func statusIs(status org.InvitationStatus) expression.ConditionBuilder {
	return expression.Name("status").Equal(expression.Value(string(status)))
}

// heldBy is the condition that an address marker points at holder ref of kind.
func heldBy(kind, ref string) expression.ConditionBuilder {
	return expression.Name("holder").Equal(expression.Value(kind)).And(expression.Name("ref").Equal(expression.Value(ref)))
}

// RevokeInvitation marks a pending invitation revoked and releases its address if it still
// holds it. The marker is read first, since a transaction cannot delete an item only if it
// matches; a marker that changes between the read and the write is read again.
func (s *Invitations) RevokeInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	upd := expression.Set(expression.Name("status"), expression.Value(string(inv.Status))).
		Set(expression.Name("revokedAt"), expression.Value(fmtTime(inv.RevokedAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt)))
	upd = notDue(upd)
	pk := orgPK(inv.OrgID)
	for range 3 {
		var m emailItem
		if err := s.t.get(ctx, pk, emailSK(inv.Email), &m); err != nil && !errors.Is(err, org.ErrNotFound) {
			return err
		}
		x := s.t.newTx().update(org.PartInvitation, pk, invitationSK(inv.ID), upd, statusIs(org.StatusPending))
		if m.Ref == inv.ID {
			x.del(org.PartAddress, pk, emailSK(inv.Email), heldBy(holderInvitation, inv.ID))
		}
		audit.Subject = inv
		err := x.audit(audit).commit(ctx)
		if !refused(err, org.PartAddress) || refused(err, org.PartInvitation) {
			return err
		}
		// The marker changed between the read and the write: look again.
	}
	return fmt.Errorf("invitation %s: address marker keeps changing: %w", inv.ID, org.ErrConflict)
}

// ResendInvitation stores the new expiry, link and delivery of a pending invitation whose
// link is still r.PrevTokenHash, makes it hold its address again and, when r.Email is set,
// queues its email.
func (s *Invitations) ResendInvitation(ctx context.Context, r org.Resend) error {
	inv := r.Invitation
	upd := expression.Set(expression.Name("expiresAt"), expression.Value(fmtTime(inv.ExpiresAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt))).
		Set(expression.Name("tokenHash"), expression.Value(inv.TokenHash)).
		Set(expression.Name("queue"), expression.Value(expiryQueue(inv.ID))).
		Set(expression.Name("due"), expression.Value(fmtTime(inv.ExpiresAt)))
	upd = setDelivery(upd, inv.Delivery)
	// The old link must still be current, so two racing resends cannot both win.
	unchanged := expression.AttributeNotExists(expression.Name("tokenHash")).
		Or(expression.Name("tokenHash").Equal(expression.Value(r.PrevTokenHash)))
	if r.PrevTokenHash != "" {
		unchanged = expression.Name("tokenHash").Equal(expression.Value(r.PrevTokenHash))
	}
	x := s.t.newTx().update(org.PartInvitation, orgPK(inv.OrgID), invitationSK(inv.ID), upd, statusIs(org.StatusPending).And(unchanged))
	holdAddress(x, inv, notExists().Or(expression.Name("ref").Equal(expression.Value(inv.ID))))
	r.Audit.Subject = inv
	x.audit(r.Audit)
	if r.Email != nil {
		queueEmail(x, inv, r.Email)
	}
	return x.commit(ctx)
}

// AcceptInvitation turns a pending, unexpired invitation into member m: the invitation is
// marked accepted, the member written, the address handed from invitation to member, and the
// count of active admins raised for an admin.
func (s *Invitations) AcceptInvitation(ctx context.Context, inv org.Invitation, m org.Member, audit org.AuditEntry) error {
	pk := orgPK(inv.OrgID)
	upd := expression.Set(expression.Name("status"), expression.Value(string(inv.Status))).
		Set(expression.Name("acceptedAt"), expression.Value(fmtTime(inv.AcceptedAt))).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt))).
		Set(expression.Name("memberId"), expression.Value(inv.MemberID))
	upd = notDue(upd)
	cond := statusIs(org.StatusPending).
		And(expression.Name("tokenHash").Equal(expression.Value(inv.TokenHash))).
		And(expression.Name("expiresAt").GreaterThan(expression.Value(fmtTime(inv.AcceptedAt))))
	held := heldBy(holderInvitation, inv.ID)
	x := s.t.newTx().
		update(org.PartInvitation, pk, invitationSK(inv.ID), upd, cond).
		putNew(org.PartMember, toMemberItem(m)).
		put(org.PartAddress, memberEmailItem(m), &held)
	if m.IsActiveAdmin() {
		countAdmins(x, inv.OrgID, +1)
	}
	audit.Subject = inv
	return x.audit(audit).commit(ctx)
}

// RenameInvitation stores a pending invitation's name, external id and role.
func (s *Invitations) RenameInvitation(ctx context.Context, inv org.Invitation, audit org.AuditEntry) error {
	audit.Subject = inv
	upd := expression.Set(expression.Name("name"), expression.Value(inv.Name)).
		Set(expression.Name("searchName"), expression.Value(org.Fold(inv.Name))).
		Set(expression.Name("role"), expression.Value(string(inv.Role))).
		Set(expression.Name("externalId"), expression.Value(inv.ExternalID)).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(inv.UpdatedAt)))
	return s.t.newTx().
		update(org.PartInvitation, orgPK(inv.OrgID), invitationSK(inv.ID), upd, statusIs(org.StatusPending)).
		audit(audit).commit(ctx)
}

// ListInvitations lists invitations newest first, filtered by status as seen at q.Now and by
// q.Search in their addresses (which are lower-case already) and folded names. Both
// attributes are on every invitation written since searches were added; DynamoDB finds one
// written before by its address only. (The embedded DynamoDB cannot hold one, as it keeps
// nothing across restarts, and its interpreter fails a whole filter that calls contains on a
// missing attribute, so the filter names no attribute an invitation may lack.)
func (s *Invitations) ListInvitations(ctx context.Context, orgID string, q org.InvitationQuery) (org.Page[org.Invitation], error) {
	now := expression.Value(fmtTime(q.Now))
	var filters []expression.ConditionBuilder
	switch q.Status {
	case "":
	case org.StatusPending:
		filters = append(filters, statusIs(org.StatusPending).And(expression.Name("expiresAt").GreaterThan(now)))
	case org.StatusExpired:
		filters = append(filters, statusIs(org.StatusPending).And(expression.Name("expiresAt").LessThanEqual(now)))
	default:
		filters = append(filters, statusIs(q.Status))
	}
	view := "status=" + string(q.Status)
	if q.Search != "" {
		folded := org.Fold(q.Search)
		filters = append(filters, expression.Contains(expression.Name("email"), folded).
			Or(expression.Contains(expression.Name("searchName"), folded)))
		view += "&q=" + q.Search
	}
	items, next, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: prefixInvitation, filter: allOf(filters), view: view, page: q.PageRequest})
	if err != nil {
		return org.Page[org.Invitation]{}, err
	}
	return decodePage(items, next, invitationItem.domain)
}

// notDue adds to upd what takes an invitation out of the expiry index.
func notDue(upd expression.UpdateBuilder) expression.UpdateBuilder {
	return upd.Remove(expression.Name("queue")).Remove(expression.Name("due"))
}

// DueExpiries lists up to limit pending invitations whose expiry, at or before now, has not
// been announced, reading the expiry partitions of the outbox index one after another.
func (s *Invitations) DueExpiries(ctx context.Context, now time.Time, limit int) ([]org.Invitation, error) {
	var out []org.Invitation
	for shard := 0; shard < expiryShards && len(out) < limit; shard++ {
		items, err := s.t.due(ctx, expiriesQueue+strconv.Itoa(shard), now, limit-len(out))
		if err != nil {
			return nil, err
		}
		for _, raw := range items {
			var it invitationItem
			if err := decodeItem(raw, &it); err != nil {
				return nil, err
			}
			out = append(out, it.domain())
		}
	}
	return out, nil
}

// EndExpiry takes inv out of the expiry index if its status and expiry are still as read,
// writing audit (and its event) with it when there is one.
func (s *Invitations) EndExpiry(ctx context.Context, inv org.Invitation, audit *org.AuditEntry) error {
	cond := statusIs(inv.Status).
		And(expression.Name("expiresAt").Equal(expression.Value(fmtTime(inv.ExpiresAt)))).
		And(expression.AttributeExists(expression.Name("due")))
	x := s.t.newTx().update(org.PartInvitation, orgPK(inv.OrgID), invitationSK(inv.ID), notDue(expression.UpdateBuilder{}), cond)
	if audit != nil {
		x.audit(*audit)
	}
	return x.commit(ctx)
}
