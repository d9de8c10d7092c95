package httpapi

import (
	"context"
	"errors"
	"net/http"

	"gatehouse/internal/org"
)

// SlackInstaller runs Slack's install of the app (package slack implements it): the address
// an admin opens at Slack, and the workspace Slack names when they come back.
type SlackInstaller interface {
	Start(orgID, tokenID string) string
	Finish(ctx context.Context, code, state string) (orgID, tokenID string, inst org.SlackInstall, err error)
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

// slackCallback serves GET /slack/oauth/callback, where Slack sends the admin back: the
// workspace Slack names is connected to the organization whose admin started the install.
func (a *api) slackCallback(p *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := pageView{Eyebrow: "Slack", Next: "start again from the Slack tab of the Settings page."}
		if a.slackInstall == nil {
			v.Title, v.Message = "Slack is not set up here", "This deployment has no Slack app to install."
			p.render(w, http.StatusNotFound, p.notice, v)
			return
		}
		q := r.URL.Query()
		if e := q.Get("error"); e != "" {
			v.Title, v.Message = "Slack was not connected", "The install was cancelled at Slack."
			p.render(w, http.StatusOK, p.notice, v)
			return
		}
		in, err := a.finishSlack(r, q.Get("code"), q.Get("state"))
		switch {
		case err == nil:
			v.Title = "Slack is connected"
			v.Message = "The workspace " + in.TeamID + " now invites into " + in.OrgID + ". The person who installed it may use the slash command; add others on the Slack tab."
			v.Next = "try /gatehouse help in the workspace."
			p.render(w, http.StatusOK, p.notice, v)
		case errors.Is(err, org.ErrSlackTeamTaken):
			v.Title, v.Message = "Slack was not connected", "This workspace is connected to another organization; disconnect it there first."
			p.render(w, http.StatusConflict, p.notice, v)
		case errors.Is(err, org.ErrUnavailable):
			a.log.ErrorContext(r.Context(), "slack install", "requestId", requestIDFrom(r.Context()), "err", err)
			v.Title, v.Message = "Slack was not connected", "Slack or Gatehouse could not be reached just now."
			p.render(w, http.StatusServiceUnavailable, p.notice, v)
		default:
			a.log.WarnContext(r.Context(), "slack install refused", "requestId", requestIDFrom(r.Context()), "err", err)
			v.Title, v.Message = "Slack was not connected", "The install could not be confirmed: the link may have expired (it works for ten minutes), been used already, or been started by a token that no longer works."
			p.render(w, http.StatusBadRequest, p.notice, v)
		}
	})
}

// finishSlack completes an install that came back from Slack.
func (a *api) finishSlack(r *http.Request, code, state string) (org.SlackIntegration, error) {
	orgID, tokenID, inst, err := a.slackInstall.Finish(r.Context(), code, state)
	if err != nil {
		return org.SlackIntegration{}, err
	}
	p, err := a.slack.TokenPrincipal(r.Context(), orgID, tokenID, org.SourceWeb)
	if err != nil {
		return org.SlackIntegration{}, err
	}
	return a.slack.InstallSlack(r.Context(), p, inst)
}
