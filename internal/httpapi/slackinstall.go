package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"gatehouse/internal/org"
)

// SlackInstaller runs Slack's install of the app (package slack implements it): the address
// an admin opens at Slack, and the workspace Slack names when they come back.
type SlackInstaller interface {
	Start(orgID, tokenID string) string
	Finish(ctx context.Context, code, state, orgID, tokenID string) (org.SlackInstall, error)
}

// installSlack serves POST /api/v1/integrations/slack/install: the Slack address where an
// admin installs the app into their workspace.
func (a *api) installSlack() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.slackInstall == nil {
			writeProblem(w, r, newProblem(http.StatusNotFound, "slack_install_not_configured",
				"this deployment has no Slack app to install; set SlackClientId and SlackClientSecretName when deploying"))
			return
		}
		orgID, tokenID, err := a.slack.StartSlackInstall(principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"url": a.slackInstall.Start(orgID, tokenID)})
	})
}

// slackCallback serves GET /slack/oauth/callback, where Slack sends the admin back. The
// install is not finished here: a link alone proves nothing of who holds it. The admin's
// browser is sent on to the Settings page, which finishes it with the admin's own token
// (completeSlackInstall), so only the token that started an install can finish it.
func (a *api) slackCallback(p *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := pageView{Eyebrow: "Slack", Next: "start again from the Slack tab of the Settings page."}
		if a.slackInstall == nil {
			v.Title, v.Message = "Slack is not set up here", "This deployment has no Slack app to install."
			p.render(w, http.StatusNotFound, p.notice, v)
			return
		}
		q := r.URL.Query()
		if e := q.Get("error"); e != "" || q.Get("code") == "" || q.Get("state") == "" {
			v.Title, v.Message = "Slack was not connected", "The install was cancelled at Slack, or Slack sent nothing back."
			p.render(w, http.StatusOK, p.notice, v)
			return
		}
		next := url.Values{"code": {q.Get("code")}, "state": {q.Get("state")}}
		// Relative, so the browser stays under an API Gateway stage.
		w.Header().Set("Location", "../../settings/#/slack?"+next.Encode())
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusFound)
	})
}

// completeSlackInstall serves POST /api/v1/integrations/slack/install/complete {"code",
// "state"}: the Settings page finishes an install Slack sent back, with the token that
// started it; any other token is refused.
func (a *api) completeSlackInstall() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.slackInstall == nil {
			writeProblem(w, r, newProblem(http.StatusNotFound, "slack_install_not_configured", "this deployment has no Slack app to install"))
			return
		}
		var req struct {
			Code  string `json:"code"`
			State string `json:"state"`
		}
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		p := principalFrom(r.Context())
		orgID, tokenID, err := a.slack.StartSlackInstall(p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		inst, err := a.slackInstall.Finish(r.Context(), req.Code, req.State, orgID, tokenID)
		switch {
		case errors.Is(err, org.ErrUnavailable):
			a.fail(w, r, err)
			return
		case errors.Is(err, org.ErrSlackInstallMismatch):
			a.fail(w, r, err)
			return
		case err != nil:
			a.log.WarnContext(r.Context(), "slack install refused", "requestId", requestIDFrom(r.Context()), "err", err)
			writeProblem(w, r, newProblem(http.StatusBadRequest, "slack_install_refused",
				"the install could not be confirmed: it may have expired (it works for ten minutes) or been cancelled at Slack; start it again"))
			return
		}
		in, err := a.slack.InstallSlack(r.Context(), p, inst)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSlackView(in))
	})
}
