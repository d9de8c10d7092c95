package scim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// groupResource is a Group as answered (RFC 7643 §4.2). Members is nil when the client
// excluded them, and an empty list when the group has none.
type groupResource struct {
	Schemas     []string          `json:"schemas"`
	ID          string            `json:"id"`
	ExternalID  string            `json:"externalId,omitempty"`
	DisplayName string            `json:"displayName"`
	Members     *[]memberResource `json:"members,omitempty"`
	Meta        meta              `json:"meta"`
}

type memberResource struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type"`
}

func (h *handler) groupResource(g Group, withMembers bool) groupResource {
	out := groupResource{
		Schemas: []string{groupSchema}, ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Meta: meta{ResourceType: "Group", Created: timestamp(g.Created), LastModified: timestamp(g.LastModified), Location: h.location("/Groups", g.ID)},
	}
	if withMembers {
		members := make([]memberResource, len(g.Members))
		for i, m := range g.Members {
			members[i] = memberResource{Value: m.Value, Ref: h.location("/Users", m.Value), Display: m.Display, Type: "User"}
		}
		out.Members = &members
	}
	return out
}

// groupBody is a Group as POST and PUT send it.
type groupBody struct {
	DisplayName *string         `json:"displayName"`
	ExternalID  *string         `json:"externalId"`
	Members     json.RawMessage `json:"members"`
}

// read checks b and returns its display name and member IDs; members is nil when b has
// no members attribute at all.
func (b groupBody) read() (name string, members []string, err error) {
	if b.DisplayName == nil || strings.TrimSpace(*b.DisplayName) == "" {
		return "", nil, badRequest(typeInvalidValue, "displayName is required")
	}
	if b.Members != nil {
		if members, err = memberIDs(b.Members); err != nil {
			return "", nil, err
		}
		if members == nil {
			members = []string{}
		}
	}
	return *b.DisplayName, members, nil
}

// listGroups serves GET /Groups?filter=&startIndex=&count=&excludedAttributes=members.
func (h *handler) listGroups(w http.ResponseWriter, r *http.Request) {
	p, err := readListParams(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	withMembers := includeMembers(r.URL.Query())
	var f GroupFilter
	if p.filter != "" {
		var matchable bool
		if f, matchable, err = groupFilter(p.filter); err != nil {
			h.fail(w, r, err)
			return
		}
		if !matchable {
			writeJSON(w, http.StatusOK, newList[groupResource](nil, 0, p.startIndex))
			return
		}
	}
	groups, total, err := h.backend.ListGroups(r.Context(), GroupQuery{Filter: f, Page: p.page(), WithMembers: withMembers})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]groupResource, 0, len(groups))
	for _, g := range groups[:min(len(groups), p.count)] {
		out = append(out, h.groupResource(g, withMembers))
	}
	writeJSON(w, http.StatusOK, newList(out, total, p.startIndex))
}

// getGroup serves GET /Groups/{id}.
func (h *handler) getGroup(w http.ResponseWriter, r *http.Request) {
	withMembers := includeMembers(r.URL.Query())
	g, err := h.backend.GetGroup(r.Context(), r.PathValue("id"), withMembers)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.groupResource(g, withMembers))
}

// createGroup serves POST /Groups.
func (h *handler) createGroup(w http.ResponseWriter, r *http.Request) {
	var b groupBody
	if err := decode(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	name, ids, err := b.read()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	g := Group{DisplayName: name, Members: make([]Member, len(ids))}
	if b.ExternalID != nil {
		g.ExternalID = *b.ExternalID
	}
	for i, id := range ids {
		g.Members[i] = Member{Value: id}
	}
	if g, err = h.backend.CreateGroup(r.Context(), g); err != nil {
		h.fail(w, r, err)
		return
	}
	res := h.groupResource(g, true)
	w.Header().Set("Location", res.Meta.Location)
	writeJSON(w, http.StatusCreated, res)
}

// replaceGroup serves PUT /Groups/{id}. Members are replaced when the body has them and
// kept when it has none, so that a rename never empties a group by omission; externalId
// likewise.
func (h *handler) replaceGroup(w http.ResponseWriter, r *http.Request) {
	var b groupBody
	if err := decode(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	name, ids, err := b.read()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := GroupChange{DisplayName: &name, ExternalID: b.ExternalID}
	if ids != nil {
		c.ReplaceMembers = &ids
	}
	id := r.PathValue("id")
	withMembers := includeMembers(r.URL.Query())
	g := Group{}
	if err = h.backend.UpdateGroup(r.Context(), id, c); err == nil {
		g, err = h.backend.GetGroup(r.Context(), id, withMembers)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.groupResource(g, withMembers))
}

// patchGroup serves PATCH /Groups/{id} with one backend call, however many members it
// adds or removes, and answers 204 as Okta's and Entra ID's references show.
func (h *handler) patchGroup(w http.ResponseWriter, r *http.Request) {
	var req patchRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	targets, err := patchTargets(req, groupSchema)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := patchGroup(id, targets)
	switch {
	case err != nil:
	case c.IsZero():
		_, err = h.backend.GetGroup(r.Context(), id, false) // still 404 for an unknown group
	default:
		err = h.backend.UpdateGroup(r.Context(), id, c)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteGroup serves DELETE /Groups/{id} and answers 204.
func (h *handler) deleteGroup(w http.ResponseWriter, r *http.Request) {
	if err := h.backend.DeleteGroup(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
