// Package sestest runs the local SES v2 emulator for tests: each test gets its own process on
// a free loopback port, a client that talks to it, and the emails it has accepted.
package sestest

import (
	"errors"
	"testing"

	"gatehouse/internal/localses"
)

// Start runs aws-ses-v2-local on a free 127.0.0.1 port, waits until it answers and returns
// its endpoint ("http://127.0.0.1:PORT"). The process is stopped when the test ends. A missing
// emulator fails the test: the tests that need it are never skipped.
func Start(tb testing.TB) (endpoint string) {
	tb.Helper()
	bin, err := localses.Binary()
	if errors.Is(err, localses.ErrNotInstalled) {
		tb.Logf("%v", err)
		tb.Fatalf("aws-ses-v2-local is not installed: run `make ses-local` (make test does it)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	e, err := localses.Start(bin, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.Close)
	return e.URL
}
