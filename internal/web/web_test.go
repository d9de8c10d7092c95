package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// get asks h for path with optional headers and returns the answer and its body.
func get(t *testing.T, h http.Handler, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// headers picks the named headers of res.
func headers(res *http.Response, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = res.Header.Get(n)
	}
	return out
}

const wantCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(extra map[string]string) map[string]string {
	out := map[string]string{
		"Content-Security-Policy": wantCSP,
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

var headerNames = []string{"Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options", "X-Frame-Options", "Content-Type", "Cache-Control"}

func TestThePageIsServedWithStrictHeadersAndRevalidated(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/settings/", "/settings/index.html"} {
		res, body := get(t, h, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		want := securityHeaders(map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"})
		if diff := cmp.Diff(want, headers(res, headerNames...)); diff != "" {
			t.Errorf("GET %s headers mismatch (-want +got):\n%s", path, diff)
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag, so revalidation would download the page again", path)
		}
		if !strings.Contains(body, `<script type="module" src="assets/`) || strings.Contains(body, `src="assets/app.js"`) {
			t.Errorf("GET %s: the script is not linked under a version:\n%s", path, body)
		}
	}
}

// assetLinks are the src and href attributes of the page that point at its assets.
var assetLinks = regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`)

func TestEveryLinkedAssetIsServedImmutableUnderItsVersion(t *testing.T) {
	h, err := newHandler(static)
	if err != nil {
		t.Fatal(err)
	}
	_, page := get(t, h, "/settings/")
	links := assetLinks.FindAllStringSubmatch(page, -1)
	if len(links) < 3 {
		t.Fatalf("the page links %d assets, want the icon, the stylesheet and the script: %s", len(links), page)
	}
	for _, m := range links {
		version, name, _ := strings.Cut(strings.TrimPrefix(m[1], "assets/"), "/")
		if version != h.version {
			t.Errorf("%s: version %q, want %q", m[1], version, h.version)
		}
		res, body := get(t, h, "/settings/"+m[1])
		want := securityHeaders(map[string]string{"Content-Type": contentTypes[name[strings.LastIndexByte(name, '.'):]], "Cache-Control": "public, max-age=31536000, immutable"})
		if diff := cmp.Diff(want, headers(res, headerNames...)); diff != "" {
			t.Errorf("GET %s headers mismatch (-want +got):\n%s", m[1], diff)
		}
		src, err := fs.ReadFile(static, "static/assets/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || body != string(src) {
			t.Errorf("GET %s: %d, body differs from static/assets/%s", m[1], res.StatusCode, name)
		}
	}
}

// moduleImport finds static and dynamic imports of modules.
var moduleImport = regexp.MustCompile(`(?:from|import\()\s*'\./([^']+)'`)

func TestEveryModuleImportIsAnAsset(t *testing.T) {
	h, err := newHandler(static)
	if err != nil {
		t.Fatal(err)
	}
	imported := 0
	for name, f := range h.assets {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		for _, m := range moduleImport.FindAllStringSubmatch(string(f.body), -1) {
			imported++
			if _, ok := h.assets[m[1]]; !ok {
				t.Errorf("%s imports ./%s, which is not an asset", name, m[1])
			}
		}
	}
	if imported == 0 {
		t.Error("no module imports found: the pattern no longer matches the code")
	}
}

func TestConditionalRequestsAnswerNotModified(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/settings/", "/settings/assets/app.css"} {
		res, _ := get(t, h, path)
		again, body := get(t, h, path, "If-None-Match", res.Header.Get("ETag"))
		if again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("GET %s with its ETag: %d with %d bytes, want 304 without a body", path, again.StatusCode, len(body))
		}
	}
}

// A page loaded before a release asks for the earlier version's URLs: it gets today's files,
// which it must revalidate, rather than a broken page.
func TestAnotherVersionGetsTodaysFileRevalidated(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/settings/assets/0123456789abcdef/app.js", "/settings/assets/app.js"} {
		res, body := get(t, h, path)
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(body, "import") {
			t.Errorf("GET %s: %d Cache-Control %q", path, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}

func TestUnknownPathsAreNotFoundWithTheSameHeaders(t *testing.T) {
	h := Handler()
	for _, path := range []string{
		"/settings/nope", "/settings/assets/", "/settings/assets/nope.js", "/settings/static/index.html",
		"/settings/assets/a/b/app.js", "/settings/../web.go", "/elsewhere",
	} {
		res, _ := get(t, h, path)
		want := securityHeaders(map[string]string{"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
		if diff := cmp.Diff(want, headers(res, headerNames...)); diff != "" {
			t.Errorf("GET %s headers mismatch (-want +got):\n%s", path, diff)
		}
	}
}

// The policy forbids inline scripts and styles and other hosts: the files must not need them.
// DOM building goes through textContent, so data never becomes markup.
func TestTheFilesNeedNothingThePolicyForbids(t *testing.T) {
	forbidden := map[string]*regexp.Regexp{
		"index.html": regexp.MustCompile(`<script(?:\s+type="module")?>|<style|\sstyle=|\son[a-z]+=|https?://`),
		".js":        regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'|https?://|localStorage|document\.cookie`),
		".css":       regexp.MustCompile(`@import|url\(\s*['"]?https?:|https?://`),
	}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		for suffix, re := range forbidden {
			if strings.HasSuffix(p, suffix) {
				if m := re.FindString(string(body)); m != "" {
					t.Errorf("%s holds %q", p, m)
				}
			}
		}
		if lines := strings.Count(string(body), "\n"); lines > 300 {
			t.Errorf("%s has %d lines; keep files under 300, one concern each", p, lines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTheVersionFollowsTheContents(t *testing.T) {
	files := func(js string) fstest.MapFS {
		return fstest.MapFS{
			"static/index.html":    {Data: []byte(`<script type="module" src="assets/app.js"></script>`)},
			"static/assets/app.js": {Data: []byte(js)},
		}
	}
	a, err := newHandler(files("let a = 1;"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := newHandler(files("let a = 2;"))
	if err != nil {
		t.Fatal(err)
	}
	if a.version == b.version {
		t.Errorf("two contents share version %s", a.version)
	}
	if got, want := string(a.index.body), `<script type="module" src="assets/`+a.version+`/app.js"></script>`; got != want {
		t.Errorf("page = %s, want %s", got, want)
	}
}

func TestMissingOrUnservableFilesAreErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no page":       {"static/assets/app.js": {Data: []byte("1")}},
		"no assets":     {"static/index.html": {Data: []byte("<p>")}},
		"unknown asset": {"static/index.html": {Data: []byte("<p>")}, "static/assets/logo.png": {Data: []byte("png")}},
	} {
		if _, err := newHandler(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
