package localdb

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// TestOrderedFollowsASortedSlice runs random puts and deletes on a skip list and on a sorted
// slice, comparing walks both ways and every kind of search after each step.
func TestOrderedFollowsASortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	o := newOrdered(cmp.Compare[int])
	var model []int
	for step := range 3000 {
		v := rng.IntN(500)
		if rng.IntN(3) == 0 {
			i, found := slices.BinarySearch(model, v)
			if found {
				model = slices.Delete(model, i, i+1)
			}
			if got := o.Delete(v); got != found {
				t.Fatalf("step %d: Delete(%d) = %v, want %v", step, v, got, found)
			}
		} else {
			if i, found := slices.BinarySearch(model, v); !found {
				model = slices.Insert(model, i, v)
			}
			o.Put(v)
		}
		if step%100 != 0 {
			continue
		}
		var forward, backward []int
		for n := o.First(); n != nil; n = n.Next() {
			forward = append(forward, n.val)
		}
		for n := o.Last(); n != nil; n = n.Prev() {
			backward = append(backward, n.val)
		}
		reversed := slices.Clone(model)
		slices.Reverse(reversed)
		if diff := gocmp.Diff(model, forward); diff != "" || o.Len() != len(model) {
			t.Fatalf("step %d: forward walk mismatch (-want +got):\n%s", step, diff)
		}
		if diff := gocmp.Diff(reversed, backward); diff != "" {
			t.Fatalf("step %d: backward walk mismatch (-want +got):\n%s", step, diff)
		}
		for probe := -1; probe <= 501; probe++ {
			checkSearch(t, "AtLeast", probe, o.AtLeast(probe), model, func(v int) bool { return v >= probe }, true)
			checkSearch(t, "After", probe, o.After(probe), model, func(v int) bool { return v > probe }, true)
			checkSearch(t, "AtMost", probe, o.AtMost(probe), model, func(v int) bool { return v <= probe }, false)
			checkSearch(t, "Before", probe, o.Before(probe), model, func(v int) bool { return v < probe }, false)
		}
	}
}

// checkSearch compares a search's node with the first (or last) value of model that ok admits.
func checkSearch(t *testing.T, name string, probe int, n *node[int], model []int, ok func(int) bool, first bool) {
	t.Helper()
	want, found := 0, false
	for i := range model {
		v := model[i]
		if !first {
			v = model[len(model)-1-i]
		}
		if ok(v) {
			want, found = v, true
			break
		}
	}
	switch {
	case n == nil && found:
		t.Fatalf("%s(%d) = nil, want %d", name, probe, want)
	case n != nil && (!found || n.val != want):
		t.Fatalf("%s(%d) = %d, want %d (found %v)", name, probe, n.val, want, found)
	}
}
