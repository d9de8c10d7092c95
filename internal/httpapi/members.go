package httpapi

import (
	"net/http"

	"gatehouse/internal/org"
)

// listMembers serves GET /api/v1/users?limit=&cursor=.
func (a *api) listMembers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := pageRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		page, err := a.members.Members(r.Context(), principalFrom(r.Context()), pr)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toListView(page, toMemberView))
	})
}

// memberAction adapts a service operation on one member to a handler answering 200 with
// the member.
func (a *api) memberAction(op func(*http.Request, org.Principal, string) (org.Member, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := op(r, principalFrom(r.Context()), r.PathValue("id"))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toMemberView(m))
	})
}

// getMember serves GET /api/v1/users/{id}.
func (a *api) getMember() http.Handler {
	return a.memberAction(func(r *http.Request, p org.Principal, id string) (org.Member, error) {
		return a.members.Member(r.Context(), p, id)
	})
}

// changeRoleRequest is the body of PATCH /api/v1/users/{id}.
type changeRoleRequest struct {
	Role string `json:"role"`
}

// changeRole serves PATCH /api/v1/users/{id} {"role"}.
func (a *api) changeRole() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req changeRoleRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		a.memberAction(func(r *http.Request, p org.Principal, id string) (org.Member, error) {
			return a.members.ChangeRole(r.Context(), p, id, req.Role)
		}).ServeHTTP(w, r)
	})
}

// deactivate serves DELETE /api/v1/users/{id}.
func (a *api) deactivate() http.Handler {
	return a.memberAction(func(r *http.Request, p org.Principal, id string) (org.Member, error) {
		return a.members.Deactivate(r.Context(), p, id)
	})
}

// reactivate serves POST /api/v1/users/{id}/reactivate.
func (a *api) reactivate() http.Handler {
	return a.memberAction(func(r *http.Request, p org.Principal, id string) (org.Member, error) {
		return a.members.Reactivate(r.Context(), p, id)
	})
}

// createTokenRequest is the body of POST /api/v1/tokens.
type createTokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// ExpiresInDays (1–365) makes the token expire; absent, it does not.
	ExpiresInDays *int `json:"expiresInDays"`
	// OwnerID makes the token act for a member: never above their role, and only while
	// they are active.
	OwnerID string `json:"ownerId"`
}

// createToken serves POST /api/v1/tokens; the secret is in this answer only.
func (a *api) createToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createTokenRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		var opts []org.TokenOption
		if req.ExpiresInDays != nil {
			opts = append(opts, org.ExpiresInDays(*req.ExpiresInDays))
		}
		if req.OwnerID != "" {
			opts = append(opts, org.OwnedBy(req.OwnerID))
		}
		nt, err := a.tokens.CreateToken(r.Context(), principalFrom(r.Context()), req.Name, req.Role, opts...)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v := toTokenView(nt.Token, a.now())
		v.Token = nt.Secret
		writeJSON(w, http.StatusCreated, v)
	})
}

// listTokens serves GET /api/v1/tokens.
func (a *api) listTokens() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokens, err := a.tokens.Tokens(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		now := a.now()
		writeJSON(w, http.StatusOK, toListView(org.Page[org.APIToken]{Items: tokens}, func(t org.APIToken) tokenView { return toTokenView(t, now) }))
	})
}

// revokeToken serves DELETE /api/v1/tokens/{id} and answers 204.
func (a *api) revokeToken() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.tokens.RevokeToken(r.Context(), principalFrom(r.Context()), r.PathValue("id")); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// auditLog serves GET /api/v1/audit-logs?action=&actor=&source=&limit=&cursor=.
func (a *api) auditLog() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := pageRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		params := r.URL.Query()
		q := org.AuditQuery{PageRequest: pr, Action: params.Get("action"), Actor: params.Get("actor"), Source: org.Source(params.Get("source"))}
		page, err := a.tokens.AuditLog(r.Context(), principalFrom(r.Context()), q)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toListView(page, toAuditView))
	})
}
