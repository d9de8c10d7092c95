package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// RecordFeedback stores inv.Delivery (a bounce or complaint) with its audit entry, if the
// invitation's last email is still the one with messageID.
func (s *Store) RecordFeedback(ctx context.Context, inv org.Invitation, messageID string, audit org.AuditEntry) error {
	same := expression.Name("deliveryMessageId").Equal(expression.Value(messageID))
	upd, err := s.update(orgPK(inv.OrgID), invitationSK(inv.ID), deliveryUpdate(inv), same)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{upd, auditPut})
	switch {
	case failedAt(err, 0):
		return fmt.Errorf("invitation %s was sent again since: %w", inv.ID, org.ErrConflict)
	case failedAt(err, 1):
		return fmt.Errorf("feedback on %s recorded already: %w", messageID, org.ErrExists)
	}
	return err
}
