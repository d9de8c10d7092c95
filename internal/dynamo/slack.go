package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

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
func (s *Store) PutSlack(ctx context.Context, prev, in org.SlackIntegration, audit org.AuditEntry) error {
	byOrg, byTeam := toSlackItems(in)
	orgCond := expression.AttributeNotExists(expression.Name(attrPK))
	if prev.TeamID != "" {
		orgCond = expression.Name("updatedAt").Equal(expression.Value(fmtTime(prev.UpdatedAt)))
	}
	ours := expression.Name("orgId").Equal(expression.Value(in.OrgID))
	teamCond := expression.AttributeNotExists(expression.Name(attrPK)).Or(ours)
	putOrg, err := s.put(byOrg, &orgCond)
	if err != nil {
		return err
	}
	putTeam, err := s.put(byTeam, &teamCond)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	actions := []types.TransactWriteItem{putOrg, putTeam, auditPut}
	if prev.TeamID != "" && prev.TeamID != in.TeamID {
		release, err := s.del(slackTeamPK(prev.TeamID), skTeam, ours)
		if err != nil {
			return err
		}
		actions = append(actions, release)
	}
	err = s.transact(ctx, actions)
	switch {
	case failedAt(err, 1):
		return fmt.Errorf("slack team %s: %w", in.TeamID, org.ErrSlackTeamTaken)
	case failedAt(err, 0) || failedAt(err, 3):
		return fmt.Errorf("slack connection of %s: %w", in.OrgID, org.ErrConflict)
	}
	return err
}

// GetSlack reads the organization's Slack connection.
func (s *Store) GetSlack(ctx context.Context, orgID string) (org.SlackIntegration, error) {
	var it slackItem
	if err := s.get(ctx, orgPK(orgID), skSlack, &it); err != nil {
		return org.SlackIntegration{}, err
	}
	return it.domain(), nil
}

// SlackByTeam reads the Slack connection of a team.
func (s *Store) SlackByTeam(ctx context.Context, teamID string) (org.SlackIntegration, error) {
	var it slackItem
	if err := s.get(ctx, slackTeamPK(teamID), skTeam, &it); err != nil {
		return org.SlackIntegration{}, err
	}
	return it.domain(), nil
}

// DeleteSlack removes the organization's Slack connection and its team lookup.
func (s *Store) DeleteSlack(ctx context.Context, in org.SlackIntegration, audit org.AuditEntry) error {
	ours := expression.Name("orgId").Equal(expression.Value(in.OrgID))
	byOrg, err := s.del(orgPK(in.OrgID), skSlack, ours)
	if err != nil {
		return err
	}
	byTeam, err := s.del(slackTeamPK(in.TeamID), skTeam, ours)
	if err != nil {
		return err
	}
	auditPut, err := s.auditPut(audit)
	if err != nil {
		return err
	}
	err = s.transact(ctx, []types.TransactWriteItem{byOrg, byTeam, auditPut})
	if failedAt(err, 0) || failedAt(err, 1) {
		return fmt.Errorf("slack connection of %s: %w", in.OrgID, org.ErrNotFound)
	}
	return err
}

// EmailHolder says who holds an address in the organization.
func (s *Store) EmailHolder(ctx context.Context, orgID, email string) (*org.ExistingError, error) {
	var m emailItem
	if err := s.get(ctx, orgPK(orgID), emailSK(email), &m); err != nil {
		return nil, err
	}
	var held *org.ExistingError
	if !errors.As(m.existingError(), &held) {
		return nil, fmt.Errorf("address marker of %s: unexpected holder %q", email, m.Holder)
	}
	return held, nil
}
