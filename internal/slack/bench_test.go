package slack_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/slack"
)

// BenchmarkSlackCommand is the webhook's time per command against the embedded store: the
// signature check, parsing, authorization, the replay record and the invitation's
// transaction. The baseline is the signature check and parsing alone.
func BenchmarkSlackCommand(b *testing.B) {
	b.Run("baseline=verify+parse", func(b *testing.B) {
		v, _ := slack.NewVerifier(secret, nil)
		body := []byte("team_id=T0ACME&user_id=U0INVITER&command=%2Fgatehouse&text=invite+jane%40acme.com&trigger_id=1.2.3")
		h := http.Header{}
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		h.Set("X-Slack-Request-Timestamp", ts)
		h.Set("X-Slack-Signature", v.Sign(ts, body))
		for b.Loop() {
			if err := v.Verify(h, body); err != nil {
				b.Fatal(err)
			}
			c, err := slack.ParseCommand(body)
			if err != nil {
				b.Fatal(err)
			}
			_ = slack.ParseText(c.Text)
		}
	})
	b.Run("invite", func(b *testing.B) {
		bb := newBench(b)
		i := 0
		for b.Loop() {
			i++
			code, rep := bb.post(bb.form(invitee, "invite p"+strconv.Itoa(i)+"@acme.com Person "+strconv.Itoa(i)))
			if code != http.StatusOK || !strings.Contains(rep.Text, "Invited") {
				b.Fatalf("status %d: %+v", code, rep)
			}
		}
	})
	b.Run("list", func(b *testing.B) {
		bb := newBench(b)
		for i := range 25 {
			bb.say("invite p" + strconv.Itoa(i) + "@acme.com")
		}
		for b.Loop() {
			if code, _ := bb.post(bb.form(invitee, "list")); code != http.StatusOK {
				b.Fatalf("status %d", code)
			}
		}
	})
}
