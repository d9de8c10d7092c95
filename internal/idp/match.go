package idp

import "strings"

// planner pairs the people of a snapshot with the current accounts and decides what each
// pair needs. Index slices are parallel to snap.People and accounts; -1 means no partner.
type planner struct {
	snap     *Snapshot
	accounts []Account
	byID     *index   // external id -> account
	byEmail  *index   // emailKey -> account
	keys     []string // account -> emailKey of its address, "" for none; nil while each is its Email
	matched  []int32  // person -> account
	owner    []int32  // account -> person
	// frees marks accounts whose address the plan releases (revoked, or updated to another).
	frees  []bool
	claims []claim
	// kept are the skipped records that still speak for accounts (see kept.go).
	kept keptRecords
	// admins counts the active admins the plan has not deactivated yet.
	admins int
	// live counts the synced live accounts: active members and pending invitations.
	live int
	// roleChanges are the (person, account) pairs whose roles differ, for roles.
	roleChanges [][2]int
	// present, gone and pending count the people of each status; unterminated are those
	// that are the last records of files without a line ending. match finds them all.
	present, gone, pending int
	unterminated           []int
	plan                   Plan
}

// claim is an address that actions take, checked once every account's fate is known.
type claim struct {
	email   string
	self    int   // the account taking it, -1 for an invite
	actions []int // indexes into plan.Actions
	person  int
}

// newPlanner indexes the accounts by external id and by address. When two accounts share
// one (a member and an old invitation), the member wins, an active one first, and among
// accounts of one rank the first.
func newPlanner(s *Snapshot, accounts []Account) *planner {
	p := &planner{
		snap:     s,
		accounts: accounts,
		matched:  make([]int32, len(s.People)),
		owner:    make([]int32, len(accounts)),
		frees:    make([]bool, len(accounts)),
	}
	p.byID = newIndex(len(accounts), func(a int) string { return accounts[a].ExternalID })
	p.byEmail = newIndex(len(accounts), p.key)
	for i := range p.matched {
		p.matched[i] = -1
	}
	for i := range accounts {
		a := &accounts[i]
		p.owner[i] = -1
		if a.Kind == AccountMember && a.Active && (a.Admin || a.LastAdmin) {
			p.admins++
		}
		if a.Synced && (a.Kind == AccountInvitation || a.Active) {
			p.live++
		}
		if a.Email == "" {
			continue
		}
		// Most stored addresses are their own keys; keys is made for the first that is not.
		if k := emailKey(a.Email); k != a.Email && p.keys == nil {
			p.keys = make([]string, len(accounts))
			for j := range i {
				p.keys[j] = accounts[j].Email
			}
			p.keys[i] = k
		} else if p.keys != nil {
			p.keys[i] = k
		}
	}
	// Each index is filled in the order of the slots its keys start at, the keys' hashes
	// made before: its slots are then visited from first to last, as the processor reads
	// ahead, not at random. Keys that start at one slot keep the accounts' order, which
	// index's choice among accounts of one rank depends on.
	hashes := make([]uint32, len(accounts))
	order := make([]int32, 0, len(accounts))
	for i := range accounts {
		if id := accounts[i].ExternalID; id != "" {
			hashes[i] = p.byID.hash(id)
			order = append(order, int32(i))
		}
	}
	for _, i := range p.byID.bySlot(order, hashes) {
		p.index(p.byID, hashes[i], int(i))
	}
	order = order[:0]
	for i := range accounts {
		if accounts[i].Email != "" {
			hashes[i] = p.byEmail.hash(p.key(i))
			order = append(order, int32(i))
		}
	}
	for _, i := range p.byEmail.bySlot(order, hashes) {
		p.index(p.byEmail, hashes[i], int(i))
	}
	return p
}

// key is the emailKey of account a's address, "" when it has none.
func (p *planner) key(a int) string {
	if p.keys != nil {
		return p.keys[a]
	}
	return p.accounts[a].Email
}

// index puts account a in x under key, whose hash is h, unless an account before it of
// its rank or a higher one is there already.
func (p *planner) index(x *index, h uint32, a int) {
	if b, taken := x.addAt(h, a); taken && rank(&p.accounts[a]) < rank(&p.accounts[b]) {
		x.set(x.key(a), a)
	}
}

// The ranks of accounts sharing a key, the highest first.
const (
	rankActive = iota
	rankInactive
	rankInvitation
)

// rank orders accounts sharing a key: active members, then inactive ones, then invitations.
func rank(a *Account) int {
	switch {
	case a.Kind == AccountMember && a.Active:
		return rankActive
	case a.Kind == AccountMember:
		return rankInactive
	}
	return rankInvitation
}

