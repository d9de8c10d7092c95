package lambdatest_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/org"
	"gatehouse/internal/ses/sestest"
)

// invokeTimeout bounds one invocation under the emulator, start-up included.
const invokeTimeout = 30 * time.Second

// buildFunctions builds every row's function, and the extra packages, for this machine as
// Lambda binaries; it returns the binaries by folder name.
func buildFunctions(tb testing.TB, root string, extra ...string) map[string]string {
	tb.Helper()
	var pkgs []string
	for _, f := range functions {
		pkgs = append(pkgs, "./functions/"+f.Dir)
	}
	pkgs = append(pkgs, extra...)
	bins, err := lambdatest.Build(context.Background(), root, tb.TempDir(), pkgs...)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for pkg, bin := range bins {
		out[filepath.Base(pkg)] = bin
	}
	return out
}

// newWorld deploys function f on the stack (fresh tables and buckets, its environment from
// template.yaml pointed at them), and seeds organization demo, its fixture token and whatever
// f's Seed adds.
func newWorld(tb testing.TB, stack *lambdatest.Stack, f function) *world {
	tb.Helper()
	fn := stack.Deploy(tb, f.ID)
	env := fn.Process()
	if env["TABLE_NAME"] == "" {
		tb.Fatalf("%s: template.yaml gives it no TABLE_NAME", f.ID)
	}
	store := dynamo.New(stack.DynamoDB, env["TABLE_NAME"])
	svc := org.NewService(store.Org())
	ctx := context.Background()
	if _, err := svc.CreateOrg(ctx, org.Actor{Type: "cli", ID: "smoke"}, org.SourceCLI, org.NewOrg{ID: "demo", Name: "Demo"}); err != nil {
		tb.Fatalf("create organization demo: %v", err)
	}
	if _, err := svc.DevToken(ctx, "demo", fixtureToken); err != nil {
		tb.Fatalf("store the fixture token: %v", err)
	}
	admin, err := svc.Authenticate(ctx, fixtureToken, org.SourceAPI)
	if err != nil {
		tb.Fatalf("authenticate the fixture token: %v", err)
	}
	w := &world{Stack: stack, Store: store, Service: svc, Admin: admin, Env: env, Resources: fn.Resources}
	if f.Seed != nil {
		f.Seed(tb, w)
	}
	w.Emails = len(sestest.Store(tb, stack.SESEndpoint))
	return w
}

// startFunction runs bin under the emulator with env, stopped when the test ends; a failed
// test shows what the function and the emulator wrote.
func startFunction(tb testing.TB, rie, bin string, env map[string]string) *lambdatest.Emulator {
	tb.Helper()
	emu, err := lambdatest.Start(rie, bin, env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		emu.Close()
		if tb.Failed() {
			tb.Logf("%s wrote:\n%s", filepath.Base(bin), emu.Output())
		}
	})
	return emu
}

// invoke sends payload to the function, failing the test on any error.
func invoke(tb testing.TB, emu *lambdatest.Emulator, name string, payload []byte) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	answer, err := emu.Invoke(ctx, payload)
	if err != nil {
		tb.Fatalf("invoke with %s: %v", name, err)
	}
	return answer
}
