package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// sendsItem remembers when invitation emails to one address of an organization were queued
// within the last org.EmailWindow, so no address is flooded whatever invitation they came
// from. Version makes every update conditional on the history read.
type sendsItem struct {
	key
	Type    string   `dynamodbav:"type"`
	Times   []string `dynamodbav:"times"`
	Version int      `dynamodbav:"version"`
	TTL     int64    `dynamodbav:"ttl"`
}

// recordSend is the conditional write adding a send at now to prev, the history read for
// inv's address (zero when there was none), or a *org.RateLimitError when the address has had
// its share of emails.
func (s *Store) recordSend(inv org.Invitation, prev sendsItem, now time.Time) (types.TransactWriteItem, error) {
	cutoff := fmtTime(now.Add(-org.EmailWindow))
	var kept []string
	for _, t := range prev.Times {
		if t > cutoff {
			kept = append(kept, t)
		}
	}
	if len(kept) >= org.MaxEmailsPerAddress {
		wait := parseTime(kept[0]).Add(org.EmailWindow).Sub(now)
		return types.TransactWriteItem{}, &org.RateLimitError{RetryAfter: wait,
			Reason: fmt.Sprintf("%s has been sent %d invitation emails in the last 24 hours; try again later", inv.Email, len(kept))}
	}
	next := sendsItem{
		key:  key{PK: orgPK(inv.OrgID), SK: sendsSK(inv.Email)},
		Type: typeSends, Times: append(kept, fmtTime(now)), Version: prev.Version + 1,
		TTL: now.Add(org.EmailWindow).Unix(),
	}
	cond := expression.Name("version").Equal(expression.Value(prev.Version))
	if prev.Version == 0 {
		cond = expression.AttributeNotExists(expression.Name(attrPK))
	}
	return s.put(next, &cond)
}

// sendHistory reads the sending history of one address; zero when there is none.
func (s *Store) sendHistory(ctx context.Context, orgID, email string) (sendsItem, error) {
	var it sendsItem
	err := s.get(ctx, orgPK(orgID), sendsSK(email), &it)
	if errors.Is(err, org.ErrNotFound) {
		return sendsItem{}, nil
	}
	return it, err
}
