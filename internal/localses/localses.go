// Package localses runs the SES v2 emulator (aws-ses-v2-local, pinned in tools/ses-local) as a
// child process on loopback, for the local stack and the tests: everything sent to it is kept
// in an inbox page instead of being delivered.
package localses

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gatehouse/internal/localproc"
)

// BinEnv names the variable that overrides where the emulator's executable is.
const BinEnv = "SES_LOCAL_BIN"

// binPath is the emulator's executable relative to the repository root, where
// `npm ci` in tools/ses-local puts it.
const binPath = "tools/ses-local/node_modules/.bin/aws-ses-v2-local"

// How long the emulator may take to answer after it starts, and how often to ask.
const (
	readyTimeout = 20 * time.Second
	pollInterval = 25 * time.Millisecond
)

// startAttempts bounds retries when the chosen port is taken between choosing and binding.
const startAttempts = 3

// errExited marks an emulator that stopped before answering, such as one that lost its port
// to another process; starting again on another port may succeed.
var errExited = errors.New("emulator exited before it was ready")

// ErrNotInstalled means the emulator's executable is missing.
var ErrNotInstalled = errors.New("aws-ses-v2-local is not installed: run `make ses-local` (make test and make run do it)")

// Binary is the emulator's executable: $SES_LOCAL_BIN, else the one installed in the
// repository above the working directory.
func Binary() (string, error) {
	bin := os.Getenv(BinEnv)
	if bin == "" {
		root, err := localproc.RepoRoot()
		if err != nil {
			return "", fmt.Errorf("find the repository root for aws-ses-v2-local: %w", err)
		}
		bin = filepath.Join(root, filepath.FromSlash(binPath))
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%w (looked at %s)", ErrNotInstalled, bin)
	}
	return bin, nil
}

// Emulator is a running aws-ses-v2-local.
type Emulator struct {
	URL  string // http://127.0.0.1:PORT; its inbox page is this URL too
	stop func()
}

// Close stops the emulator and waits for it to exit.
func (e *Emulator) Close() { e.stop() }

// Start runs the emulator bin on 127.0.0.1:port (a free port when port is 0, trying again on
// another if the chosen one is taken meanwhile) and waits until it answers.
func Start(bin string, port int) (*Emulator, error) {
	var errs []error
	for range startAttempts {
		p := port
		if p == 0 {
			var err error
			if p, err = freePort(); err != nil {
				return nil, err
			}
		}
		e, err := start(bin, p)
		if err == nil {
			return e, nil
		}
		errs = append(errs, err)
		if port != 0 || !errors.Is(err, errExited) {
			break
		}
	}
	return nil, fmt.Errorf("start aws-ses-v2-local: %w", errors.Join(errs...))
}

// start runs one emulator on port and waits for it to answer.
func start(bin string, port int) (*Emulator, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = withoutSMTP(os.Environ())
	var out localproc.Output
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cancel()
		<-exited
	}

	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(endpoint, exited); err != nil {
		stop()
		if errors.Is(err, errExited) {
			err = fmt.Errorf("%w (%v)", err, waitErr)
		}
		return nil, fmt.Errorf("%s on port %d: %w; output:\n%s", bin, port, err, out.String())
	}
	return &Emulator{URL: endpoint, stop: stop}, nil
}

// waitReady polls the emulator's health check until it answers 200, the process exits or
// readyTimeout passes.
func waitReady(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		resp, err := client.Get(endpoint + "/health-check")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health check answered %s", resp.Status)
		}
		last = err
		select {
		case <-exited:
			return errExited
		case <-deadline.C:
			return fmt.Errorf("not ready after %s: %w", readyTimeout, last)
		case <-tick.C:
		}
	}
}

// freePort is a loopback port nothing listened on a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release port %d: %w", port, err)
	}
	return port, nil
}

// withoutSMTP drops SMTP_TRANSPORT, with which the emulator would also relay every email to
// a real SMTP server.
func withoutSMTP(environ []string) []string {
	kept := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "SMTP_TRANSPORT=") {
			kept = append(kept, kv)
		}
	}
	return kept
}
