package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"gatehouse/internal/org"
)

// Slack keeps Slack connections, under the organization and under the team id slash
// commands are looked up by. It implements org.SlackStore.
type Slack struct{ t *table }

var _ org.SlackStore = (*Slack)(nil)

// slackItem is an organization's Slack connection, stored twice: under the organization and
// under the team id that slash commands are looked up by.
type slackItem struct {
	key
	Type         string    `dynamodbav:"type"`
	OrgID        string    `dynamodbav:"orgId"`
	TeamID       string    `dynamodbav:"teamId"`
	EnterpriseID string    `dynamodbav:"enterpriseId,omitempty"`
	AllowedUsers []string  `dynamodbav:"allowedUsers"`
	Role         string    `dynamodbav:"role"`
	ConnectedBy  actorAttr `dynamodbav:"connectedBy"`
	ConnectedAt  string    `dynamodbav:"connectedAt"`
	UpdatedAt    string    `dynamodbav:"updatedAt"`
}

func toSlackItems(in org.SlackIntegration) (byOrg, byTeam slackItem) {
	byOrg = slackItem{
		key:          key{PK: orgPK(in.OrgID), SK: skSlack},
		Type:         typeSlack,
		OrgID:        in.OrgID,
		TeamID:       in.TeamID,
		EnterpriseID: in.EnterpriseID,
		AllowedUsers: in.AllowedUsers,
		Role:         string(in.Role),
		ConnectedBy:  toActorAttr(in.ConnectedBy),
		ConnectedAt:  fmtTime(in.ConnectedAt),
		UpdatedAt:    fmtTime(in.UpdatedAt),
	}
	byTeam = byOrg
	byTeam.key, byTeam.Type = key{PK: slackTeamPK(in.TeamID), SK: skTeam}, typeSlackTeam
	return byOrg, byTeam
}

func (it slackItem) domain() org.SlackIntegration {
	return org.SlackIntegration{
		OrgID:        it.OrgID,
		TeamID:       it.TeamID,
		EnterpriseID: it.EnterpriseID,
		AllowedUsers: it.AllowedUsers,
		Role:         org.Role(it.Role),
		ConnectedBy:  it.ConnectedBy.domain(),
		ConnectedAt:  parseTime(it.ConnectedAt),
		UpdatedAt:    parseTime(it.UpdatedAt),
	}
}

// PutSlack stores the organization's Slack connection and its team lookup in one
// transaction. The organization's item must still be prev (so two admins cannot interleave),
// and the team must be free or already this organization's.
func (s *Slack) PutSlack(ctx context.Context, prev, in org.SlackIntegration, audit org.AuditEntry) error {
	byOrg, byTeam := toSlackItems(in)
	orgCond := notExists()
	if prev.TeamID != "" {
		orgCond = expression.Name("updatedAt").Equal(expression.Value(fmtTime(prev.UpdatedAt)))
	}
	ours := expression.Name("orgId").Equal(expression.Value(in.OrgID))
	teamCond := notExists().Or(ours)
	x := s.t.newTx().put(org.PartSlack, byOrg, &orgCond).put(org.PartSlackTeam, byTeam, &teamCond).audit(audit)
	if prev.TeamID != "" && prev.TeamID != in.TeamID {
		// The old team's lookup goes; it is this organization's, or the write is refused.
		x.del(org.PartSlack, slackTeamPK(prev.TeamID), skTeam, ours)
	}
	return x.commit(ctx)
}

// GetSlack reads the organization's Slack connection.
func (s *Slack) GetSlack(ctx context.Context, orgID string) (org.SlackIntegration, error) {
	var it slackItem
	if err := s.t.get(ctx, orgPK(orgID), skSlack, &it); err != nil {
		return org.SlackIntegration{}, err
	}
	return it.domain(), nil
}

// SlackByTeam reads the Slack connection of a team.
func (s *Slack) SlackByTeam(ctx context.Context, teamID string) (org.SlackIntegration, error) {
	var it slackItem
	if err := s.t.get(ctx, slackTeamPK(teamID), skTeam, &it); err != nil {
		return org.SlackIntegration{}, err
	}
	return it.domain(), nil
}

// DeleteSlack removes the organization's Slack connection and its team lookup.
func (s *Slack) DeleteSlack(ctx context.Context, in org.SlackIntegration, audit org.AuditEntry) error {
	ours := expression.Name("orgId").Equal(expression.Value(in.OrgID))
	return s.t.newTx().
		del(org.PartSlack, orgPK(in.OrgID), skSlack, ours).
		del(org.PartSlack, slackTeamPK(in.TeamID), skTeam, ours).
		audit(audit).
		commit(ctx)
}
