package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// ContentType is the media type of every SCIM answer (RFC 7644 §3.1).
const ContentType = "application/scim+json"

// MaxBodyBytes is the largest request body accepted; larger ones are answered 413.
const MaxBodyBytes = 1 << 20

// Config is what the handler is built from.
type Config struct {
	// Backend does the work; required.
	Backend Backend
	// BaseURL is the absolute URL the handler is mounted at, such as
	// https://gatehouse.example.com/scim/v2; meta.location and Location headers start with
	// it. Required.
	BaseURL string
	// Logger receives one entry per request that failed on the server side; none when nil.
	Logger *slog.Logger
}

// handler serves the SCIM endpoints under the mount point.
type handler struct {
	backend Backend
	log     *slog.Logger
	base    string
	// discovery builds the discovery documents once, when an identity provider first asks
	// for them: no cold start needs them.
	discovery func() (discovery, error)
	mux       *http.ServeMux
	routes    []string // "GET /Users", … in the order they were registered
}

// New returns the SCIM 2.0 handler. It serves paths relative to its mount point (/Users,
// /Groups/{id}, /ServiceProviderConfig, …), so mount it with http.StripPrefix; it does no
// authentication of its own (see WriteUnauthorized).
func New(c Config) (http.Handler, error) {
	if c.Backend == nil {
		return nil, errors.New("scim: Config.Backend is required")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("scim: Config.BaseURL must be an absolute URL, got %q", c.BaseURL)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{backend: c.Backend, log: c.Logger, base: strings.TrimRight(c.BaseURL, "/"), mux: http.NewServeMux()}
	h.discovery = sync.OnceValues(func() (discovery, error) { return newDiscovery(h.base) })
	h.route("/Users", map[string]http.HandlerFunc{http.MethodGet: h.listUsers, http.MethodPost: h.createUser})
	h.route("/Users/{id}", map[string]http.HandlerFunc{
		http.MethodGet: h.getUser, http.MethodPut: h.replaceUser, http.MethodPatch: h.patchUser, http.MethodDelete: h.deleteUser,
	})
	h.route("/Groups", map[string]http.HandlerFunc{http.MethodGet: h.listGroups, http.MethodPost: h.createGroup})
	h.route("/Groups/{id}", map[string]http.HandlerFunc{
		http.MethodGet: h.getGroup, http.MethodPut: h.replaceGroup, http.MethodPatch: h.patchGroup, http.MethodDelete: h.deleteGroup,
	})
	h.route("/ServiceProviderConfig", map[string]http.HandlerFunc{http.MethodGet: h.serviceProviderConfig})
	h.route("/ResourceTypes", map[string]http.HandlerFunc{http.MethodGet: h.resourceTypes})
	h.route("/ResourceTypes/{name}", map[string]http.HandlerFunc{http.MethodGet: h.resourceType})
	h.route("/Schemas", map[string]http.HandlerFunc{http.MethodGet: h.schemas})
	h.route("/Schemas/{id}", map[string]http.HandlerFunc{http.MethodGet: h.schema})
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, &protocolError{status: http.StatusNotFound, detail: "no such SCIM endpoint"})
	})
	return h, nil
}

// ServeHTTP serves one SCIM request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Routes lists the method and path patterns the handler serves, relative to its mount point,
// such as "GET /Users/{id}", so that whoever mounts it can describe them.
func (h *handler) Routes() []string { return slices.Clone(h.routes) }

// route serves pattern with one function per method, answering other methods 405 with a
// SCIM error rather than the mux's plain-text one.
func (h *handler) route(pattern string, methods map[string]http.HandlerFunc) {
	allow := make([]string, 0, len(methods))
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if methods[m] != nil {
			allow = append(allow, m)
			h.routes = append(h.routes, m+" "+pattern)
		}
	}
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if f := methods[r.Method]; f != nil {
			f(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, &protocolError{status: http.StatusMethodNotAllowed, detail: r.Method + " is not supported here"})
	})
}

// fail answers err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, h.log, err)
}

// decode reads the JSON body into v. It accepts application/scim+json, application/json
// or no content type; malformed JSON is invalidSyntax, a wrongly typed field invalidValue
// and a body over MaxBodyBytes a 413.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != ContentType && mt != "application/json" {
			return &protocolError{status: http.StatusUnsupportedMediaType, detail: "send the body as " + ContentType + " or application/json"}
		}
	}
	if r.ContentLength > MaxBodyBytes {
		return &http.MaxBytesError{Limit: MaxBodyBytes}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return badRequest(typeInvalidSyntax, "the body must be a single JSON object")
		}
		return nil
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var pe *protocolError
	switch {
	case errors.As(err, &tooBig), errors.As(err, &pe):
		return err
	case errors.Is(err, io.EOF):
		return badRequest(typeInvalidSyntax, "the body is empty; send a JSON object")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest(typeInvalidSyntax, "the body must be a JSON object")
		}
		return badRequest(typeInvalidValue, "%s must be a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	}
	return badRequest(typeInvalidSyntax, "the body is not valid JSON")
}

// jsonKind names a Go kind as the JSON type a client should send.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "value of another type"
}

// location is the absolute URL of a resource.
func (h *handler) location(endpoint, id string) string {
	return h.base + endpoint + "/" + url.PathEscape(id)
}
