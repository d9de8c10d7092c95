package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"gatehouse/internal/localproc"
)

// RIEEnv names the variable holding the path of aws-lambda-rie, the Lambda Runtime Interface
// Emulator (make smoke and make bench install the pinned version and set it).
const RIEEnv = "LAMBDA_RIE"

// How long the emulator may take to listen, how often to look, and how often to try again
// when a port chosen for it was taken meanwhile.
const (
	listenTimeout = 10 * time.Second
	listenPoll    = time.Millisecond
	startAttempts = 3
)

// errExited marks an emulator that stopped before it listened, such as one that lost a port.
var errExited = errors.New("aws-lambda-rie exited before it listened")

// RIE is the emulator's path from $LAMBDA_RIE; a missing one is an error, never a skip.
func RIE() (string, error) {
	p := os.Getenv(RIEEnv)
	if p == "" {
		return "", fmt.Errorf("%s is not set: run `make smoke`, which installs aws-lambda-rie and sets it", RIEEnv)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("aws-lambda-rie at %s=%s: %w (make smoke installs it)", RIEEnv, p, err)
	}
	return p, nil
}

// Emulator is one function binary running under aws-lambda-rie on loopback ports.
type Emulator struct {
	// Started is when the emulator's process was started, for measuring cold starts.
	Started time.Time
	url     string
	out     *localproc.Output
	stop    func()
}

// Start runs bin under the emulator rie with exactly the environment env (the emulator
// passes its own environment to the function), both its servers on 127.0.0.1, and returns
// once both listen. The function itself starts with the first invocation, as in Lambda.
func Start(rie, bin string, env map[string]string) (*Emulator, error) {
	var errs []error
	for range startAttempts {
		e, err := start(rie, bin, env)
		if err == nil {
			return e, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, fmt.Errorf("start %s under aws-lambda-rie: %w", bin, errors.Join(errs...))
}

// start makes one attempt on two free ports.
func start(rie, bin string, env map[string]string) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr, runtimeAPI := "127.0.0.1:"+strconv.Itoa(ports[0]), "127.0.0.1:"+strconv.Itoa(ports[1])
	cmd := exec.Command(rie,
		"--log-level", "error",
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", runtimeAPI,
		bin)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &localproc.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = 5 * time.Second // bounds the wait for output should a child linger
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", rie, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			killGroup(cmd.Process.Pid)
			<-exited
		})
	}
	// The emulator binds its Runtime API in a goroutine of its own: a function started before
	// that finds nothing to ask for its first event and exits, so wait for both.
	for _, a := range []string{addr, runtimeAPI} {
		if err := waitListening(a, exited); err != nil {
			stop()
			return nil, fmt.Errorf("%w; output:\n%s", err, out.String())
		}
	}
	return &Emulator{
		Started: started, url: "http://" + addr + "/2015-03-31/functions/function/invocations",
		out: out, stop: stop,
	}, nil
}

// waitListening polls addr until it accepts a connection, the process exits or
// listenTimeout passes.
func waitListening(addr string, exited <-chan struct{}) error {
	deadline := time.NewTimer(listenTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(listenPoll)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case <-exited:
			return errExited
		case <-deadline.C:
			return fmt.Errorf("aws-lambda-rie not listening on %s after %s: %w", addr, listenTimeout, err)
		case <-tick.C:
		}
	}
}

// FunctionError is an invocation the function answered with an error.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return "function error " + e.Type + ": " + e.Message }

// Invoke sends payload to the function as Lambda's Invoke API would and returns its answer;
// ctx bounds the call.
// A function error is a *FunctionError; an emulator error (such as a function that failed to
// start) carries the emulator's status and answer.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read invoke answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: aws-lambda-rie answered %s: %s", resp.Status, body)
	}
	var fe FunctionError
	if json.Unmarshal(body, &fe) == nil && fe.Type != "" && fe.Message != "" {
		return nil, &fe
	}
	return body, nil
}

// Output is everything the emulator and the function wrote so far: the function's logs and
// the emulator's START, END and REPORT lines.
func (e *Emulator) Output() string { return e.out.String() }

// OutputOnceFound is Output when found reports it holds what a test looks for, waiting up to
// d for it: the emulator copies the function's output in its own time, so a line the function
// wrote before it answered may reach Output only after the answer. At d it is Output as it is.
func (e *Emulator) OutputOnceFound(d time.Duration, found func(string) bool) string {
	deadline := time.Now().Add(d)
	for {
		out := e.Output()
		if found(out) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close stops the emulator and the function and waits for the emulator to exit.
func (e *Emulator) Close() { e.stop() }

// freePorts are n distinct loopback ports nothing listened on a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
