package lambdatest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"gatehouse/internal/lambdatest"
)

// minimalPackage is the smallest aws-lambda-go function, the cold-start baseline.
const minimalPackage = "./internal/lambdatest/testdata/minimal"

// BenchmarkColdStart measures each function's cold start under the Lambda Runtime Interface
// Emulator: from starting the emulator's process to the answer of the first invocation (its
// row's first event), next to the minimal function built the same way in the same run. Every
// start gets a world of its own, seeded while the timer is stopped, so each does its real work
// (the mailer has an email to send, Slack an invitation to make, sync a directory to apply),
// and its answer must pass the row's check: a function error fails the benchmark. It reports
// ms/start, ms/init (the same for a payload no handler decodes: start-up alone) and the
// binary's size in MB. Run it with `make bench`.
func BenchmarkColdStart(b *testing.B) {
	rie, err := lambdatest.RIE()
	if err != nil {
		b.Fatal(err)
	}
	root, err := lambdatest.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	bins := buildFunctions(b, root, minimalPackage)
	stack := lambdatest.NewStack(b)
	b.Run("minimal", func(b *testing.B) {
		env := lambdatest.Environment(&lambdatest.Function{ID: "MinimalFunction", Timeout: 10, MemorySize: 256}, nil)
		coldStarts(b, rie, bins["minimal"], func() coldStartCase {
			return coldStartCase{env: env, payload: []byte(`{}`), check: func(answer []byte) {
				if string(answer) != `"ok"` {
					b.Errorf("answer %s, want \"ok\"", answer)
				}
			}}
		})
	})
	for _, f := range functions {
		b.Run(f.Dir, func(b *testing.B) {
			e := f.Events[0]
			event := readEvent(b, root, e.File)
			coldStarts(b, rie, bins[f.Dir], func() coldStartCase {
				w := newWorld(b, stack, f)
				payload := event
				if e.Prepare != nil {
					payload = e.Prepare(b, w, payload)
				}
				return coldStartCase{env: w.Env, payload: payload, check: func(answer []byte) {
					e.Check(b, w, payload, answer)
				}}
			})
		})
	}
}

// coldStartCase is what one cold start runs with: the function's environment and event, and
// the check of its answer.
type coldStartCase struct {
	env     map[string]string
	payload []byte
	check   func(answer []byte)
}

// probe is a payload no handler decodes: answering it takes the start-up alone.
var probe = []byte(`"start-up probe"`)

// coldStarts starts bin 2*b.N times: half invoked once with a fresh case's payload (ms/start),
// half with probe (ms/init: the start-up without the request's own work). Preparing each case
// and checking its answer happen while the timer is stopped. Any error answering the payload
// fails the benchmark, a function error too: the event is a real one. The probe may be
// refused with a function error.
func coldStarts(b *testing.B, rie, bin string, prepare func() coldStartCase) {
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	var total, init time.Duration
	for range b.N {
		b.StopTimer()
		c := prepare()
		b.StartTimer()
		took, answer, err := coldStart(b, rie, bin, c.env, c.payload)
		if err != nil {
			b.Fatalf("invoke: %v", err)
		}
		total += took
		b.StopTimer()
		c.check(answer)
		b.StartTimer()
		took, _, err = coldStart(b, rie, bin, c.env, probe)
		if fe := (*lambdatest.FunctionError)(nil); err != nil && !errors.As(err, &fe) {
			b.Fatalf("invoke with the probe: %v", err)
		}
		init += took
	}
	// ns/op as measured here, from the emulator's start, rather than the loop's own timing,
	// which also counts choosing ports and the probes.
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/start")
	b.ReportMetric(float64(init.Microseconds())/1e3/float64(b.N), "ms/init")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB")
}

// coldStart starts bin, invokes it once with payload and stops it, returning the time from
// the emulator's start to the answer, the answer, and the invocation's error (a
// *lambdatest.FunctionError when the function answered with one), which carries what the
// function and the emulator wrote.
func coldStart(b *testing.B, rie, bin string, env map[string]string, payload []byte) (time.Duration, []byte, error) {
	emu, err := lambdatest.Start(rie, bin, env)
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	answer, err := emu.Invoke(ctx, payload)
	took := time.Since(emu.Started)
	if err != nil {
		return took, nil, fmt.Errorf("%w\n%s", err, emu.Output())
	}
	return took, answer, nil
}
