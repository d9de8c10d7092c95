package provision

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"gatehouse/internal/org"
	"gatehouse/internal/scim"
)

// ListGroups answers a SCIM list of groups, members only when asked.
func (s *Service) ListGroups(ctx context.Context, q scim.GroupQuery) ([]scim.Group, int, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return nil, 0, err
	}
	var groups []Group
	switch f := q.Filter; {
	case f.ID != "":
		if g, err := s.store.GetGroup(ctx, p.OrgID, f.ID); err == nil {
			groups = []Group{g}
		} else if !errors.Is(err, org.ErrNotFound) {
			return nil, 0, toSCIM(err)
		}
	case f.DisplayName != "":
		if g, err := s.store.GroupByName(ctx, p.OrgID, f.DisplayName); err == nil {
			groups = []Group{g}
		} else if !errors.Is(err, org.ErrNotFound) {
			return nil, 0, toSCIM(err)
		}
	default:
		if groups, err = s.store.ListGroups(ctx, p.OrgID); err != nil {
			return nil, 0, toSCIM(err)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	withMembers := q.WithMembers || q.Filter.Member != ""
	var match []scim.Group
	for _, g := range groups {
		sg, err := s.scimGroup(ctx, g, withMembers)
		if err != nil {
			return nil, 0, toSCIM(err)
		}
		if q.Filter.Matches(sg) {
			if !q.WithMembers {
				sg.Members = nil
			}
			match = append(match, sg)
		}
	}
	from := min(q.Page.Offset, len(match))
	return match[from:min(from+q.Page.Count, len(match))], len(match), nil
}

// scimGroup is g as SCIM shows it, with its members when asked.
func (s *Service) scimGroup(ctx context.Context, g Group, withMembers bool) (scim.Group, error) {
	sg := scim.Group{ID: g.ID, DisplayName: g.DisplayName, ExternalID: g.ExternalID, Created: g.Created, LastModified: g.LastModified}
	if !withMembers {
		return sg, nil
	}
	ids, err := s.store.Members(ctx, g.OrgID, g.ID)
	if err != nil {
		return scim.Group{}, fmt.Errorf("read members of group %s: %w", g.ID, err)
	}
	sg.Members = make([]scim.Member, len(ids))
	for i, id := range ids {
		sg.Members[i] = scim.Member{Value: id}
	}
	return sg, nil
}

// GetGroup reads one group.
func (s *Service) GetGroup(ctx context.Context, id string, withMembers bool) (scim.Group, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return scim.Group{}, err
	}
	g, err := s.store.GetGroup(ctx, p.OrgID, id)
	if err != nil {
		return scim.Group{}, toSCIM(err)
	}
	sg, err := s.scimGroup(ctx, g, withMembers)
	return sg, toSCIM(err)
}

// CreateGroup adds a group and its members; a display name taken is ErrUniqueness.
func (s *Service) CreateGroup(ctx context.Context, sg scim.Group) (scim.Group, error) {
	p, err := principalOf(ctx)
	if err != nil {
		return scim.Group{}, err
	}
	if _, err := s.store.GroupByName(ctx, p.OrgID, sg.DisplayName); err == nil {
		return scim.Group{}, scim.WithDetail(scim.ErrUniqueness, "a group named "+sg.DisplayName+" exists")
	}
	now := s.nowUTC()
	g := Group{OrgID: p.OrgID, ID: "grp_" + s.newID(), DisplayName: sg.DisplayName, ExternalID: sg.ExternalID, Created: now, LastModified: now}
	if err := s.store.PutGroup(ctx, nil, g); err != nil {
		if org.Refused(err, org.PartAddress) {
			return scim.Group{}, scim.WithDetail(scim.ErrUniqueness, "a group named "+sg.DisplayName+" exists")
		}
		return scim.Group{}, toSCIM(err)
	}
	ids := make([]string, len(sg.Members))
	for i, m := range sg.Members {
		ids[i] = m.Value
	}
	if len(ids) > 0 {
		if err := s.UpdateGroup(ctx, g.ID, scim.GroupChange{Add: ids}); err != nil {
			return scim.Group{}, err
		}
	}
	return s.GetGroup(ctx, g.ID, true)
}

