package scim

import "strings"

// idSet is a set of IDs that remembers the order they first came in.
type idSet struct {
	order []string
	in    map[string]bool
}

func (s *idSet) put(id string) {
	if s.in == nil {
		s.in = map[string]bool{}
	}
	if !s.in[id] {
		s.in[id] = true
		s.order = append(s.order, id)
	}
}

func (s *idSet) drop(id string) { delete(s.in, id) }

// list returns the IDs still in the set, in first-come order.
func (s *idSet) list() []string {
	out := make([]string, 0, len(s.in))
	seen := make(map[string]bool, len(s.in))
	for _, id := range s.order {
		if s.in[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// memberEdit folds a PATCH's member operations, in order, into one change: either a
// wholesale replacement or one set to add and one to remove.
type memberEdit struct {
	replacing   bool
	replace     idSet
	add, remove idSet
}

func (e *memberEdit) adds(ids []string) {
	for _, id := range ids {
		if e.replacing {
			e.replace.put(id)
			continue
		}
		e.remove.drop(id)
		e.add.put(id)
	}
}

func (e *memberEdit) removes(ids []string) {
	for _, id := range ids {
		if e.replacing {
			e.replace.drop(id)
			continue
		}
		e.add.drop(id)
		e.remove.put(id)
	}
}

func (e *memberEdit) replaces(ids []string) {
	*e = memberEdit{replacing: true}
	e.adds(ids)
}

// patchGroup folds a PATCH's targets into one GroupChange for the group id, so that a
// request adding a thousand members is one backend call. It needs no read of the group.
func patchGroup(id string, targets []target) (GroupChange, error) {
	var c GroupChange
	var members memberEdit
	for _, t := range targets {
		if t.path.ignored(groupSchema) {
			continue
		}
		var err error
		switch t.path.attr.name {
		case "id":
			err = idTarget(t, id)
		case "displayname":
			c.DisplayName, err = patchGroupString(t, "displayName", true)
		case "externalid":
			c.ExternalID, err = patchGroupString(t, "externalId", false)
		case "members":
			err = patchMembers(&members, t)
		}
		if err != nil {
			return GroupChange{}, err
		}
	}
	if members.replacing {
		ids := members.replace.list()
		c.ReplaceMembers = &ids
	} else {
		c.Add, c.Remove = members.add.list(), members.remove.list()
	}
	return c, nil
}

// patchGroupString reads the new value of a single-valued string attribute.
func patchGroupString(t target, attr string, required bool) (*string, error) {
	var s string
	if err := patchSimple(&s, t, attr, required); err != nil {
		return nil, err
	}
	return &s, nil
}

// patchMembers applies one target on members: add with a list, replace wholesale, remove
// all (no value), remove the listed ones (Entra's remove with a value), or remove
// members[value eq "…"] (Okta's). A member's display is read-only and ignored.
func patchMembers(e *memberEdit, t target) error {
	p := t.path
	if p.attr.sub != "" && p.attr.sub != "value" {
		return nil
	}
	if p.where != nil {
		if t.op != opRemove {
			return badRequest(typeInvalidPath, "members with a value filter can only be removed; add members with path \"members\"")
		}
		ids := make([]string, 0, len(p.where))
		for _, c := range p.where {
			s, ok := c.value.(string)
			if c.sub != "value" || !ok || strings.TrimSpace(s) == "" {
				return badRequest(typeInvalidFilter, "members are selected by user id only, as in members[value eq \"…\"]")
			}
			ids = append(ids, s)
		}
		if len(ids) > 1 && !allSame(ids) {
			return nil // no member has two ids
		}
		e.removes(ids[:1])
		return nil
	}
	if p.attr.sub != "" {
		return badRequest(typeInvalidPath, "use the path \"members\" with a list of {\"value\": \"<user id>\"}")
	}
	ids, err := memberIDs(t.value)
	if err != nil {
		return err
	}
	switch {
	case t.op == opAdd:
		e.adds(ids)
	case t.op == opReplace:
		e.replaces(ids)
	case isNull(t.value):
		e.replaces(nil)
	default:
		e.removes(ids)
	}
	return nil
}

func allSame(ids []string) bool {
	for _, id := range ids[1:] {
		if id != ids[0] {
			return false
		}
	}
	return true
}
