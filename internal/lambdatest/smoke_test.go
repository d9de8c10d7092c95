//go:build smoke

package lambdatest_test

import (
	"net"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/lambdatest"
	"gatehouse/internal/metrics/metricstest"
)

// TestSmoke builds every function for this machine and runs each under the Lambda Runtime
// Interface Emulator with the environment template.yaml gives it, pointed at the local stack
// on a fresh table: first to see that starting makes no network call, then to send it every
// one of its events in events/ and check the answers. Run it with `make smoke`; anything
// missing fails it.
func TestSmoke(t *testing.T) {
	rie, err := lambdatest.RIE()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := repo(t)
	bins := buildFunctions(t, root)
	stack := lambdatest.NewStack(t)
	for _, f := range functions {
		t.Run(f.ID, func(t *testing.T) {
			w := newWorld(t, stack, f)
			t.Run("start-up", func(t *testing.T) { checkQuietStart(t, rie, bins[f.Dir], w.Env) })
			emu := startFunction(t, rie, bins[f.Dir], w.Env)
			for _, e := range f.Events {
				payload := readEvent(t, root, e.File)
				if e.Prepare != nil {
					payload = e.Prepare(t, w, payload)
				}
				answer := invoke(t, emu, e.File, payload)
				t.Run(e.File, func(t *testing.T) { e.Check(t, w, payload, answer) })
			}
			// Its invocations wrote their metrics, as CloudWatch Logs will read them.
			ofFunction := func(d map[string]any) bool { return d["Function"] == f.Dir }
			out := emu.OutputOnceFound(5*time.Second, func(out string) bool {
				whole := out[:strings.LastIndexByte(out, '\n')+1] // a line being copied is not read yet
				return slices.ContainsFunc(metricstest.Written(t, []byte(whole)), ofFunction)
			})
			if lines := errorLog.FindAllString(out, -1); len(lines) > 0 {
				t.Errorf("the function logged errors:\n%v", lines)
			}
			if docs := metricstest.Written(t, []byte(out)); !slices.ContainsFunc(docs, ofFunction) {
				t.Errorf("the function wrote no metrics of Function %s among %d documents", f.Dir, len(docs))
			}
		})
	}
}

// errorLog matches a JSON log line at level ERROR.
var errorLog = regexp.MustCompile(`(?m)^\{.*"level":"ERROR".*$`)

// checkQuietStart starts the function with every endpoint and proxy pointing at a listener
// that counts connections, and invokes it with a payload no handler can decode, so nothing
// on the request path runs: any connection is a network call made while starting, which
// every cold start would wait for.
func checkQuietStart(t *testing.T, rie, bin string, env map[string]string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	var connections atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			_ = c.Close()
		}
	}()
	probed := map[string]string{}
	for k, v := range env {
		probed[k] = v
	}
	for _, k := range []string{"DYNAMODB_ENDPOINT", "SES_ENDPOINT", "S3_ENDPOINT", "HTTP_PROXY", "HTTPS_PROXY"} {
		probed[k] = "http://" + l.Addr().String()
	}
	emu := startFunction(t, rie, bin, probed)
	if _, err := emu.Invoke(t.Context(), []byte(`"start-up probe"`)); err == nil {
		t.Fatal("the function accepted a payload no handler should decode")
	}
	if n := connections.Load(); n > 0 {
		t.Errorf("starting made %d network connections: move them to first use", n)
	}
}
