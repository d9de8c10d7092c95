package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// A sealed secret, format version 1, is these bytes in order:
//
//	version       1 byte   1
//	kind          1 byte   1 KMS, 2 local key
//	org tag       8 bytes  the first 8 bytes of SHA-256("gatehouse/seal org\x00" + orgID)
//	key length    2 bytes  big-endian length of the wrapped key, 1 to 6144
//	wrapped key   the data key as the keyring wrapped it (a KMS ciphertext blob, or the
//	              local key's ID, nonce and AES-GCM ciphertext)
//	nonce         12 bytes random
//	ciphertext    the secret under AES-256-GCM with the data key, with its 16-byte tag
//
// The GCM additional data (see additionalData) binds the version, the kind and the
// organization ID, so that no field can be changed or the secret moved to another
// organization without Open noticing. The org tag only lets Open tell a secret of another
// organization from a tampered one without calling KMS.
const (
	version1 = 1

	orgTagSize    = 8
	headerSize    = 2 + orgTagSize + 2
	maxWrappedKey = 6144 // the largest ciphertext blob KMS returns
	dataKeySize   = 32
	nonceSize     = 12
	tagSize       = 16
)

// kind says which keyring wrapped a secret's data key.
type kind byte

// The kinds of sealer.
const (
	kindKMS   kind = 1
	kindLocal kind = 2
)

// String names the kind in error messages.
func (k kind) String() string {
	switch k {
	case kindKMS:
		return "KMS"
	case kindLocal:
		return "the local key"
	}
	return fmt.Sprintf("unknown kind %d", byte(k))
}

// Purposes of GCM additional data, so that no ciphertext made for one can pass for another.
const (
	purposeSecret  = 's' // the secret under the data key
	purposeDataKey = 'k' // the data key under the local key
)

// header is what precedes a sealed secret's nonce.
type header struct {
	version byte
	kind    kind
	org     [orgTagSize]byte
	wrapped []byte
}

// orgTag is the org tag of orgID.
func orgTag(orgID string) [orgTagSize]byte {
	sum := sha256.Sum256([]byte("gatehouse/seal org\x00" + orgID))
	return [orgTagSize]byte(sum[:orgTagSize])
}

// additionalData is the GCM additional data of a ciphertext for purpose in a secret of the
// kind k sealed for orgID. orgID comes last, so no two inputs give the same bytes.
func additionalData(purpose byte, k kind, orgID string) []byte {
	return append([]byte{'g', 'h', 's', 0, version1, byte(k), purpose}, orgID...)
}

// newGCM is AES-256-GCM under key.
func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != dataKeySize {
		return nil, fmt.Errorf("the key has %d bytes, want %d", len(key), dataKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("AES key: %w", err)
	}
	return cipher.NewGCM(block)
}

// randomBytes is n bytes from crypto/rand, which never fails (it crashes the program
// rather than return predictable bytes).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// encrypt lays out h, a random nonce and plaintext encrypted under key.
func encrypt(key []byte, h header, orgID string, plaintext []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	out := make([]byte, 0, headerSize+len(h.wrapped)+nonceSize+len(plaintext)+tagSize)
	out = append(out, h.version, byte(h.kind))
	out = append(out, h.org[:]...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(h.wrapped)))
	out = append(out, h.wrapped...)
	nonce := randomBytes(nonceSize)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, additionalData(purposeSecret, h.kind, orgID)), nil
}

// parse splits sealed into its header, nonce and ciphertext, refusing any layout Seal does
// not write. It checks no key and no organization.
func parse(sealed []byte) (h header, nonce, ciphertext []byte, err error) {
	if len(sealed) == 0 {
		return h, nil, nil, fmt.Errorf("%w: it is empty", ErrCorrupt)
	}
	if sealed[0] != version1 {
		return h, nil, nil, fmt.Errorf("%w %d", ErrUnknownVersion, sealed[0])
	}
	if len(sealed) < headerSize {
		return h, nil, nil, fmt.Errorf("%w: %d bytes is shorter than the header", ErrCorrupt, len(sealed))
	}
	h.version, h.kind = sealed[0], kind(sealed[1])
	if h.kind != kindKMS && h.kind != kindLocal {
		return h, nil, nil, fmt.Errorf("%w: %s", ErrCorrupt, h.kind)
	}
	h.org = [orgTagSize]byte(sealed[2 : 2+orgTagSize])
	n := int(binary.BigEndian.Uint16(sealed[2+orgTagSize:]))
	rest := sealed[headerSize:]
	switch {
	case n == 0 || n > maxWrappedKey:
		return h, nil, nil, fmt.Errorf("%w: the wrapped key length %d is out of range", ErrCorrupt, n)
	case len(rest) < n+nonceSize+tagSize:
		return h, nil, nil, fmt.Errorf("%w: it is truncated", ErrCorrupt)
	case len(rest) > n+nonceSize+MaxPlaintext+tagSize:
		return h, nil, nil, fmt.Errorf("%w: it is longer than any sealed secret", ErrCorrupt)
	}
	h.wrapped = rest[:n:n]
	return h, rest[n : n+nonceSize : n+nonceSize], rest[n+nonceSize:], nil
}

// decrypt opens the ciphertext of the secret h heads with key.
func decrypt(key []byte, h header, orgID string, nonce, ciphertext []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	plaintext, err := aead.Open(make([]byte, 0, len(ciphertext)-tagSize), nonce, ciphertext, additionalData(purposeSecret, h.kind, orgID))
	if err != nil {
		return nil, fmt.Errorf("%w: the ciphertext does not match its nonce, data key and organization", ErrTampered)
	}
	return plaintext, nil
}