// UpdateGroup renames a group or changes its members, in one call however many; the roles
// of the people whose groups changed follow (org.RoleFromGroups).
func (s *Service) UpdateGroup(ctx context.Context, id string, c scim.GroupChange) error {
	p, err := principalOf(ctx)
	if err != nil {
		return err
	}
	g, err := s.store.GetGroup(ctx, p.OrgID, id)
	if err != nil {
		return toSCIM(err)
	}
	if c.DisplayName != nil || c.ExternalID != nil {
		next := g
		if c.DisplayName != nil {
			next.DisplayName = *c.DisplayName
		}
		if c.ExternalID != nil {
			next.ExternalID = *c.ExternalID
		}
		if next != g {
			next.LastModified = s.nowUTC()
			if err := s.store.PutGroup(ctx, &g, next); err != nil {
				if org.Refused(err, org.PartAddress) {
					return scim.WithDetail(scim.ErrUniqueness, "a group named "+next.DisplayName+" exists")
				}
				return toSCIM(err)
			}
		}
	}
	add, remove := c.Add, c.Remove
	if c.ReplaceMembers != nil {
		current, err := s.store.Members(ctx, p.OrgID, id)
		if err != nil {
			return toSCIM(err)
		}
		add = slices.DeleteFunc(slices.Clone(*c.ReplaceMembers), func(m string) bool { return slices.Contains(current, m) })
		remove = slices.DeleteFunc(current, func(m string) bool { return slices.Contains(*c.ReplaceMembers, m) })
	}
	// A replace goes on when the members are already as listed: a retry of one whose role
	// changes failed partway finds no membership to change, and must still repair the roles.
	if len(add) == 0 && len(remove) == 0 && c.DisplayName == nil && c.ReplaceMembers == nil {
		return nil
	}
	people, err := s.everyone(ctx, p)
	if err != nil {
		return toSCIM(err)
	}
	known := make(map[string]person, len(people))
	for _, x := range people {
		known[x.id()] = x
	}
	for _, m := range add {
		if _, ok := known[m]; !ok {
			return scim.WithDetail(scim.ErrInvalidValue, "member "+m+" names no user of the organization")
		}
	}
	if err := s.store.SetMembers(ctx, p.OrgID, id, add, remove); err != nil {
		return toSCIM(err)
	}
	affected := append(slices.Clone(add), remove...)
	switch {
	case c.DisplayName != nil: // a renamed group may map to another role now
		if affected, err = s.store.Members(ctx, p.OrgID, id); err != nil {
			return toSCIM(err)
		}
		affected = append(affected, remove...)
	case c.ReplaceMembers != nil:
		affected = append(slices.Clone(*c.ReplaceMembers), remove...)
	}
	return s.assignOrKeep(ctx, p, id, affected)
}

// assignOrKeep gives the affected people their roles; the last active admin, whose role a
// removal would lower, stays in the group (the removal is undone for them) and the change is
// refused with ErrMutability naming them.
func (s *Service) assignOrKeep(ctx context.Context, p org.Principal, groupID string, affected []string) error {
	kept, err := s.assignRoles(ctx, p, affected)
	if err != nil || len(kept) == 0 {
		return err
	}
	ids, emails := make([]string, len(kept)), make([]string, len(kept))
	for i, x := range kept {
		ids[i], emails[i] = x.id(), x.email()
	}
	if err := s.store.SetMembers(ctx, p.OrgID, groupID, ids, nil); err != nil {
		return toSCIM(err)
	}
	return scim.WithDetail(scim.ErrMutability, "the organization must keep an active admin: "+strings.Join(emails, ", ")+" stays admin, and in the group")
}

// DeleteGroup removes a group; its members' roles follow.
func (s *Service) DeleteGroup(ctx context.Context, id string) error {
	p, err := principalOf(ctx)
	if err != nil {
		return err
	}
	g, err := s.store.GetGroup(ctx, p.OrgID, id)
	if err != nil {
		return toSCIM(err)
	}
	members, err := s.store.Members(ctx, p.OrgID, id)
	if err != nil {
		return toSCIM(err)
	}
	// The members leave first, so a last admin who would lose their role keeps the group.
	if err := s.store.SetMembers(ctx, p.OrgID, id, nil, members); err != nil {
		return toSCIM(err)
	}
	if err := s.assignOrKeep(ctx, p, id, members); err != nil {
		return err
	}
	return toSCIM(s.store.DeleteGroup(ctx, g))
}

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
