package dynamo

import (
	"context"

	"gatehouse/internal/org"
)

// Orgs keeps organizations. It implements org.OrgStore.
type Orgs struct{ t *table }

var _ org.OrgStore = (*Orgs)(nil)

// Ping reports whether the table can be reached.
func (s *Orgs) Ping(ctx context.Context) error { return s.t.ping(ctx) }

// CreateOrg writes a new organization, with its first admin member when one is given.
func (s *Orgs) CreateOrg(ctx context.Context, o org.Org, admin *org.Member, audit org.AuditEntry) error {
	item := orgItem{key: key{PK: orgPK(o.ID), SK: skOrg}, Type: typeOrg, ID: o.ID, Name: o.Name, CreatedAt: fmtTime(o.CreatedAt)}
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
