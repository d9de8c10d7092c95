package httpapi

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// openAPIDocument is the OpenAPI 3.1 description of everything this package serves (and of
// the Slack entry point, served by package slack), kept by hand in openapi.json.
//
// It is written by hand rather than generated from the handlers: the handlers are plain
// net/http functions whose request and answer types, status codes and problem codes are
// decided in code a generator cannot see (the domain's validation, the one error map in
// problem.go), so a generated description would either say less than the API does or need
// annotations that drift as easily as a document. Instead the document is held to the code
// by the package's tests: it must validate, name exactly the routes the router serves, and
// every request and answer of the handler tests is checked against it (openapi_test.go).
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPICache is how long clients may reuse the description before revalidating it; a
// release changes the ETag.
const openAPICache = "public, max-age=300"

// openAPI serves GET /api/v1/openapi.json: the description, compacted, with an ETag of its
// content. It is compacted and hashed on the first request rather than here, so a cold start
// that serves none does not pay for it.
func openAPI() http.Handler {
	doc := sync.OnceValues(func() ([]byte, string) {
		var b bytes.Buffer
		if err := json.Compact(&b, openAPIDocument); err != nil {
			panic(err) // the embedded document is fixed at build time, and its tests parse it
		}
		sum := sha256.Sum256(b.Bytes())
		return b.Bytes(), `"` + hex.EncodeToString(sum[:16]) + `"`
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, etag := doc()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", openAPICache)
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
