// Package idempotency describes how a repeated request with the same Idempotency-Key is
// answered: the first answer is kept for a day and replayed to the same caller, and the key
// may not be reused for a different request. Kept answers are sealed with a key only the
// caller holds, so secrets in them (new API tokens, accept links) are never stored readable.
package idempotency

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"
)

// TTL is how long a first answer is kept for replay.
const TTL = 24 * time.Hour

// ClaimTTL is how long a claim on a key lasts while its first request runs: longer than any
// request may take, short enough that a crashed request does not block its retries for long.
const ClaimTTL = 2 * time.Minute

// MaxKeyLength bounds an Idempotency-Key.
const MaxKeyLength = 255

// Record is what is kept of a request made with an idempotency key.
type Record struct {
	Fingerprint string // hash of the method, path and body of the first request
	Done        bool   // false while the first request is still being answered
	Status      int
	ContentType string
	Location    string
	Body        []byte // sealed: see Seal
	ExpiresAt   time.Time
	// ClaimID tells one claim from another: a store whose write of a claim was applied but
	// whose answer was lost finds its own claim on retrying and holds it.
	ClaimID string
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

// SealingKey derives the key that seals a caller's answers from the secret it authenticates
// with. The store keeps only the secret's hash, so it cannot derive the key itself.
func SealingKey(secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("gatehouse idempotency v1"))
	return mac.Sum(nil)
}

// Seal compresses an answer and encrypts it with AES-256-GCM under key.
func Seal(key, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("compress answer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress answer: %w", err)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never returns an error since Go 1.24
	return aead.Seal(nonce, nonce, buf.Bytes(), nil), nil
}

// ErrUnsealable means a kept answer cannot be opened with the caller's key.
var ErrUnsealable = errors.New("kept answer cannot be opened with this key")

// Open reverses Seal.
func Open(key, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, ErrUnsealable
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	if err != nil {
		return nil, ErrUnsealable
	}
	zr, err := gzip.NewReader(bytes.NewReader(plain))
	if err != nil {
		return nil, fmt.Errorf("decompress answer: %w", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompress answer: %w", err)
	}
	return body, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	return cipher.NewGCM(block)
}
