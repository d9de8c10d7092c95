package seal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/google/go-cmp/cmp"
)

const (
	testOrg    = "org_01HQ8Z0000000000000000TEST"
	otherOrg   = "org_01HQ8Z000000000000000OTHER"
	testKeyID  = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	otherKeyID = "arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000"
)

// secret is a credential as admins store them, distinctive enough to find in any bytes.
var secret = []byte(`{"client_id":"0oa1b2c3d4","client_secret":"Sup3r-Secret-Okta-Token-9f8e7d6c5b4a"}`)

// sentinels are every error the package exports, each of which an error wraps or not.
var sentinels = []error{ErrNoOrg, ErrTooLarge, ErrCorrupt, ErrUnknownVersion, ErrWrongSealer, ErrWrongOrg, ErrWrongKey, ErrTampered, ErrUnavailable}

// fixture is a sealer of each kind, a second one under another key, and the fake KMS.
type fixture struct {
	fake                 *fakeKMS
	kms, kmsOtherKey     *KMS
	local, localOtherKey *Local
	localKeys            [][]byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{fake: newFakeKMS(testKeyID, otherKeyID)}
	var err error
	if f.kms, err = NewKMS(f.fake, testKeyID); err != nil {
		t.Fatal(err)
	}
	if f.kmsOtherKey, err = NewKMS(f.fake, otherKeyID); err != nil {
		t.Fatal(err)
	}
	for _, l := range []**Local{&f.local, &f.localOtherKey} {
		key := randomBytes(KeySize)
		if *l, err = NewLocal(key); err != nil {
			t.Fatal(err)
		}
		f.localKeys = append(f.localKeys, key)
	}
	return f
}

// sealers are the fixture's two sealers by name.
func (f *fixture) sealers() map[string]Sealer {
	return map[string]Sealer{"kms": f.kms, "local": f.local}
}

// mustSeal seals secret for orgID with s, failing the test on an error.
func mustSeal(t *testing.T, s Sealer, orgID string) []byte {
	t.Helper()
	sealed, err := s.Seal(context.Background(), orgID, secret)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return sealed
}

// keyMaterial is every secret and key the fixture knows of, none of which may show in an
// error message or a sealed secret: raw, hex and base64.
func (f *fixture) keyMaterial() [][]byte {
	_, dataKeys := f.fake.keys()
	var out [][]byte
	for _, b := range append(append([][]byte{secret}, f.localKeys...), dataKeys...) {
		out = append(out, b, []byte(hex.EncodeToString(b)), []byte(base64.StdEncoding.EncodeToString(b)))
	}
	return out
}

