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

// serviceProviderConfig serves GET /ServiceProviderConfig.
func (h *handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.discovery.ServiceProviderConfig)
}

// resourceTypes serves GET /ResourceTypes as a list.
func (h *handler) resourceTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, newList(h.discovery.ResourceTypes, len(h.discovery.ResourceTypes), 1))
}

// resourceType serves GET /ResourceTypes/{name}.
func (h *handler) resourceType(w http.ResponseWriter, r *http.Request) {
	h.writeDocument(w, h.discovery.ResourceTypes, r.PathValue("name"))
}

// schemas serves GET /Schemas as a list.
func (h *handler) schemas(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, newList(h.discovery.Schemas, len(h.discovery.Schemas), 1))
}

// schema serves GET /Schemas/{id}.
func (h *handler) schema(w http.ResponseWriter, r *http.Request) {
	h.writeDocument(w, h.discovery.Schemas, r.PathValue("id"))
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
