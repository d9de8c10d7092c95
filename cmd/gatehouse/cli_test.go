package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// cliRun runs gatehouse with args and the environment vars, and returns its exit status and
// what it wrote.
func cliRun(ctx context.Context, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = cli(ctx, args, func(k string) string { return vars[k] }, &out, &errs)
	return code, out.String(), errs.String()
}

func TestHelpPrintsUsageAndExitsZero(t *testing.T) {
	cases := [][]string{{"help"}, {"--help"}, {"-h"}}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		cases = append(cases, append(words, "--help"), append(words, "-h"), append([]string{"help"}, words...))
	}
	for _, args := range cases {
		code, stdout, stderr := cliRun(t.Context(), nil, args...)
		if code != exitOK || stderr != "" || !strings.HasPrefix(stdout, "usage: gatehouse ") {
			t.Errorf("gatehouse %s: exit %d, stdout %.60q, stderr %q; want usage on stdout and exit 0", strings.Join(args, " "), code, stdout, stderr)
		}
		if len(args) > 1 && args[0] != "help" && !strings.HasPrefix(stdout, "usage: gatehouse "+strings.Join(args[:len(args)-1], " ")) {
			t.Errorf("gatehouse %s printed another command's usage: %.60q", strings.Join(args, " "), stdout)
		}
	}
}

