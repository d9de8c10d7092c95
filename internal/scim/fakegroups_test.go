package scim_test

import (
	"context"
	"fmt"
	"slices"

	"gatehouse/internal/scim"
)

// The group half of fakeBackend.

func (f *fakeBackend) ListGroups(_ context.Context, q scim.GroupQuery) ([]scim.Group, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("ListGroups"); err != nil {
		return nil, 0, err
	}
	var match []scim.Group
	for _, g := range f.groups {
		if full := f.view(g, true); q.Filter.Matches(full) {
			match = append(match, f.view(g, q.WithMembers))
		}
	}
	return window(match, q.Page), len(match), nil
}

// view renders a stored group, with the members' display names when asked.
func (f *fakeBackend) view(g fakeGroup, withMembers bool) scim.Group {
	out := g.Group
	if withMembers {
		out.Members = make([]scim.Member, 0, len(g.members))
		for _, id := range g.members {
			u := f.users[f.user(id)]
			out.Members = append(out.Members, scim.Member{Value: id, Display: cmpOr(u.DisplayName, u.UserName)})
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *fakeBackend) GetGroup(_ context.Context, id string, withMembers bool) (scim.Group, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GetGroup"); err != nil {
		return scim.Group{}, err
	}
	i := f.group(id)
	if i < 0 {
		return scim.Group{}, fmt.Errorf("get group %s: %w", id, scim.ErrNotFound)
	}
	return f.view(f.groups[i], withMembers), nil
}

func (f *fakeBackend) group(id string) int {
	return slices.IndexFunc(f.groups, func(g fakeGroup) bool { return g.ID == id })
}

// known checks that every id names a user.
func (f *fakeBackend) known(ids []string) error {
	for _, id := range ids {
		if f.user(id) < 0 {
			return scim.WithDetail(fmt.Errorf("member %s: %w", id, scim.ErrInvalidValue), "no user with id "+id)
		}
	}
	return nil
}

func (f *fakeBackend) CreateGroup(_ context.Context, g scim.Group) (scim.Group, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("CreateGroup"); err != nil {
		return scim.Group{}, err
	}
	ids := make([]string, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.Value
	}
	if err := f.known(ids); err != nil {
		return scim.Group{}, err
	}
	g.ID, g.Created, g.LastModified, g.Members = f.newID(), f.now, f.now, nil
	f.groups = append(f.groups, fakeGroup{Group: g, members: ids})
	return f.view(f.groups[len(f.groups)-1], true), nil
}

func (f *fakeBackend) UpdateGroup(_ context.Context, id string, c scim.GroupChange) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("UpdateGroup"); err != nil {
		return err
	}
	i := f.group(id)
	if i < 0 {
		return fmt.Errorf("update group %s: %w", id, scim.ErrNotFound)
	}
	g := &f.groups[i]
	if err := f.known(c.Add); err != nil {
		return err
	}
	if c.ReplaceMembers != nil {
		if err := f.known(*c.ReplaceMembers); err != nil {
			return err
		}
		g.members = slices.Clone(*c.ReplaceMembers)
	}
	in := make(map[string]bool, len(g.members))
	for _, id := range g.members {
		in[id] = true
	}
	for _, id := range c.Add {
		if !in[id] {
			in[id] = true
			g.members = append(g.members, id)
		}
	}
	gone := make(map[string]bool, len(c.Remove))
	for _, id := range c.Remove {
		gone[id] = true
	}
	g.members = slices.DeleteFunc(g.members, func(id string) bool { return gone[id] })
	if c.DisplayName != nil {
		g.DisplayName = *c.DisplayName
	}
	if c.ExternalID != nil {
		g.ExternalID = *c.ExternalID
	}
	g.LastModified = f.now
	return nil
}

func (f *fakeBackend) DeleteGroup(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("DeleteGroup"); err != nil {
		return err
	}
	i := f.group(id)
	if i < 0 {
		return fmt.Errorf("delete group %s: %w", id, scim.ErrNotFound)
	}
	f.groups = slices.Delete(f.groups, i, i+1)
	return nil
}
