package localdb

import (
	"strings"

	"github.com/truora/minidyn/interpreter/language"
	"github.com/truora/minidyn/types"
)

// keyRange is what a KeyConditionExpression selects: one partition, and the sort keys
// between two bounds (nil where unbounded).
type keyRange struct {
	hash         keyVal
	lower, upper *bound
}

type bound struct {
	v         keyVal
	inclusive bool
}

// below reports whether v lies under the lower bound.
func (r keyRange) below(v keyVal) bool {
	if r.lower == nil {
		return false
	}
	c := v.compare(r.lower.v)
	return c < 0 || c == 0 && !r.lower.inclusive
}

// above reports whether v lies over the upper bound.
func (r keyRange) above(v keyVal) bool {
	if r.upper == nil {
		return false
	}
	c := v.compare(r.upper.v)
	return c > 0 || c == 0 && !r.upper.inclusive
}

// keyTerm is one comparison of a key condition: name op values.
type keyTerm struct {
	name string
	op   string // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	vals []*types.Item
}

// parseKeyCondition reads a KeyConditionExpression against an index's key schema, with
// DynamoDB's rules: an equality on the partition key, and at most one condition on the sort key.
func parseKeyCondition(text string, names map[string]string, values attrs, key keySchema) (keyRange, error) {
	p := &keyParser{names: names, values: values}
	l := language.NewLexer(text)
	for tok := l.NextToken(); tok.Type != language.EOF; tok = l.NextToken() {
		p.toks = append(p.toks, tok)
	}
	terms, err := p.conjunction()
	if err == nil && p.pos < len(p.toks) {
		err = p.syntax()
	}
	if err != nil {
		return keyRange{}, err
	}
	var r keyRange
	seen := map[string]bool{}
	for _, t := range terms {
		if t.name != key.hash.name && (t.name != key.rng.name || key.rng.name == "") {
			return keyRange{}, validation("Query condition missed key schema element: %s", missingKey(terms, key))
		}
		if seen[t.name] {
			return keyRange{}, validation("KeyConditionExpressions must only contain one condition per key")
		}
		seen[t.name] = true
		k := key.rng
		if t.name == key.hash.name {
			k = key.hash
			if t.op != "=" {
				return keyRange{}, validation("Query key condition not supported")
			}
		}
		kvs := make([]keyVal, len(t.vals))
		for i, v := range t.vals {
			if t.op == "begins_with" && k.typ == "N" {
				return keyRange{}, validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
			}
			kv, ok := parseKeyVal(v, k.typ)
			if !ok {
				return keyRange{}, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
			if k.typ != "N" && kv.s == "" {
				return keyRange{}, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyWord(k.typ), k.name)
			}
			kvs[i] = kv
		}
		if k == key.hash {
			r.hash = kvs[0]
			continue
		}
		if err := r.bound(t.op, kvs); err != nil {
			return keyRange{}, err
		}
	}
	if !seen[key.hash.name] {
		return keyRange{}, validation("Query condition missed key schema element: %s", key.hash.name)
	}
	return r, nil
}

func missingKey(terms []keyTerm, key keySchema) string {
	for _, t := range terms {
		if t.name == key.hash.name {
			return key.rng.name
		}
	}
	return key.hash.name
}

// bound narrows the range by one sort key condition.
func (r *keyRange) bound(op string, v []keyVal) error {
	switch op {
	case "=":
		r.lower, r.upper = &bound{v[0], true}, &bound{v[0], true}
	case "<", "<=":
		r.upper = &bound{v[0], op == "<="}
	case ">", ">=":
		r.lower = &bound{v[0], op == ">="}
	case "BETWEEN":
		if v[0].compare(v[1]) > 0 {
			return validation("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound")
		}
		r.lower, r.upper = &bound{v[0], true}, &bound{v[1], true}
	case "begins_with":
		// The strings that begin with p are those from p up to, not including, the least
		// string greater than all of them.
		r.lower = &bound{v[0], true}
		if end, ok := prefixEnd(v[0]); ok {
			r.upper = &bound{end, false}
		}
	}
	return nil
}

