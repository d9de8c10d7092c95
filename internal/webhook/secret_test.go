package webhook

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestSignMatchesPublishedVectors: the signatures published with the Standard Webhooks
// reference libraries (libraries v0.0.1: go/webhook_test.go TestWebhookSign, the same
// vector in the PHP, Python, Ruby and C# tests, and rust/src/lib.rs test_sign).
func TestSignMatchesPublishedVectors(t *testing.T) {
	cases := []struct {
		name, secret, id string
		unix             int64
		payload, want    string
	}{
		{
			name:    "go, php, python, ruby, csharp",
			secret:  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			id:      "msg_p5jXN8AQM9LWM0D4loKWxJek",
			unix:    1614265330,
			payload: `{"test": 2432232314}`,
			want:    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		},
		{
			name:    "rust",
			secret:  "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
			id:      "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
			unix:    1649367553,
			payload: `{"email":"test@example.com","username":"test_user"}`,
			want:    "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sign([]string{tc.secret}, tc.id, time.Unix(tc.unix, 0), []byte(tc.payload))
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if got != tc.want {
				t.Errorf("Sign = %s, want %s", got, tc.want)
			}
		})
	}
	// Both published secrets at once: the two signatures, in order, space-separated.
	both, err := Sign([]string{cases[0].secret, cases[1].secret}, cases[0].id, time.Unix(cases[0].unix, 0), []byte(cases[0].payload))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Sign([]string{cases[1].secret}, cases[0].id, time.Unix(cases[0].unix, 0), []byte(cases[0].payload))
	if err != nil {
		t.Fatal(err)
	}
	if want := cases[0].want + " " + second; both != want {
		t.Errorf("Sign with two secrets = %s, want %s", both, want)
	}
}

// TestSignRotationVerifies: with the old and the new secret signing, the library's Verify
// accepts the message with either one, and refuses it with a third.
func TestSignRotationVerifies(t *testing.T) {
	oldSecret, newSecret, other := NewSecret(), NewSecret(), NewSecret()
	at := time.Now()
	body := []byte(`{"type":"webhook.test"}`)
	sig, err := Sign([]string{newSecret, oldSecret}, "msg_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(sig)); n != 2 {
		t.Fatalf("signature %q has %d parts, want 2", sig, n)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sig)
	for _, tc := range []struct {
		name, secret string
		ok           bool
	}{{"new", newSecret, true}, {"old", oldSecret, true}, {"unrelated", other, false}} {
		wh, err := standardwebhooks.NewWebhook(tc.secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); (err == nil) != tc.ok {
			t.Errorf("Verify with the %s secret: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	good := NewSecret()
	bad := "whsec_not*base64*at*all*but*long*enough"
	at := time.Unix(1700000000, 0)
	cases := []struct {
		name    string
		secrets []string
		id      string
		at      time.Time
		want    string
	}{
		{"no secret", nil, "msg_1", at, "no signing secret"},
		{"bad second secret", []string{good, bad}, "msg_1", at, "secrets[1] is not a signing secret"},
		{"no prefix", []string{strings.TrimPrefix(good, SecretPrefix)}, "msg_1", at, "secrets[0] is not a signing secret"},
		{"empty id", []string{good}, "", at, "id is empty"},
		{"full stop in id", []string{good}, "msg.1", at, "full stop"},
		{"space in id", []string{good}, "msg 1", at, "at byte 3"},
		{"line break in id", []string{good}, "msg\r\nX-Evil: 1", at, "not printable ASCII"},
		{"long id", []string{good}, strings.Repeat("a", 129), at, "more than 128"},
		{"zero time", []string{good}, "msg_1", time.Time{}, "not after 1970"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Sign(tc.secrets, tc.id, tc.at, []byte("{}"))
			if err == nil {
				t.Fatalf("Sign = %q, want an error", sig)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			for _, s := range tc.secrets {
				if strings.Contains(err.Error(), strings.TrimPrefix(s, SecretPrefix)) {
					t.Errorf("error %q holds a secret", err)
				}
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Errorf("two secrets are both %s", a)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, SecretPrefix))
	if !strings.HasPrefix(a, SecretPrefix) || err != nil || len(key) != 32 {
		t.Errorf("NewSecret = %q: want %s and the base64 of 32 bytes (%d bytes, %v)", a, SecretPrefix, len(key), err)
	}
	if !ValidSecret(a) {
		t.Errorf("ValidSecret(%q) = false", a)
	}
}

func TestValidSecret(t *testing.T) {
	enc := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	zero32 := enc(32) // 43 A's and "="
	cases := []struct {
		secret string
		want   bool
	}{
		{SecretPrefix + enc(32), true},
		{SecretPrefix + enc(24), true},
		{SecretPrefix + enc(64), true},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true},
		{"", false},
		{SecretPrefix, false},
		{enc(32), false},                // no prefix
		{"WHSEC_" + enc(32), false},     // prefix in the wrong case
		{SecretPrefix + enc(23), false}, // too short
		{SecretPrefix + enc(65), false}, // too long
		{SecretPrefix + strings.TrimSuffix(zero32, "="), false}, // padding missing
		{SecretPrefix + zero32[:42] + "B=", false},              // padding bits set: not canonical
		{SecretPrefix + zero32[:20] + "\n" + zero32[20:], false},
		{SecretPrefix + base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xfb\xff", 16))), false},
		{SecretPrefix + enc(32) + " ", false},
	}
	for _, tc := range cases {
		if got := ValidSecret(tc.secret); got != tc.want {
			t.Errorf("ValidSecret(%q) = %v, want %v", tc.secret, got, tc.want)
		}
	}
}
