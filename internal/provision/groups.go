package provision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

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
