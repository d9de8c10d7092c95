package idp

import (
	"fmt"
	"strings"
)

// keptRecords are the skipped export records that still speak for an account: a record
// with no usable address, an unknown status or a broken row is a person the identity
// provider still has, so their account is left as is rather than removed. A duplicate of
// another record's address under its own external id is another person of the identity
// provider too, and keeps the account with that id (only by id: the address is the other
// record's). Records known to be gone and non-users keep nothing; gone records with an id
// remove the account with that id.
type keptRecords struct {
	byID    map[string]Skip
	byEmail map[string]Skip
	gone    map[string]Skip // skipped records of gone people, by external id
}

// keptRecords collects the snapshot's skipped records that keep or remove accounts.
func (p *planner) keptRecords() keptRecords {
	k := keptRecords{byID: make(map[string]Skip), byEmail: make(map[string]Skip), gone: make(map[string]Skip)}
	for _, s := range p.snap.Skipped {
		if s.Code == SkipNotUser {
			continue
		}
		if s.Status == StatusGone {
			if _, ok := k.gone[s.ExternalID]; !ok && s.ExternalID != "" {
				k.gone[s.ExternalID] = s
			}
			continue
		}
		switch s.Code {
		case SkipNoEmail, SkipInvalidEmail, SkipUnknownStatus, SkipMalformedRow:
			if s.Email != "" {
				k.byEmail[emailKey(s.Email)] = s
			}
		case SkipDuplicate:
			if _, ok := k.byID[s.ExternalID]; ok {
				continue // a record skipped for itself says more
			}
		default:
			continue
		}
		if s.ExternalID != "" {
			k.byID[s.ExternalID] = s
		}
	}
	return k
}

// lookup finds the skipped record that speaks for acc, whose address has emailKey key.
func (k keptRecords) lookup(acc *Account, key string) (Skip, bool) {
	if s, ok := k.byID[acc.ExternalID]; ok && acc.ExternalID != "" {
		return s, true
	}
	s, ok := k.byEmail[key]
	return s, ok && acc.Email != ""
}

// keep reports account a as left alone when a skipped record speaks for it, and says
// whether one does. The account of a duplicate whose address another record has cannot
// take that address, which is reported as such.
func (p *planner) keep(a int) bool {
	acc := &p.accounts[a]
	s, ok := p.kept.lookup(acc, p.key(a))
	if !ok {
		return false
	}
	at := where(s.Group, s.Page, s.Row)
	if s.Code == SkipDuplicate && s.Email != "" && p.key(a) != emailKey(s.Email) {
		p.skipAccount(a, SkipEmailTaken, fmt.Sprintf("left as is: its export record at %s has the address %s, "+
			"which another record of the export has (%s)", at, s.Email, s.Reason))
		return true
	}
	p.skipAccount(a, SkipKept, fmt.Sprintf("left as is: its export record at %s was skipped (%s)", at, s.Reason))
	return true
}

// suppressAbsent sets RemovalsSuppressed when a malformed row is not tied to an account:
// its fields may be shifted (an unquoted comma), so the person in it may be anyone, and
// removing everyone the export does not name would remove them.
func (p *planner) suppressAbsent() {
	var rows []string
	for _, s := range p.snap.Skipped {
		if s.Code == SkipMalformedRow && !p.tied(s) {
			rows = append(rows, where(s.Group, s.Page, s.Row))
		}
	}
	if len(rows) == 0 {
		return
	}
	if n := len(rows); n > 5 {
		rows = append(rows[:5], fmt.Sprintf("%d more", n-5))
	}
	p.plan.RemovalsSuppressed = fmt.Sprintf("malformed rows of the export name no account (%s); the people in them "+
		"may be anyone, so this run removes nobody for being absent from the export", strings.Join(rows, ", "))
}

// tied reports whether malformed record s names an account by its id or address that no
// usable record claims. A row that names nobody, or someone the export has elsewhere (a
// shifted field can hold another person's address), is not tied to anyone.
func (p *planner) tied(s Skip) bool {
	found := false
	for _, c := range []struct {
		m   *index
		key string
	}{{p.byID, s.ExternalID}, {p.byEmail, emailKey(s.Email)}} {
		if c.key == "" {
			continue
		}
		if a, ok := c.m.find(c.key); ok {
			if p.owner[a] >= 0 {
				return false
			}
			found = true
		}
	}
	return found
}
