// Package seal encrypts an organization's identity-provider credentials for storage, under a
// KMS key in AWS or under a local key file in the local stack, in one envelope format.
package seal

import (
	"context"
	"errors"
	"fmt"
)

// Sealer encrypts an organization's secrets for storage and decrypts them again. A secret
// sealed for one organization opens only for that organization.
type Sealer interface {
	Seal(ctx context.Context, orgID string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, orgID string, sealed []byte) ([]byte, error)
}

// MaxPlaintext is the largest secret Seal accepts: a Google service account key is about
// 4 KiB, so this leaves ample room while keeping every sealed item small.
const MaxPlaintext = 64 << 10

// The closed set of errors Seal and Open return (wrapped, with context). None of them, nor
// any message around them, contains a secret or key material.
var (
	// ErrNoOrg refuses a call without an organization ID, which every secret is bound to.
	ErrNoOrg = errors.New("no organization ID")
	// ErrTooLarge refuses a secret over MaxPlaintext.
	ErrTooLarge = errors.New("secret is larger than 64 KiB")
	// ErrCorrupt means the sealed bytes are empty, truncated or not laid out as a sealed
	// secret is.
	ErrCorrupt = errors.New("sealed secret is malformed")
	// ErrUnknownVersion means the sealed bytes start with a format version this build does
	// not read.
	ErrUnknownVersion = errors.New("sealed secret has an unknown format version")
	// ErrWrongSealer means the secret was sealed by the other kind of sealer (KMS or the
	// local key) than the one opening it.
	ErrWrongSealer = errors.New("sealed secret was sealed by another kind of sealer")
	// ErrWrongOrg means the secret was sealed for another organization.
	ErrWrongOrg = errors.New("sealed secret belongs to another organization")
	// ErrWrongKey means the secret was sealed under another key: another local key file, or
	// another KMS key than the one configured.
	ErrWrongKey = errors.New("sealed secret was sealed under another key")
	// ErrTampered means the secret fails authentication: its ciphertext, nonce or wrapped
	// key was altered or damaged after it was sealed.
	ErrTampered = errors.New("sealed secret fails authentication")
	// ErrUnavailable means the key service was throttled, timed out or failed on its side:
	// the same call may succeed later, so callers answer 503.
	ErrUnavailable = errors.New("key service temporarily unavailable")
)

// errNotMade refuses a sealer declared as a zero value rather than made by its constructor.
var errNotMade = errors.New("the sealer was not made by NewKMS or NewLocal")

// keyring makes and recovers the per-secret data keys of one kind of sealer. The envelope
// around them is the same for every kind.
type keyring interface {
	// kind is the kind byte written into every secret this keyring seals.
	kind() kind
	// newDataKey returns a fresh AES-256 data key for orgID and the key wrapped for storage.
	newDataKey(ctx context.Context, orgID string) (key, wrapped []byte, err error)
	// dataKey unwraps a data key that newDataKey wrapped for orgID.
	dataKey(ctx context.Context, orgID string, wrapped []byte) ([]byte, error)
}

// seal seals plaintext for orgID with a data key from k.
func seal(ctx context.Context, k keyring, orgID string, plaintext []byte) (_ []byte, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("seal secret of organization %q: %w", orgID, err)
		}
	}()
	switch {
	case orgID == "":
		return nil, ErrNoOrg
	case len(plaintext) > MaxPlaintext:
		return nil, fmt.Errorf("%w: it has %d bytes", ErrTooLarge, len(plaintext))
	}
	key, wrapped, err := k.newDataKey(ctx, orgID)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if len(wrapped) == 0 || len(wrapped) > maxWrappedKey {
		return nil, fmt.Errorf("the wrapped data key has %d bytes, want 1 to %d", len(wrapped), maxWrappedKey)
	}
	return encrypt(key, header{version: version1, kind: k.kind(), org: orgTag(orgID), wrapped: wrapped}, orgID, plaintext)
}

// open opens sealed, which k must have sealed for orgID.
func open(ctx context.Context, k keyring, orgID string, sealed []byte) (_ []byte, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("open secret of organization %q: %w", orgID, err)
		}
	}()
	if orgID == "" {
		return nil, ErrNoOrg
	}
	h, nonce, ciphertext, err := parse(sealed)
	if err != nil {
		return nil, err
	}
	switch {
	case h.kind != k.kind():
		return nil, fmt.Errorf("%w: it was sealed with %s, this sealer uses %s", ErrWrongSealer, h.kind, k.kind())
	case h.org != orgTag(orgID):
		return nil, ErrWrongOrg
	}
	key, err := k.dataKey(ctx, orgID, h.wrapped)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	return decrypt(key, h, orgID, nonce, ciphertext)
}
