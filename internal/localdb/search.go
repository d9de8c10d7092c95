package localdb

import (
	"strings"

	"github.com/truora/minidyn/interpreter/language"
)

// Query reads one page of a partition of the table or of a secondary index, in sort key order.
func (e *engine) Query(in *queryInput) (any, error) {
	if in.KeyConditionExpression == nil {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	r, err := e.newReader(&in.readInput, expression{"KeyConditionExpression", in.KeyConditionExpression, kindKey})
	if err != nil {
		return nil, err
	}
	kr, err := parseKeyCondition(*in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues, r.ix.key)
	if err != nil {
		return nil, err
	}
	if in.FilterExpression != nil {
		if err := filterSparesKeys(*in.FilterExpression, in.ExpressionAttributeNames, r.ix.key); err != nil {
			return nil, err
		}
	}
	var start *entry
	if in.ExclusiveStartKey != nil {
		hash, probe, err := r.startKey(e.tables[in.TableName])
		if err != nil {
			return nil, err
		}
		if hash.identity() != kr.hash.identity() {
			return nil, validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
		if kr.below(probe.rng) || kr.above(probe.rng) {
			return nil, validation("The provided starting key does not match the range key predicate")
		}
		start = probe
	}
	part := r.ix.parts[kr.hash.identity()]
	if part == nil {
		return r.read(func() *entry { return nil }), nil
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	var n *node[entry]
	if forward {
		n = part.entries.First()
		if kr.lower != nil {
			n = part.entries.AtLeast(entry{rng: kr.lower.v, edge: edge(!kr.lower.inclusive)})
		}
		if start != nil {
			n = later(n, part.entries.After(*start))
		}
	} else {
		n = part.entries.Last()
		if kr.upper != nil {
			n = part.entries.AtMost(entry{rng: kr.upper.v, edge: edge(kr.upper.inclusive)})
		}
		if start != nil {
			n = earlier(n, part.entries.Before(*start))
		}
	}
	return r.read(func() *entry {
		if n == nil || forward && kr.above(n.val.rng) || !forward && kr.below(n.val.rng) {
			return nil
		}
		e := &n.val
		if forward {
			n = n.Next()
		} else {
			n = n.Prev()
		}
		return e
	}), nil
}

// filterSparesKeys refuses a Query filter on the index's key attributes, as DynamoDB does:
// those belong in the key condition. Function names (followed by a parenthesis) and nested
// names (after a dot) are not attributes of the item.
func filterSparesKeys(filter string, names map[string]string, key keySchema) error {
	var toks []language.Token
	l := language.NewLexer(filter)
	for tok := l.NextToken(); tok.Type != language.EOF; tok = l.NextToken() {
		toks = append(toks, tok)
	}
	for i, tok := range toks {
		switch {
		case tok.Type != language.IDENT, strings.HasPrefix(tok.Literal, ":"),
			i > 0 && toks[i-1].Type == language.DOT, i+1 < len(toks) && toks[i+1].Type == language.LPAREN:
			continue
		}
		name := tok.Literal
		if real, ok := names[name]; ok {
			name = real
		}
		if name == key.hash.name || key.rng.name != "" && name == key.rng.name {
			return validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", name)
		}
	}
	return nil
}

// edge is the probe that sorts after (true) or before (false) every entry of a sort key value.
func edge(after bool) int8 {
	if after {
		return 1
	}
	return -1
}

// later is the later of two positions; nil (past the end) is latest.
func later(a, b *node[entry]) *node[entry] {
	if a == nil || b == nil {
		return nil
	}
	if compareEntries(a.val, b.val) >= 0 {
		return a
	}
	return b
}

// earlier is the earlier of two positions walking backwards; nil (before the start) is earliest.
func earlier(a, b *node[entry]) *node[entry] {
	if a == nil || b == nil {
		return nil
	}
	if compareEntries(a.val, b.val) <= 0 {
		return a
	}
	return b
}

// Scan reads one page of the whole table or index: partition after partition, each in sort
// key order.
func (e *engine) Scan(in *readInput) (any, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r, err := e.newReader(in)
	if err != nil {
		return nil, err
	}
	pn := r.ix.order.First()
	var en *node[entry]
	if pn != nil {
		en = pn.val.entries.First()
	}
	if in.ExclusiveStartKey != nil {
		hash, probe, err := r.startKey(e.tables[in.TableName])
		if err != nil {
			return nil, err
		}
		pn, en = r.ix.order.AtLeast(&partition{hash: hash}), nil
		switch {
		case pn != nil && pn.val.hash.compare(hash) == 0:
			en = pn.val.entries.After(*probe)
		case pn != nil:
			en = pn.val.entries.First()
		}
	}
	return r.read(func() *entry {
		for pn != nil {
			if en != nil {
				e := &en.val
				en = en.Next()
				return e
			}
			if pn = pn.Next(); pn != nil {
				en = pn.val.entries.First()
			}
		}
		return nil
	}), nil
}