// keyParser parses key conditions: terms joined by AND, each maybe in parentheses.
type keyParser struct {
	toks   []language.Token
	pos    int
	names  map[string]string
	values attrs
}

func (p *keyParser) peek() language.Token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return language.Token{Type: language.EOF}
}

func (p *keyParser) next() language.Token {
	t := p.peek()
	p.pos++
	return t
}

func (p *keyParser) syntax() error {
	t := p.peek()
	switch t.Type {
	case language.OR, language.NOT, language.IN, language.NotEQ:
		return validation("Invalid operator used in KeyConditionExpression: %s", t.Literal)
	case language.EOF:
		return validation("Invalid KeyConditionExpression: Syntax error; token: <EOF>")
	}
	return validation("Invalid KeyConditionExpression: Syntax error; token: %q", t.Literal)
}

func (p *keyParser) expect(typ language.TokenType) error {
	if p.peek().Type != typ {
		return p.syntax()
	}
	p.pos++
	return nil
}

func (p *keyParser) conjunction() ([]keyTerm, error) {
	var out []keyTerm
	for {
		terms, err := p.term()
		if err != nil {
			return nil, err
		}
		out = append(out, terms...)
		if p.peek().Type != language.AND {
			return out, nil
		}
		p.pos++
	}
}

func (p *keyParser) term() ([]keyTerm, error) {
	t := p.peek()
	switch {
	case t.Type == language.LPAREN:
		p.pos++
		terms, err := p.conjunction()
		if err != nil {
			return nil, err
		}
		return terms, p.expect(language.RPAREN)
	case t.Type == language.IDENT && strings.EqualFold(t.Literal, "begins_with"):
		p.pos++
		if err := p.expect(language.LPAREN); err != nil {
			return nil, err
		}
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expect(language.COMMA); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		return []keyTerm{{name: name, op: "begins_with", vals: []*types.Item{v}}}, p.expect(language.RPAREN)
	}
	return p.comparison()
}

func (p *keyParser) comparison() ([]keyTerm, error) {
	if strings.HasPrefix(p.peek().Literal, ":") {
		// :v op name reads as name op' :v.
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		op := p.next()
		flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[op.Literal]
		if flip == "" {
			p.pos--
			return nil, p.syntax()
		}
		name, err := p.name()
		return []keyTerm{{name: name, op: flip, vals: []*types.Item{v}}}, err
	}
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	op := p.next()
	switch op.Type {
	case language.EQ, language.LT, language.LTE, language.GT, language.GTE:
		v, err := p.value()
		return []keyTerm{{name: name, op: op.Literal, vals: []*types.Item{v}}}, err
	case language.BETWEEN:
		lo, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := p.expect(language.AND); err != nil {
			return nil, err
		}
		hi, err := p.value()
		return []keyTerm{{name: name, op: "BETWEEN", vals: []*types.Item{lo, hi}}}, err
	}
	p.pos--
	return nil, p.syntax()
}

// name reads an attribute name, resolving a #placeholder.
func (p *keyParser) name() (string, error) {
	t := p.peek()
	if t.Type != language.IDENT || strings.HasPrefix(t.Literal, ":") {
		return "", p.syntax()
	}
	p.pos++
	if strings.HasPrefix(t.Literal, "#") {
		return p.names[t.Literal], nil // defined: checkExpressions ran first
	}
	return t.Literal, nil
}

// value reads a :placeholder's value.
func (p *keyParser) value() (*types.Item, error) {
	t := p.peek()
	if t.Type != language.IDENT || !strings.HasPrefix(t.Literal, ":") {
		return nil, p.syntax()
	}
	p.pos++
	return p.values[t.Literal], nil
}
