package slack

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// Slack's documented example, from "Verifying requests from Slack".
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = "1531420618"
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

func at(secs int64) func() time.Time { return func() time.Time { return time.Unix(secs, 0) } }

func headers(ts, sig string) http.Header {
	h := http.Header{}
	// As API Gateway may pass them: lower case. Get finds them whatever the case.
	if ts != "" {
		h["x-slack-request-timestamp"] = []string{ts}
		h.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		h.Set("X-Slack-Signature", sig)
	}
	return h
}

func TestSlacksDocumentedExampleVerifies(t *testing.T) {
	v, err := NewVerifier(docSecret, at(1531420618+30))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(headers(docTimestamp, docSignature), []byte(docBody)); err != nil {
		t.Errorf("Slack's example: %v", err)
	}
	if got := v.Sign(docTimestamp, []byte(docBody)); got != docSignature {
		t.Errorf("Sign = %s, want %s", got, docSignature)
	}
}

func TestVerifyRefuses(t *testing.T) {
	tests := []struct {
		name    string
		now     int64
		ts, sig string
		body    string
		want    error
	}{
		{"tampered body", 1531420618, docTimestamp, docSignature, docBody + "&text=invite", ErrBadSignature},
		{"other secret's signature", 1531420618, docTimestamp, "v0=" + "00" + docSignature[5:], docBody, ErrBadSignature},
		{"six minutes late", 1531420618 + 6*60, docTimestamp, docSignature, docBody, ErrStale},
		{"six minutes early", 1531420618 - 6*60, docTimestamp, docSignature, docBody, ErrStale},
		{"301 seconds late", 1531420618 + 301, docTimestamp, docSignature, docBody, ErrStale},
		{"301 seconds early", 1531420618 - 301, docTimestamp, docSignature, docBody, ErrStale},
		{"no v0= prefix", 1531420618, docTimestamp, docSignature[3:], docBody, ErrBadSignature},
		{"no signature", 1531420618, docTimestamp, "", docBody, ErrBadSignature},
		{"no timestamp", 1531420618, "", docSignature, docBody, ErrBadSignature},
		{"timestamp not a number", 1531420618, "yesterday", docSignature, docBody, ErrBadSignature},
		{"other version", 1531420618, docTimestamp, "v1=" + docSignature[3:], docBody, ErrBadSignature},
		{"not hex", 1531420618, docTimestamp, "v0=zz", docBody, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(docSecret, at(tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Verify(headers(tt.ts, tt.sig), []byte(tt.body)); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	for _, skew := range []int64{300, -300} {
		v, _ := NewVerifier(docSecret, at(1531420618+skew))
		if err := v.Verify(headers(docTimestamp, docSignature), []byte(docBody)); err != nil {
			t.Errorf("exactly %d seconds off: %v, want accepted", skew, err)
		}
	}
}

func TestAnEmptySecretIsRefused(t *testing.T) {
	if _, err := NewVerifier("", nil); err == nil {
		t.Error("empty signing secret accepted")
	}
}
