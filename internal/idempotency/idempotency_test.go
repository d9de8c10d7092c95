package idempotency

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := SealingKey("ghk_secret-one")
	body := []byte(`{"token":"ghk_brand-new-secret","name":"bot"}`)
	sealed, err := Seal(key, body)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("brand-new-secret")) {
		t.Error("sealed answer shows the secret")
	}
	got, err := Open(key, sealed)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := Open(SealingKey("ghk_secret-two"), sealed); !errors.Is(err, ErrUnsealable) {
		t.Errorf("another caller's key: err = %v, want unsealable", err)
	}
	if _, err := Open(key, sealed[:5]); !errors.Is(err, ErrUnsealable) {
		t.Errorf("truncated: err = %v, want unsealable", err)
	}
	again, _ := Seal(key, body)
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one answer are equal: the nonce is not fresh")
	}
}

func TestFingerprintSeparatesParts(t *testing.T) {
	if Fingerprint("POST", "/a", []byte("b")) == Fingerprint("POST", "/ab", nil) {
		t.Error("path and body run together")
	}
}
