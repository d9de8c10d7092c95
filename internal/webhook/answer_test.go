package webhook

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSendBody: the answer's body, cut to MaxBody bytes of printable UTF-8.
func TestSendBody(t *testing.T) {
	cases := []struct {
		name, answer, want string
	}{
		{"short", `{"ok":true}`, `{"ok":true}`},
		{"long", strings.Repeat("abcdefghij", 100), strings.Repeat("abcdefghij", 20)},
		{"rune across the cut", strings.Repeat("a", 199) + "é and more", strings.Repeat("a", 199)},
		{"rune at the cut", strings.Repeat("a", 198) + "é and more", strings.Repeat("a", 198) + "é"},
		{"line breaks and tabs", "line 1\r\nline 2\tend", "line 1  line 2 end"},
		{"controls", "ok\x00\x07\x1b[31mred\x7f\u0085", "ok[31mred"},
		{"bidirectional overrides", "abc\u202edcba\u2066x\u2069", "abcdcbax"},
		{"invalid UTF-8", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"empty", "", ""},
		{"larger than read", strings.Repeat("x", 1<<20), strings.Repeat("x", 200)},
	}
	s := testSender(t, SenderOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, tc.answer)
			})
			res := s.Send(context.Background(), rc.URL, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
			if res.Body != tc.want {
				t.Errorf("body %q, want %q", res.Body, tc.want)
			}
			if res.Outcome != Retry || res.Status != http.StatusBadRequest {
				t.Errorf("%+v, want a retry with 400", res)
			}
		})
	}
}

// TestSendScrubsEchoes: a receiver that echoes the request back does not get the secrets
// or the signature into the Result, whole or cut.
func TestSendScrubsEchoes(t *testing.T) {
	// Fixed secrets and a time at which both signatures hold a "/", so that the JSON-escaped
	// forms differ from the plain ones.
	fill := []byte("0123456789abcdefghijklmnopqrs")
	newSecret := SecretPrefix + base64.StdEncoding.EncodeToString(append([]byte{0xff, 0xff, 0xff}, fill...))
	oldSecret := SecretPrefix + base64.StdEncoding.EncodeToString(append([]byte{0xfb, 0xff, 0xbf}, fill[1:]...))
	secrets := []string{newSecret, oldSecret}
	key := func(s string) string { return strings.TrimPrefix(s, SecretPrefix) }
	at := time.Unix(1_700_000_000, 0)
	for {
		sig, err := Sign(secrets, "evt_1", at, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(sig); strings.Contains(f[0], "/") && strings.Contains(f[1], "/") {
			break
		}
		at = at.Add(time.Second)
	}
	cases := []struct {
		name string
		echo func(r *http.Request) string
	}{
		{"signature header", func(r *http.Request) string { return "got " + r.Header.Get("Webhook-Signature") }},
		{"secrets", func(*http.Request) string { return "secrets " + newSecret + " and " + oldSecret }},
		{"bare keys", func(*http.Request) string { return key(newSecret) + "|" + key(oldSecret) }},
		{"JSON-escaped", func(r *http.Request) string {
			return `{"sig":"` + strings.ReplaceAll(r.Header.Get("Webhook-Signature"), "/", `\/`) + `","key":"` +
				strings.ReplaceAll(key(newSecret), "/", `\/`) + `"}`
		}},
		{"across the cut", func(*http.Request) string { return strings.Repeat("a", 190) + newSecret }},
		{"split by a line break", func(*http.Request) string { return "k=\n" + newSecret + "\n" }},
	}
	s := testSender(t, SenderOptions{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, tc.echo(r))
			})
			res := s.Send(context.Background(), rc.URL, secrets, "evt_1", at, []byte("{}"))
			sig := rc.requests()[0].Header.Get("Webhook-Signature")
			// Whole or in part (the eight characters after each "/" run), plain or escaped.
			var parts []string
			for _, whole := range append(strings.Fields(sig), key(newSecret), key(oldSecret)) {
				_, after, _ := strings.Cut(strings.TrimLeft(whole, "v1,/"), "/")
				parts = append(parts, whole, strings.ReplaceAll(whole, "/", `\/`), whole[len(whole)-9:len(whole)-1])
				if len(after) >= 8 {
					parts = append(parts, after[:8])
				}
			}
			for _, part := range parts {
				if strings.Contains(res.Body, part) || strings.Contains(res.Error, part) {
					t.Errorf("result %+v holds %q", res, part)
				}
			}
			if !strings.Contains(res.Body, "[redac") {
				t.Errorf("body %q shows no redaction", res.Body)
			}
		})
	}
}
