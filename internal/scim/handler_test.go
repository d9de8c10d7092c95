package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/scim"
)

// call sends one request to h; contentType "" sends none.
func call(t testing.TB, h http.Handler, method, path, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/scim/v2"+path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// scimError decodes a SCIM error answer, checking its schema and that its status string
// matches the HTTP status.
func scimError(t *testing.T, rec *httptest.ResponseRecorder) (status, scimType, detail string) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != scim.ContentType {
		t.Errorf("error Content-Type %q, want %q", ct, scim.ContentType)
	}
	var e struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType"`
		Detail   string   `json:"detail"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body: %v", err)
	}
	if diff := cmp.Diff([]string{"urn:ietf:params:scim:api:messages:2.0:Error"}, e.Schemas); diff != "" {
		t.Errorf("schemas mismatch (-want +got):\n%s", diff)
	}
	if e.Status != fmt.Sprint(rec.Code) || e.Detail == "" {
		t.Errorf("status %q detail %q in a %d answer", e.Status, e.Detail, rec.Code)
	}
	return e.Status, e.ScimType, e.Detail
}

const bjensen = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","password":"hunter2-secret"}`

func TestRequestBodies(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		scimType    string
	}{
		{"scim+json", "POST", "/Users", "application/scim+json", bjensen, 201, ""},
		{"scim+json with charset", "POST", "/Users", "application/scim+json; charset=utf-8", bjensen, 201, ""},
		{"plain json", "POST", "/Users", "application/json", bjensen, 201, ""},
		{"no content type", "POST", "/Users", "", bjensen, 201, ""},
		{"text/plain", "POST", "/Users", "text/plain", bjensen, 415, ""},
		{"form", "PATCH", "/Users/id-000001", "application/x-www-form-urlencoded", "a=b", 415, ""},
		{"malformed JSON", "POST", "/Users", "application/scim+json", `{"userName":`, 400, "invalidSyntax"},
		{"not JSON", "POST", "/Users", "application/scim+json", `userName=x`, 400, "invalidSyntax"},
		{"two objects", "POST", "/Users", "application/scim+json", bjensen + bjensen, 400, "invalidSyntax"},
		{"array", "POST", "/Users", "application/scim+json", `[` + bjensen + `]`, 400, "invalidSyntax"},
		{"empty", "POST", "/Users", "application/scim+json", ``, 400, "invalidSyntax"},
		{"userName a number", "POST", "/Users", "application/scim+json", `{"userName":5}`, 400, "invalidValue"},
		{"name a string", "POST", "/Users", "application/scim+json", `{"userName":"a@b.c","name":"A"}`, 400, "invalidValue"},
		{"active a word", "POST", "/Users", "application/scim+json", `{"userName":"a@b.c","active":"yes"}`, 400, "invalidValue"},
		{"no userName", "POST", "/Users", "application/scim+json", `{"emails":[{"value":"a@b.c"}]}`, 400, "invalidValue"},
		{"no address at all", "POST", "/Users", "application/scim+json", `{"userName":"bjensen"}`, 400, "invalidValue"},
		{"PATCH malformed", "PATCH", "/Users/id-000001", "application/scim+json", `{"Operations":[{"op":"replace",}]}`, 400, "invalidSyntax"},
		{"PATCH Operations not a list", "PATCH", "/Users/id-000001", "application/scim+json", `{"Operations":{}}`, 400, "invalidValue"},
		{"group without displayName", "POST", "/Groups", "application/scim+json", `{"members":[]}`, 400, "invalidValue"},
		{"group with unknown member", "POST", "/Groups", "application/scim+json", `{"displayName":"G","members":[{"value":"nobody"}]}`, 400, "invalidValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mount(t, newFake(), nil)
			rec := call(t, h, tt.method, tt.path, tt.contentType, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status < 300 {
				if ct := rec.Header().Get("Content-Type"); ct != scim.ContentType {
					t.Errorf("Content-Type %q, want %q", ct, scim.ContentType)
				}
				if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "password") {
					t.Errorf("the answer echoes the password: %s", rec.Body)
				}
				return
			}
			if _, scimType, _ := scimError(t, rec); scimType != tt.scimType {
				t.Errorf("scimType %q, want %q", scimType, tt.scimType)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	big := `{"userName":"a@b.c","displayName":"` + strings.Repeat("x", scim.MaxBodyBytes) + `"}`
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			backend := newFake()
			h := mount(t, backend, nil)
			r := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(big))
			r.Header.Set("Content-Type", scim.ContentType)
			if chunked {
				r.ContentLength = -1 // no declared length: the limit is found while reading
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", rec.Code)
			}
			scimError(t, rec)
			if n := backend.callCount("CreateUser"); n != 0 {
				t.Errorf("%d creates for a refused body", n)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	h := mount(t, newFake(), nil)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/Nope", 404, ""},
		{"GET", "/", 404, ""},
		{"GET", "/Users/unknown", 404, ""},
		{"PUT", "/Users/unknown", 404, ""},
		{"PATCH", "/Users/unknown", 404, ""},
		{"DELETE", "/Users/unknown", 404, ""},
		{"GET", "/Groups/unknown", 404, ""},
		{"PATCH", "/Groups/unknown", 404, ""},
		{"DELETE", "/Groups/unknown", 404, ""},
		{"PUT", "/Groups/unknown", 404, ""},
		{"DELETE", "/Users", 405, "GET, POST"},
		{"PATCH", "/Groups", 405, "GET, POST"},
		{"POST", "/Users/x", 405, "GET, PUT, PATCH, DELETE"},
		{"POST", "/ServiceProviderConfig", 405, "GET"},
		{"GET", "/Schemas/urn:nope", 404, ""},
		{"GET", "/ResourceTypes/Nope", 404, ""},
	}
	bodies := map[string]string{
		"PUT /Users/unknown":    `{"userName":"a@b.c"}`,
		"PATCH /Users/unknown":  `{"Operations":[{"op":"replace","path":"active","value":false}]}`,
		"PATCH /Groups/unknown": `{"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`,
		"PUT /Groups/unknown":   `{"displayName":"x"}`,
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := call(t, h, tt.method, tt.path, scim.ContentType, bodies[tt.method+" "+tt.path])
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			scimError(t, rec)
		})
	}
}

