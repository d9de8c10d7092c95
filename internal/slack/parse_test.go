package slack

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCommand(t *testing.T) {
	c, err := ParseCommand([]byte(docBody))
	if err != nil {
		t.Fatal(err)
	}
	want := Command{TeamID: "T1DC2JH3J", UserID: "U2CERLKJA", UserName: "roadrunner", ChannelID: "G8PSS9T3V",
		Command: "/webhook-collect", TriggerID: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
		ResponseURL: "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("command mismatch (-want +got):\n%s", diff)
	}
	if c, err := ParseCommand([]byte("ssl_check=1&token=x")); err != nil || !c.SSLCheck {
		t.Errorf("ssl check: %+v, %v", c, err)
	}
	if _, err := ParseCommand([]byte("text=invite")); err == nil {
		t.Error("a command without team and user was accepted")
	}
	if _, err := ParseCommand([]byte("%zz")); err == nil {
		t.Error("a malformed body was accepted")
	}
}

func TestParseText(t *testing.T) {
	many := make([]string, 21)
	for i := range many {
		many[i] = "p@x.io"
	}
	tests := []struct {
		text    string
		want    Request
		problem bool
	}{
		{text: "", want: Request{Action: ActionHelp}},
		{text: "help", want: Request{Action: ActionHelp}},
		{text: "  LIST ", want: Request{Action: ActionList}},
		{text: "invite jane@acme.com Jane   Doe", want: Request{Action: ActionInvite, Emails: []string{"jane@acme.com"}, Name: "Jane Doe"}},
		{text: "invite <mailto:jane@acme.com|jane@acme.com> Jane Doe", want: Request{Action: ActionInvite, Emails: []string{"jane@acme.com"}, Name: "Jane Doe"}},
		{text: "invite jane@acme.com", want: Request{Action: ActionInvite, Emails: []string{"jane@acme.com"}}},
		{text: "invite a@acme.com, b@acme.com,c@acme.com,", want: Request{Action: ActionInvite, Emails: []string{"a@acme.com", "b@acme.com", "c@acme.com"}}},
		{text: "revoke jane@acme.com", want: Request{Action: ActionRevoke, Emails: []string{"jane@acme.com"}}},
		{text: "resend <mailto:jane@acme.com|jane@acme.com>", want: Request{Action: ActionResend, Emails: []string{"jane@acme.com"}}},
		{text: "invite", problem: true},
		{text: "invite a@acme.com Ann, b@acme.com", problem: true},
		{text: "invite " + strings.Join(many, ", "), problem: true},
		{text: "revoke", problem: true},
		{text: "revoke a@x.io b@x.io", problem: true},
		{text: "dance", problem: true},
	}
	for _, tt := range tests {
		got := ParseText(tt.text)
		if tt.problem {
			if got.Action != ActionHelp || got.Problem == "" {
				t.Errorf("ParseText(%q) = %+v, want help with a problem", tt.text, got)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseText(%q) mismatch (-want +got):\n%s", tt.text, diff)
		}
	}
}
