package idp

import (
	"fmt"
	"slices"
	"strings"
)

// decide works out every person's and every synced account's action or skip. A synced
// account no person was paired with is removed when a skipped record of its id is gone,
// kept when a skipped record speaks for it, kept too while a malformed row may hide its
// person, and otherwise removed as not in the export.
func (p *planner) decide() {
	p.plan.Skipped = slices.Clone(p.snap.Skipped)
	p.kept = p.keptRecords()
	p.suppressAbsent()
	for i := range p.snap.People {
		p.person(i)
	}
	for a := range p.accounts {
		acc := &p.accounts[a]
		if p.owner[a] >= 0 || !acc.Synced {
			continue
		}
		if s, ok := p.kept.gone[acc.ExternalID]; ok && acc.ExternalID != "" {
			p.remove(a, "gone from the identity provider ("+where(s.Group, s.Page, s.Row)+", skipped: "+s.Reason+")")
			continue
		}
		if p.keep(a) {
			continue
		}
		if p.plan.RemovalsSuppressed != "" && (acc.Kind == AccountInvitation || acc.Active) {
			p.skipAccount(a, SkipKept, "not in the export, but left as is: "+p.plan.RemovalsSuppressed)
			continue
		}
		p.remove(a, "not in the export")
	}
	p.roles()
	p.checkClaims()
}

// person decides for person i and the account matched to it, if any.
func (p *planner) person(i int) {
	person := &p.snap.People[i]
	a := int(p.matched[i])
	switch person.Status {
	case StatusPending:
		s := Skip{Row: person.Row, Page: person.Page, Group: person.Group, ExternalID: person.ExternalID, Email: person.Email,
			Name: person.Name, Code: SkipPending, Status: person.Status,
			Reason: "not active yet in the identity provider (staged); left as is"}
		if a >= 0 {
			s.AccountID = p.accounts[a].ID
		}
		p.plan.Skipped = append(p.plan.Skipped, s)
		return
	case StatusGone:
		switch {
		case a >= 0 && p.accounts[a].Synced:
			p.remove(a, "gone from the identity provider ("+p.at(i)+")")
		case a < 0:
			// Listed, so that a plan shows every person of the export: a suspended or
			// deprovisioned person who never joined is nothing to do.
			p.plan.Skipped = append(p.plan.Skipped, Skip{Row: person.Row, Page: person.Page, Group: person.Group,
				ExternalID: person.ExternalID, Email: person.Email, Name: person.Name, Code: SkipGone, Status: person.Status,
				Reason: "gone from the identity provider (suspended, deprovisioned or disabled) and matched to no account here: nothing to do"})
		}
		return
	}
	p.plan.People++
	if a < 0 {
		n := p.add(Action{Kind: ActionInvite, Email: person.Email, Name: person.Name,
			ExternalID: person.ExternalID, Role: person.Role, Reason: "new in the export (" + p.at(i) + ")"})
		p.claims = append(p.claims, claim{email: person.Email, self: -1, actions: []int{n}, person: i})
		return
	}
	acc := &p.accounts[a]
	switch {
	case !acc.Synced:
		p.plan.Unmanaged++
	case acc.Kind == AccountInvitation:
		p.invitation(i, a)
	case acc.Active:
		if !p.update(i, a) && !p.needsRole(i, a) {
			p.plan.Unchanged++
		}
		p.roleOf(i, a)
	case acc.DeactivatedBySync:
		p.add(Action{Kind: ActionReactivate, AccountID: acc.ID, Email: acc.Email, Name: acc.Name,
			ExternalID: acc.ExternalID, Reason: "back in the export (" + p.at(i) + ") after sync deactivated it"})
		p.update(i, a)
		p.roleOf(i, a)
	default:
		p.skipAccount(a, SkipManual, "deactivated by an admin, not by sync; sync does not reactivate it")
	}
}

// invitation decides for a synced pending invitation of a present person: a new address
// needs a new invitation (the link went to the old one), a new name or id an update.
func (p *planner) invitation(i, a int) {
	person, acc := p.snap.People[i], p.accounts[a]
	if p.key(a) == person.Email {
		if !p.update(i, a) && !p.needsRole(i, a) {
			p.plan.Unchanged++
		}
		p.roleOf(i, a)
		return
	}
	u, at := p.updated(i, a), p.at(i)
	p.frees[a] = true
	revoke := p.add(Action{Kind: ActionRevoke, AccountID: acc.ID, Email: acc.Email, Name: acc.Name,
		ExternalID: acc.ExternalID, Reason: "address changed to " + person.Email + " (" + at + ")"})
	invite := p.add(Action{Kind: ActionInvite, Email: u.Email, Name: u.Name, ExternalID: u.ExternalID,
		OldEmail: acc.Email, Role: person.Role, Reason: "address changed from " + acc.Email + " (" + at + ")"})
	p.claims = append(p.claims, claim{email: person.Email, self: a, actions: []int{revoke, invite}, person: i})
}

