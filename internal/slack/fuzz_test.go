package slack

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParseCommand reads any body as a slash command: never a panic, and what it reads
// keeps the fields it was given.
func FuzzParseCommand(f *testing.F) {
	f.Add([]byte("token=x&team_id=T0001&user_id=U0001&command=%2Fgatehouse&text=invite+a%40b.io&trigger_id=1.2.3"))
	f.Add([]byte("ssl_check=1&token=x"))
	f.Add([]byte("%zz&&=="))
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := ParseCommand(body)
		form, ferr := url.ParseQuery(string(body))
		if err != nil {
			return
		}
		// What authorizes a command is exactly what the form says, never mixed or invented.
		if ferr != nil || cmd.TeamID != form.Get("team_id") || cmd.UserID != form.Get("user_id") || cmd.EnterpriseID != form.Get("enterprise_id") {
			t.Fatalf("ParseCommand(%q) = team %q user %q enterprise %q; the form says %v (%v)", body, cmd.TeamID, cmd.UserID, cmd.EnterpriseID, form, ferr)
		}
		if !cmd.SSLCheck && (cmd.TeamID == "" || cmd.UserID == "") {
			t.Fatalf("ParseCommand(%q) accepted a command without a team or user", body)
		}
		_ = ParseText(cmd.Text)
	})
}

// FuzzParseText reads any command text: never a panic, every address it returns is
// non-empty, and invite lists stay within their bound.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"invite a@b.io Ada Lovelace", "invite a@b.io, c@d.io,e@f.io", "list", "resend x@y.io", "revoke x@y.io", "help", "", "invite", "INVITE  a@b.io   "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		req := ParseText(text)
		for _, e := range req.Emails {
			if strings.TrimSpace(e) == "" {
				t.Fatalf("ParseText(%q) returned an empty address in %q", text, req.Emails)
			}
		}
	})
}

// FuzzVerify checks any headers and body against a fixed secret: never a panic, and nothing
// but a correct signature passes.
func FuzzVerify(f *testing.F) {
	v, err := NewVerifier("8f742231b10e8888abcd99yyyzzz85a5", func() time.Time { return time.Unix(1531420618, 0) })
	if err != nil {
		f.Fatal(err)
	}
	f.Add("1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J"))
	f.Add("", "", []byte{})
	f.Add("9999999999999999999999", "v0=", []byte("x"))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", ts)
		h.Set("X-Slack-Signature", sig)
		if err := v.Verify(h, body); err == nil && !strings.EqualFold(sig, v.Sign(ts, body)) {
			t.Fatalf("Verify passed a signature %q that is not the body's", sig)
		}
	})
}
