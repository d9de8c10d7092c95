package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Every handler the tests build (mustAPI) is wrapped in conform, so that each request of
// the whole suite and the answer to it are checked against openapi.json: a test that gets
// an answer the document does not describe fails, whatever else it checks.

// specRouter finds a request's operation in openapi.json on any host: the document's
// servers name the deployments, while the tests run on httptest's addresses.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := specFile()
	if err != nil {
		return nil, err
	}
	anyHost := *doc
	anyHost.Servers = openapi3.Servers{{URL: "/"}}
	return gorillamux.NewRouter(&anyHost)
})

// conformOptions are the checks: every status must be documented, the request is left as
// sent (no defaults filled in), and credentials are checked for presence, as the document's
// security schemes describe them (the API checks their value). Bodies are checked against
// bodySchemas instead (see there).
var conformOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	ExcludeRequestBody:    true,
	ExcludeResponseBody:   true,
	SkipSettingDefaults:   true,
	MultiError:            true,
	AuthenticationFunc:    credentialPresent,
}

// bodySchemas holds the JSON Schema of each request and answer body in openapi.json,
// compiled once. ValidateRequest and ValidateResponse check a body by compiling its schema
// afresh on every call when the document is OpenAPI 3.1 (with the JSON Schema 2020-12
// validator they are built on, used here too), about a millisecond a request; compiled once,
// checking every body of the suite costs well under a second in all.
var bodySchemas = sync.OnceValues(func() (*schemaCache, error) {
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, err
	}
	return &schemaCache{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
})

// specURL names openapi.json for the schema compiler; schemas are compiled from it by JSON
// pointer, and their $refs resolve within it.
const specURL = "file:///openapi.json"

// schemaCache compiles schemas of openapi.json on first use.
type schemaCache struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// schema is the compiled schema at pointer (such as /components/schemas/Member).
func (c *schemaCache) schema(pointer string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[pointer]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(specURL + "#" + pointer)
	if err != nil {
		return nil, err
	}
	c.compiled[pointer] = s
	return s, nil
}

// pointerEscape escapes a member's name for a JSON pointer (RFC 6901).
var pointerEscape = strings.NewReplacer("~", "~0", "/", "~1")

// pointer is the JSON pointer of the named members, escaped for a URL's fragment.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + url.PathEscape(pointerEscape.Replace(t)))
	}
	return b.String()
}

// checkAnswerBody checks body against the schema openapi.json gives the route's answer of
// status (ValidateResponse has checked the status and headers).
func checkAnswerBody(route *routers.Route, status int, header http.Header, body []byte) string {
	code := strconv.Itoa(status)
	var ref *openapi3.ResponseRef
	for _, code = range []string{code, code[:1] + "XX", "default"} {
		if ref = route.Operation.Responses.Value(code); ref != nil {
			break
		}
	}
	if ref == nil {
		return ""
	}
	at := pointer("paths", route.Path, strings.ToLower(route.Method), "responses", code)
	if ref.Ref != "" {
		at = strings.TrimPrefix(ref.Ref, "#")
	}
	return checkBody(ref.Value.Content, at, header.Get("Content-Type"), body)
}

// checkRequestBody checks the request's body against the schema openapi.json gives it; the
// problem is "" when it matches.
func checkRequestBody(route *routers.Route, header http.Header, body []byte) string {
	ref := route.Operation.RequestBody
	switch {
	case ref == nil:
		return ""
	case len(body) == 0 && ref.Value.Required:
		return "the request has no body, which is required"
	case len(body) == 0:
		return ""
	}
	at := pointer("paths", route.Path, strings.ToLower(route.Method), "requestBody")
	if ref.Ref != "" {
		at = strings.TrimPrefix(ref.Ref, "#")
	}
	return checkBody(ref.Value.Content, at, header.Get("Content-Type"), body)
}

