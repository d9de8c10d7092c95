package idp

// keptRecords are the skipped export records that still speak for an account: a record
// with no usable address, an unknown status or a broken row is a person the identity
// provider still has, so their account is left as is rather than removed. Records known
// to be gone, duplicates and non-users speak for nobody.
type keptRecords struct {
	byID    map[string]Skip
	byEmail map[string]Skip
}

// kept collects the snapshot's skipped records that keep their accounts.
func (p *planner) kept() keptRecords {
	k := keptRecords{byID: make(map[string]Skip), byEmail: make(map[string]Skip)}
	for _, s := range p.snap.Skipped {
		switch s.Code {
		case SkipNoEmail, SkipInvalidEmail, SkipUnknownStatus, SkipMalformedRow:
		default:
			continue
		}
		if s.Status == StatusGone {
			continue
		}
		if s.ExternalID != "" {
			k.byID[s.ExternalID] = s
		}
		if s.Email != "" {
			k.byEmail[emailKey(s.Email)] = s
		}
	}
	return k
}

// lookup finds the skipped record that speaks for acc.
func (k keptRecords) lookup(acc Account) (Skip, bool) {
	if s, ok := k.byID[acc.ExternalID]; ok && acc.ExternalID != "" {
		return s, true
	}
	s, ok := k.byEmail[emailKey(acc.Email)]
	return s, ok && acc.Email != ""
}
