package idp

import "fmt"

// checkClaims withdraws the actions that would give an address to someone while another
// account keeps it, reporting each, and drops them from the plan. A withdrawn claim of an
// account keeps that account's own address too, which may in turn block another claim,
// so the claims are checked again until none changes.
func (p *planner) checkClaims() {
	dropped := make(map[int]bool)
	done := make([]bool, len(p.claims))
	for changed := true; changed; {
		changed = false
		for k, c := range p.claims {
			if done[k] {
				continue
			}
			holder, taken := p.taken(c.email, c.self)
			if !taken {
				continue
			}
			done[k], changed = true, true
			for _, n := range c.actions {
				dropped[n] = true
			}
			if c.self >= 0 {
				p.frees[c.self] = false // it keeps its address after all
			}
			p.skipClaim(c, holder)
		}
	}
	if len(dropped) == 0 {
		return
	}
	kept := p.plan.Actions[:0]
	for n, a := range p.plan.Actions {
		if !dropped[n] {
			kept = append(kept, a)
		}
	}
	p.plan.Actions = kept
}

// skipClaim reports claim c withdrawn because account holder keeps the address.
func (p *planner) skipClaim(c claim, holder int) {
	person, h := p.snap.People[c.person], p.accounts[holder]
	s := Skip{Row: person.Row, Page: person.Page, Group: person.Group, ExternalID: person.ExternalID, Email: person.Email,
		Name: person.Name, Status: person.Status, Code: SkipEmailTaken,
		Reason: fmt.Sprintf("%s is held by %s %s, which this plan does not release", person.Email, h.Kind, h.ID)}
	if c.self >= 0 {
		s.AccountID = p.accounts[c.self].ID
	}
	p.plan.Skipped = append(p.plan.Skipped, s)
}

// taken reports whether an address belongs to an account other than self that the plan
// does not release.
func (p *planner) taken(email string, self int) (int, bool) {
	a, ok := p.byEmail.find(email)
	return a, ok && a != self && !p.frees[a]
}