func TestMisuseExitsTwoAndSaysWhatOnce(t *testing.T) {
	api := map[string]string{"GATEHOUSE_API": "http://127.0.0.1:1", "GATEHOUSE_TOKEN": "ghk_x"}
	tests := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"launch"}, nil, `gatehouse: unknown command "launch"` + "\nrun 'gatehouse help' for usage\n"},
		{[]string{"token", "mint"}, nil, `gatehouse: unknown command "token mint" (token has: create)`},
		{[]string{"invitations"}, nil, `gatehouse: "invitations" needs one of: list, revoke, resend`},
		{nil, nil, "gatehouse: no command given"},
		{[]string{"dev", "now"}, nil, `gatehouse: dev takes no arguments, got "now"`},
		{[]string{"invite", "--bogus"}, api, "gatehouse: invite: flag provided but not defined: -bogus\nrun 'gatehouse invite --help' for usage\n"},
		{[]string{"invite"}, api, "gatehouse: invite needs --file or --email, not both"},
		{[]string{"invite", "--file", "a.csv", "--email", "a@example.com"}, api, "gatehouse: invite needs --file or --email, not both"},
		{[]string{"invite", "--file", "a.csv", "--name", "Ada"}, api, "gatehouse: --name goes with --email"},
		{[]string{"invite", "--email", "a@example.com", "--role", "owner"}, api, "gatehouse: --role owner: role must be one of admin, member, viewer"},
		{[]string{"invite", "--email", "a@example.com"}, nil, "gatehouse: no API address: set GATEHOUSE_API or pass --api"},
		{[]string{"invite", "--email", "a@example.com"}, map[string]string{"GATEHOUSE_API": "http://127.0.0.1:1"}, "gatehouse: no API token: set GATEHOUSE_TOKEN or pass --token-file"},
		{[]string{"members", "list", "--api", "127.0.0.1:3000"}, api, `gatehouse: API address "127.0.0.1:3000" must be an http or https URL`},
		{[]string{"members", "list", "--json", "--csv"}, api, "gatehouse: --json and --csv exclude each other"},
		{[]string{"members", "list", "extra"}, api, `gatehouse: members list takes no arguments, got "extra"`},
		{[]string{"invitations", "list", "--status", "lost"}, api, "gatehouse: --status lost: status must be one of pending, accepted, revoked, expired"},
		{[]string{"invitations", "revoke"}, api, "gatehouse: invitations revoke needs the id of at least one invitation"},
		{[]string{"audit", "export"}, api, "gatehouse: audit export needs --since"},
		{[]string{"audit", "export", "--since", "yesterday"}, api, "gatehouse: --since yesterday: give a date such as 2026-11-01"},
		{[]string{"audit", "export", "--since", "2026-11-02", "--until", "2026-11-01"}, api, "gatehouse: --since 2026-11-02 is not before --until 2026-11-01"},
		{[]string{"audit", "export", "--since", "2026-11-01", "--format", "xml"}, api, "gatehouse: --format xml: give jsonl or csv"},
		{[]string{"token", "create", "--table", "t"}, nil, "gatehouse: token create needs --org and --table"},
		{[]string{"sync", "plan", "--file", "x", "--format", "ldif"}, nil, `gatehouse: --format: unknown export format "ldif"`},
	}
	for _, tt := range tests {
		code, stdout, stderr := cliRun(t.Context(), tt.vars, tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("gatehouse %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
		if stdout != "" && tt.args != nil {
			t.Errorf("gatehouse %s wrote %q on stdout", strings.Join(tt.args, " "), stdout)
		}
		if n := strings.Count(stderr, "gatehouse:"); n != 1 {
			t.Errorf("gatehouse %s: %d errors on stderr, want the one: %q", strings.Join(tt.args, " "), n, stderr)
		}
		if strings.Contains(stderr, `"[`) {
			t.Errorf("gatehouse %s names its words as a list: %q", strings.Join(tt.args, " "), stderr)
		}
	}
}

// TestUsageListsWhatTheReadmeMentions holds the top-level usage to the README: every
// gatehouse command and flag the README shows, and every variable of its Configuration
// table that the gatehouse command reads.
func TestUsageListsWhatTheReadmeMentions(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.ReplaceAll(string(raw), "\\\n", " ")
	invocation := regexp.MustCompile(`(?:^|[\s(` + "`" + `])(?:go run \./cmd/)?gatehouse ((?:[a-z]+)(?: [a-z]+)?)(.*)`)
	flagRE := regexp.MustCompile(`(?:^|\s|\[)(--[a-z][a-z-]*)`)
	commandsSeen := 0
	for _, line := range strings.Split(readme, "\n") {
		m := invocation.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c, _, err := find(strings.Fields(m[1]))
		if err != nil {
			continue // prose such as "gatehouse dev stack", not an invocation
		}
		commandsSeen++
		if !strings.Contains(usage, "gatehouse "+c.name) {
			t.Errorf("the README runs gatehouse %s, which the usage does not list", c.name)
		}
		for _, f := range flagRE.FindAllStringSubmatch(m[2], -1) {
			if !strings.Contains(usage, f[1]) && f[1] != "--help" {
				t.Errorf("the README gives gatehouse %s the flag %s, which the usage does not list:\n%s", c.name, f[1], line)
			}
		}
	}
	if commandsSeen < 8 {
		t.Errorf("found %d gatehouse commands in the README; is the pattern right?", commandsSeen)
	}
	row := regexp.MustCompile("^\\| (`[A-Z_]+`.*?) \\| ([^|]+) \\|")
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]*)`")
	varsSeen := 0
	for _, line := range strings.Split(readme, "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil || !regexp.MustCompile(`gatehouse|CLI|\ball\b`).MatchString(m[2]) {
			continue
		}
		for _, v := range name.FindAllStringSubmatch(m[1], -1) {
			varsSeen++
			if !strings.Contains(usage, v[1]) {
				t.Errorf("the README's Configuration says gatehouse reads %s, which the usage does not list", v[1])
			}
		}
	}
	if varsSeen < 10 {
		t.Errorf("found %d variables for gatehouse in the README's Configuration; is the pattern right?", varsSeen)
	}
}

func TestProgressBarShowsCountsAndNotes(t *testing.T) {
	var buf bytes.Buffer
	bar := newBar(&buf, 250)
	bar.answered(100, "98 created, 2 already invited")
	if !strings.Contains(buf.String(), "inviting (98 created, 2 already invited)") || !strings.Contains(buf.String(), "(100/250)") {
		t.Errorf("bar after a request: %q", buf.String())
	}
	bar.note("gatehouse: temporarily_unavailable; retrying in 1s")
	bar.answered(100, "198 created, 2 already invited")
	if !strings.Contains(buf.String(), "\rgatehouse: temporarily_unavailable; retrying in 1s\n") || !strings.Contains(buf.String(), "inviting (198 created, 2 already invited)") || !strings.Contains(buf.String(), "(200/250)") {
		t.Errorf("bar after a note and a request: %q", buf.String())
	}
	bar.finish()

	var lines bytes.Buffer
	p := newProgress(&lines, 250) // not a terminal
	p.answered(100, "100 created")
	if lines.String() != "invite: 100 of 250 rows answered (100 created)\n" {
		t.Errorf("progress off a terminal: %q", lines.String())
	}
}
