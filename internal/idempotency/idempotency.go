// Package idempotency describes how a repeated request with the same Idempotency-Key is
// answered: the first answer is kept for a day and replayed, and the key may not be reused
// for a different request.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// TTL is how long a first answer is kept for replay.
const TTL = 24 * time.Hour

// MaxKeyLength bounds an Idempotency-Key.
const MaxKeyLength = 255

// Record is what is kept of a request made with an idempotency key.
type Record struct {
	Fingerprint string // hash of the method, path and body of the first request
	Done        bool   // false while the first request is still being answered
	Status      int
	ContentType string
	Location    string
	Body        []byte
	ExpiresAt   time.Time
}

// Store keeps records by scope (the organization) and key.
type Store interface {
	// Claim saves rec for key unless a live record exists; it returns the existing record
	// and false when one does.
	Claim(ctx context.Context, scope, key string, rec Record, now time.Time) (Record, bool, error)
	// Complete replaces the claim with the finished answer.
	Complete(ctx context.Context, scope, key string, rec Record) error
	// Release drops a claim whose request failed, so the client may retry with the same key.
	Release(ctx context.Context, scope, key string) error
}

// Fingerprint identifies a request: the same key with another fingerprint is a misuse.
func Fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
