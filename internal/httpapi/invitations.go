package httpapi

import (
	"net/http"
	"strconv"

	"gatehouse/internal/org"
)

// legacyInviteRequest is the portal's original call, kept exactly: a name and an email.
type legacyInviteRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// legacyInvite serves POST /api/v1/legacy/users/invite: everyone the portal invites is an
// admin today. Unknown fields are tolerated, as the old endpoint did.
func (a *api) legacyInvite() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req legacyInviteRequest
		if err := decode(w, r, &req, true); err != nil {
			a.failInviting(w, r, err)
			return
		}
		p := principalFrom(r.Context())
		p.Via = org.ViaLegacy // counted apart from the API's own invitations
		a.createInvitation(w, r, p, org.InviteRequest{Email: req.Email, Name: req.Name, Role: string(org.RoleAdmin)})
	})
}

// invite serves POST /api/v1/invitations.
func (a *api) invite() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req org.InviteRequest
		if err := decode(w, r, &req, false); err != nil {
			a.failInviting(w, r, err)
			return
		}
		a.createInvitation(w, r, principalFrom(r.Context()), req)
	})
}

// failInviting answers err to a request of the invitation routes, unless the caller's token,
// not yet read (AuthenticateToInvite), does not authenticate: then that is the answer, as
// it is where the token is read before the body.
func (a *api) failInviting(w http.ResponseWriter, r *http.Request, err error) {
	if _, verr := a.invitations.Verify(r.Context(), principalFrom(r.Context())); verr != nil {
		err = verr
	}
	a.fail(w, r, err)
}

// createInvitation invites one person as p and answers 201 with the invitation.
func (a *api) createInvitation(w http.ResponseWriter, r *http.Request, p org.Principal, req org.InviteRequest) {
	c, err := a.invitations.Invite(r.Context(), p, req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/invitations/"+c.Invitation.ID)
	writeJSON(w, http.StatusCreated, a.created(c))
}

// bulkInviteRequest carries up to 1,000 invitations.
type bulkInviteRequest struct {
	Invitations []org.InviteRequest `json:"invitations"`
}

// bulkInvite serves POST /api/v1/invitations/bulk: one result per row, in input order.
func (a *api) bulkInvite() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req bulkInviteRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		results, err := a.invitations.InviteMany(r.Context(), principalFrom(r.Context()), req.Invitations)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toBulkView(results, a.created))
	})
}

// pageRequest reads limit and cursor from the query string; the domain checks their values.
func pageRequest(r *http.Request) (org.PageRequest, error) {
	q := r.URL.Query()
	p := org.PageRequest{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return p, org.Invalid("limit", "invalid_limit", "limit must be a whole number between 1 and 100")
		}
		p.Limit = n
	}
	return p, nil
}

// listInvitations serves GET /api/v1/invitations?status=&q=&limit=&cursor=.
func (a *api) listInvitations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := pageRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		params := r.URL.Query()
		q := org.InvitationQuery{PageRequest: pr, Status: org.InvitationStatus(params.Get("status")), Search: params.Get("q")}
		page, err := a.invitations.Invitations(r.Context(), principalFrom(r.Context()), q)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		now := a.now()
		writeJSON(w, http.StatusOK, toListView(page, func(inv org.Invitation) invitationView { return toInvitationView(inv, now) }))
	})
}

// getInvitation serves GET /api/v1/invitations/{id}.
func (a *api) getInvitation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv, err := a.invitations.Invitation(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toInvitationView(inv, a.now()))
	})
}

// revokeInvitation serves DELETE /api/v1/invitations/{id}.
func (a *api) revokeInvitation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv, err := a.invitations.Revoke(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toInvitationView(inv, a.now()))
	})
}

// resendInvitation serves POST /api/v1/invitations/{id}/resend.
func (a *api) resendInvitation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.invitations.Resend(r.Context(), principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a.created(c))
	})
}

// acceptRequest is what the invited person sends: the token from their link and,
// optionally, the name they want to be known by.
type acceptRequest struct {
	Token string `json:"token"`
	Name  string `json:"name"`
}

// accept serves POST /api/v1/invitations/accept and answers 201 with the new member.
func (a *api) accept() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req acceptRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		if req.Token == "" {
			a.fail(w, r, org.Invalid("token", "required", "token is required: the token from the invitation link"))
			return
		}
		m, err := a.invitations.Accept(r.Context(), org.SourceAPI, req.Token, req.Name)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toMemberView(m))
	})
}
