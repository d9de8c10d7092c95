package httpapi

import (
	"context"
	"io"

	"gatehouse/internal/connector"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// The API depends on what it asks of the domain, one small interface per group of routes;
// *org.Service and *dirsync.Service implement them, and tests may stand in for any.

// Authenticator resolves an API token into the principal it acts as.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string, source org.Source) (org.Principal, error)
	// AuthenticateToInvite is Authenticate for a request that only invites one person: a
	// token seen a moment ago is read with what the invitation reads, and until then its
	// principal is for Invite and Verify alone.
	AuthenticateToInvite(ctx context.Context, secret string, source org.Source) (org.Principal, error)
}

// Pinger reports whether the store can be reached.
type Pinger interface {
	Ping(ctx context.Context) error
}

// InvitationService serves the invitation routes and the accept page.
type InvitationService interface {
	Invite(ctx context.Context, p org.Principal, req org.InviteRequest) (org.Created, error)
	// Verify reads the token of a principal of AuthenticateToInvite.
	Verify(ctx context.Context, p org.Principal) (org.Principal, error)
	InviteMany(ctx context.Context, p org.Principal, reqs []org.InviteRequest) ([]org.BulkResult, error)
	Invitations(ctx context.Context, p org.Principal, q org.InvitationQuery) (org.Page[org.Invitation], error)
	Invitation(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	Revoke(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	Resend(ctx context.Context, p org.Principal, id string) (org.Created, error)
	Accept(ctx context.Context, source org.Source, token, name string) (org.Member, error)
	PreviewLink(ctx context.Context, token string) (org.Preview, error)
	OrgName(ctx context.Context, orgID string) (string, error)
}

// MemberService serves the member routes.
type MemberService interface {
	Members(ctx context.Context, p org.Principal, pr org.PageRequest) (org.Page[org.Member], error)
	Member(ctx context.Context, p org.Principal, id string) (org.Member, error)
	ChangeRole(ctx context.Context, p org.Principal, id, role string) (org.Member, error)
	Deactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
	Reactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
}

// TokenService serves the API token and audit log routes.
type TokenService interface {
	CreateToken(ctx context.Context, p org.Principal, name, role string, opts ...org.TokenOption) (org.NewToken, error)
	Tokens(ctx context.Context, p org.Principal) ([]org.APIToken, error)
	RevokeToken(ctx context.Context, p org.Principal, id string) error
	AuditLog(ctx context.Context, p org.Principal, q org.AuditQuery) (org.Page[org.AuditEntry], error)
}

// SlackService serves the Slack connection routes.
type SlackService interface {
	ConnectSlack(ctx context.Context, p org.Principal, req org.SlackRequest) (org.SlackIntegration, error)
	Slack(ctx context.Context, p org.Principal) (org.SlackIntegration, error)
	DisconnectSlack(ctx context.Context, p org.Principal) error
	StartSlackInstall(p org.Principal) (orgID, tokenID string, err error)
	TokenPrincipal(ctx context.Context, orgID, tokenID string, source org.Source) (org.Principal, error)
	InstallSlack(ctx context.Context, p org.Principal, inst org.SlackInstall) (org.SlackIntegration, error)
}

// OrgService serves the organization's own routes.
type OrgService interface {
	Organization(ctx context.Context, p org.Principal) (org.Org, error)
	UpdateOrganization(ctx context.Context, p org.Principal, patch org.OrgPatch) (org.OrgUpdate, error)
}

// Service is everything the API asks of the organization service.
type Service interface {
	Authenticator
	Pinger
	OrgService
	InvitationService
	MemberService
	TokenService
	SlackService
}

// SyncService serves the directory sync routes.
type SyncService interface {
	Config(ctx context.Context, p org.Principal) (dirsync.Config, error)
	Configure(ctx context.Context, p org.Principal, req dirsync.ConfigRequest) (dirsync.Config, error)
	Preview(ctx context.Context, p org.Principal, format string, export io.Reader) (idp.Plan, idp.Format, error)
	PreviewConfigured(ctx context.Context, p org.Principal) (idp.Plan, idp.Format, error)
	SyncNow(ctx context.Context, p org.Principal) (dirsync.Run, error)
	Runs(ctx context.Context, p org.Principal, pr org.PageRequest) (org.Page[dirsync.Run], error)
	Run(ctx context.Context, p org.Principal, id string) (dirsync.Run, error)
	Approve(ctx context.Context, p org.Principal, id string) (dirsync.Run, error)
	Discard(ctx context.Context, p org.Principal, id string) (dirsync.Run, error)
	TestDirectory(ctx context.Context, p org.Principal, req *dirsync.DirectoryRequest) (*connector.Report, error)
}

var (
	_ Service     = (*org.Service)(nil)
	_ SyncService = (*dirsync.Service)(nil)
)
