package org

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"
)

// SlackIntegration connects one Slack workspace to an organization: who there may invite,
// and with which role their invitations are made.
type SlackIntegration struct {
	OrgID        string
	TeamID       string
	EnterpriseID string // Enterprise Grid only; when set, commands must carry it too
	AllowedUsers []string
	Role         Role
	ConnectedBy  Actor
	ConnectedAt  time.Time
	UpdatedAt    time.Time
}

// SlackRequest is what an admin sends to connect a workspace.
type SlackRequest struct {
	TeamID       string   `json:"teamId"`
	EnterpriseID string   `json:"enterpriseId"`
	AllowedUsers []string `json:"allowedUserIds"`
	Role         string   `json:"role"`
}

// MaxSlackUsers bounds the list of Slack users allowed to invite.
const MaxSlackUsers = 200

// slackID matches Slack's team, enterprise and user ids (T…, E…, U…/W…). It is compiled on
// first use: its counted repetition makes a large program, which every cold start would pay
// for.
var slackID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]{2,32}$`) })

// validate checks the request, reporting every field problem at once.
func (r SlackRequest) validate() (SlackIntegration, error) {
	var verr ValidationError
	in := SlackIntegration{TeamID: r.TeamID, EnterpriseID: r.EnterpriseID}
	if !slackID().MatchString(r.TeamID) || r.TeamID[0] != 'T' {
		verr.Add("teamId", "invalid_team_id", "teamId must be a Slack team id such as T0123ABCD")
	}
	if r.EnterpriseID != "" && (!slackID().MatchString(r.EnterpriseID) || r.EnterpriseID[0] != 'E') {
		verr.Add("enterpriseId", "invalid_enterprise_id", "enterpriseId must be empty or a Slack enterprise id such as E0123ABCD")
	}
	switch {
	case len(r.AllowedUsers) == 0:
		verr.Add("allowedUserIds", "required", "allowedUserIds must list the Slack user ids (such as U0123ABCD) allowed to invite")
	case len(r.AllowedUsers) > MaxSlackUsers:
		verr.Add("allowedUserIds", "too_many", fmt.Sprintf("allowedUserIds may list at most %d users", MaxSlackUsers))
	}
	for i, u := range r.AllowedUsers {
		if !slackID().MatchString(u) || (u[0] != 'U' && u[0] != 'W') {
			verr.Add(fmt.Sprintf("allowedUserIds[%d]", i), "invalid_user_id", "a Slack user id looks like U0123ABCD or W0123ABCD")
			continue
		}
		if !slices.Contains(in.AllowedUsers, u) {
			in.AllowedUsers = append(in.AllowedUsers, u)
		}
	}
	role, err := ParseRole("role", r.Role, RoleMember)
	verr.Merge(err)
	in.Role = role
	if err := verr.Err(); err != nil {
		return SlackIntegration{}, err
	}
	return in, nil
}

// Errors of the Slack connection.
var (
	// ErrSlackConnected refuses installing into a workspace while the organization is
	// connected to another: disconnect that one first.
	ErrSlackConnected = errors.New("another slack workspace is connected")
	// ErrSlackInstallMismatch refuses finishing an install with another organization or API
	// token than the one that started it.
	ErrSlackInstallMismatch = errors.New("slack install was started by another token")
	// ErrSlackProofRequired refuses connecting a workspace by its typed team id: only Slack's
	// install flow proves that the workspace is the admin's (the local stack alone allows it).
	ErrSlackProofRequired = errors.New("slack workspace must be connected through Slack's install")
	// ErrSlackNotConnected means a command came from a workspace no organization has connected.
	ErrSlackNotConnected = errors.New("slack workspace not connected")
	// ErrSlackTeamTaken means the workspace is connected to another organization.
	ErrSlackTeamTaken = errors.New("slack workspace connected to another organization")
)

// ConnectSlack sets which users of the caller's organization's Slack workspace may invite,
// and the role their invitations get. Only the local stack (WithManualSlack) may connect a
// workspace by typing its team id; elsewhere the workspace comes from Slack's install
// (InstallSlack), and a request naming another team is refused with ErrSlackProofRequired.
// A workspace connected to another organization is refused with ErrSlackTeamTaken.
func (s *Service) ConnectSlack(ctx context.Context, p Principal, req SlackRequest) (SlackIntegration, error) {
	if err := p.Require(RoleAdmin, "connecting Slack"); err != nil {
		return SlackIntegration{}, err
	}
	in, err := req.validate()
	if err != nil {
		return SlackIntegration{}, err
	}
	prev, err := s.slack.GetSlack(ctx, p.OrgID)
	switch {
	case errors.Is(err, ErrNotFound):
		prev = SlackIntegration{}
	case err != nil:
		return SlackIntegration{}, fmt.Errorf("read slack connection: %w", err)
	}
	if !s.manualSlack && (prev.TeamID != in.TeamID || prev.EnterpriseID != in.EnterpriseID) {
		return SlackIntegration{}, fmt.Errorf("connect slack team %s: %w", in.TeamID, ErrSlackProofRequired)
	}
	return s.putSlack(ctx, p, prev, in)
}

// SlackInstall is what Slack's install flow (oauth.v2.access) says of the workspace an admin
// installed the app in: Slack, not the admin, names the team.
type SlackInstall struct {
	TeamID       string
	TeamName     string
	EnterpriseID string
	InstallerID  string // the Slack user who installed the app
}

// InstallSlack connects the workspace Slack's install flow proved to be the admin's to the
// caller's organization. The installer may invite; when the organization was connected to
// the same workspace before, its allowed users and role stay.
func (s *Service) InstallSlack(ctx context.Context, p Principal, inst SlackInstall) (SlackIntegration, error) {
	if err := p.Require(RoleAdmin, "installing Slack"); err != nil {
		return SlackIntegration{}, err
	}
	prev, err := s.slack.GetSlack(ctx, p.OrgID)
	switch {
	case errors.Is(err, ErrNotFound):
		prev = SlackIntegration{}
	case err != nil:
		return SlackIntegration{}, fmt.Errorf("read slack connection: %w", err)
	}
	if prev.TeamID != "" && prev.TeamID != inst.TeamID {
		// Another workspace is connected: it is disconnected on purpose, never replaced by
		// an install.
		return SlackIntegration{}, fmt.Errorf("install slack team %s over %s: %w", inst.TeamID, prev.TeamID, ErrSlackConnected)
	}
	req := SlackRequest{TeamID: inst.TeamID, EnterpriseID: inst.EnterpriseID, AllowedUsers: []string{inst.InstallerID}, Role: string(RoleMember)}
	if prev.TeamID == inst.TeamID {
		req.AllowedUsers, req.Role = prev.AllowedUsers, string(prev.Role)
		if !slices.Contains(req.AllowedUsers, inst.InstallerID) {
			req.AllowedUsers = append(slices.Clone(req.AllowedUsers), inst.InstallerID)
		}
	}
	in, err := req.validate()
	if err != nil {
		return SlackIntegration{}, fmt.Errorf("slack answered an install this cannot use: %w", err)
	}
	return s.putSlack(ctx, p, prev, in)
}

// putSlack stores in as the organization's connection in place of prev.
func (s *Service) putSlack(ctx context.Context, p Principal, prev, in SlackIntegration) (SlackIntegration, error) {
	now := s.nowUTC()
	in.OrgID, in.ConnectedBy, in.ConnectedAt, in.UpdatedAt = p.OrgID, p.Actor, now, now
	if prev.TeamID != "" {
		in.ConnectedBy, in.ConnectedAt = prev.ConnectedBy, prev.ConnectedAt
	}
	a := s.audit(p, now, ActionSlackConnected, "slack", in.TeamID, map[string]string{"role": string(in.Role), "users": fmt.Sprint(len(in.AllowedUsers))})
	if err := s.slack.PutSlack(ctx, prev, in, a); err != nil {
		if Refused(err, PartSlackTeam) {
			err = ErrSlackTeamTaken
		}
		return SlackIntegration{}, fmt.Errorf("connect slack team %s: %w", in.TeamID, err)
	}
	return in, nil
}

// Slack returns the caller's organization's Slack connection, or ErrNotFound.
func (s *Service) Slack(ctx context.Context, p Principal) (SlackIntegration, error) {
	if err := p.Require(RoleAdmin, "reading the Slack connection"); err != nil {
		return SlackIntegration{}, err
	}
	in, err := s.slack.GetSlack(ctx, p.OrgID)
	if err != nil {
		return SlackIntegration{}, fmt.Errorf("read slack connection: %w", err)
	}
	return in, nil
}

// DisconnectSlack removes the caller's organization's Slack connection.
func (s *Service) DisconnectSlack(ctx context.Context, p Principal) error {
	in, err := s.Slack(ctx, p)
	if err != nil {
		return err
	}
	a := s.audit(p, s.nowUTC(), ActionSlackDisconnected, "slack", in.TeamID, nil)
	if err := s.slack.DeleteSlack(ctx, in, a); err != nil {
		if Refused(err, PartSlack) {
			err = ErrNotFound
		}
		return fmt.Errorf("disconnect slack team %s: %w", in.TeamID, err)
	}
	return nil
}

// SlackUser is who sent a slash command, as Slack says.
type SlackUser struct {
	TeamID, EnterpriseID, UserID string
	UserName                     string // shown in the audit log; never used to authorize
}

// AuthenticateSlack resolves the sender of a verified slash command into a principal of the
// organization its workspace is connected to. It fails with ErrSlackNotConnected for an
// unknown workspace and ErrForbidden for a user not on the allowed list.
//
// An allowed user acts with admin rights over invitations (invite, list, revoke, resend), as
// the admin who listed them chose; the invitations themselves get the connection's role.
func (s *Service) AuthenticateSlack(ctx context.Context, u SlackUser) (Principal, SlackIntegration, error) {
	in, err := s.slack.SlackByTeam(ctx, u.TeamID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Principal{}, SlackIntegration{}, ErrSlackNotConnected
	case err != nil:
		return Principal{}, SlackIntegration{}, fmt.Errorf("find slack team %s: %w", u.TeamID, err)
	case in.EnterpriseID != "" && in.EnterpriseID != u.EnterpriseID:
		return Principal{}, SlackIntegration{}, ErrSlackNotConnected
	case !slices.Contains(in.AllowedUsers, u.UserID):
		return Principal{}, in, fmt.Errorf("slack user %s: %w", u.UserID, ErrForbidden)
	}
	p := Principal{
		OrgID:  in.OrgID,
		Role:   RoleAdmin,
		Actor:  Actor{Type: "slack_user", ID: u.UserID, Name: u.UserName},
		Source: SourceSlack,
	}
	return p, in, nil
}

// StartSlackInstall checks that p may install Slack for its organization (an admin, acting
// with an API token, whose id the install carries so its end can check it afresh) and
// returns the organization and token to carry.
func (s *Service) StartSlackInstall(p Principal) (orgID, tokenID string, err error) {
	if err := p.Require(RoleAdmin, "installing Slack"); err != nil {
		return "", "", err
	}
	if p.Actor.Type != "token" {
		return "", "", fmt.Errorf("install slack as %s, not an API token: %w", p.Actor.Type, ErrForbidden)
	}
	if !p.Lasting() {
		return "", "", fmt.Errorf("install slack: %w", ErrLimitedToken)
	}
	return p.OrgID, p.Actor.ID, nil
}