// recordingHandler counts the log records written.
type recordingHandler struct {
	slog.Handler
	buf   *bytes.Buffer
	count *int
}

func (h recordingHandler) Handle(ctx context.Context, r slog.Record) error {
	*h.count++
	return h.Handler.Handle(ctx, r)
}

func TestBackendErrors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		status   int
		scimType string
		detail   string
		logged   int
	}{
		{"unknown failure", errors.New("dynamo: connection to 10.0.0.7 refused, token abc"), 500, "", "something went wrong on our side; retry later", 1},
		{"wrapped not found", fmt.Errorf("get user: %w", scim.ErrNotFound), 404, "", "no resource with this id", 0},
		{"uniqueness with detail", scim.WithDetail(fmt.Errorf("create: %w", scim.ErrUniqueness), "this address belongs to a member"), 409, "uniqueness", "this address belongs to a member", 0},
		{"mutability", scim.WithDetail(scim.ErrMutability, "the organization must keep an active admin"), 409, "mutability", "the organization must keep an active admin", 0},
		{"invalid value", fmt.Errorf("x: %w", scim.ErrInvalidValue), 400, "invalidValue", "a value is not acceptable", 0},
		{"too many", scim.ErrTooMany, 400, "tooMany", "the request touches more than can be processed at once", 0},
		{"unavailable", fmt.Errorf("busy: %w", scim.ErrUnavailable), 503, "", "temporarily unavailable; retry shortly", 1},
		{"canceled", fmt.Errorf("list: %w", context.Canceled), 500, "", "something went wrong on our side; retry later", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := newFake()
			backend.fail = tt.err
			var buf bytes.Buffer
			logged := 0
			log := slog.New(recordingHandler{Handler: slog.NewJSONHandler(&buf, nil), buf: &buf, count: &logged})
			rec := call(t, mount(t, backend, log), "GET", "/Users?filter="+strings.ReplaceAll(`userName eq "a"`, " ", "%20"), "", "")
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.status == 503 && rec.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			_, scimType, detail := scimError(t, rec)
			if scimType != tt.scimType || detail != tt.detail {
				t.Errorf("got %q %q, want %q %q", scimType, detail, tt.scimType, tt.detail)
			}
			if logged != tt.logged {
				t.Errorf("%d log records, want %d: %s", logged, tt.logged, buf.String())
			}
		})
	}
}

func TestWriteUnauthorized(t *testing.T) {
	rec := httptest.NewRecorder()
	scim.WriteUnauthorized(rec)
	if rec.Code != 401 || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("status %d, WWW-Authenticate %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	if status, _, _ := scimError(t, rec); status != "401" {
		t.Errorf("status %q", status)
	}
	rec = httptest.NewRecorder()
	scim.WriteError(rec, http.StatusForbidden, "this token may not provision")
	if status, _, detail := scimError(t, rec); status != "403" || detail != "this token may not provision" {
		t.Errorf("got %q %q", status, detail)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, c := range []scim.Config{
		{BaseURL: baseURL},
		{Backend: newFake()},
		{Backend: newFake(), BaseURL: "/scim/v2"},
		{Backend: newFake(), BaseURL: "https:///scim/v2"},
		{Backend: newFake(), BaseURL: "://bad"},
	} {
		if _, err := scim.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
