package idp

import "fmt"

// Part is the snapshot of one group of a directory, read on its own: a group an identity
// provider's API was asked for, or the export files of one role.
type Part struct {
	// Group names the group in Person.Groups and, before the record's place, in reasons:
	// "group 00g1admins", "the admin export".
	Group    string
	Snapshot *Snapshot
}

// Merge makes one snapshot of the groups of a directory, so that the planner sees each
// person once. A person is the same across groups by their id, else by their address; they
// are present when present in any group, and Groups lists the groups they are present in.
// Every person and skipped record names its group, in its reasons too. Two records of
// different ids with one address are the first person and a skipped duplicate, as within
// one export. The parts must be of one format; Merge of one part only names its group.
func Merge(parts []Part) (*Snapshot, error) {
	out := &Snapshot{}
	byID := map[string]int{}
	byEmail := map[string]int{}
	for k, part := range parts {
		if part.Snapshot == nil {
			return nil, fmt.Errorf("merge: %s has no snapshot", part.Group)
		}
		if k == 0 {
			out.Format = part.Snapshot.Format
		} else if part.Snapshot.Format != out.Format {
			return nil, fmt.Errorf("merge: %s is %s, not %s like the others", part.Group, part.Snapshot.Format, out.Format)
		}
		for _, s := range part.Snapshot.Skipped {
			s.Group = part.Group
			out.Skipped = append(out.Skipped, s)
		}
		for _, p := range part.Snapshot.People {
			p.Group = part.Group
			p.Groups = nil
			if p.Status == StatusPresent {
				p.Groups = []string{part.Group}
			}
			i, same := byID[p.ExternalID]
			if !same || p.ExternalID == "" {
				i, same = byEmail[p.Email]
				if same && p.ExternalID != "" && out.People[i].ExternalID != "" && out.People[i].ExternalID != p.ExternalID {
					out.Skipped = append(out.Skipped, Skip{Row: p.Row, Page: p.Page, Group: p.Group, ExternalID: p.ExternalID,
						Email: p.Email, Name: p.Name, Code: SkipDuplicate, Status: p.Status,
						Reason: "duplicate of " + where(out.People[i].Group, out.People[i].Page, out.People[i].Row) + ": same email"})
					continue
				}
			}
			if !same {
				byEmail[p.Email] = len(out.People)
				if p.ExternalID != "" {
					byID[p.ExternalID] = len(out.People)
				}
				out.People = append(out.People, p)
				continue
			}
			// The same person in another group: present wins, and their groups add up.
			first := &out.People[i]
			groups := append(first.Groups, p.Groups...)
			if first.Status != StatusPresent && p.Status == StatusPresent {
				*first = p
				byEmail[p.Email] = i
				if p.ExternalID != "" {
					byID[p.ExternalID] = i
				}
			}
			first.Groups = groups
		}
	}
	return out, nil
}
