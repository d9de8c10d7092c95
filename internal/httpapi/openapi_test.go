package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// specFile is openapi.json, loaded and validated once for all the tests that use it.
var specFile = sync.OnceValues(func() (*openapi3.T, error) {
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, errors.New("openapi.json is not valid (see TestTheOpenAPIDocumentIsValidAndServed)")
	}
	return doc, nil
})

// openAPISpec is openapi.json, failing the test when it does not load.
func openAPISpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := specFile()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// loadSpec parses and validates an OpenAPI document.
func loadSpec(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableMultiError()); err != nil {
		t.Fatalf("the OpenAPI document is not valid:\n%v", err)
	}
	return doc
}

func TestTheOpenAPIDocumentIsValidAndServed(t *testing.T) {
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	want := loadSpec(t, file)
	if want.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", want.OpenAPI)
	}
	s := newServer(t)
	r := s.do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	served := loadSpec(t, r.raw)
	if len(served.Paths.Map()) != len(want.Paths.Map()) || served.Info.Title != want.Info.Title {
		t.Errorf("the served document is not openapi.json: %d paths, want %d", len(served.Paths.Map()), len(want.Paths.Map()))
	}
	etag := r.header.Get("ETag")
	if etag == "" || r.header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("the document is not cacheable: ETag %q, Cache-Control %q", etag, r.header.Get("Cache-Control"))
	}
	again := s.do(http.MethodGet, "/api/v1/openapi.json", "", nil, "If-None-Match", etag)
	if again.status != http.StatusNotModified || len(again.raw) != 0 {
		t.Errorf("revalidating with the ETag: %d, %d bytes, want 304 and none", again.status, len(again.raw))
	}
}
