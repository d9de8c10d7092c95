package lambdatest_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"gatehouse/internal/lambdatest"
)

// minimalPackage is the smallest aws-lambda-go function, the cold-start baseline.
const minimalPackage = "./internal/lambdatest/testdata/minimal"

// BenchmarkColdStart measures each function's cold start under the Lambda Runtime Interface
// Emulator: from starting the emulator's process to the answer of the first invocation (its
// row's first event), next to the minimal function built the same way in the same run. It
// reports ms/start, ms/init (the same for a payload no handler decodes: start-up alone) and
// the binary's size in MB. Run it with `make bench`.
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
		coldStarts(b, rie, bins["minimal"], env, []byte(`{}`))
	})
	for _, f := range functions {
		b.Run(f.Dir, func(b *testing.B) {
			w := newWorld(b, root, stack, f)
			e := f.Events[0]
			payload := readEvent(b, root, e.File)
			if e.Prepare != nil {
				payload = e.Prepare(b, w, payload)
			}
			coldStarts(b, rie, bins[f.Dir], w.Env, payload)
		})
	}
}

// probe is a payload no handler decodes: answering it takes the start-up alone.
var probe = []byte(`"start-up probe"`)

// coldStarts starts bin 2*b.N times: half invoked once with payload (ms/start), half with
// probe (ms/init: the start-up without the request's own work).
func coldStarts(b *testing.B, rie, bin string, env map[string]string, payload []byte) {
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	var total, init time.Duration
	for range b.N {
		total += coldStart(b, rie, bin, env, payload)
		init += coldStart(b, rie, bin, env, probe)
	}
	// ns/op as measured here, from the emulator's start, rather than the loop's own timing,
	// which also counts choosing ports and the probes.
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/start")
	b.ReportMetric(float64(init.Microseconds())/1e3/float64(b.N), "ms/init")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB")
}

// coldStart starts bin, invokes it once with payload and stops it, returning the time from
// the emulator's start to the answer. A function error answers too.
func coldStart(b *testing.B, rie, bin string, env map[string]string, payload []byte) time.Duration {
	emu, err := lambdatest.Start(rie, bin, env)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	_, err = emu.Invoke(ctx, payload)
	took := time.Since(emu.Started)
	b.StopTimer()
	defer b.StartTimer()
	emu.Close()
	if fe := (*lambdatest.FunctionError)(nil); err != nil && !errors.As(err, &fe) {
		b.Fatalf("invoke: %v\n%s", err, emu.Output())
	}
	return took
}
