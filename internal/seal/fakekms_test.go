package seal

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// fakeKMS is KMS as the sealer uses it, with real cryptography: each key ID has a master key
// of its own, a data key's ciphertext blob names its key ID and is AES-GCM under that master
// key with the encryption context as additional data, and Decrypt succeeds only when given
// exactly the encryption context the key was generated with, as AWS KMS does.
type fakeKMS struct {
	mu      sync.Mutex
	masters map[string]cipher.AEAD // by key ID
	// failGenerate and failDecrypt, when set, are what the next calls return.
	failGenerate, failDecrypt error
	// generates and decrypts are the inputs of every call so far.
	generates []*kms.GenerateDataKeyInput
	decrypts  []*kms.DecryptInput
	// handed are the Plaintext slices handed out, which the sealer should zero once done;
	// dataKeys are copies of them.
	handed, dataKeys [][]byte
}

var _ KMSAPI = (*fakeKMS)(nil)

// newFakeKMS returns a fake KMS holding a key for each of keyIDs.
func newFakeKMS(keyIDs ...string) *fakeKMS {
	f := &fakeKMS{masters: map[string]cipher.AEAD{}}
	for _, id := range keyIDs {
		master := make([]byte, 32)
		_, _ = rand.Read(master)
		block, err := aes.NewCipher(master)
		if err != nil {
			panic(err) // a 32-byte key is always valid
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			panic(err)
		}
		f.masters[id] = aead
	}
	return f
}

// contextBytes encodes an encryption context unambiguously, its keys in order.
func contextBytes(ec map[string]string) []byte {
	var out []byte
	for _, k := range slices.Sorted(maps.Keys(ec)) {
		out = binary.BigEndian.AppendUint32(out, uint32(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(ec[k])))
		out = append(out, ec[k]...)
	}
	return out
}

// GenerateDataKey returns a random AES-256 key and its blob: key ID length, key ID, nonce,
// AES-GCM ciphertext.
func (f *fakeKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.generates = append(f.generates, in)
	if f.failGenerate != nil {
		return nil, f.failGenerate
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keyID := aws.ToString(in.KeyId)
	master, ok := f.masters[keyID]
	switch {
	case !ok:
		return nil, &types.NotFoundException{Message: aws.String("Key '" + keyID + "' does not exist")}
	case in.KeySpec != types.DataKeySpecAes256 || in.NumberOfBytes != nil:
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "want KeySpec AES_256 and no NumberOfBytes"}
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	blob := append([]byte{byte(len(keyID))}, keyID...)
	blob = append(blob, nonce...)
	blob = master.Seal(blob, nonce, key, append([]byte(keyID), contextBytes(in.EncryptionContext)...))
	f.hand(key)
	return &kms.GenerateDataKeyOutput{KeyId: aws.String(keyID), Plaintext: key, CiphertextBlob: blob}, nil
}

// Decrypt unwraps a blob of GenerateDataKey, refusing another key ID than the one named
// (IncorrectKeyException) and any other encryption context or a damaged blob
// (InvalidCiphertextException).
func (f *fakeKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decrypts = append(f.decrypts, in)
	if f.failDecrypt != nil {
		return nil, f.failDecrypt
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	invalid := &types.InvalidCiphertextException{Message: aws.String("")}
	blob := in.CiphertextBlob
	if len(blob) < 1 || len(blob) < 1+int(blob[0])+12+16 {
		return nil, invalid
	}
	n := 1 + int(blob[0])
	keyID, nonce, ciphertext := string(blob[1:n]), blob[n:n+12], blob[n+12:]
	master, ok := f.masters[keyID]
	switch {
	case !ok:
		return nil, invalid
	case in.KeyId != nil && *in.KeyId != keyID:
		return nil, &types.IncorrectKeyException{Message: aws.String("The key ID in the request does not identify a KMS key that can perform this operation.")}
	}
	key, err := master.Open(nil, nonce, ciphertext, append([]byte(keyID), contextBytes(in.EncryptionContext)...))
	if err != nil {
		return nil, invalid
	}
	f.hand(key)
	return &kms.DecryptOutput{KeyId: aws.String(keyID), Plaintext: key}, nil
}

// hand records a data key about to be handed out; f.mu is held.
func (f *fakeKMS) hand(key []byte) {
	f.handed = append(f.handed, key)
	f.dataKeys = append(f.dataKeys, bytes.Clone(key))
}

// keys returns the data keys handed out so far and copies of them as they were handed out.
func (f *fakeKMS) keys() (handed, copies [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.handed), slices.Clone(f.dataKeys)
}

// calls returns copies of the inputs of every call so far.
func (f *fakeKMS) calls() (generates []*kms.GenerateDataKeyInput, decrypts []*kms.DecryptInput) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.generates), slices.Clone(f.decrypts)
}

// fail makes the next calls of GenerateDataKey and Decrypt return these errors (nil: work).
func (f *fakeKMS) fail(generate, decrypt error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failGenerate, f.failDecrypt = generate, decrypt
}