// match pairs people with accounts. External ids come first, for every record that has
// one: present and pending people before gone ones, so that an active record wins an
// account over a suspended one. Addresses then pair the rest, in the same order, but never
// an account whose external id is anywhere in the snapshot (a person's, or a skipped
// record's, which decide deals with), and never a person and an account that both have
// external ids that differ: an address the identity provider gave to someone else, or to
// a new account of the same person, does not hand over the old account.
func (p *planner) match() {
	// One look at every person counts them, pairs the present and pending ones by id and
	// lists the rest: gone people for their own passes, and the others that ids left
	// unpaired.
	var unpaired, gone []int
	for i := range p.snap.People {
		person := &p.snap.People[i]
		if person.Unterminated {
			p.unterminated = append(p.unterminated, i)
		}
		switch person.Status {
		case StatusGone:
			gone = append(gone, i)
			continue
		case StatusPresent:
			p.present++
		case StatusPending:
			p.pending++
		}
		if person.ExternalID != "" {
			p.pair(i, p.byID, person.ExternalID)
		}
		if p.matched[i] < 0 {
			unpaired = append(unpaired, i)
		}
	}
	p.gone = len(gone)
	for _, i := range gone {
		if person := &p.snap.People[i]; person.ExternalID != "" {
			p.pair(i, p.byID, person.ExternalID)
		}
	}
	var ids map[string]bool // made when first needed
	for _, list := range [][]int{unpaired, gone} {
		for _, i := range list {
			person := &p.snap.People[i]
			if p.matched[i] >= 0 {
				continue
			}
			a, ok := p.byEmail.find(person.Email)
			if !ok {
				continue
			}
			if ext := p.accounts[a].ExternalID; ext != "" {
				if person.ExternalID != "" {
					continue
				}
				if ids == nil {
					ids = p.snapshotIDs()
				}
				if ids[ext] {
					continue
				}
			}
			p.pair(i, p.byEmail, person.Email)
		}
	}
}

// snapshotIDs is the set of external ids of every record of the snapshot, used or not.
func (p *planner) snapshotIDs() map[string]bool {
	ids := make(map[string]bool, len(p.snap.People)+len(p.snap.Skipped))
	for _, person := range p.snap.People {
		if person.ExternalID != "" {
			ids[person.ExternalID] = true
		}
	}
	for _, s := range p.snap.Skipped {
		if s.ExternalID != "" {
			ids[s.ExternalID] = true
		}
	}
	return ids
}

// pair links person i with the account m holds for key, if that account is still free.
func (p *planner) pair(i int, m *index, key string) {
	a, ok := m.find(key)
	if !ok || p.owner[a] >= 0 {
		return
	}
	p.matched[i], p.owner[a] = int32(a), int32(i)
}

// checkCutOff refuses a snapshot whose last record of a file ended without a line ending and
// reads as a cut-off version of an account: a field of it (address or name) is the start of
// the account's, but shorter. Such an export still has the right number of fields, so only
// the comparison shows it was cut inside the record's last, unquoted field.
func (p *planner) checkCutOff() error {
	for _, i := range p.unterminated {
		person := &p.snap.People[i]
		candidates := []int{int(p.matched[i])}
		if p.matched[i] < 0 {
			candidates = candidates[:0]
			for a, acc := range p.accounts {
				if strictPrefix(person.Email, acc.Email) {
					candidates = append(candidates, a)
				}
			}
		}
		for _, a := range candidates {
			acc := p.accounts[a]
			if strictPrefix(person.Email, acc.Email) || strictPrefix(person.Name, acc.Name) {
				return &ParseError{Format: p.snap.Format, Page: person.Page, Row: person.Row, Err: ErrTruncated,
					Msg: ErrTruncated.Error() + ": the last record has no line ending and reads as the start of an account's " +
						"values (" + acc.Email + "): the file was cut off"}
			}
		}
	}
	return nil
}

// strictPrefix reports whether short is the start of long, and shorter.
func strictPrefix(short, long string) bool {
	return len(short) < len(long) && strings.HasPrefix(long, short)
}

// flagCutOff marks the plan when the last record of a file without a line ending would
// invite someone or change an account: a file cut inside its last, unquoted field has the
// right number of fields, and nothing but a line ending that is missing tells it apart.
func (p *planner) flagCutOff() {
	for _, i := range p.unterminated {
		person := &p.snap.People[i]
		for _, a := range p.plan.Actions {
			if (a.Kind == ActionInvite || a.Kind == ActionUpdate) && a.Email == person.Email {
				p.plan.cutOff = "the export's last line has no line ending and would " + string(a.Kind) + " " + a.Email +
					": the file may be cut off inside it (" + where(person.Group, person.Page, person.Row) + ")"
				return
			}
		}
	}
}
