package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserBudget bounds a whole browser test: starting Chromium, every step, and stopping it.
const browserBudget = 2 * time.Minute

// stepTimeout bounds one wait for the page.
const stepTimeout = 20 * time.Second

// tab is a headless Chromium tab driven by a test. Its methods fail the test with the step
// that went wrong and what the page showed then.
type tab struct {
	t     *testing.T
	ctx   context.Context
	shots string // where screenshots go; none when empty

	mu       sync.Mutex
	problems []string // uncaught exceptions and Content-Security-Policy violations
}

// newTab starts Chromium (Debian's chromium, which the Makefile installs) with a fresh
// profile and opens a tab. A missing browser fails the test: it is never skipped.
func newTab(t *testing.T) *tab {
	t.Helper()
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is required for the Settings page tests: run `make chromium` (make test does it): %v", err)
	}
	budget, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(budget,
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("lang", "en-GB"),
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx)
		cancelTab()
		cancelAlloc()
		cancelBudget()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", chrome, err)
	}
	b := &tab{t: t, ctx: ctx, shots: os.Getenv("GATEHOUSE_SCREENSHOTS")}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if text := m.String(); m.IsException() || strings.Contains(text, "Content Security Policy") {
				b.mu.Lock()
				b.problems = append(b.problems, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, text))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// checkConsole fails the test for every uncaught exception or policy violation seen so far.
func (b *tab) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("the page reported: %s", p)
	}
}

// do runs actions as one step.
func (b *tab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\nthe page shows:\n%s", step, err, b.pageText())
	}
}

// eval returns the value of a JavaScript expression.
func eval[T any](b *tab, step, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds, failing the test at the deadline.
// (chromedp's Poll compiles its predicate with new Function, which the page's policy forbids;
// evaluating over the DevTools protocol is not subject to it.)
func (b *tab) waitFor(step, condition string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("Boolean(%s)", condition)))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.t.Fatalf("%s: still not true after %s: %s (last error: %v)\nthe page shows:\n%s", step, stepTimeout, condition, err, b.pageText())
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-b.ctx.Done():
		}
	}
}

// pageText is what the page shows, for failure messages.
func (b *tab) pageText() string {
	if b.ctx.Err() != nil {
		return "(the browser is gone)"
	}
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 3000) : ''`))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return text
}

// shot saves a screenshot of the whole page as <name>.png when screenshots are wanted.
func (b *tab) shot(name string) {
	b.t.Helper()
	b.capture(name, chromedp.FullScreenshot(100))
}

// shotAt saves a screenshot of the screen scrolled to the element sel shows.
func (b *tab) shotAt(name, sel string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	b.do("scroll to "+sel, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(sel)+`).scrollIntoView({block: 'start'})`))
	b.capture(name, chromedp.CaptureScreenshot())
}

func (b *tab) capture(name string, screenshot chromedp.Action[[]byte]) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// Messages of earlier steps would cover the screen.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#toasts .toast').forEach(t => t.remove())`)); err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(ctx, screenshot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// js quotes s as a JavaScript string.
func js(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// waitForFile polls for a file to be written, and returns its contents.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	var body []byte
	pollUntil(t, path+" written", func() bool {
		body, _ = os.ReadFile(path)
		return len(body) > 0
	})
	return string(body)
}

// pollUntil checks ok every 50ms until it holds, failing the test after stepTimeout.
func pollUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(stepTimeout)
	for !ok() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("still waiting for %s after %s", what, stepTimeout)
		}
	}
}

// browserAPI calls the API with the test's admin token.
func browserAPI(t *testing.T, api, method, path, body string) (int, map[string]any) {
	t.Helper()
	status, raw := apiCall(t, api, browserToken, method, path, body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, out
}
