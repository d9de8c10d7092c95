package localdb

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/truora/minidyn/types"
)

// attrs is an item, a key or a set of expression values: attribute names to values, held in
// minidyn's representation so that its expression interpreter evaluates them as they are.
// A map stored in a table is never changed again; writes replace it.
type attrs = map[string]*types.Item

// numberPattern is the decimal notation DynamoDB accepts for numbers.
var numberPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// kindOf names the one type an attribute value holds ("S", "N", "L", ...), or "" when it
// holds none or more than one.
func kindOf(v *types.Item) string {
	if v == nil {
		return ""
	}
	kind, n := "", 0
	set := func(ok bool, k string) {
		if ok {
			kind, n = k, n+1
		}
	}
	set(v.S != nil, "S")
	set(v.N != nil, "N")
	set(v.B != nil, "B")
	set(v.BOOL != nil, "BOOL")
	set(v.NULL != nil, "NULL")
	set(v.SS != nil, "SS")
	set(v.NS != nil, "NS")
	set(v.BS != nil, "BS")
	set(v.L != nil, "L")
	set(v.M != nil, "M")
	if n != 1 {
		return ""
	}
	return kind
}

// validateAttrs checks every value of a request's item, key or expression values the way
// DynamoDB does before it looks at any table.
func validateAttrs(a attrs) error {
	for name, v := range a {
		if err := validateValue(v); err != nil {
			return fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	return nil
}

func validateValue(v *types.Item) error {
	switch kindOf(v) {
	case "":
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	case "N":
		return validateNumber(*v.N)
	case "NULL":
		if !*v.NULL {
			return validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
	case "SS":
		return validateSet("string", len(v.SS), func(i int) (string, error) { return deref(v.SS[i]), nil })
	case "NS":
		return validateSet("number", len(v.NS), func(i int) (string, error) {
			n := deref(v.NS[i])
			if err := validateNumber(n); err != nil {
				return "", err
			}
			r, _ := new(big.Rat).SetString(n)
			return r.RatString(), nil
		})
	case "BS":
		return validateSet("binary", len(v.BS), func(i int) (string, error) { return string(v.BS[i]), nil })
	case "L":
		for _, e := range v.L {
			if err := validateValue(e); err != nil {
				return err
			}
		}
	case "M":
		return validateAttrs(v.M)
	}
	return nil
}

func validateNumber(n string) error {
	if !numberPattern.MatchString(n) {
		return validation("The parameter cannot be converted to a numeric value: %s", n)
	}
	return nil
}

// validateSet refuses empty sets and sets with a member twice, member(i) giving each
// member's identity.
func validateSet(kind string, n int, member func(int) (string, error)) error {
	if n == 0 {
		return validation("One or more parameter values were invalid: An %s set  may not be empty", kind)
	}
	seen := make(map[string]bool, n)
	for i := range n {
		m, err := member(i)
		if err != nil {
			return err
		}
		if seen[m] {
			return validation("One or more parameter values were invalid: Input collection contains duplicates")
		}
		seen[m] = true
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// keyVal is a key attribute's value in the form it sorts in: strings and binaries by their
// bytes, numbers by their value.
type keyVal struct {
	s string   // S, or B as bytes
	n *big.Rat // N
}

// parseKeyVal reads v as a key value of type typ ("S", "N" or "B").
func parseKeyVal(v *types.Item, typ string) (keyVal, bool) {
	switch typ {
	case "S":
		if v.S != nil && kindOf(v) == "S" {
			return keyVal{s: *v.S}, true
		}
	case "B":
		if v.B != nil && kindOf(v) == "B" {
			return keyVal{s: string(v.B)}, true
		}
	case "N":
		if v.N != nil && kindOf(v) == "N" {
			if r, ok := new(big.Rat).SetString(*v.N); ok && numberPattern.MatchString(*v.N) {
				return keyVal{n: r}, true
			}
		}
	}
	return keyVal{}, false
}

func (k keyVal) compare(o keyVal) int {
	if k.n != nil && o.n != nil {
		return k.n.Cmp(o.n)
	}
	return strings.Compare(k.s, o.s)
}

// identity is the same for equal values: 1 and 1.0 are one number, as in DynamoDB.
func (k keyVal) identity() string {
	if k.n != nil {
		return "n" + k.n.RatString()
	}
	return "s" + k.s
}

// hasPrefix reports whether k begins with p (strings and binaries only).
func (k keyVal) hasPrefix(p keyVal) bool { return k.n == nil && strings.HasPrefix(k.s, p.s) }

// prefixEnd is the least value greater than every value that begins with p, or false when
// there is none (p is empty or all 0xff bytes).
func prefixEnd(p keyVal) (keyVal, bool) {
	b := []byte(p.s)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return keyVal{}, false
	}
	b[len(b)-1]++
	return keyVal{s: string(b)}, true
}

// itemSize approximates DynamoDB's size of an item: the lengths of attribute names and values.
func itemSize(a attrs) int {
	n := 0
	for name, v := range a {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v *types.Item) int {
	switch kindOf(v) {
	case "S":
		return len(*v.S)
	case "N":
		return len(*v.N)/2 + 1
	case "B":
		return len(v.B)
	case "SS":
		n := 0
		for _, s := range v.SS {
			n += len(deref(s))
		}
		return n
	case "NS":
		n := 0
		for _, s := range v.NS {
			n += len(deref(s))/2 + 1
		}
		return n
	case "BS":
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case "L":
		n := 3
		for _, e := range v.L {
			n += 1 + valueSize(e)
		}
		return n
	case "M":
		return 3 + itemSize(v.M)
	}
	return 1
}
