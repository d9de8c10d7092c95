package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/slack"
)

const (
	secret  = "test-signing-secret"
	team    = "T0ACME"
	invitee = "U0INVITER"
)

// bench is a webhook over a fresh table with organization acme connected to team T0ACME,
// where user U0INVITER may invite.
type bench struct {
	t       testing.TB
	handler http.Handler
	svc     *org.Service
	admin   org.Principal
	clock   *orgtest.Clock
	signer  *slack.Verifier
	trigger int
	env     dynamotest.Env
}

func newBench(t testing.TB) *bench {
	t.Helper()
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	if _, err := svc.InstallSlack(context.Background(), admin, org.SlackInstall{TeamID: team, InstallerID: invitee}); err != nil {
		t.Fatalf("connect slack: %v", err)
	}
	v, err := slack.NewVerifier(secret, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	h := slack.Handler(slack.Config{Service: svc, Verifier: v, Replays: env.Store.Idempotency, Logger: slog.New(slog.DiscardHandler), Now: clock.Now})
	return &bench{t: t, handler: h, svc: svc, admin: admin, clock: clock, signer: v, env: env}
}

// form is a slash command's body from user, with a fresh trigger_id.
func (b *bench) form(user, text string) string {
	b.trigger++
	return url.Values{
		"team_id": {team}, "user_id": {user}, "user_name": {"jdoe"}, "command": {"/gatehouse"},
		"text": {text}, "trigger_id": {"13345224609." + strconv.Itoa(b.trigger)}, "response_url": {"https://hooks.slack.com/commands/1/2/3"},
	}.Encode()
}

// post sends body signed now and returns the status and the decoded reply.
func (b *bench) post(body string) (int, slack.Reply) {
	b.t.Helper()
	ts := strconv.FormatInt(b.clock.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", b.signer.Sign(ts, []byte(body)))
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	var rep slack.Reply
	if rec.Code == http.StatusOK && rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			b.t.Fatalf("reply is not JSON: %v: %s", err, rec.Body)
		}
		if rep.ResponseType != "ephemeral" {
			b.t.Errorf("response_type = %q, want ephemeral", rep.ResponseType)
		}
	}
	return rec.Code, rep
}

// say runs a command as the allowed user and returns the reply's whole text.
func (b *bench) say(text string) string {
	b.t.Helper()
	code, rep := b.post(b.form(invitee, text))
	if code != http.StatusOK {
		b.t.Fatalf("%q: status %d, want 200", text, code)
	}
	return replyText(b.t, rep)
}

