package localdb

import (
	"github.com/truora/minidyn/types"
)

// wireValue is an attribute value as the DynamoDB JSON protocol writes it: exactly one
// member, empty lists and maps included.
type wireValue struct {
	S    *string               `json:"S,omitempty"`
	N    *string               `json:"N,omitempty"`
	B    *[]byte               `json:"B,omitempty"`
	BOOL *bool                 `json:"BOOL,omitempty"`
	NULL *bool                 `json:"NULL,omitempty"`
	SS   []string              `json:"SS,omitempty"`
	NS   []string              `json:"NS,omitempty"`
	BS   [][]byte              `json:"BS,omitempty"`
	L    *[]*wireValue         `json:"L,omitempty"`
	M    *map[string]wireValue `json:"M,omitempty"`
}

// wireItem is an item in an answer.
type wireItem map[string]wireValue

func toWireItem(a attrs) wireItem {
	if a == nil {
		return nil
	}
	out := make(wireItem, len(a))
	for k, v := range a {
		out[k] = toWire(v)
	}
	return out
}

func toWireItems(items []attrs) []wireItem {
	out := make([]wireItem, len(items))
	for i, it := range items {
		out[i] = toWireItem(it)
	}
	return out
}

func toWire(v *types.Item) wireValue {
	var w wireValue
	switch kindOf(v) {
	case "S":
		w.S = v.S
	case "N":
		w.N = v.N
	case "B":
		w.B = &v.B
	case "BOOL":
		w.BOOL = v.BOOL
	case "NULL":
		t := true
		w.NULL = &t
	case "SS":
		w.SS = derefAll(v.SS)
	case "NS":
		w.NS = derefAll(v.NS)
	case "BS":
		w.BS = v.BS
	case "L":
		l := make([]*wireValue, len(v.L))
		for i, e := range v.L {
			ew := toWire(e)
			l[i] = &ew
		}
		w.L = &l
	case "M":
		m := make(map[string]wireValue, len(v.M))
		for k, e := range v.M {
			m[k] = toWire(e)
		}
		w.M = &m
	default:
		// Only the expression interpreter could make a value of no type; DynamoDB has none,
		// so it is answered as NULL rather than as JSON the SDK cannot read.
		t := true
		w.NULL = &t
	}
	return w
}

func derefAll(ss []*string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = deref(s)
	}
	return out
}
