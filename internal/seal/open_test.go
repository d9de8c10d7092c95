package seal

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

func kmsSealer(f *fixture) Sealer   { return f.kms }
func localSealer(f *fixture) Sealer { return f.local }

// sdkError is err as the KMS client returns it from op.
func sdkError(op string, err error) error {
	return &smithy.OperationError{ServiceID: "KMS", OperationName: op, Err: err}
}

// throttling is KMS's answer to too many requests once the client gave up retrying.
func throttling() error {
	return &retry.MaxAttemptsError{Attempt: 3, Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}}
}

// isAPIError reports whether an error wraps KMS's error code.
func isAPIError(code string) func(error) bool {
	return func(err error) bool {
		var apiErr smithy.APIError
		return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
	}
}

// changed returns a copy of b with the byte at i (counted from the end when negative) set by
// change.
func changed(b []byte, i int, change func(byte) byte) []byte {
	b = bytes.Clone(b)
	if i < 0 {
		i += len(b)
	}
	b[i] = change(b[i])
	return b
}

// flip returns a copy of b with one bit of the byte at i changed.
func flip(b []byte, i int) []byte { return changed(b, i, func(c byte) byte { return c ^ 0x01 }) }

// set returns a copy of b with the byte at i set to v.
func set(b []byte, i int, v byte) []byte { return changed(b, i, func(byte) byte { return v }) }

// withKeyLength returns a copy of b whose wrapped key length field says n.
func withKeyLength(b []byte, n uint16) []byte {
	b = bytes.Clone(b)
	binary.BigEndian.PutUint16(b[headerSize-2:], n)
	return b
}

// nonceAt is where the nonce of a sealed secret starts.
func nonceAt(b []byte) int { return headerSize + int(binary.BigEndian.Uint16(b[headerSize-2:])) }

// alteredKMS is the fake KMS with its answers changed after the fact.
type alteredKMS struct {
	*fakeKMS
	generate func(*kms.GenerateDataKeyOutput)
	decrypt  func(*kms.DecryptOutput)
}

func (a alteredKMS) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	out, err := a.fakeKMS.GenerateDataKey(ctx, in, opts...)
	if err == nil && a.generate != nil {
		a.generate(out)
	}
	return out, err
}

func (a alteredKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	out, err := a.fakeKMS.Decrypt(ctx, in, opts...)
	if err == nil && a.decrypt != nil {
		a.decrypt(out)
	}
	return out, err
}