// checkBody checks body, of content type ct, against the media type content gives it, at
// the pointer at in openapi.json.
func checkBody(content openapi3.Content, at, ct string, body []byte) string {
	if len(content) == 0 {
		return ""
	}
	media := content.Get(ct)
	if media == nil {
		return fmt.Sprintf("its content type %q is not one of those described", ct)
	}
	if media.Schema == nil {
		return ""
	}
	for name, m := range content {
		if m == media {
			at += pointer("content", name, "schema")
		}
	}
	if media.Schema.Ref != "" {
		at = strings.TrimPrefix(media.Schema.Ref, "#")
	}
	mt, _, _ := mime.ParseMediaType(ct)
	var value any = string(body)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			return "its body is not JSON: " + err.Error()
		}
		value = v
	case mt == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "its body is not a form: " + err.Error()
		}
		fields := map[string]any{}
		for k, v := range form {
			fields[k] = v[0]
		}
		value = fields
	}
	cache, err := bodySchemas()
	if err != nil {
		return err.Error()
	}
	schema, err := cache.schema(at)
	if err != nil {
		return "compile the schema at " + at + ": " + err.Error()
	}
	if err := schema.Validate(value); err != nil {
		return "its body does not match " + at + ": " + err.Error()
	}
	return ""
}

// credentialPresent reports whether the request carries the credential a security scheme
// names: an Authorization header with the Bearer scheme, or the header of an API key.
func credentialPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, h := in.SecurityScheme, in.RequestValidationInput.Request.Header
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		scheme, token, _ := strings.Cut(h.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return errors.New("no bearer token")
		}
	case s.Type == "apiKey" && s.In == "header":
		if h.Get(s.Name) == "" {
			return fmt.Errorf("no %s header", s.Name)
		}
	default:
		return fmt.Errorf("security scheme %s of type %s is not checked by these tests", in.SecuritySchemeName, s.Type)
	}
	return nil
}

// conform serves next, checking each request and its answer against openapi.json and
// failing t on every mismatch: an answer (status, headers, body) the operation does not
// describe, a request the document refuses but the API accepted, or a request for an
// operation the document lacks that was not answered 404 or 405. The answer is held until it
// is checked, so the test that made the request is still waiting for it.
func conform(t testing.TB, next http.Handler) http.Handler {
	router, err := specRouter()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("%s %s: read the request body: %v", r.Method, r.URL.Path, err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		check := r.Clone(r.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))

		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()

		if problem := mismatch(router, check, body, res, rec.Body.Bytes()); problem != "" {
			t.Errorf("%s %s?%s answered %d, which openapi.json does not describe: %s\nanswer: %.600s",
				r.Method, r.URL.Path, r.URL.RawQuery, res.StatusCode, problem, rec.Body.Bytes())
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// mismatch says how the request and its answer depart from openapi.json; "" when they do not.
func mismatch(router routers.Router, req *http.Request, reqBody []byte, res *http.Response, body []byte) string {
	find := req
	if req.Method == http.MethodHead { // a GET without the body: its operation is the GET's
		find = req.Clone(req.Context())
		find.Method = http.MethodGet
	}
	route, params, err := router.FindRoute(find)
	switch {
	case req.Method == http.MethodOptions:
		return "" // a CORS preflight, which the document describes in words
	case errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed):
		return undescribed(req, res, body, errors.Is(err, routers.ErrMethodNotAllowed))
	case err != nil:
		return "find the operation: " + err.Error()
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: conformOptions}
	refused := checkRequestBody(route, req.Header, reqBody)
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		refused = err.Error()
	}
	if refused != "" && res.StatusCode < 400 {
		return "it refuses the request, which the API accepted: " + refused
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: conformOptions}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return err.Error()
	}
	if req.Method == http.MethodHead || res.StatusCode == http.StatusNotModified {
		return ""
	}
	return checkAnswerBody(route, res.StatusCode, res.Header, body)
}