// update adds an update when person i differs from account a, and reports whether it did.
func (p *planner) update(i, a int) bool {
	if person, acc := &p.snap.People[i], &p.accounts[a]; p.key(a) == person.Email &&
		(person.Name == "" || person.Name == acc.Name) && (person.ExternalID == "" || person.ExternalID == acc.ExternalID) {
		return false // what updated would give is the account as it is
	}
	u := p.updated(i, a)
	var what []string
	if u.Email != u.OldEmail {
		what = append(what, "email")
	}
	if u.Name != u.OldName {
		what = append(what, "name")
	}
	if u.ExternalID != u.OldExternalID {
		what = append(what, "external id")
	}
	if len(what) == 0 {
		return false
	}
	u.Reason = strings.Join(what, ", ") + " changed (" + p.at(i) + ")"
	n := p.add(u)
	if u.Email != u.OldEmail {
		p.frees[a] = true
		p.claims = append(p.claims, claim{email: p.snap.People[i].Email, self: a, actions: []int{n}, person: i})
	}
	return true
}

// updated is the update that gives account a person i's values; a name or id the export
// lacks keeps the account's, and an address equal but for case is not a change.
func (p *planner) updated(i, a int) Action {
	person, acc := &p.snap.People[i], &p.accounts[a]
	u := Action{Kind: ActionUpdate, AccountID: acc.ID, Email: acc.Email, Name: acc.Name,
		ExternalID: acc.ExternalID, OldEmail: acc.Email, OldName: acc.Name, OldExternalID: acc.ExternalID}
	if p.key(a) != person.Email {
		u.Email = person.Email
	}
	if person.Name != "" {
		u.Name = person.Name
	}
	if person.ExternalID != "" {
		u.ExternalID = person.ExternalID
	}
	return u
}

// needsRole reports whether person i's groups give account a another role.
func (p *planner) needsRole(i, a int) bool {
	role := p.snap.People[i].Role
	return role != "" && role != p.accounts[a].Role
}

// roleOf notes that account a should get the role person i's groups give, if it differs;
// roles decides once every removal is known.
func (p *planner) roleOf(i, a int) {
	if p.needsRole(i, a) {
		p.roleChanges = append(p.roleChanges, [2]int{i, a})
	}
}

// roles adds the role changes roleOf noted: promotions to admin first, counted as admins,
// then the others, of which a demotion of the last active admin is refused.
func (p *planner) roles() {
	for pass := range 2 {
		for _, c := range p.roleChanges {
			i, a := c[0], c[1]
			person, acc := p.snap.People[i], p.accounts[a]
			promotes := person.Role == "admin"
			if promotes != (pass == 0) {
				continue
			}
			member := acc.Kind == AccountMember
			// Only an active admin counts among the organization's admins: one sync
			// reactivates is not one yet, so demoting them lowers nothing.
			activeAdmin := member && acc.Active && acc.Role == "admin"
			switch {
			case promotes && member:
				p.admins++
			case activeAdmin && p.admins <= 1:
				p.skipAccount(a, SkipLastAdmin, fmt.Sprintf("its groups give the role %s (%s), but it is the organization's last "+
					"active admin; it stays admin", person.Role, p.at(i)))
				continue
			case activeAdmin:
				p.admins--
			}
			u := p.updated(i, a)
			p.add(Action{Kind: ActionRole, AccountID: acc.ID, Email: u.Email, Name: u.Name, ExternalID: u.ExternalID,
				Role: person.Role, OldRole: acc.Role, Reason: fmt.Sprintf("role %s from its groups, was %s (%s)", person.Role, acc.Role, p.at(i))})
		}
	}
}

// remove deactivates or revokes synced account a, unless a skipped record of the export
// keeps it or it is the last active admin.
func (p *planner) remove(a int, reason string) {
	if p.keep(a) {
		return
	}
	acc := p.accounts[a]
	switch {
	case acc.Kind == AccountInvitation:
		p.frees[a] = true
		p.add(Action{Kind: ActionRevoke, AccountID: acc.ID, Email: acc.Email, Name: acc.Name,
			ExternalID: acc.ExternalID, Reason: reason})
	case !acc.Active:
		p.plan.Unchanged++ // already deactivated
	case acc.LastAdmin || (acc.Admin && p.admins <= 1):
		p.skipAccount(a, SkipLastAdmin, reason+", but it is the organization's last active admin; not deactivated")
	default:
		if acc.Admin {
			p.admins--
		}
		p.add(Action{Kind: ActionDeactivate, AccountID: acc.ID, Email: acc.Email, Name: acc.Name,
			ExternalID: acc.ExternalID, Reason: reason})
	}
}

// at names person i's export record for a reason text.
func (p *planner) at(i int) string {
	person := p.snap.People[i]
	return where(person.Group, person.Page, person.Row)
}

// add appends an action and returns its index.
func (p *planner) add(a Action) int {
	p.plan.Actions = append(p.plan.Actions, a)
	return len(p.plan.Actions) - 1
}

// skipAccount reports account a as left alone, naming its export record when it has one.
func (p *planner) skipAccount(a int, code SkipCode, reason string) {
	acc := p.accounts[a]
	s := Skip{AccountID: acc.ID, ExternalID: acc.ExternalID, Email: acc.Email, Name: acc.Name,
		Code: code, Reason: reason}
	if i := p.owner[a]; i >= 0 {
		person := p.snap.People[i]
		s.Row, s.Page, s.Group, s.Status = person.Row, person.Page, person.Group, person.Status
	}
	p.plan.Skipped = append(p.plan.Skipped, s)
}
