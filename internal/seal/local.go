package seal

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// KeySize is the size of a local key in bytes.
const KeySize = 32

// The local keyring's wrapped data key is the local key's ID, a nonce and the data key under
// AES-256-GCM.
const (
	keyIDSize        = 8
	localWrappedSize = keyIDSize + nonceSize + dataKeySize + tagSize
)

// Local seals secrets under a local key, for the local stack, which has no KMS: each secret
// gets a random data key, wrapped with AES-256-GCM under the local key, in the same envelope
// as KMS's. Two keys are derived from the local key with HKDF-SHA256, one to wrap data keys
// and one to name the key in each secret, so that a secret sealed under another key file is
// told apart from a tampered one. It is safe for concurrent use.
type Local struct {
	id   [keyIDSize]byte
	wrap cipher.AEAD
}

var _ Sealer = (*Local)(nil)

// NewLocal returns a sealer using key, which must be KeySize random bytes (LoadOrCreateKey
// keeps one in a file). It keeps no reference to key.
func NewLocal(key []byte) (*Local, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("local sealer: the key has %d bytes, want %d", len(key), KeySize)
	}
	wrapKey, err := hkdf.Key(sha256.New, key, nil, "gatehouse/seal local wrapping key v1", dataKeySize)
	if err != nil {
		return nil, fmt.Errorf("local sealer: derive the wrapping key: %w", err)
	}
	defer clear(wrapKey)
	id, err := hkdf.Key(sha256.New, key, nil, "gatehouse/seal local key ID v1", keyIDSize)
	if err != nil {
		return nil, fmt.Errorf("local sealer: derive the key ID: %w", err)
	}
	wrap, err := newGCM(wrapKey)
	if err != nil {
		return nil, fmt.Errorf("local sealer: %w", err)
	}
	return &Local{id: [keyIDSize]byte(id), wrap: wrap}, nil
}

// Seal encrypts plaintext for orgID under a fresh data key wrapped by the local key.
func (l *Local) Seal(ctx context.Context, orgID string, plaintext []byte) ([]byte, error) {
	return seal(ctx, l, orgID, plaintext)
}

// Open decrypts a secret Seal sealed for orgID under the same local key.
func (l *Local) Open(ctx context.Context, orgID string, sealed []byte) ([]byte, error) {
	return open(ctx, l, orgID, sealed)
}

// kind marks the secrets the local sealer seals.
func (l *Local) kind() kind { return kindLocal }

// newDataKey makes a random data key and wraps it for orgID.
func (l *Local) newDataKey(_ context.Context, orgID string) (key, wrapped []byte, err error) {
	if l.wrap == nil {
		return nil, nil, errNotMade
	}
	key = randomBytes(dataKeySize)
	nonce := randomBytes(nonceSize)
	wrapped = make([]byte, 0, localWrappedSize)
	wrapped = append(wrapped, l.id[:]...)
	wrapped = append(wrapped, nonce...)
	wrapped = l.wrap.Seal(wrapped, nonce, key, additionalData(purposeDataKey, kindLocal, orgID))
	return key, wrapped, nil
}

// dataKey unwraps a data key newDataKey wrapped for orgID.
func (l *Local) dataKey(_ context.Context, orgID string, wrapped []byte) ([]byte, error) {
	if l.wrap == nil {
		return nil, errNotMade
	}
	switch {
	case len(wrapped) != localWrappedSize:
		return nil, fmt.Errorf("%w: the wrapped key has %d bytes, want %d", ErrCorrupt, len(wrapped), localWrappedSize)
	case !bytes.Equal(wrapped[:keyIDSize], l.id[:]):
		return nil, fmt.Errorf("%w: it was sealed under another local key file", ErrWrongKey)
	}
	nonce, ciphertext := wrapped[keyIDSize:keyIDSize+nonceSize], wrapped[keyIDSize+nonceSize:]
	key, err := l.wrap.Open(nil, nonce, ciphertext, additionalData(purposeDataKey, kindLocal, orgID))
	if err != nil {
		return nil, fmt.Errorf("%w: the wrapped data key does not match the local key and organization", ErrTampered)
	}
	return key, nil
}
