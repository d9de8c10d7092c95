package scim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// userResource is a User as answered (RFC 7643 §4.1), with only what Gatehouse keeps. A
// password is never among it.
type userResource struct {
	Schemas     []string        `json:"schemas"`
	ID          string          `json:"id"`
	ExternalID  string          `json:"externalId,omitempty"`
	UserName    string          `json:"userName"`
	Name        *nameResource   `json:"name,omitempty"`
	DisplayName string          `json:"displayName,omitempty"`
	Emails      []emailResource `json:"emails,omitempty"`
	Active      bool            `json:"active"`
	Meta        meta            `json:"meta"`
}

type nameResource struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type emailResource struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

// meta is a resource's metadata (RFC 7643 §3.1).
type meta struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location"`
}

// timeFormat is how meta writes times: RFC 3339 in UTC to the millisecond, as the rest of
// Gatehouse's answers do, so every time has one width.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// timestamp is t as meta shows it; "" (left out) when zero.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func (h *handler) userResource(u User) userResource {
	out := userResource{
		Schemas: []string{userSchema}, ID: u.ID, ExternalID: u.ExternalID, UserName: u.UserName,
		DisplayName: u.DisplayName, Active: u.Active,
		Meta: meta{ResourceType: "User", Created: timestamp(u.Created), LastModified: timestamp(u.LastModified), Location: h.location("/Users", u.ID)},
	}
	if u.GivenName != "" || u.FamilyName != "" {
		out.Name = &nameResource{GivenName: u.GivenName, FamilyName: u.FamilyName}
	}
	if u.Email != "" {
		out.Emails = []emailResource{{Value: u.Email, Type: "work", Primary: true}}
	}
	return out
}

// userBody is a User as POST and PUT send it. Okta also sends password and groups, and
// Entra ID roles and the enterprise extension: they are read past and not kept.
type userBody struct {
	UserName   *string `json:"userName"`
	ExternalID *string `json:"externalId"`
	Name       *struct {
		GivenName  *string `json:"givenName"`
		FamilyName *string `json:"familyName"`
	} `json:"name"`
	DisplayName *string         `json:"displayName"`
	Emails      json.RawMessage `json:"emails"`
	Active      *flexBool       `json:"active"`
}

// user returns the user b describes. With a current user (PUT), active and externalId
// stay as they are when b leaves them out, so that a replace never deactivates, reactivates
// or unlinks anyone by omission; every other kept attribute is replaced, absent meaning empty.
func (b userBody) user(current *User) (User, error) {
	u := User{Active: true}
	if current != nil {
		u = User{ID: current.ID, Active: current.Active, ExternalID: current.ExternalID, Created: current.Created}
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	u.UserName = deref(b.UserName)
	if strings.TrimSpace(u.UserName) == "" {
		return User{}, badRequest(typeInvalidValue, "userName is required")
	}
	if b.ExternalID != nil {
		u.ExternalID = *b.ExternalID
	}
	if b.Name != nil {
		u.GivenName, u.FamilyName = deref(b.Name.GivenName), deref(b.Name.FamilyName)
	}
	u.DisplayName = deref(b.DisplayName)
	if b.Active != nil {
		u.Active = bool(*b.Active)
	}
	emails, err := emailList(b.Emails)
	if err != nil {
		return User{}, err
	}
	switch u.Email = pickEmail(emails); {
	case u.Email != "":
	case isAddress(u.UserName):
		u.Email = u.UserName
	default:
		return User{}, badRequest(typeInvalidValue, "a user needs an email address: send emails, or a userName that is an address")
	}
	return u, nil
}

// listUsers serves GET /Users?filter=&startIndex=&count=.
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) {
	p, err := readListParams(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var f UserFilter
	if p.filter != "" {
		var matchable bool
		if f, matchable, err = userFilter(p.filter); err != nil {
			h.fail(w, r, err)
			return
		}
		if !matchable {
			writeJSON(w, http.StatusOK, newList[userResource](nil, 0, p.startIndex))
			return
		}
	}
	users, total, err := h.backend.ListUsers(r.Context(), UserQuery{Filter: f, Page: p.page()})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]userResource, 0, len(users))
	for _, u := range users[:min(len(users), p.count)] {
		out = append(out, h.userResource(u))
	}
	writeJSON(w, http.StatusOK, newList(out, total, p.startIndex))
}

// getUser serves GET /Users/{id}.
func (h *handler) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.backend.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.userResource(u))
}

// createUser serves POST /Users. A retried POST is answered 409 uniqueness by the backend,
// after which Okta and Entra ID look the user up by userName: SCIM's own idempotence.
func (h *handler) createUser(w http.ResponseWriter, r *http.Request) {
	var b userBody
	if err := decode(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := b.user(nil)
	if err == nil {
		u, err = h.backend.CreateUser(r.Context(), u)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res := h.userResource(u)
	w.Header().Set("Location", res.Meta.Location)
	writeJSON(w, http.StatusCreated, res)
}

// replaceUser serves PUT /Users/{id}: the whole user as the client now sees them.
func (h *handler) replaceUser(w http.ResponseWriter, r *http.Request) {
	var b userBody
	if err := decode(w, r, &b); err != nil {
		h.fail(w, r, err)
		return
	}
	h.changeUser(w, r, func(current User) (User, error) { return b.user(&current) })
}

// patchUser serves PATCH /Users/{id} and answers 200 with the user.
func (h *handler) patchUser(w http.ResponseWriter, r *http.Request) {
	var req patchRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	targets, err := patchTargets(req, userSchema)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.changeUser(w, r, func(current User) (User, error) { return patchUser(current, targets) })
}

// changeUser reads the user, works out the user wanted, and sends the backend only what
// differs; nothing when nothing does.
func (h *handler) changeUser(w http.ResponseWriter, r *http.Request, want func(User) (User, error)) {
	current, err := h.backend.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	after, err := want(current)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if c := diffUser(current, after); !c.IsZero() {
		if current, err = h.backend.UpdateUser(r.Context(), current.ID, c); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, h.userResource(current))
}

// deleteUser serves DELETE /Users/{id}: the person is deactivated, not erased, and stays
// readable with active false. It answers 204.
func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.backend.GetUser(r.Context(), r.PathValue("id"))
	if err == nil && u.Active {
		inactive := false
		_, err = h.backend.UpdateUser(r.Context(), u.ID, UserChange{Active: &inactive})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
