package provision

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"golang.org/x/sync/errgroup"

	"gatehouse/internal/org"
)

// mappedGroups are the groups of the organization that a role mapping names, by id.
func (s *Service) mappedGroups(ctx context.Context, orgID string, cfg Config) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range cfg.RoleMappings {
		g, err := s.store.GroupByName(ctx, orgID, m.Group)
		if errors.Is(err, org.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read group %s: %w", m.Group, err)
		}
		out[g.ID] = g.DisplayName
	}
	return out, nil
}

// rolesOf works out the role each of people should have from the mapped groups they are in.
func (s *Service) rolesOf(ctx context.Context, p org.Principal, cfg Config, people []string) (map[string]org.Role, error) {
	mapped, err := s.mappedGroups(ctx, p.OrgID, cfg)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(mapped))
	for id := range mapped {
		ids = append(ids, id)
	}
	groupsOf, err := s.store.MemberOf(ctx, p.OrgID, ids, people)
	if err != nil {
		return nil, fmt.Errorf("read group memberships: %w", err)
	}
	out := make(map[string]org.Role, len(people))
	for _, person := range people {
		var names []string
		for _, g := range groupsOf[person] {
			names = append(names, mapped[g])
		}
		out[person] = org.RoleFromGroups(names, cfg.RoleMappings, cfg.DefaultRole)
	}
	return out, nil
}

// roleOf is the role one SCIM person should have.
func (s *Service) roleOf(ctx context.Context, p org.Principal, cfg Config, id string) (org.Role, error) {
	roles, err := s.rolesOf(ctx, p, cfg, []string{id})
	return roles[id], err
}

// roleWorkers is how many role changes assignRoles makes at once: a group push of a
// thousand people is a thousand conditional writes, which in sequence would outlast API
// Gateway's 29 seconds.
const roleWorkers = 16

// maxRoleRounds bounds how often assignRoles works the roles out again because group
// memberships changed while it wrote them.
const maxRoleRounds = 4

// assignRoles gives each affected person (by SCIM id) the role their groups map to, where it
// differs, and returns those who keep theirs because they are the last active admin.
//
// Two group changes for one person may run at once, each working roles out from what it
// read of the memberships; the one that read first could write last, from a stale read. So
// each round reads the memberships, then the accounts (the roles to change are those the
// accounts have after the memberships were read, and whether a change touches an admin is
// decided from them), writes, and reads the memberships again: if they changed meanwhile,
// it goes round again. Whichever request writes last thus reads after its own write, and
// leaves roles that match the memberships it read then.
func (s *Service) assignRoles(ctx context.Context, p org.Principal, affected []string) ([]person, error) {
	cfg, err := s.config(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	slices.Sort(affected)
	affected = slices.Compact(affected)
	if len(affected) == 0 {
		return nil, nil
	}
	roles, err := s.rolesOf(ctx, p, cfg, affected)
	if err != nil {
		return nil, toSCIM(err)
	}
	for range maxRoleRounds {
		people, err := s.everyone(ctx, p)
		if err != nil {
			return nil, toSCIM(err)
		}
		known := make(map[string]person, len(people))
		for _, x := range people {
			known[x.id()] = x
		}
		kept, wrote, err := s.writeRoles(ctx, p, known, affected, roles)
		if err != nil || !wrote {
			return kept, err
		}
		now, err := s.rolesOf(ctx, p, cfg, affected)
		if err != nil {
			return nil, toSCIM(err)
		}
		if maps.Equal(now, roles) {
			return kept, nil
		}
		roles = now
	}
	return nil, toSCIM(fmt.Errorf("group memberships kept changing while roles were given: %w", org.ErrConflict))
}

// writeRoles gives each of affected the role roles names, where their account (in known)
// has another, and reports whether it wrote any. Changes that touch no admin are made in
// parallel; then promotions to admin, then demotions from it, in that order, so that
// handing the admin group from one person to another never trips on the last admin; the
// last admins a demotion would remove are returned, keeping their role.
func (s *Service) writeRoles(ctx context.Context, p org.Principal, known map[string]person, affected []string, roles map[string]org.Role) ([]person, bool, error) {
	var promotions, demotions []string // SCIM ids of members whose admin role changes
	wrote := false
	now := s.nowUTC()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(roleWorkers)
	for _, id := range affected {
		x, ok := known[id]
		if !ok {
			continue
		}
		role := roles[id]
		switch {
		case x.mem != nil && x.mem.Role != role && role == org.RoleAdmin:
			promotions = append(promotions, id)
		case x.mem != nil && x.mem.Role != role && x.mem.Role == org.RoleAdmin:
			demotions = append(demotions, id)
		case x.mem != nil && x.mem.Role != role:
			wrote = true
			g.Go(func() error {
				_, err := s.orgs.ChangeRole(gctx, p, x.mem.ID, string(role))
				return err
			})
		case x.inv != nil && x.inv.StatusAt(now) == org.StatusPending && x.inv.Role != role:
			// An expired invitation keeps its role: it is invited again, with the role its
			// groups give then, when the identity provider asks for the person again.
			wrote = true
			g.Go(func() error {
				_, err := s.orgs.SetInvitationRole(gctx, p, x.inv.ID, role)
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, wrote, toSCIM(err)
	}
	var kept []person
	for _, id := range append(promotions, demotions...) {
		wrote = true
		if _, err := s.orgs.ChangeRole(ctx, p, known[id].mem.ID, string(roles[id])); errors.Is(err, org.ErrLastAdmin) {
			kept = append(kept, known[id])
		} else if err != nil {
			return nil, wrote, toSCIM(err)
		}
	}
	return kept, wrote, nil
}

// reassign gives every person under SCIM the role the organization's rule gives them now.
// The last active admin keeps theirs, which is reported as ErrMutability.
func (s *Service) reassign(ctx context.Context, p org.Principal) error {
	people, err := s.everyone(ctx, p)
	if err != nil {
		return toSCIM(err)
	}
	var ids []string
	for _, x := range people {
		if x.prof != nil {
			ids = append(ids, x.id())
		}
	}
	kept, err := s.assignRoles(ctx, p, ids)
	if err != nil {
		return err
	}
	if len(kept) > 0 {
		return fmt.Errorf("the last active admin keeps their role: %w", org.ErrLastAdmin)
	}
	return nil
}
