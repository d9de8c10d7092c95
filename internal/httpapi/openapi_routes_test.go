package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/httpapi"
	"gatehouse/internal/slack"
	"gatehouse/internal/webhook"
)

// operation is a method on a path, as the OpenAPI document writes paths.
type operation struct{ method, path string }

func (o operation) String() string { return o.method + " " + o.path }

// wildcard is a ServeMux wildcard: {name}, {name...} or {$}.
var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]*)(\.\.\.)?\}|\{\$\}`)

// openAPIPath writes a ServeMux pattern's path as the OpenAPI document would: {name...}
// is {name}, and {$} (the end of the path) is left out.
func openAPIPath(p string) string {
	return wildcard.ReplaceAllStringFunc(p, func(w string) string {
		if w == "{$}" {
			return ""
		}
		return "{" + wildcard.FindStringSubmatch(w)[1] + "}"
	})
}

// documented are the operations of the OpenAPI document, and which of them a handler of
// another package serves (x-gatehouse-served-by).
func documented(t *testing.T) (ops []operation, elsewhere map[operation]string) {
	t.Helper()
	doc := openAPISpec(t)
	elsewhere = map[operation]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := operation{method, path}
			ops = append(ops, o)
			if by, ok := op.Extensions["x-gatehouse-served-by"].(string); ok {
				elsewhere[o] = by
			}
		}
	}
	return ops, elsewhere
}

// TestTheOpenAPIDocumentNamesEveryRouteServed holds the document to the router: every
// route it serves is described, and everything described is served.
func TestTheOpenAPIDocumentNamesEveryRouteServed(t *testing.T) {
	s := newServer(t) // with sync, SCIM and webhooks, whose routes are served only when configured
	routes, err := httpapi.Routes(s.config)
	if err != nil {
		t.Fatal(err)
	}
	ops, elsewhere := documented(t)
	described := map[operation]bool{}
	for _, o := range ops {
		described[o] = true
	}
	var exact, subtrees []operation
	var mounts []string
	for _, r := range routes {
		method, path, ok := strings.Cut(r, " ")
		switch {
		case !ok && strings.HasSuffix(r, "/"):
			mounts = append(mounts, r) // every method below it: its handler lists its routes
		case !ok:
			t.Errorf("pattern %q names no method, so its methods cannot be described", r)
		case strings.HasSuffix(path, "/"):
			subtrees = append(subtrees, operation{method, openAPIPath(path)})
		default:
			exact = append(exact, operation{method, openAPIPath(path)})
		}
	}
	for _, o := range exact {
		if !described[o] {
			t.Errorf("%s is served but not described in openapi.json", o)
		}
	}
	under := func(o operation) bool {
		return slices.ContainsFunc(subtrees, func(s operation) bool { return s.method == o.method && strings.HasPrefix(o.path, s.path) })
	}
	for _, s := range subtrees {
		if !slices.ContainsFunc(ops, func(o operation) bool { return o.method == s.method && strings.HasPrefix(o.path, s.path) }) {
			t.Errorf("%s serves a subtree of which openapi.json describes nothing", s)
		}
	}
	for _, m := range mounts {
		if !slices.ContainsFunc(exact, func(o operation) bool { return strings.HasPrefix(o.path, m) }) {
			t.Errorf("%s is mounted, but its handler lists no routes to describe", m)
		}
	}
	served := map[operation]string{}
	for _, o := range ops {
		switch {
		case elsewhere[o] != "":
			served[o] = elsewhere[o]
		case slices.Contains(exact, o) || under(o):
		default:
			t.Errorf("%s is described in openapi.json but not served", o)
		}
	}
	// The one entry point of another function: the Slack command, which package slack serves.
	if diff := cmp.Diff(map[operation]string{{"POST", "/slack/commands"}: "slack"}, served); diff != "" {
		t.Errorf("operations served outside the API's router mismatch (-want +got):\n%s", diff)
	}
}

// The Slack command is described as a POST: the handler serves that method alone, and
// refuses what Slack did not sign as the document says.
func TestTheSlackCommandIsServedAsDescribed(t *testing.T) {
	v, err := slack.NewVerifier("secret", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h := conform(t, slack.Handler(slack.Config{Verifier: v, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	for method, want := range map[string]int{http.MethodGet: http.StatusMethodNotAllowed, http.MethodPost: http.StatusUnauthorized} {
		req := httptest.NewRequest(method, "/slack/commands", strings.NewReader("team_id=T1&user_id=U1&command=%2Fgatehouse&text=help"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", "1")
		req.Header.Set("X-Slack-Signature", "v0=00")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s /slack/commands: %d, want %d", method, rec.Code, want)
		}
		if want == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != http.MethodPost {
			t.Errorf("Allow = %q, want POST", rec.Header().Get("Allow"))
		}
	}
}

// problemCodes are the codes openapi.json says some operation's problem answers may carry.
func problemCodes(t *testing.T) map[string]bool {
	t.Helper()
	codes := map[string]bool{}
	var visit func(s *openapi3.SchemaRef)
	visit = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil {
			return
		}
		if c := s.Value.Properties["code"]; c != nil && c.Value != nil {
			for _, e := range c.Value.Enum {
				codes[e.(string)] = true
			}
		}
		for _, sub := range s.Value.AllOf {
			visit(sub)
		}
	}
	doc := openAPISpec(t)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				if m := res.Value.Content.Get("application/problem+json"); m != nil {
					visit(m.Schema)
				}
			}
		}
	}
	return codes
}

// Every problem code the error map can answer is one some operation describes, and every
// event type an endpoint may subscribe to is in the document's EventType.
func TestTheOpenAPIDocumentNamesEveryCodeAndEvent(t *testing.T) {
	described := problemCodes(t)
	for _, code := range httpapi.MappedCodes() {
		if !described[code] {
			t.Errorf("problem code %s is answered by the error map but no operation of openapi.json lists it", code)
		}
	}
	var events []string
	for _, e := range openAPISpec(t).Components.Schemas["EventType"].Value.Enum {
		events = append(events, e.(string))
	}
	if diff := cmp.Diff(webhook.EventTypes(), events); diff != "" {
		t.Errorf("openapi.json's EventType mismatch (-code +document):\n%s", diff)
	}
}
