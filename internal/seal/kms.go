package seal

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// OrgContextKey is the encryption context key that names the organization in every KMS call,
// so that CloudTrail records whose secret each call served and IAM can require it.
const OrgContextKey = "gatehouse:org"

// KMSAPI is the part of the KMS client the KMS sealer uses.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// KMS seals secrets by envelope encryption under a KMS key: each secret gets its own data
// key from GenerateDataKey, and only the wrapped data key is stored with it. The
// organization ID is the encryption context of both calls. It is safe for concurrent use.
type KMS struct {
	client KMSAPI
	keyID  string
}

var _ Sealer = (*KMS)(nil)

// NewKMS returns a sealer using the KMS key keyID (a key ARN, key ID or alias) through client.
// Open names the key in every Decrypt, so a secret sealed under another key is refused
// (ErrWrongKey) rather than opened with whatever key it names.
func NewKMS(client KMSAPI, keyID string) (*KMS, error) {
	switch {
	case client == nil:
		return nil, errors.New("KMS sealer: no KMS client")
	case keyID == "":
		return nil, errors.New("KMS sealer: no KMS key ID")
	}
	return &KMS{client: client, keyID: keyID}, nil
}

// Seal encrypts plaintext for orgID under a fresh data key from KMS.
func (s *KMS) Seal(ctx context.Context, orgID string, plaintext []byte) ([]byte, error) {
	return seal(ctx, s, orgID, plaintext)
}

// Open decrypts a secret Seal sealed for orgID, asking KMS to unwrap its data key.
func (s *KMS) Open(ctx context.Context, orgID string, sealed []byte) ([]byte, error) {
	return open(ctx, s, orgID, sealed)
}

// kind marks the secrets the KMS sealer seals.
func (s *KMS) kind() kind { return kindKMS }

// encryptionContext is the encryption context of orgID's data keys.
func encryptionContext(orgID string) map[string]string {
	return map[string]string{OrgContextKey: orgID}
}

// newDataKey asks KMS for a data key for orgID.
func (s *KMS) newDataKey(ctx context.Context, orgID string) (key, wrapped []byte, err error) {
	if s.client == nil {
		return nil, nil, errNotMade
	}
	out, err := s.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(s.keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: encryptionContext(orgID),
	})
	if err != nil {
		return nil, nil, kmsError("GenerateDataKey", s.keyID, err)
	}
	if len(out.Plaintext) != dataKeySize {
		clear(out.Plaintext)
		return nil, nil, fmt.Errorf("KMS GenerateDataKey with key %s returned a data key of %d bytes, want %d", s.keyID, len(out.Plaintext), dataKeySize)
	}
	return out.Plaintext, out.CiphertextBlob, nil
}

// dataKey asks KMS to unwrap orgID's data key.
func (s *KMS) dataKey(ctx context.Context, orgID string, wrapped []byte) ([]byte, error) {
	if s.client == nil {
		return nil, errNotMade
	}
	out, err := s.client.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(s.keyID),
		CiphertextBlob:    wrapped,
		EncryptionContext: encryptionContext(orgID),
	})
	if err != nil {
		return nil, kmsError("Decrypt", s.keyID, err)
	}
	if len(out.Plaintext) != dataKeySize {
		// The wrapped key was replaced by another ciphertext of the same key and context.
		clear(out.Plaintext)
		return nil, fmt.Errorf("%w: KMS Decrypt returned %d bytes, not a data key", ErrTampered, len(out.Plaintext))
	}
	return out.Plaintext, nil
}

// kmsError wraps err from the KMS operation op with keyID, adding the sentinel the failure
// stands for: KMS answers InvalidCiphertextException both for a damaged wrapped key and for
// an encryption context other than the one it was made with.
func kmsError(op, keyID string, err error) error {
	var (
		invalid   *types.InvalidCiphertextException
		incorrect *types.IncorrectKeyException
	)
	switch {
	case errors.As(err, &invalid):
		return fmt.Errorf("%w: KMS %s with key %s: %w", ErrTampered, op, keyID, err)
	case errors.As(err, &incorrect):
		return fmt.Errorf("%w: KMS %s with key %s: %w", ErrWrongKey, op, keyID, err)
	case temporary(err):
		return fmt.Errorf("%w: KMS %s with key %s: %w", ErrUnavailable, op, keyID, err)
	}
	return fmt.Errorf("KMS %s with key %s: %w", op, keyID, err)
}

// temporaryCodes are KMS's own errors that say to try again later, beyond the throttling,
// 5xx and connection errors the SDK retries.
var temporaryCodes = map[string]bool{
	"DependencyTimeoutException": true,
	"KMSInternalException":       true,
	"KeyUnavailableException":    true,
}

// temporary reports whether err is a failure of KMS or of the way to it that a later call
// may not meet: throttling, a timeout, a 5xx answer, a broken connection. A cancelled
// request is not.
func temporary(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && temporaryCodes[apiErr.ErrorCode()] {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool()
}
