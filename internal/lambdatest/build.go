package lambdatest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"time"

	"gatehouse/internal/localproc"
)

// LambdaFlags are the go build flags of every Lambda binary (STYLE.md, the Makefile's
// LAMBDA_FLAGS): no RPC runtime, reproducible paths, no symbol tables.
var LambdaFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// buildTimeout bounds one go build of every function, on a cold build cache too.
const buildTimeout = 5 * time.Minute

// Build builds the main packages pkgs (such as ./functions/api, relative to the module root
// root) as Lambda binaries for Linux on this machine's architecture, into out, and returns
// each binary's path by package.
func Build(ctx context.Context, root, out string, pkgs ...string) (map[string]string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("find the go command: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	args := append([]string{"build"}, LambdaFlags...)
	args = append(args, "-o", out+string(filepath.Separator))
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %v: %w\n%s", pkgs, err, b)
	}
	bins := map[string]string{}
	for _, p := range pkgs {
		bin := filepath.Join(out, path.Base(p))
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("go build %s: no binary: %w", p, err)
		}
		bins[p] = bin
	}
	return bins, nil
}

// RepoRoot is the nearest folder at or above the working directory holding go.mod.
func RepoRoot() (string, error) { return localproc.RepoRoot() }
