package scim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
)

// discoveryJSON holds the ServiceProviderConfig, ResourceTypes and Schemas documents
// (RFC 7644 §4) with locations relative to the mount point.
//
//go:embed discovery.json
var discoveryJSON []byte

// document is one discovery document, read-only once built.
type document map[string]any

// discovery is the discovery documents with absolute locations.
type discovery struct {
	ServiceProviderConfig document   `json:"serviceProviderConfig"`
	ResourceTypes         []document `json:"resourceTypes"`
	Schemas               []document `json:"schemas"`
}

// newDiscovery reads the embedded documents and makes their locations absolute.
func newDiscovery(base string) (discovery, error) {
	var d discovery
	if err := json.Unmarshal(discoveryJSON, &d); err != nil {
		return discovery{}, fmt.Errorf("read discovery.json: %w", err)
	}
	docs := append([]document{d.ServiceProviderConfig}, d.ResourceTypes...)
	for _, doc := range append(docs, d.Schemas...) {
		m, ok := doc["meta"].(map[string]any)
		if !ok {
			return discovery{}, fmt.Errorf("discovery document %v has no meta", doc["id"])
		}
		m["location"] = base + fmt.Sprint(m["location"])
	}
	return d, nil
}

// documents is the discovery documents, or false when they could not be built (the
// answer then made).
func (h *handler) documents(w http.ResponseWriter, r *http.Request) (discovery, bool) {
	d, err := h.discovery()
	if err != nil {
		h.fail(w, r, fmt.Errorf("build discovery documents: %w", err))
		return discovery{}, false
	}
	return d, true
}

// serviceProviderConfig serves GET /ServiceProviderConfig.
func (h *handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.documents(w, r); ok {
		writeJSON(w, http.StatusOK, d.ServiceProviderConfig)
	}
}

// resourceTypes serves GET /ResourceTypes as a list.
func (h *handler) resourceTypes(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.documents(w, r); ok {
		writeJSON(w, http.StatusOK, newList(d.ResourceTypes, len(d.ResourceTypes), 1))
	}
}

// resourceType serves GET /ResourceTypes/{name}.
func (h *handler) resourceType(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.documents(w, r); ok {
		h.writeDocument(w, d.ResourceTypes, r.PathValue("name"))
	}
}

// schemas serves GET /Schemas as a list.
func (h *handler) schemas(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.documents(w, r); ok {
		writeJSON(w, http.StatusOK, newList(d.Schemas, len(d.Schemas), 1))
	}
}

// schema serves GET /Schemas/{id}.
func (h *handler) schema(w http.ResponseWriter, r *http.Request) {
	if d, ok := h.documents(w, r); ok {
		h.writeDocument(w, d.Schemas, r.PathValue("id"))
	}
}

// writeDocument answers the document of docs whose id is id, or 404.
func (h *handler) writeDocument(w http.ResponseWriter, docs []document, id string) {
	for _, d := range docs {
		if d["id"] == id {
			writeJSON(w, http.StatusOK, d)
			return
		}
	}
	writeProblem(w, &protocolError{status: http.StatusNotFound, detail: "no such resource type or schema"})
}
