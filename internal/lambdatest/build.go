package lambdatest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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

// CodeFolder is the folder, relative to root (the template's folder), of the main package
// fn is built from: its CodeUri, or with BuildMethod makefile the one package that the
// build-<LogicalID> target of the Makefile in CodeUri builds, as sam build runs it.
func CodeFolder(root string, fn *Function) (string, error) {
	if fn.BuildMethod != "makefile" {
		return filepath.Clean(fn.CodeURI), nil
	}
	makefile := filepath.Join(root, fn.CodeURI, "Makefile")
	data, err := os.ReadFile(makefile)
	if err != nil {
		return "", fmt.Errorf("%s builds with its Makefile: %w", fn.ID, err)
	}
	target := "build-" + fn.ID + ":"
	var pkgs []string
	inRecipe := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, target):
			inRecipe = true
		case inRecipe && strings.HasPrefix(line, "\t"):
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "./") && !slices.Contains(pkgs, f) {
					pkgs = append(pkgs, f)
				}
			}
		default:
			inRecipe = false
		}
	}
	if len(pkgs) != 1 {
		return "", fmt.Errorf("%s: target %s in %s builds %d packages %v, want one", fn.ID, target, makefile, len(pkgs), pkgs)
	}
	return filepath.Join(fn.CodeURI, pkgs[0]), nil
}
