// Package web is the admin Settings page: static HTML, CSS and JavaScript embedded in the
// binary, talking to the same /api/v1 endpoints as every other client.
//
// Caching: the page links its assets under a version taken from their contents
// (assets/<version>/app.js), so browsers keep those for a year without asking again, and a
// new release changes every asset URL at once: a browser never mixes the modules of two
// releases. The page itself is revalidated on every load (no-cache with an ETag), which costs
// a 304 without a body when nothing changed. No build step is involved: the version is worked
// out when the handler is made.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// security are the headers of every answer: nothing runs or loads from other hosts, no inline
// script or style, no framing, no referrer, no MIME sniffing.
var security = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":        "no-referrer",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
}

// The Cache-Control values: the page and unversioned asset URLs are revalidated on every use;
// versioned asset URLs never change.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// Handler serves the Settings page at /settings/ and its assets under /settings/assets/. The
// files are read and hashed on the first request rather than here: an API cold start that
// serves no page does not pay for them.
func Handler() http.Handler {
	h := sync.OnceValue(func() *handler {
		h, err := newHandler(static)
		if err != nil {
			panic(err) // the embedded folder is fixed at build time, and its tests load it
		}
		return h
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h().ServeHTTP(w, r) })
}

// file is one file ready to serve.
type file struct {
	body        []byte
	contentType string
	etag        string
}

// handler serves the page and its assets from memory.
type handler struct {
	version string
	index   file
	assets  map[string]file
}

// contentTypes are the types of the files the page is made of; any other file is not served.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// assetRef finds the page's links to its assets, to point them at the versioned URLs.
var assetRef = regexp.MustCompile(`((?:src|href)=")assets/`)

// newHandler reads static/index.html and static/assets/* from fsys.
func newHandler(fsys fs.FS) (*handler, error) {
	entries, err := fs.ReadDir(fsys, "static/assets")
	if err != nil {
		return nil, fmt.Errorf("read assets: %w", err)
	}
	h := &handler{assets: make(map[string]file, len(entries))}
	sum := sha256.New()
	for _, e := range entries {
		ct, ok := contentTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			return nil, fmt.Errorf("asset %s: only .js, .css and .svg files are served", e.Name())
		}
		body, err := fs.ReadFile(fsys, "static/assets/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read asset: %w", err)
		}
		h.assets[e.Name()] = newFile(body, ct)
		fmt.Fprintf(sum, "%s\x00%d\x00", e.Name(), len(body))
		sum.Write(body)
	}
	h.version = hex.EncodeToString(sum.Sum(nil))[:16]
	index, err := fs.ReadFile(fsys, "static/index.html")
	if err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	index = assetRef.ReplaceAll(index, []byte("${1}assets/"+h.version+"/"))
	h.index = newFile(index, "text/html; charset=utf-8")
	return h, nil
}

func newFile(body []byte, contentType string) file {
	sum := sha256.Sum256(body)
	return file{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// ServeHTTP serves /settings/ (the page) and /settings/assets/[<version>/]<name>.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range security {
		w.Header().Set(k, v)
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/settings/")
	switch {
	case !ok:
		notFound(w)
	case rest == "" || rest == "index.html":
		serve(w, r, h.index, cacheRevalidate)
	case strings.HasPrefix(rest, "assets/"):
		h.asset(w, r, strings.TrimPrefix(rest, "assets/"))
	default:
		notFound(w)
	}
}

// asset serves assets/<version>/<name>, immutable when the version is the current one. An
// earlier version's URL (a page loaded before a release) gets today's file, revalidated.
func (h *handler) asset(w http.ResponseWriter, r *http.Request, rest string) {
	version, name, versioned := strings.Cut(rest, "/")
	if !versioned {
		name = version
	}
	f, ok := h.assets[name]
	if !ok {
		notFound(w)
		return
	}
	cache := cacheRevalidate
	if versioned && version == h.version {
		cache = cacheImmutable
	}
	serve(w, r, f, cache)
}

// serve writes f, answering conditional requests with 304.
func serve(w http.ResponseWriter, r *http.Request, f file, cache string) {
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("not found\n"))
}
