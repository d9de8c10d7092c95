package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
)

// IdempotencyStore keeps idempotency records in the same table, under the organization,
// expiring through the table's TTL. It implements idempotency.Store.
type IdempotencyStore struct{ *Store }

var _ idempotency.Store = IdempotencyStore{}

// Idempotency returns the store's idempotency records.
func (s *Store) Idempotency() IdempotencyStore { return IdempotencyStore{s} }

type idemItem struct {
	key
	Type        string `dynamodbav:"type"`
	Fingerprint string `dynamodbav:"fingerprint"`
	Done        bool   `dynamodbav:"done"`
	Status      int    `dynamodbav:"status,omitempty"`
	ContentType string `dynamodbav:"contentType,omitempty"`
	Location    string `dynamodbav:"location,omitempty"`
	Body        []byte `dynamodbav:"body,omitempty"` // gzip: bulk answers would not fit in an item otherwise
	ExpiresAt   string `dynamodbav:"expiresAt"`
	TTL         int64  `dynamodbav:"ttl"`
}

// idemKey hashes the client's key, so any characters it holds make a valid sort key.
func idemKey(scope, k string) (string, string) {
	sum := sha256.Sum256([]byte(k))
	return orgPK(scope), idemSK(hex.EncodeToString(sum[:]))
}

func toIdemItem(scope, k string, r idempotency.Record) (idemItem, error) {
	pk, sk := idemKey(scope, k)
	it := idemItem{
		key: key{PK: pk, SK: sk}, Type: typeIdempotency, Fingerprint: r.Fingerprint, Done: r.Done,
		Status: r.Status, ContentType: r.ContentType, Location: r.Location,
		ExpiresAt: fmtTime(r.ExpiresAt), TTL: r.ExpiresAt.Unix(),
	}
	if len(r.Body) > 0 {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(r.Body); err != nil {
			return idemItem{}, fmt.Errorf("compress answer: %w", err)
		}
		if err := zw.Close(); err != nil {
			return idemItem{}, fmt.Errorf("compress answer: %w", err)
		}
		it.Body = buf.Bytes()
	}
	return it, nil
}

func (it idemItem) domain() (idempotency.Record, error) {
	r := idempotency.Record{
		Fingerprint: it.Fingerprint, Done: it.Done, Status: it.Status, ContentType: it.ContentType,
		Location: it.Location, ExpiresAt: parseTime(it.ExpiresAt),
	}
	if len(it.Body) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(it.Body))
		if err != nil {
			return r, fmt.Errorf("decompress answer: %w", err)
		}
		if r.Body, err = io.ReadAll(zr); err != nil {
			return r, fmt.Errorf("decompress answer: %w", err)
		}
	}
	return r, nil
}

// Claim saves rec unless a live record holds the key, returning that record instead.
func (s IdempotencyStore) Claim(ctx context.Context, scope, k string, rec idempotency.Record, now time.Time) (idempotency.Record, bool, error) {
	it, err := toIdemItem(scope, k, rec)
	if err != nil {
		return idempotency.Record{}, false, err
	}
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
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: av, ConditionExpression: expr.Condition(),
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
	if err := s.get(ctx, it.PK, it.SK, &cur); err != nil {
		if errors.Is(err, org.ErrNotFound) {
			return idempotency.Record{}, false, fmt.Errorf("idempotency key released meanwhile: %w", org.ErrConflict)
		}
		return idempotency.Record{}, false, err
	}
	existing, err := cur.domain()
	return existing, false, err
}

// Complete stores the finished answer over the claim.
func (s IdempotencyStore) Complete(ctx context.Context, scope, k string, rec idempotency.Record) error {
	it, err := toIdemItem(scope, k, rec)
	if err != nil {
		return err
	}
	av, err := marshal(it)
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// Release deletes a claim so the same key can be used again.
func (s IdempotencyStore) Release(ctx context.Context, scope, k string) error {
	pk, sk := idemKey(scope, k)
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: keyOf(pk, sk)}); err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
