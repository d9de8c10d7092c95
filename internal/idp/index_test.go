package idp

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// add puts key at pos unless it is there already, as a map's comma-ok look-up and store
// would: then it returns the position it has.
func (x *index) add(key string, pos int) (int, bool) {
	if i, ok := x.find(key); ok {
		return i, true
	}
	x.set(key, pos)
	return pos, false
}

// TestIndexAgreesWithAMap runs random finds, adds and sets against an index and a
// map[string]int, with few enough distinct keys that every operation meets keys that are
// there and keys that are not.
func TestIndexAgreesWithAMap(t *testing.T) {
	for _, size := range []int{0, 10, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(size)))
			var keys []string // by position, as the builder keeps its people
			x := newIndex(size, func(pos int) string { return keys[pos] })
			want := map[string]int{}
			for op := range 200_000 {
				key := fmt.Sprintf("k%d", rng.IntN(20_000))
				switch rng.IntN(3) {
				case 0:
					got, ok := x.find(key)
					w, wok := want[key]
					if ok != wok || got != w {
						t.Fatalf("op %d: find(%q) = %d, %v; want %d, %v", op, key, got, ok, w, wok)
					}
				case 1:
					got, ok := x.add(key, len(keys))
					w, wok := want[key]
					if !wok {
						w = len(keys)
						want[key] = w
						keys = append(keys, key)
					}
					if ok != wok || got != w {
						t.Fatalf("op %d: add(%q) = %d, %v; want %d, %v", op, key, got, ok, w, wok)
					}
				case 2:
					want[key] = len(keys)
					x.set(key, len(keys))
					keys = append(keys, key)
				}
			}
			for key, w := range want {
				if got, ok := x.find(key); !ok || got != w {
					t.Fatalf("find(%q) = %d, %v at the end; want %d", key, got, ok, w)
				}
			}
		})
	}
}

// The planner fills its account indexes in the order of their slots (bySlot). Among accounts
// that share a key its choice must be the one filling them in the accounts' order makes.
func TestAccountIndexesAreFilledAsInAccountOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	kinds := []AccountKind{AccountMember, AccountInvitation}
	for round := range 20 {
		accounts := make([]Account, 2000)
		for i := range accounts {
			accounts[i] = Account{
				Kind: kinds[r.IntN(2)], ID: fmt.Sprintf("a%d", i), Active: r.IntN(2) == 0,
				Email:      fmt.Sprintf("p%d@example.com", r.IntN(300)), // many share an address
				ExternalID: fmt.Sprintf("00u%d", r.IntN(300)),
			}
			if r.IntN(10) == 0 {
				accounts[i].ExternalID = ""
			}
		}
		p := newPlanner(&Snapshot{}, accounts)
		// The same indexes filled one account after another.
		byID := newIndex(len(accounts), func(a int) string { return accounts[a].ExternalID })
		byEmail := newIndex(len(accounts), p.key)
		for i := range accounts {
			if id := accounts[i].ExternalID; id != "" {
				if b, taken := byID.add(id, i); taken && rank(&accounts[i]) < rank(&accounts[b]) {
					byID.set(id, i)
				}
			}
			if k := p.key(i); k != "" {
				if b, taken := byEmail.add(k, i); taken && rank(&accounts[i]) < rank(&accounts[b]) {
					byEmail.set(k, i)
				}
			}
		}
		for i := range accounts {
			for _, c := range []struct {
				got, want *index
				key       string
			}{{p.byID, byID, accounts[i].ExternalID}, {p.byEmail, byEmail, p.key(i)}} {
				if c.key == "" {
					continue
				}
				got, _ := c.got.find(c.key)
				want, _ := c.want.find(c.key)
				if got != want {
					t.Fatalf("round %d: %q names account %d, want %d", round, c.key, got, want)
				}
			}
		}
	}
}
