package httpapi

import (
	"net/http"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// organizationView is the caller's organization as the API shows it.
type organizationView struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	AllowedDomains []string `json:"allowedDomains"`
	CreatedAt      timeView `json:"createdAt"`
	// MembersOutside, after a change of allowed domains, counts the active members the new
	// list does not cover and names up to 20: they stay members, for an admin to decide.
	MembersOutside *outsideView `json:"membersOutsideAllowedDomains,omitempty"`
}

type outsideView struct {
	Count  int            `json:"count"`
	Sample []outsideEntry `json:"sample"`
}

type outsideEntry struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

func toOrganizationView(o org.Org) organizationView {
	domains := o.AllowedDomains
	if domains == nil {
		domains = []string{}
	}
	return organizationView{ID: o.ID, Name: o.Name, AllowedDomains: domains, CreatedAt: view.At(o.CreatedAt)}
}

// getOrganization serves GET /api/v1/organization.
func (a *api) getOrganization() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := a.orgs.Organization(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toOrganizationView(o))
	})
}

// patchOrganization serves PATCH /api/v1/organization {"name", "allowedDomains"}.
func (a *api) patchOrganization() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var patch org.OrgPatch
		if err := decode(w, r, &patch, false); err != nil {
			a.fail(w, r, err)
			return
		}
		u, err := a.orgs.UpdateOrganization(r.Context(), principalFrom(r.Context()), patch)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v := toOrganizationView(u.Org)
		if len(u.Org.AllowedDomains) > 0 {
			v.MembersOutside = &outsideView{Count: u.Outside, Sample: []outsideEntry{}}
			for _, m := range u.Sample {
				v.MembersOutside.Sample = append(v.MembersOutside.Sample, outsideEntry{ID: m.ID, Email: m.Email, Name: m.Name})
			}
		}
		writeJSON(w, http.StatusOK, v)
	})
}
