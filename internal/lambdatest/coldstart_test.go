package lambdatest_test

import (
	"context"
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
// reports ms/start and the binary's size in MB. Run it with `make bench`.
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

// coldStarts starts bin b.N times, each time invoking it once with payload.
func coldStarts(b *testing.B, rie, bin string, env map[string]string, payload []byte) {
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for range b.N {
		emu, err := lambdatest.Start(rie, bin, env)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
		_, err = emu.Invoke(ctx, payload)
		total += time.Since(emu.Started)
		cancel()
		b.StopTimer()
		emu.Close()
		if err != nil {
			b.Fatalf("invoke: %v\n%s", err, emu.Output())
		}
		b.StartTimer()
	}
	// ns/op as measured here, from the emulator's start, rather than the loop's own timing,
	// which also counts choosing its ports.
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/start")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB")
}
