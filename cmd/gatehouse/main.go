// Command gatehouse is the operator's and scripter's tool: `gatehouse dev` runs the whole
// product locally, `gatehouse token create` makes an API token straight in a table (how a
// deployment's first token is made), `gatehouse sync plan` shows what directory sync would
// make of an export, and the API commands (invite, invitations, members, audit) call a local
// or deployed API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `usage: gatehouse COMMAND [flags]

The local stack and the table:
  gatehouse dev                      run the API locally on http://127.0.0.1:$PORT (default 3000)
  gatehouse token create --org ORG [--org-name NAME] [--role admin] [--name NAME] [--table TABLE]
                                     create an API token in a table and print its secret
  gatehouse sync plan --file EXPORT [--file PAGE2 ...] [--format auto] [--use-upn-when-no-mail] [--json]
                                     print what sync would do with an export, against an
                                     empty organization (reads no table)
  gatehouse upkeep expiries [--table TABLE]
                                     once after upgrading: announce the expiry of invitations
                                     an older release stored, like everyone else's
  gatehouse upkeep search-names [--table TABLE]
                                     once after upgrading: let searches find the invitations
                                     an older release stored by name, in any case

Against the API (--api URL or GATEHOUSE_API; the token in GATEHOUSE_TOKEN or --token-file FILE):
  gatehouse invite --file people.csv [--role ROLE] [--skip-invalid] [--results out.csv]
  gatehouse invite --email EMAIL [--name NAME] [--role ROLE] [--results out.csv]
                                     invite people (a CSV of email,name,role), 100 a request;
                                     checks every row first, resumes when run again
  gatehouse invitations list [--status STATUS] [--json | --csv]
  gatehouse invitations revoke ID [ID ...] [--json]
  gatehouse invitations resend ID [ID ...] [--json]
  gatehouse members list [--json | --csv]
  gatehouse audit export --since 2026-11-01 [--until 2026-11-30] [--format jsonl | csv]
                                     every audit entry of the period, newest first

  gatehouse help [COMMAND]           this text, or a command's flags (as COMMAND --help)

Environment:
  GATEHOUSE_API, GATEHOUSE_TOKEN     the API's base URL and the API token, for the API commands
  TABLE_NAME, DYNAMODB_ENDPOINT      the table of token create and dev, and another DynamoDB
  PORT, SES_LOCAL_PORT, SES_ENDPOINT, GATEHOUSE_DEV_TOKEN, EXPORTS_DIR, SYNC_INTERVAL,
  SECRETS_KEY_FILE, SLACK_SIGNING_SECRET, S3_ENDPOINT, CORS_ALLOWED_ORIGINS, APP_URL
                                     the local stack (see the README's Configuration)
  LOG_LEVEL, METRICS_NAMESPACE, AWS_REGION, AWS_PROFILE, AWS_*
                                     logging (metrics are logged at debug), and the AWS SDK's
                                     usual settings

Exit status: 0 done, 1 failed (for invite: some rows were not invited), 2 used wrongly.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// cli runs a command and reports its error, once, on stderr; it returns the exit status.
func cli(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	err := run(ctx, args, getenv, stdout, stderr)
	var uerr *usageError
	var ferr *failedError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &uerr):
		fmt.Fprintln(stderr, "gatehouse:", uerr.msg)
		switch {
		case uerr.shown:
		case uerr.cmd == "":
			fmt.Fprintln(stderr, "run 'gatehouse help' for usage")
		default:
			fmt.Fprintf(stderr, "run 'gatehouse %s --help' for usage\n", uerr.cmd)
		}
		return exitUsage
	case errors.As(err, &ferr) && ferr.reported:
		return exitFailed
	}
	fmt.Fprintln(stderr, "gatehouse:", err)
	return exitFailed
}

// usageError is a command used wrongly (exit status 2): msg says how, cmd names the command
// whose help to read (empty for the overview), shown says the usage was printed already.
type usageError struct {
	cmd, msg string
	shown    bool
}

func (e *usageError) Error() string { return e.msg }

// usagef makes a usageError of cmd.
func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// failedError is a command that ran and failed in part (exit status 1), whose failures it
// has already reported when reported is set.
type failedError struct {
	msg      string
	reported bool
}

func (e *failedError) Error() string { return e.msg }

// command is one of gatehouse's commands.
type command struct {
	name string // its words, such as "invitations list"
	run  func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// commands are every command, in the order the usage lists them.
func commands() []command {
	return []command{
		{"dev", runDev},
		{"token create", runTokenCreate},
		{"sync plan", runSyncPlan},
		{"upkeep expiries", runUpkeepExpiries},
		{"upkeep search-names", runUpkeepSearchNames},
		{"invite", runInvite},
		{"invitations list", runInvitationsList},
		{"invitations revoke", runInvitationsRevoke},
		{"invitations resend", runInvitationsResend},
		{"members list", runMembersList},
		{"audit export", runAuditExport},
	}
}

// run dispatches a command.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &usageError{msg: "no command given", shown: true}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			c, rest, err := find(args[1:])
			if err != nil {
				return err
			}
			return c.run(ctx, append(rest, "--help"), getenv, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	c, rest, err := find(args)
	if err != nil {
		return err
	}
	return c.run(ctx, rest, getenv, stdout, stderr)
}

// find is the command args start with, and the arguments after its words.
func find(args []string) (command, []string, error) {
	var group []string
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], nil
		}
		if words[0] == args[0] && len(words) > 1 {
			group = append(group, words[1])
		}
	}
	switch {
	case len(group) > 0 && len(args) == 1:
		return command{}, nil, usagef("", "%q needs one of: %s", args[0], strings.Join(group, ", "))
	case len(group) > 0:
		return command{}, nil, usagef("", "unknown command %q (%s has: %s)", args[0]+" "+args[1], args[0], strings.Join(group, ", "))
	}
	return command{}, nil, usagef("", "unknown command %q", args[0])
}

// newFlags returns the flag set of the command name, whose synopsis and description its
// --help prints before the flags. Its errors are reported by parseFlags, once.
func newFlags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("gatehouse "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := fs.Output()
		lines := strings.Split(strings.TrimSpace(synopsis), "\n")
		for i, l := range lines {
			prefix := "usage: "
			if i > 0 {
				prefix = "       "
			}
			fmt.Fprintln(w, strings.TrimRight(prefix+"gatehouse "+name+" "+strings.TrimSpace(l), " "))
		}
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(about))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs. --help (-h) prints the usage on stdout and returns
// flag.ErrHelp; a flag used wrongly is a usageError naming it.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return flag.ErrHelp
	case err != nil:
		return usagef(cmdName(fs), "%s: %v", cmdName(fs), err)
	}
	return nil
}

// parseInterspersed is parseFlags for a command taking arguments among its flags (IDs), and
// returns those arguments.
func parseInterspersed(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args, stdout); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// noArgs refuses the arguments left after fs's flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef(cmdName(fs), "%s takes no arguments, got %q", cmdName(fs), fs.Arg(0))
	}
	return nil
}

// cmdName is the command of fs, without the program's name.
func cmdName(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "gatehouse ") }
