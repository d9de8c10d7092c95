package httpapi

import (
	"net/http"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// slackView is an organization's Slack connection as the API shows it.
type slackView struct {
	TeamID         string    `json:"teamId"`
	EnterpriseID   string    `json:"enterpriseId,omitempty"`
	AllowedUserIDs []string  `json:"allowedUserIds"`
	Role           string    `json:"role"`
	ConnectedBy    actorView `json:"connectedBy"`
	ConnectedAt    timeView  `json:"connectedAt"`
	UpdatedAt      timeView  `json:"updatedAt"`
}

func toSlackView(in org.SlackIntegration) slackView {
	return slackView{
		TeamID:         in.TeamID,
		EnterpriseID:   in.EnterpriseID,
		AllowedUserIDs: in.AllowedUsers,
		Role:           string(in.Role),
		ConnectedBy:    actorView(in.ConnectedBy),
		ConnectedAt:    view.At(in.ConnectedAt),
		UpdatedAt:      view.At(in.UpdatedAt),
	}
}

// connectSlack serves PUT /api/v1/integrations/slack {"teamId", "enterpriseId",
// "allowedUserIds", "role"}.
func (a *api) connectSlack() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req org.SlackRequest
		if err := decode(w, r, &req, false); err != nil {
			a.fail(w, r, err)
			return
		}
		in, err := a.slack.ConnectSlack(r.Context(), principalFrom(r.Context()), req)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSlackView(in))
	})
}

// getSlack serves GET /api/v1/integrations/slack.
func (a *api) getSlack() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := a.slack.Slack(r.Context(), principalFrom(r.Context()))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toSlackView(in))
	})
}

// disconnectSlack serves DELETE /api/v1/integrations/slack.
func (a *api) disconnectSlack() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.slack.DisconnectSlack(r.Context(), principalFrom(r.Context())); err != nil {
			a.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
