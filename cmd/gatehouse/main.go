// Command gatehouse is the operator's tool: `gatehouse dev` runs the whole product locally,
// `gatehouse token create` makes an API token straight in a table (how a deployment's first
// token is made), and `gatehouse sync plan` shows what directory sync would make of an export.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage:
  gatehouse dev                      run the API locally on http://127.0.0.1:$PORT (default 3000)
  gatehouse token create --org ORG [--role admin] [--name NAME] [--table TABLE]
                                     create an API token in a table and print its secret
  gatehouse sync plan --file EXPORT [--file PAGE2 ...] [--format auto] [--json]
                                     print what sync would do with an export, against an
                                     empty organization (reads no table)

environment: TABLE_NAME, DYNAMODB_ENDPOINT, PORT, GATEHOUSE_DEV_TOKEN, LOG_LEVEL, AWS_* (see README)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch {
	case len(args) >= 1 && args[0] == "dev":
		return runDev(ctx, args[1:], getenv, stdout, stderr)
	case len(args) >= 2 && args[0] == "token" && args[1] == "create":
		return runTokenCreate(ctx, args[2:], getenv, stdout, stderr)
	case len(args) >= 2 && args[0] == "sync" && args[1] == "plan":
		return runSyncPlan(args[2:], stdout, stderr)
	case len(args) >= 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", fmt.Sprint(args))
}