// altered is a KMS sealer under the test key whose KMS answers are changed.
func altered(t *testing.T, f *fixture, a alteredKMS) *KMS {
	t.Helper()
	a.fakeKMS = f.fake
	s, err := NewKMS(a, testKeyID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenRefuses(t *testing.T) {
	type blobFunc func(*testing.T, *fixture) []byte
	sealedBy := func(s func(*fixture) Sealer, orgID string) blobFunc {
		return func(t *testing.T, f *fixture) []byte { return mustSeal(t, s(f), orgID) }
	}
	edit := func(s func(*fixture) Sealer, change func([]byte) []byte) blobFunc {
		return func(t *testing.T, f *fixture) []byte { return change(mustSeal(t, s(f), testOrg)) }
	}
	// retagged is a secret of the other organization claiming to be the test one's.
	retagged := func(s func(*fixture) Sealer) blobFunc {
		return func(t *testing.T, f *fixture) []byte {
			b := mustSeal(t, s(f), otherOrg)
			tag := orgTag(testOrg)
			copy(b[2:], tag[:])
			return b
		}
	}
	// swappedKey is a secret of the test organization with another secret's wrapped key.
	swappedKey := func(s func(*fixture) Sealer) blobFunc {
		return func(t *testing.T, f *fixture) []byte {
			a, b := mustSeal(t, s(f), testOrg), mustSeal(t, s(f), testOrg)
			copy(a[headerSize:nonceAt(a)], b[headerSize:nonceAt(b)])
			return a
		}
	}
	tooLong := func(t *testing.T, f *fixture) []byte {
		b := mustSeal(t, f.local, testOrg)
		return append(b, make([]byte, MaxPlaintext)...)
	}
	tests := []struct {
		name    string
		sealer  func(*fixture) Sealer
		blob    blobFunc
		orgID   string // testOrg when empty
		noOrg   bool
		decrypt error // what KMS's Decrypt fails with
		want    error // the sentinel, nil for none
		also    func(error) bool
	}{
		{name: "local: nil", sealer: localSealer, blob: func(*testing.T, *fixture) []byte { return nil }, want: ErrCorrupt},
		{name: "local: empty", sealer: localSealer, blob: func(*testing.T, *fixture) []byte { return []byte{} }, want: ErrCorrupt},
		{name: "local: the version alone", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:1] }), want: ErrCorrupt},
		{name: "local: cut in the header", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:headerSize-1] }), want: ErrCorrupt},
		{name: "local: the header alone", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:headerSize] }), want: ErrCorrupt},
		{name: "local: cut in the wrapped key", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:headerSize+10] }), want: ErrCorrupt},
		{name: "local: cut in the nonce", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:nonceAt(b)+5] }), want: ErrCorrupt},
		{name: "local: cut short of a tag", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:nonceAt(b)+nonceSize+tagSize-1] }), want: ErrCorrupt},
		{name: "local: cut in the ciphertext", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return b[:len(b)-1] }), want: ErrTampered},
		{name: "local: a byte too many", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return append(b, 0) }), want: ErrTampered},
		{name: "local: longer than any secret", sealer: localSealer, blob: tooLong, want: ErrCorrupt},
		{name: "local: version 0", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return set(b, 0, 0) }), want: ErrUnknownVersion},
		{name: "local: version 2", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return set(b, 0, 2) }), want: ErrUnknownVersion},
		{name: "local: version 255", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return set(b, 0, 255) }), want: ErrUnknownVersion},
		{name: "local: version 2 alone", sealer: localSealer, blob: func(*testing.T, *fixture) []byte { return []byte{2} }, want: ErrUnknownVersion},
		{name: "local: kind 0", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return set(b, 1, 0) }), want: ErrCorrupt},
		{name: "local: kind 3", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return set(b, 1, 3) }), want: ErrCorrupt},
		{name: "local: sealed by KMS", sealer: localSealer, blob: sealedBy(kmsSealer, testOrg), want: ErrWrongSealer},
		{name: "local: another organization's", sealer: localSealer, blob: sealedBy(localSealer, otherOrg), want: ErrWrongOrg},
		{name: "local: another organization's, retagged", sealer: localSealer, blob: retagged(localSealer), want: ErrTampered},
		{name: "local: another local key's", sealer: localSealer, blob: func(t *testing.T, f *fixture) []byte { return mustSeal(t, f.localOtherKey, testOrg) }, want: ErrWrongKey},
		{name: "local: wrapped key length 0", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return withKeyLength(b, 0) }), want: ErrCorrupt},
		{name: "local: wrapped key length one short", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return withKeyLength(b, localWrappedSize-1) }), want: ErrCorrupt},
		{name: "local: wrapped key length one over", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return withKeyLength(b, localWrappedSize+1) }), want: ErrCorrupt},
		{name: "local: wrapped key length 65535", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return withKeyLength(b, 0xFFFF) }), want: ErrCorrupt},
		{name: "local: key ID changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, headerSize) }), want: ErrWrongKey},
		{name: "local: wrapped key's nonce changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, headerSize+keyIDSize) }), want: ErrTampered},
		{name: "local: wrapped key changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, headerSize+keyIDSize+nonceSize) }), want: ErrTampered},
		{name: "local: wrapped key's tag changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, nonceAt(b)-1) }), want: ErrTampered},
		{name: "local: another secret's wrapped key", sealer: localSealer, blob: swappedKey(localSealer), want: ErrTampered},
		{name: "local: nonce changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, nonceAt(b)) }), want: ErrTampered},
		{name: "local: ciphertext changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, nonceAt(b)+nonceSize) }), want: ErrTampered},
		{name: "local: tag changed", sealer: localSealer, blob: edit(localSealer, func(b []byte) []byte { return flip(b, -1) }), want: ErrTampered},
		{name: "local: no organization", sealer: localSealer, blob: sealedBy(localSealer, testOrg), noOrg: true, want: ErrNoOrg},
		{name: "local: not made by NewLocal", sealer: func(*fixture) Sealer { return &Local{} }, blob: sealedBy(localSealer, testOrg), also: func(err error) bool { return errors.Is(err, errNotMade) }},

		{name: "kms: empty", sealer: kmsSealer, blob: func(*testing.T, *fixture) []byte { return nil }, want: ErrCorrupt},
		{name: "kms: cut in the wrapped key", sealer: kmsSealer, blob: edit(kmsSealer, func(b []byte) []byte { return b[:headerSize+10] }), want: ErrCorrupt},
		{name: "kms: version 2", sealer: kmsSealer, blob: edit(kmsSealer, func(b []byte) []byte { return set(b, 0, 2) }), want: ErrUnknownVersion},
		{name: "kms: sealed by the local key", sealer: kmsSealer, blob: sealedBy(localSealer, testOrg), want: ErrWrongSealer},
		{name: "kms: another organization's", sealer: kmsSealer, blob: sealedBy(kmsSealer, otherOrg), want: ErrWrongOrg},
		{name: "kms: another organization's, retagged", sealer: kmsSealer, blob: retagged(kmsSealer), want: ErrTampered, also: isAPIError("InvalidCiphertextException")},
		{name: "kms: another KMS key's", sealer: kmsSealer, blob: func(t *testing.T, f *fixture) []byte { return mustSeal(t, f.kmsOtherKey, testOrg) }, want: ErrWrongKey, also: isAPIError("IncorrectKeyException")},
		{name: "kms: wrapped key changed", sealer: kmsSealer, blob: edit(kmsSealer, func(b []byte) []byte { return flip(b, nonceAt(b)-1) }), want: ErrTampered, also: isAPIError("InvalidCiphertextException")},
		{name: "kms: another secret's wrapped key", sealer: kmsSealer, blob: swappedKey(kmsSealer), want: ErrTampered},
		{name: "kms: nonce changed", sealer: kmsSealer, blob: edit(kmsSealer, func(b []byte) []byte { return flip(b, nonceAt(b)) }), want: ErrTampered},
		{name: "kms: ciphertext changed", sealer: kmsSealer, blob: edit(kmsSealer, func(b []byte) []byte { return flip(b, -1) }), want: ErrTampered},
		{name: "kms: no organization", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg), noOrg: true, want: ErrNoOrg},
		{
			name: "kms: key pending deletion", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", &types.KMSInvalidStateException{Message: aws.String("arn:aws:kms:... is pending deletion.")}),
			also:    func(err error) bool { var e *types.KMSInvalidStateException; return errors.As(err, &e) },
		},
		{
			name: "kms: access denied", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: kms:Decrypt"}),
			also:    isAPIError("AccessDeniedException"),
		},
		{
			name: "kms: throttled", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", throttling()), want: ErrUnavailable, also: isAPIError("ThrottlingException"),
		},
		{
			name: "kms: dependency timeout", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", &types.DependencyTimeoutException{Message: aws.String("timed out")}), want: ErrUnavailable,
			also: isAPIError("DependencyTimeoutException"),
		},
		{
			name: "kms: internal error", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", &types.KMSInternalException{Message: aws.String("internal")}), want: ErrUnavailable,
			also: isAPIError("KMSInternalException"),
		},
		{
			name: "kms: deadline exceeded", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", context.DeadlineExceeded), want: ErrUnavailable,
			also: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) },
		},
		{
			name: "kms: cancelled", sealer: kmsSealer, blob: sealedBy(kmsSealer, testOrg),
			decrypt: sdkError("Decrypt", context.Canceled),
			also:    func(err error) bool { return errors.Is(err, context.Canceled) },
		},
		{
			name: "kms: Decrypt gives no data key", sealer: func(f *fixture) Sealer {
				return altered(t, f, alteredKMS{decrypt: func(out *kms.DecryptOutput) { out.Plaintext = out.Plaintext[:16] }})
			},
			blob: sealedBy(kmsSealer, testOrg), want: ErrTampered,
		},
		{name: "kms: not made by NewKMS", sealer: func(*fixture) Sealer { return &KMS{} }, blob: sealedBy(kmsSealer, testOrg), also: func(err error) bool { return errors.Is(err, errNotMade) }},
	}
	// Refused before any key is unwrapped.
	early := []error{ErrNoOrg, ErrCorrupt, ErrUnknownVersion, ErrWrongSealer, ErrWrongOrg}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			blob := tt.blob(t, f)
			s := tt.sealer(f)
			_, decryptsBefore := f.fake.calls()
			f.fake.fail(nil, tt.decrypt)
			orgID := testOrg
			if tt.noOrg {
				orgID = ""
			}
			got, err := s.Open(context.Background(), orgID, blob)
			if got != nil {
				t.Errorf("open refused but returned %d bytes", len(got))
			}
			f.checkErr(t, err, tt.want)
			if tt.also != nil && !tt.also(err) {
				t.Errorf("err = %v, which does not wrap the cause", err)
			}
			if _, decrypts := f.fake.calls(); slices.Contains(early, tt.want) && len(decrypts) > len(decryptsBefore) {
				t.Errorf("KMS Decrypt was called for a secret refused as %q", tt.want)
			}
		})
	}
}

func TestSealRefusesOddKMSAnswers(t *testing.T) {
	tests := []struct {
		name   string
		change func(*kms.GenerateDataKeyOutput)
		want   string
	}{
		{"a short data key", func(out *kms.GenerateDataKeyOutput) { out.Plaintext = out.Plaintext[:16] }, "a data key of 16 bytes, want 32"},
		{"no wrapped key", func(out *kms.GenerateDataKeyOutput) { out.CiphertextBlob = nil }, "the wrapped data key has 0 bytes"},
		{"a huge wrapped key", func(out *kms.GenerateDataKeyOutput) { out.CiphertextBlob = make([]byte, maxWrappedKey+1) }, "the wrapped data key has 6145 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := altered(t, f, alteredKMS{generate: tt.change})
			sealed, err := s.Seal(context.Background(), testOrg, secret)
			if sealed != nil {
				t.Errorf("seal refused but returned %d bytes", len(sealed))
			}
			f.checkErr(t, err, nil)
			if !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
