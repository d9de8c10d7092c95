package idp

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestIndexAgreesWithAMap runs random finds, adds, sets and removes against an index and
// a map[string]int, with few enough distinct keys that every operation meets keys that are
// there and keys that are not, and removed ones.
func TestIndexAgreesWithAMap(t *testing.T) {
	for _, size := range []int{0, 10, 5000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(size)))
			var keys []string // by position, as the builder keeps its people
			x := newIndex(size, func(pos int) string { return keys[pos] })
			want := map[string]int{}
			for op := range 200_000 {
				key := fmt.Sprintf("k%d", rng.IntN(20_000))
				switch rng.IntN(4) {
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
				case 3:
					if w, ok := want[key]; ok {
						x.remove(key, w)
						delete(want, key)
					}
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