// checkErr fails the test unless err wraps want and no other sentinel (want nil: none), and
// shows no key material.
func (f *fixture) checkErr(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(err, %q) = %t; err = %v", s, got, err)
		}
	}
	for _, m := range f.keyMaterial() {
		if strings.Contains(err.Error(), string(m)) {
			t.Errorf("the error message shows a secret or key: %v", err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	serviceAccount := []byte(`{"type":"service_account","private_key":"` + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", 128) + `"}`)
	plaintexts := map[string][]byte{
		"empty":           {},
		"client secret":   secret,
		"service account": serviceAccount,
		"largest":         bytes.Repeat([]byte{0xA5}, MaxPlaintext),
	}
	f := newFixture(t)
	for sealerName, s := range f.sealers() {
		for name, plaintext := range plaintexts {
			t.Run(sealerName+"/"+name, func(t *testing.T) {
				sealed, err := s.Seal(context.Background(), testOrg, plaintext)
				if err != nil {
					t.Fatalf("seal: %v", err)
				}
				got, err := s.Open(context.Background(), testOrg, sealed)
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				if !bytes.Equal(got, plaintext) || got == nil {
					t.Errorf("open gave %d bytes (nil %t), want the %d sealed", len(got), got == nil, len(plaintext))
				}
			})
		}
	}
}

func TestSealedSecretsHideThePlaintextAndNeverRepeat(t *testing.T) {
	f := newFixture(t)
	for name, s := range f.sealers() {
		t.Run(name, func(t *testing.T) {
			first, second := mustSeal(t, s, testOrg), mustSeal(t, s, testOrg)
			if bytes.Equal(first, second) {
				t.Error("two seals of one secret are equal")
			}
			if bytes.Equal(first[headerSize:], second[headerSize:]) {
				t.Error("two seals of one secret share their wrapped key, nonce and ciphertext")
			}
			for _, sealed := range [][]byte{first, second} {
				for _, m := range f.keyMaterial() {
					if bytes.Contains(sealed, m) {
						t.Errorf("the sealed secret contains a secret or key (%d bytes)", len(m))
					}
				}
			}
		})
	}
}

func TestKMSCallsNameTheKeyAndTheOrganization(t *testing.T) {
	f := newFixture(t)
	sealed := mustSeal(t, f.kms, testOrg)
	if _, err := f.kms.Open(context.Background(), testOrg, sealed); err != nil {
		t.Fatal(err)
	}
	generates, decrypts := f.fake.calls()
	if len(generates) != 1 || len(decrypts) != 1 {
		t.Fatalf("%d GenerateDataKey and %d Decrypt calls, want 1 each", len(generates), len(decrypts))
	}
	wantContext := map[string]string{"gatehouse:org": testOrg}
	type call struct {
		KeyID   string
		KeySpec types.DataKeySpec
		Context map[string]string
	}
	got := []call{
		{aws.ToString(generates[0].KeyId), generates[0].KeySpec, generates[0].EncryptionContext},
		{aws.ToString(decrypts[0].KeyId), "", decrypts[0].EncryptionContext},
	}
	want := []call{{testKeyID, types.DataKeySpecAes256, wantContext}, {testKeyID, "", wantContext}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GenerateDataKey, Decrypt mismatch (-want +got):\n%s", diff)
	}
	handed, _ := f.fake.keys()
	for i, key := range handed {
		if !bytes.Equal(key, make([]byte, len(key))) {
			t.Errorf("data key %d from KMS was not zeroed after use", i)
		}
	}
}

func TestSealRefuses(t *testing.T) {
	tests := []struct {
		name      string
		sealer    func(*fixture) Sealer
		orgID     string
		plaintext []byte
		generate  error // what KMS's GenerateDataKey fails with
		want      error // the sentinel, nil for none
		also      func(error) bool
		kmsCalled bool
	}{
		{name: "kms: no organization", sealer: kmsSealer, plaintext: secret, want: ErrNoOrg},
		{name: "local: no organization", sealer: localSealer, plaintext: secret, want: ErrNoOrg},
		{name: "kms: over 64 KiB", sealer: kmsSealer, orgID: testOrg, plaintext: make([]byte, MaxPlaintext+1), want: ErrTooLarge},
		{name: "local: over 64 KiB", sealer: localSealer, orgID: testOrg, plaintext: make([]byte, MaxPlaintext+1), want: ErrTooLarge},
		{
			name: "kms: throttled", sealer: kmsSealer, orgID: testOrg, plaintext: secret, kmsCalled: true,
			generate: sdkError("GenerateDataKey", throttling()), want: ErrUnavailable, also: isAPIError("ThrottlingException"),
		},
		{
			name: "kms: key disabled", sealer: kmsSealer, orgID: testOrg, plaintext: secret, kmsCalled: true,
			generate: sdkError("GenerateDataKey", &types.DisabledException{Message: aws.String("key is disabled")}),
			also:     isAPIError("DisabledException"),
		},
		{
			name: "kms: unknown key", sealer: func(f *fixture) Sealer { s, _ := NewKMS(f.fake, "alias/nope"); return s },
			orgID: testOrg, plaintext: secret, kmsCalled: true, also: isAPIError("NotFoundException"),
		},
		{
			name: "kms: not made by NewKMS", sealer: func(*fixture) Sealer { return &KMS{} }, orgID: testOrg, plaintext: secret,
			also: func(err error) bool { return errors.Is(err, errNotMade) },
		},
		{
			name: "local: not made by NewLocal", sealer: func(*fixture) Sealer { return &Local{} }, orgID: testOrg, plaintext: secret,
			also: func(err error) bool { return errors.Is(err, errNotMade) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.fake.fail(tt.generate, nil)
			sealed, err := tt.sealer(f).Seal(context.Background(), tt.orgID, tt.plaintext)
			if sealed != nil {
				t.Errorf("seal refused but returned %d bytes", len(sealed))
			}
			f.checkErr(t, err, tt.want)
			if tt.also != nil && !tt.also(err) {
				t.Errorf("err = %v, which does not wrap the cause", err)
			}
			if generates, _ := f.fake.calls(); (len(generates) > 0) != tt.kmsCalled {
				t.Errorf("%d GenerateDataKey calls, want any: %t", len(generates), tt.kmsCalled)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		make func() error
		want string
	}{
		{"KMS without a client", func() error { _, err := NewKMS(nil, testKeyID); return err }, "no KMS client"},
		{"KMS without a key", func() error { _, err := NewKMS(newFakeKMS(), ""); return err }, "no KMS key ID"},
		{"local without a key", func() error { _, err := NewLocal(nil); return err }, "the key has 0 bytes, want 32"},
		{"local with a short key", func() error { _, err := NewLocal(make([]byte, 31)); return err }, "the key has 31 bytes, want 32"},
		{"local with a long key", func() error { _, err := NewLocal(make([]byte, 33)); return err }, "the key has 33 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.make(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
