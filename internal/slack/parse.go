package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Command is a slash command as Slack posts it (application/x-www-form-urlencoded).
// Authorization uses the ids only, never UserName.
type Command struct {
	TeamID       string
	EnterpriseID string
	UserID       string
	UserName     string
	ChannelID    string
	Command      string // as the app registered it, such as /gatehouse
	Text         string
	TriggerID    string // unique per invocation: a replayed request carries the same one
	ResponseURL  string
	SSLCheck     bool // Slack's certificate probe: answer an empty 200
}

// ParseCommand reads a slash command from the raw, already verified body.
func ParseCommand(body []byte) (Command, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return Command{}, fmt.Errorf("slash command body: %w", err)
	}
	c := Command{
		TeamID: v.Get("team_id"), EnterpriseID: v.Get("enterprise_id"), UserID: v.Get("user_id"),
		UserName: v.Get("user_name"), ChannelID: v.Get("channel_id"), Command: v.Get("command"),
		Text: v.Get("text"), TriggerID: v.Get("trigger_id"), ResponseURL: v.Get("response_url"),
		SSLCheck: v.Get("ssl_check") == "1",
	}
	if !c.SSLCheck && (c.TeamID == "" || c.UserID == "") {
		return Command{}, fmt.Errorf("slash command lacks team_id or user_id")
	}
	return c, nil
}

// Action is what a command's text asks for.
type Action string

// The actions.
const (
	ActionHelp   Action = "help"
	ActionInvite Action = "invite"
	ActionList   Action = "list"
	ActionRevoke Action = "revoke"
	ActionResend Action = "resend"
)

// MaxInvitesPerCommand bounds `invite a, b, c, …`.
const MaxInvitesPerCommand = 20

// Request is a parsed command text. Addresses are as typed; the domain normalizes and
// checks them.
type Request struct {
	Action Action
	Emails []string
	Name   string // for a single invite: the person's full name, if given
	// Problem explains why the text could not be understood; the action is then help.
	Problem string
}

// mailto matches Slack's escaped form of an address, <mailto:jane@acme.com|jane@acme.com>. It
// is compiled on first use, not by every cold start of the API, which links this package but
// parses no command.
var mailto = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<mailto:([^|>]+)(?:\|[^>]*)?>`) })

// ParseText reads what the person typed after the command's name. Empty or unknown text asks
// for help.
func ParseText(text string) Request {
	text = strings.TrimSpace(mailto().ReplaceAllString(text, "$1"))
	verb, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "invite":
		return parseInvite(rest)
	case "list":
		return Request{Action: ActionList}
	case "revoke", "resend":
		fields := strings.Fields(rest)
		if len(fields) != 1 {
			return Request{Action: ActionHelp, Problem: fmt.Sprintf("`%s` takes one email address, such as `%s jane@acme.com`", verb, verb)}
		}
		return Request{Action: Action(strings.ToLower(verb)), Emails: fields}
	case "", "help":
		return Request{Action: ActionHelp}
	}
	return Request{Action: ActionHelp, Problem: fmt.Sprintf("I don't know `%s`", verb)}
}

// parseInvite reads `<email> [full name]` or `<email>, <email>, …`.
func parseInvite(rest string) Request {
	if rest == "" {
		return Request{Action: ActionHelp, Problem: "`invite` needs an email address, such as `invite jane@acme.com Jane Doe`"}
	}
	if strings.Contains(rest, ",") {
		var emails []string
		for _, part := range strings.Split(rest, ",") {
			if p := strings.TrimSpace(part); p != "" {
				if strings.ContainsAny(p, " \t") {
					return Request{Action: ActionHelp, Problem: "to invite several people, list only their addresses: `invite a@acme.com, b@acme.com`"}
				}
				emails = append(emails, p)
			}
		}
		if len(emails) == 0 {
			return Request{Action: ActionHelp, Problem: "`invite` needs an email address, such as `invite jane@acme.com Jane Doe`"}
		}
		if len(emails) > MaxInvitesPerCommand {
			return Request{Action: ActionHelp, Problem: fmt.Sprintf("I can invite at most %d people at once; use the bulk import for more", MaxInvitesPerCommand)}
		}
		return Request{Action: ActionInvite, Emails: emails}
	}
	email, name, _ := strings.Cut(rest, " ")
	return Request{Action: ActionInvite, Emails: []string{email}, Name: strings.Join(strings.Fields(name), " ")}
}
