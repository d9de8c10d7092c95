package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// Orgs keeps organizations. It implements org.OrgStore.
type Orgs struct{ t *table }

var _ org.OrgStore = (*Orgs)(nil)

// Ping reports whether the table can be reached.
func (s *Orgs) Ping(ctx context.Context) error { return s.t.ping(ctx) }

// CreateOrg writes a new organization, with its first admin member when one is given.
func (s *Orgs) CreateOrg(ctx context.Context, o org.Org, admin *org.Member, audit org.AuditEntry) error {
	item := toOrgItem(o)
	if admin != nil {
		item.ActiveAdmins = 1
	}
	x := s.t.newTx().putNew(org.PartOrg, item).audit(audit)
	if admin != nil {
		x.putNew(org.PartMember, toMemberItem(*admin)).putNew(org.PartAddress, memberEmailItem(*admin))
	}
	return x.commit(ctx)
}

// GetOrg reads an organization.
func (s *Orgs) GetOrg(ctx context.Context, orgID string) (org.Org, error) {
	var it orgItem
	if err := s.t.get(ctx, orgPK(orgID), skOrg, &it); err != nil {
		return org.Org{}, err
	}
	return it.domain(), nil
}

// UpdateOrg stores after's name and allowed domains if the organization is still as before.
func (s *Orgs) UpdateOrg(ctx context.Context, before, after org.Org, audit org.AuditEntry) error {
	// No list is stored empty (not every local DynamoDB keeps an empty list): none is NULL.
	var domains any = &types.AttributeValueMemberNULL{Value: true}
	if len(after.AllowedDomains) > 0 {
		domains = after.AllowedDomains
	}
	upd := expression.Set(expression.Name("name"), expression.Value(after.Name)).
		Set(expression.Name("allowedDomains"), expression.Value(domains)).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(after.UpdatedAt)))
	same := expression.Name("updatedAt").Equal(expression.Value(fmtTime(before.UpdatedAt)))
	if before.UpdatedAt.IsZero() {
		same = expression.AttributeNotExists(expression.Name("updatedAt")).Or(same)
	}
	return s.t.newTx().update(org.PartOrg, orgPK(after.ID), skOrg, upd, same).audit(audit).commit(ctx)
}
