package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
)

// Idempotency keeps idempotency records in the same table, under the organization,
// expiring through the table's TTL. It implements idempotency.Store.
type Idempotency struct{ t *table }

var _ idempotency.Store = (*Idempotency)(nil)

type idemItem struct {
	key
	Type        string `dynamodbav:"type"`
	Fingerprint string `dynamodbav:"fingerprint"`
	Done        bool   `dynamodbav:"done"`
	Status      int    `dynamodbav:"status,omitempty"`
	ContentType string `dynamodbav:"contentType,omitempty"`
	Location    string `dynamodbav:"location,omitempty"`
	Body        []byte `dynamodbav:"body,omitempty"` // sealed by the caller: compressed and encrypted
	ExpiresAt   string `dynamodbav:"expiresAt"`
	TTL         int64  `dynamodbav:"ttl"`
	ClaimID     string `dynamodbav:"claimId,omitempty"`
}

// idemKey hashes the client's key, so any characters it holds make a valid sort key.
func idemKey(scope, k string) (string, string) {
	sum := sha256.Sum256([]byte(k))
	return orgPK(scope), idemSK(hex.EncodeToString(sum[:]))
}

func toIdemItem(scope, k string, r idempotency.Record) idemItem {
	pk, sk := idemKey(scope, k)
	return idemItem{
		key: key{PK: pk, SK: sk}, Type: typeIdempotency, Fingerprint: r.Fingerprint, Done: r.Done,
		Status: r.Status, ContentType: r.ContentType, Location: r.Location, Body: r.Body,
		ExpiresAt: fmtTime(r.ExpiresAt), TTL: r.ExpiresAt.Unix(), ClaimID: r.ClaimID,
	}
}

func (it idemItem) domain() idempotency.Record {
	return idempotency.Record{
		Fingerprint: it.Fingerprint, Done: it.Done, Status: it.Status, ContentType: it.ContentType,
		Location: it.Location, Body: it.Body, ExpiresAt: parseTime(it.ExpiresAt), ClaimID: it.ClaimID,
	}
}

// Claim saves rec unless a live record holds the key, returning that record instead.
//
// Each claim carries its own id, so a claim whose write was applied but whose answer was
// lost (the SDK then retries and meets its own record) is recognised as this caller's.
func (s *Idempotency) Claim(ctx context.Context, scope, k string, rec idempotency.Record, now time.Time) (idempotency.Record, bool, error) {
	if rec.ClaimID == "" {
		rec.ClaimID = newClientToken()
	}
	it := toIdemItem(scope, k, rec)
	av, err := marshal(it)
	if err != nil {
		return idempotency.Record{}, false, err
	}
	// TTL deletes lazily, so an expired record may still be there.
	cond := expression.AttributeNotExists(expression.Name(attrPK)).
		Or(expression.Name("expiresAt").LessThanEqual(expression.Value(fmtTime(now))))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return idempotency.Record{}, false, fmt.Errorf("build condition: %w", err)
	}
	_, err = s.t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.t.name, Item: av, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return rec, true, nil
	case !errors.As(err, &ccf):
		return idempotency.Record{}, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	var cur idemItem
	if err := s.t.get(ctx, it.PK, it.SK, &cur); err != nil {
		if errors.Is(err, org.ErrNotFound) {
			return idempotency.Record{}, false, fmt.Errorf("idempotency key released meanwhile: %w", org.ErrConflict)
		}
		return idempotency.Record{}, false, err
	}
	if !cur.Done && cur.ClaimID == rec.ClaimID {
		return rec, true, nil // our own claim, whose answer was lost
	}
	return cur.domain(), false, nil
}

// Complete stores the finished answer over the claim.
func (s *Idempotency) Complete(ctx context.Context, scope, k string, rec idempotency.Record) error {
	av, err := marshal(toIdemItem(scope, k, rec))
	if err != nil {
		return err
	}
	if _, err := s.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: av}); err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// Release deletes a claim so the same key can be used again.
func (s *Idempotency) Release(ctx context.Context, scope, k string) error {
	pk, sk := idemKey(scope, k)
	if _, err := s.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.t.name, Key: keyOf(pk, sk)}); err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