// undescribed checks the answer to a request for an operation openapi.json does not have:
// a path it lacks is 404, a method its path lacks 405, as the API's own problems (under
// /api/v1) say.
func undescribed(req *http.Request, res *http.Response, body []byte, pathKnown bool) string {
	want, code := http.StatusNotFound, "route_not_found"
	if pathKnown {
		want, code = http.StatusMethodNotAllowed, "method_not_allowed"
	}
	if res.StatusCode != want {
		return fmt.Sprintf("no such operation, so want %d", want)
	}
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return ""
	}
	var p struct{ Code string }
	if res.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil || p.Code != code {
		return fmt.Sprintf("no such operation, so want a problem %s", code)
	}
	return ""
}

// eventMismatch says how a webhook delivery departs from every event openapi.json describes
// under webhooks (its headers and its body); "" when it is one of them.
func eventMismatch(t testing.TB, header http.Header, body []byte) string {
	var problems []string
	for name, item := range openAPISpec(t).Webhooks {
		op := item.Post
		problem := ""
		for _, p := range op.Parameters {
			if p.Value.In == "header" && p.Value.Required && header.Get(p.Value.Name) == "" {
				problem = "no " + p.Value.Name + " header"
			}
		}
		if problem == "" {
			problem = checkBody(op.RequestBody.Value.Content, pointer("webhooks", name, "post", "requestBody"), header.Get("Content-Type"), body)
		}
		if problem == "" {
			return ""
		}
		problems = append(problems, name+": "+problem)
	}
	return strings.Join(problems, "; ")
}

// TestTheRestAnswersAsDescribed runs the operations the other tests of this package leave
// out (SCIM's discovery documents and some of its group operations, the Settings page and
// its assets), so that every operation's answers are held to openapi.json.
func TestTheRestAnswersAsDescribed(t *testing.T) {
	s := newServer(t)
	s.scimOn(t, "acme", nil)
	for path, want := range map[string]int{
		"/scim/v2/ServiceProviderConfig":                               http.StatusOK,
		"/scim/v2/ResourceTypes":                                       http.StatusOK,
		"/scim/v2/ResourceTypes/User":                                  http.StatusOK,
		"/scim/v2/ResourceTypes/Nobody":                                http.StatusNotFound,
		"/scim/v2/Schemas":                                             http.StatusOK,
		"/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group": http.StatusOK,
		"/scim/v2/Schemas/urn:nothing":                                 http.StatusNotFound,
	} {
		if r := s.do(http.MethodGet, path, "acme/scim", nil); r.status != want {
			t.Errorf("GET %s: %d, want %d: %s", path, r.status, want, r.raw)
		}
	}
	g := s.do(http.MethodPost, "/scim/v2/Groups", "acme/scim", map[string]any{"displayName": "Portal Admins"})
	if g.status != http.StatusCreated {
		t.Fatalf("create group: %d %s", g.status, g.raw)
	}
	group := "/scim/v2/Groups/" + g.body["id"].(string)
	for _, c := range []struct {
		method, path string
		body         any
		want         int
	}{
		{http.MethodGet, "/scim/v2/Groups", nil, http.StatusOK},
		{http.MethodGet, "/scim/v2/Groups?excludedAttributes=members&count=1", nil, http.StatusOK},
		{http.MethodPut, group, map[string]any{"displayName": "Admins"}, http.StatusOK},
		{http.MethodDelete, group, nil, http.StatusNoContent},
		{http.MethodDelete, group, nil, http.StatusNotFound},
	} {
		if r := s.do(c.method, c.path, "acme/scim", c.body); r.status != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.status, c.want, r.raw)
		}
	}
	status, _, page := s.page(http.MethodGet, "/settings/", nil)
	version := regexp.MustCompile(`src="assets/([0-9a-f]+)/app\.js"`).FindStringSubmatch(page)
	if status != http.StatusOK || version == nil {
		t.Fatalf("settings page: %d, no versioned app.js in %.300s", status, page)
	}
	for path, want := range map[string]int{
		"/settings/assets/" + version[1] + "/app.js": http.StatusOK,
		"/settings/assets/app.css":                   http.StatusOK,
		"/settings/assets/nothing.js":                http.StatusNotFound,
	} {
		if status, _, _ := s.page(http.MethodGet, path, nil); status != want {
			t.Errorf("GET %s: %d, want %d", path, status, want)
		}
	}
}
