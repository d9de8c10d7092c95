package connector

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// graphPermissions is what the app needs, for messages.
const graphPermissions = "grant the app the application permissions GroupMember.Read.All and User.Read.All, with admin consent"

// explain puts a Graph error in words: {"error": {"code": "...", "message": "..."}}.
func (g *Graph) explain(rq request, r *response) (*Error, bool) {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		body.Error.Code, body.Error.Message = "", "" // not Graph's JSON: the status says it all
	}
	code, msg := body.Error.Code, oneLine(body.Error.Message)
	said := fmt.Sprintf("Graph answered %d", r.status)
	if code != "" {
		said += " " + code
	}
	fail := func(kind error, reason string) *Error {
		return g.core.fail(rq, kind, r.status, code, withDetail(reason, msg), nil)
	}
	switch {
	case r.status == http.StatusTooManyRequests:
		return fail(ErrRateLimited, said+": too many requests"), true
	case r.status >= 500:
		return fail(ErrUnavailable, said+": Graph is unavailable"), true
	case r.status == http.StatusUnauthorized:
		return fail(ErrSignIn, said+": the access token was refused, even after signing in again"), false
	case r.status == http.StatusForbidden:
		return fail(ErrPermission, said+": the app lacks GroupMember.Read.All; "+graphPermissions), false
	case code == "syncStateNotFound" || code == "resyncRequired" || r.status == http.StatusGone:
		return fail(ErrDeltaExpired, said+": the delta link has expired; read the group in full"), false
	case r.status == http.StatusNotFound:
		return fail(ErrGroupNotFound, said+fmt.Sprintf(": group %s does not exist in tenant %s", rq.group, g.cfg.TenantID)), false
	case r.status == http.StatusBadRequest && strings.Contains(msg, "Invalid object identifier"):
		return fail(ErrGroupNotFound, said+fmt.Sprintf(": %s is not a group's object id", rq.group)), false
	case r.status == http.StatusBadRequest:
		return fail(ErrRejected, said+": Graph refused the request"), false
	}
	return fail(ErrBadResponse, said), false
}

// signInWords puts a refusal of Microsoft's token endpoint in words; its description
// starts with an AADSTS code, such as "AADSTS7000215: Invalid client secret provided.".
func (g *Graph) signInWords(status int, code, desc string) (error, string) {
	aad, rest, _ := strings.Cut(desc, ":")
	if !strings.HasPrefix(aad, "AADSTS") {
		aad, rest = "", desc
	}
	said := fmt.Sprintf("Microsoft sign-in answered %d %s", status, strings.TrimSpace(code+" "+aad))
	detail := firstSentence(rest)
	tenant, client := g.cfg.TenantID, g.cfg.ClientID
	switch {
	case aad == "AADSTS90002" || aad == "AADSTS900023" || aad == "AADSTS90013":
		return ErrSignIn, withDetail(said+fmt.Sprintf(": tenant %s does not exist; check tenantId", tenant), detail)
	case aad == "AADSTS700016" || code == "unauthorized_client":
		return ErrSignIn, withDetail(said+fmt.Sprintf(": there is no app with client id %s in tenant %s; check clientId and tenantId", client, tenant), detail)
	case aad == "AADSTS7000222":
		return ErrSignIn, withDetail(said+": the client secret has expired; add a new one to the app registration", detail)
	case code == "invalid_client":
		return ErrSignIn, withDetail(said+fmt.Sprintf(": the client secret is wrong or is not one of app %s (use the secret's value, not its id)", client), detail)
	case code == "invalid_scope":
		return ErrSignIn, withDetail(said+": the scope was refused; check graphUrl", detail)
	}
	return ErrSignIn, withDetail(said+": the sign-in was refused", detail)
}

// withDetail adds the provider's own message, in parentheses, when there is one.
func withDetail(reason, detail string) string {
	if detail = strings.TrimSpace(detail); detail == "" {
		return reason
	}
	return reason + " (" + detail + ")"
}

// firstSentence is the first sentence of a message (Microsoft's descriptions go on with
// trace and correlation ids).
func firstSentence(s string) string {
	s = oneLine(s)
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}
