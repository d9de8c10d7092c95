package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/hooks"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/seal"
)

// Problem is an RFC 9457 problem detail with a stable machine-readable code.
type Problem struct {
	Type      string           `json:"type"`
	Title     string           `json:"title"`
	Status    int              `json:"status"`
	Detail    string           `json:"detail,omitempty"`
	Code      string           `json:"code"`
	Errors    []org.FieldError `json:"errors,omitempty"`
	RequestID string           `json:"requestId,omitempty"`
	// ExistingID names the invitation or member that already holds an address.
	ExistingID string `json:"existingId,omitempty"`
	// RequiredRole, on a 403 forbidden, is the least role the action needs.
	RequiredRole string `json:"requiredRole,omitempty"`
	// retryAfter, in seconds, becomes the Retry-After header.
	retryAfter int
}

// problemTypeBase prefixes each code to make the problem type URI.
const problemTypeBase = "urn:gatehouse:problem:"

// newProblem builds a problem for status and code.
func newProblem(status int, code, detail string) Problem {
	return Problem{Type: problemTypeBase + code, Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
}

// problemFor maps an error to its problem: the one place that decides statuses and codes.
// Anything unknown is a 500 that never shows the error's text.
func problemFor(err error) Problem {
	var verr *org.ValidationError
	var existing *org.ExistingError
	var tooBig *http.MaxBytesError
	var limited *org.RateLimitError
	var unreadable *idp.ParseError
	var unusable *dirsync.ExportError
	var outside *org.DomainError
	var role *org.RoleError
	switch {
	case errors.As(err, &role):
		p := newProblem(http.StatusForbidden, "forbidden",
			fmt.Sprintf("%s needs the %s role; your token's role is %s", role.Action, role.Need, role.Have))
		p.RequiredRole = string(role.Need)
		return p
	case errors.As(err, &outside):
		return newProblem(http.StatusForbidden, "domain_not_allowed", outside.Error())
	case errors.As(err, &verr):
		p := newProblem(http.StatusBadRequest, "validation_failed", verr.Error())
		if len(verr.Fields) == 1 {
			p.Code, p.Type, p.Detail = verr.Fields[0].Code, problemTypeBase+verr.Fields[0].Code, verr.Fields[0].Message
		}
		p.Errors = verr.Fields
		return p
	case errors.As(err, &tooBig):
		return newProblem(http.StatusRequestEntityTooLarge, "body_too_large", "request body must be at most "+strconv.FormatInt(tooBig.Limit, 10)+" bytes")
	case errors.As(err, &limited):
		p := newProblem(http.StatusTooManyRequests, "rate_limited", limited.Reason)
		p.retryAfter = max(1, int(math.Ceil(limited.RetryAfter.Seconds())))
		return p
	case errors.As(err, &existing) && errors.Is(err, org.ErrAlreadyMember):
		p := newProblem(http.StatusConflict, "already_member", "this address already belongs to a member of the organization")
		if !existing.Active {
			p.Detail = "this address belongs to a deactivated member; reactivate them instead of inviting"
		}
		p.ExistingID = existing.ID
		return p
	case errors.As(err, &existing):
		p := newProblem(http.StatusConflict, "already_invited", "this address already has a pending invitation; resend it instead")
		p.ExistingID = existing.ID
		return p
	case errors.As(err, &unusable) && !errors.As(err, &unreadable):
		return newProblem(http.StatusUnprocessableEntity, "unusable_export", unusable.Reason)
	case errors.Is(err, idp.ErrNobodyPresent):
		return newProblem(http.StatusUnprocessableEntity, "empty_export", "the export lists nobody who is present; nothing would be applied")
	case errors.As(err, &unreadable):
		// The message names the page, the row and the problem in the caller's own file.
		return newProblem(http.StatusUnprocessableEntity, "unreadable_export", unreadable.Error())
	}
	for _, m := range errorMap {
		if errors.Is(err, m.err) {
			return newProblem(m.status, m.code, m.detail)
		}
	}
	return newProblem(http.StatusInternalServerError, "internal", "something went wrong on our side; quote the request id if it persists")
}

// errorMap gives each domain sentinel its status, code and explanation.
var errorMap = []struct {
	err    error
	status int
	code   string
	detail string
}{
	{org.ErrLimitedToken, http.StatusForbidden, "limited_token", "a token that expires or acts for a member cannot set up what outlives it (a SCIM token, a Slack workspace, a webhook endpoint made, pointed elsewhere or turned on); use an admin token that does neither"},
	{org.ErrTokenExpired, http.StatusUnauthorized, "token_expired", "this API token has expired; an admin can make a new one"},
	{org.ErrTokenOwnerInactive, http.StatusUnauthorized, "token_owner_inactive", "this API token acts for a member who is no longer active; an admin can make a new one"},
	{org.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "send a valid API token as 'Authorization: Bearer <token>'"},
	{org.ErrForbidden, http.StatusForbidden, "forbidden", "your token's role does not allow this"},
	{org.ErrNotFound, http.StatusNotFound, "not_found", "no such item in your organization"},
	{org.ErrInvalidToken, http.StatusNotFound, "invalid_token", "this invitation link is not valid (it may have been replaced by a newer one); ask the person who invited you to resend it"},
	{org.ErrInvitationExpired, http.StatusGone, "invitation_expired", "this invitation has expired; ask the person who invited you to resend it"},
	{org.ErrInvitationRevoked, http.StatusGone, "invitation_revoked", "this invitation was withdrawn; ask the person who invited you for a new one"},
	{org.ErrInvitationAccepted, http.StatusConflict, "invitation_accepted", "this invitation has already been accepted"},
	{org.ErrLastAdmin, http.StatusConflict, "last_admin", "the organization must keep at least one active admin"},
	{org.ErrMemberInactive, http.StatusConflict, "member_inactive", "the member is already deactivated"},
	{org.ErrMemberActive, http.StatusConflict, "member_active", "the member is already active"},
	{dirsync.ErrNotConfigured, http.StatusNotFound, "sync_not_configured", "directory sync is not configured; PUT /api/v1/sync/config first"},
	{provision.ErrNotConfigured, http.StatusNotFound, "scim_not_configured", "SCIM provisioning is not set up; POST /api/v1/integrations/scim/token first"},
	{dirsync.ErrPlanChanged, http.StatusConflict, "plan_changed", "the export or the members changed since this plan was held, so it was not applied; the next run makes a new plan"},
	{dirsync.ErrNotHeld, http.StatusConflict, "run_not_held", "this run is not waiting for approval (it was applied, approved, discarded, failed, has expired, or was superseded by a newer held run: read the runs again)"},
	{org.ErrSlackTeamTaken, http.StatusConflict, "slack_team_taken", "this Slack workspace is connected to another organization; disconnect it there first"},
	{org.ErrSlackInstallMismatch, http.StatusForbidden, "slack_install_mismatch", "this install was started by another token; finish it signed in with the token that started it"},
	{org.ErrSlackConnected, http.StatusConflict, "slack_connected", "another Slack workspace is connected to this organization; disconnect it (DELETE /api/v1/integrations/slack) before installing into a new one"},
	{org.ErrSlackProofRequired, http.StatusForbidden, "slack_install_required", "connect a Slack workspace by installing the app (POST /api/v1/integrations/slack/install); a typed team id is accepted only in the local stack, and here only the allowed users and role of the connected workspace can be changed"},
	{org.ErrDomainNotAllowed, http.StatusForbidden, "domain_not_allowed", "the address's domain is not one of the organization's allowed domains"},
	{hooks.ErrNoSealer, http.StatusNotFound, "webhooks_not_configured", "this deployment has no key to keep webhook signing secrets with"},
	{hooks.ErrTooManyEndpoints, http.StatusConflict, "too_many_webhooks", "the organization has 20 webhook endpoints, the most it may have; delete one first"},
	{hooks.ErrDeliveryUnderWay, http.StatusConflict, "conflict", "the delivery is being delivered right now; try again in a moment"},
	{org.ErrExists, http.StatusConflict, "already_exists", "it already exists"},
	{org.ErrConflict, http.StatusConflict, "conflict", "it changed while we were working on it; read it again and retry"},
	{org.ErrOutcomeUnknown, http.StatusServiceUnavailable, "outcome_unknown", "the database could not be reached to confirm whether this was done; read it back before trying again (a retry with the same Idempotency-Key gives this answer again)"},
	{org.ErrUnavailable, http.StatusServiceUnavailable, "temporarily_unavailable", "the database is busy or cannot be reached just now; retry in a moment (retrying with the same Idempotency-Key is safe)"},
	{seal.ErrUnavailable, http.StatusServiceUnavailable, "temporarily_unavailable", "the key service that keeps identity-provider credentials is busy; retry in a moment"},
}

// writeProblem sends p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.RequestID = requestIDFrom(r.Context())
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="gatehouse"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeError maps err to a problem and sends it, logging server-side failures with their
// text (which the client never sees).
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemFor(err)
	if p.Status >= 500 && !errors.Is(err, context.Canceled) {
		log.ErrorContext(r.Context(), "request failed", "requestId", requestIDFrom(r.Context()), "err", err)
	}
	writeProblem(w, r, p)
}
