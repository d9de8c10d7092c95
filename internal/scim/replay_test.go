package scim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/scim"
)

// baseURL is where the tests mount the handler.
const baseURL = "https://gatehouse.example.com/scim/v2"

// sequence is one fixture file: a conversation as an identity provider holds it, request
// by request, with the answers Gatehouse must give.
type sequence struct {
	Source string `json:"source"`
	// IDs are the ids the backend hands out, in order, so that the fixtures can read like
	// the documents they come from.
	IDs   []string `json:"ids"`
	Steps []step   `json:"steps"`
}

type step struct {
	Name    string `json:"name"`
	Request struct {
		Method      string          `json:"method"`
		Path        string          `json:"path"`
		ContentType *string         `json:"contentType"`
		Body        json.RawMessage `json:"body"`
	} `json:"request"`
	Response struct {
		Status   int             `json:"status"`
		Location string          `json:"location"`
		Body     json.RawMessage `json:"body"`
	} `json:"response"`
}

// startTime is the fake clock at step 0; step n runs at startTime plus n minutes, so the
// fixtures' meta timestamps name the step that created or last changed a resource.
var startTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// mount serves h under /scim/v2 as a caller would.
func mount(tb testing.TB, backend scim.Backend, log *slog.Logger) http.Handler {
	tb.Helper()
	h, err := scim.New(scim.Config{Backend: backend, BaseURL: baseURL, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	return mux
}

func loadSequence(t testing.TB, file string) sequence {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var seq sequence
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seq); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(seq.Steps) == 0 {
		t.Fatalf("%s has no steps", file)
	}
	return seq
}

// TestReplay replays every sequence in testdata: Okta's and Entra ID's documented requests,
// in the order they send them, against the in-memory backend.
func TestReplay(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			seq := loadSequence(t, file)
			backend := newFake(seq.IDs...)
			h := mount(t, backend, slog.New(slog.DiscardHandler))
			for i, s := range seq.Steps {
				backend.setNow(startTime.Add(time.Duration(i) * time.Minute))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, s.request(t))
				s.check(t, i, rec)
			}
		})
	}
}

func (s step) request(t *testing.T) *http.Request {
	t.Helper()
	var body io.Reader
	if len(s.Request.Body) > 0 {
		body = bytes.NewReader(s.Request.Body)
	}
	r := httptest.NewRequest(s.Request.Method, s.Request.Path, body)
	r.Header.Set("Authorization", "Bearer test-token")
	switch {
	case s.Request.ContentType != nil:
		r.Header.Set("Content-Type", *s.Request.ContentType)
	case body != nil:
		r.Header.Set("Content-Type", "application/scim+json")
	}
	return r
}

func (s step) check(t *testing.T, i int, rec *httptest.ResponseRecorder) {
	t.Helper()
	name := s.Name
	if rec.Code != s.Response.Status {
		t.Fatalf("step %d (%s): status %d, want %d; body %s", i, name, rec.Code, s.Response.Status, rec.Body)
	}
	if got := rec.Header().Get("Location"); got != s.Response.Location {
		t.Errorf("step %d (%s): Location %q, want %q", i, name, got, s.Response.Location)
	}
	if len(s.Response.Body) == 0 {
		if rec.Body.Len() != 0 {
			t.Errorf("step %d (%s): want no body, got %s", i, name, rec.Body)
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != scim.ContentType {
		t.Errorf("step %d (%s): Content-Type %q, want %q", i, name, ct, scim.ContentType)
	}
	var want, got any
	if err := json.Unmarshal(s.Response.Body, &want); err != nil {
		t.Fatalf("step %d (%s): fixture body: %v", i, name, err)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("step %d (%s): answer is not JSON: %v: %s", i, name, err, rec.Body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("step %d (%s): body mismatch (-want +got):\n%s", i, name, diff)
	}
}