// replyText joins every text of a reply, as a person reads it.
func replyText(t testing.TB, r slack.Reply) string {
	t.Helper()
	raw, err := json.Marshal(r.Blocks)
	if err != nil {
		t.Fatalf("encode reply: %v", err)
	}
	var blocks []struct {
		Text     *struct{ Text string }  `json:"text"`
		Elements []struct{ Text string } `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("reply blocks %s: %v", raw, err)
	}
	var parts []string
	for _, bl := range blocks {
		if bl.Text != nil {
			parts = append(parts, bl.Text.Text)
		}
		for _, e := range bl.Elements {
			parts = append(parts, e.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// pending lists acme's pending invitations.
func (b *bench) pending() []org.Invitation {
	b.t.Helper()
	page, err := b.svc.Invitations(context.Background(), b.admin, org.InvitationQuery{Status: org.StatusPending, Now: b.clock.Now(), PageRequest: org.PageRequest{Limit: 100}})
	if err != nil {
		b.t.Fatal(err)
	}
	return page.Items
}

func wantContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply %q does not contain %q", got, w)
		}
	}
}

func TestInviteOneRecordsSlackAsSourceAndActor(t *testing.T) {
	b := newBench(t)
	got := b.say("invite <mailto:Jane@Acme.com|Jane@Acme.com> Jane   Doe")
	wantContains(t, got, "Invited Jane Doe (*jane@acme.com*) as member", "expires Wed 2 Dec 2026")
	invs := b.pending()
	if len(invs) != 1 {
		t.Fatalf("pending invitations = %d, want 1", len(invs))
	}
	inv := invs[0]
	if inv.Email != "jane@acme.com" || inv.Name != "Jane Doe" || inv.Source != org.SourceSlack || inv.Role != org.RoleMember {
		t.Errorf("invitation = %+v", inv)
	}
	if inv.InvitedBy.Type != "slack_user" || inv.InvitedBy.ID != invitee {
		t.Errorf("invited by %+v, want slack_user %s", inv.InvitedBy, invitee)
	}
	if inv.Delivery.State != org.DeliveryQueued {
		t.Errorf("delivery = %s, want queued (email goes through the outbox)", inv.Delivery.State)
	}
	log, err := b.svc.AuditLog(context.Background(), b.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if a := log.Items[0]; a.Action != org.ActionInvited || a.Source != org.SourceSlack || a.Actor.ID != invitee {
		t.Errorf("audit entry = %+v, want invitation.created by %s from slack", a, invitee)
	}
}

func TestInviteProblemsAreFriendlyReplies(t *testing.T) {
	b := newBench(t)
	b.say("invite jane@acme.com")
	tests := []struct{ text, want string }{
		{"invite jane@acme.com", "already have a pending invitation"},
		{"invite jane@", "email must"},
		{"invite", "`invite` needs an email address"},
		{"invite , ,", "`invite` needs an email address"},
		{"invite a@acme.com, b c@acme.com", "list only their addresses"},
		{"invite " + strings.Repeat("x@acme.com, ", 21), "at most 20 people"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			wantContains(t, b.say(tt.text), tt.want)
		})
	}
	if n := len(b.pending()); n != 1 {
		t.Errorf("pending invitations = %d, want 1", n)
	}
}

func TestInviteSeveral(t *testing.T) {
	b := newBench(t)
	b.say("invite taken@acme.com")
	got := b.say("invite a@acme.com, B@acme.com,taken@acme.com, not-an-address")
	wantContains(t, got, "Invited 2 of 4 people as member", "*a@acme.com* invited", "*b@acme.com* invited",
		"*taken@acme.com* already has a pending invitation", "*not-an-address*: email must")
	if n := len(b.pending()); n != 3 {
		t.Errorf("pending invitations = %d, want 3", n)
	}
}

func TestListShowsTwentyAndCountsTheRest(t *testing.T) {
	b := newBench(t)
	if got := b.say("list"); !strings.Contains(got, "no pending invitations") {
		t.Errorf("empty list: %q", got)
	}
	reqs := make([]org.InviteRequest, 25)
	for i := range reqs {
		reqs[i] = org.InviteRequest{Email: "p" + strconv.Itoa(i) + "@acme.com"}
	}
	if _, err := b.svc.InviteMany(context.Background(), b.admin, reqs); err != nil {
		t.Fatal(err)
	}
	got := b.say("list")
	wantContains(t, got, "Pending invitations (25):", "…and 5 more.")
	if n := strings.Count(got, "• "); n != 20 {
		t.Errorf("listed %d invitations, want 20", n)
	}
}

func TestRevokeAndResend(t *testing.T) {
	b := newBench(t)
	b.say("invite jane@acme.com")
	wantContains(t, b.say("resend jane@acme.com"), "try again in a minute")
	b.clock.Add(61e9)
	wantContains(t, b.say("resend JANE@acme.com"), "Sent the invitation to *jane@acme.com* again")
	wantContains(t, b.say("revoke jane@acme.com"), "Revoked the invitation of *jane@acme.com*")
	if n := len(b.pending()); n != 0 {
		t.Errorf("pending invitations = %d, want 0", n)
	}
	wantContains(t, b.say("revoke jane@acme.com"), "no pending invitation")
	wantContains(t, b.say("resend nobody@acme.com"), "no pending invitation")
	wantContains(t, b.say("revoke"), "takes one email address")
}

func TestHelp(t *testing.T) {
	b := newBench(t)
	for _, text := range []string{"", "help", "dance <b>now</b>"} {
		got := b.say(text)
		wantContains(t, got, "Here is what I can do", "/gatehouse invite jane@acme.com Jane Doe", "/gatehouse list")
		if strings.Contains(got, "<b>") {
			t.Errorf("%q: reply echoes unescaped text: %q", text, got)
		}
	}
}

func TestOnlyConnectedWorkspacesAndListedUsers(t *testing.T) {
	b := newBench(t)
	code, rep := b.post(b.form("U0STRANGER", "invite jane@acme.com"))
	if code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	wantContains(t, replyText(t, rep), "not on the list", "U0STRANGER")
	other := strings.Replace(b.form(invitee, "invite jane@acme.com"), "team_id="+team, "team_id=T0OTHER", 1)
	_, rep = b.post(other)
	wantContains(t, replyText(t, rep), "not connected to Gatehouse")
	// user_name is never trusted: an allowed user's name from another id changes nothing.
	spoof := strings.Replace(b.form("U0STRANGER", "invite jane@acme.com"), "user_name=jdoe", "user_name="+invitee, 1)
	_, rep = b.post(spoof)
	wantContains(t, replyText(t, rep), "not on the list")
	if n := len(b.pending()); n != 0 {
		t.Errorf("pending invitations = %d, want 0", n)
	}
}

func TestEnterpriseMustMatch(t *testing.T) {
	b := newBench(t)
	inst := org.SlackInstall{TeamID: team, EnterpriseID: "E0GRID", InstallerID: invitee}
	if _, err := b.svc.InstallSlack(context.Background(), b.admin, inst); err != nil {
		t.Fatal(err)
	}
	_, rep := b.post(b.form(invitee, "list"))
	wantContains(t, replyText(t, rep), "not connected")
	_, rep = b.post(b.form(invitee, "list") + "&enterprise_id=E0GRID")
	wantContains(t, replyText(t, rep), "no pending invitations")
}

func TestReplayedRequestInvitesOnce(t *testing.T) {
	b := newBench(t)
	body := b.form(invitee, "invite jane@acme.com Jane")
	_, first := b.post(body)
	_, again := b.post(body)
	if replyText(t, first) != replyText(t, again) {
		t.Errorf("replayed reply %q differs from the first %q", replyText(t, again), replyText(t, first))
	}
	wantContains(t, replyText(t, again), "Invited Jane (*jane@acme.com*)")
	if n := len(b.pending()); n != 1 {
		t.Errorf("pending invitations = %d, want 1", n)
	}
	log, err := b.svc.AuditLog(context.Background(), b.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	invited := 0
	for _, a := range log.Items {
		if a.Action == org.ActionInvited {
			invited++
		}
	}
	if invited != 1 {
		t.Errorf("invitation.created audit entries = %d, want 1", invited)
	}
}

func TestRefusedRequestsDoNothing(t *testing.T) {
	b := newBench(t)
	body := b.form(invitee, "invite jane@acme.com")
	ts := strconv.FormatInt(b.clock.Now().Unix(), 10)
	tests := []struct {
		name, method, ts, sig, body string
		want                        int
	}{
		{"unsigned", http.MethodPost, "", "", body, http.StatusUnauthorized},
		{"tampered", http.MethodPost, ts, b.signer.Sign(ts, []byte(body)), body + "x", http.StatusUnauthorized},
		{"stale", http.MethodPost, strconv.FormatInt(b.clock.Now().Unix()-301, 10), "", body, http.StatusUnauthorized},
		{"GET", http.MethodGet, ts, b.signer.Sign(ts, nil), "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := tt.sig
			if tt.name == "stale" {
				sig = b.signer.Sign(tt.ts, []byte(tt.body))
			}
			req := httptest.NewRequest(tt.method, "/slack/commands", strings.NewReader(tt.body))
			req.Header.Set("x-slack-request-timestamp", tt.ts)
			req.Header.Set("x-slack-signature", sig)
			rec := httptest.NewRecorder()
			b.handler.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d", rec.Code, tt.want)
			}
		})
	}
	if n := len(b.pending()); n != 0 {
		t.Errorf("pending invitations = %d, want 0", n)
	}
}

func TestSSLCheckGetsAnEmpty200(t *testing.T) {
	b := newBench(t)
	ts := strconv.FormatInt(b.clock.Now().Unix(), 10)
	body := "ssl_check=1&token=abc"
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", b.signer.Sign(ts, []byte(body)))
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	if got, _ := io.ReadAll(rec.Body); rec.Code != http.StatusOK || len(got) != 0 {
		t.Errorf("status %d body %q, want an empty 200", rec.Code, got)
	}
}

func TestSlackUsesTheOneAddress(t *testing.T) {
	b := newBench(t)
	b.say("invite ada@acme.com")
	wantContains(t, b.say("invite ADA@ａｃｍｅ.com"), "already have a pending invitation")
	wantContains(t, b.say("invite Ada@ＡＣＭＥ.com, grace@ａｃｍｅ.com"), "*ada@acme.com* already has a pending invitation", "*grace@acme.com* invited")
	wantContains(t, b.say("revoke grace@ＡＣＭＥ.com"), "grace@acme.com")
	wantContains(t, b.say("invite ada\u200b@acme.com"), "invisible")
	if n := len(b.pending()); n != 1 {
		t.Errorf("pending invitations = %d, want 1", n)
	}
}
