package localdb

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/truora/minidyn/interpreter"
	"github.com/truora/minidyn/interpreter/language"
	"github.com/truora/minidyn/types"
)

// The kinds of expression a request carries, each parsed by its own grammar.
const (
	kindCondition = iota
	kindUpdate
	kindProjection
	kindKey
)

// expression is one expression of a request, named as DynamoDB names it in errors.
type expression struct {
	label string // "ConditionExpression", "FilterExpression", ...
	text  *string
	kind  int
}

// checkExpressions validates a request's (or a transaction action's) expressions before
// anything is read, as DynamoDB does: each parses, every placeholder used is defined and
// every one defined is used.
func checkExpressions(names map[string]string, values attrs, exprs ...expression) error {
	if names != nil && len(names) == 0 {
		return validation("ExpressionAttributeNames must not be empty")
	}
	if values != nil && len(values) == 0 {
		return validation("ExpressionAttributeValues must not be empty")
	}
	if err := validateAttrs(values); err != nil {
		return err
	}
	usedNames, usedValues := map[string]bool{}, map[string]bool{}
	for _, x := range exprs {
		if x.text == nil {
			continue
		}
		if strings.TrimSpace(*x.text) == "" {
			return validation("Invalid %s: The expression can not be empty;", x.label)
		}
		px := parse(x)
		if px.err != nil {
			return px.err
		}
		for _, ident := range px.placeholders {
			switch {
			case strings.HasPrefix(ident, "#"):
				if _, ok := names[ident]; !ok {
					return validation("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", x.label, ident)
				}
				usedNames[ident] = true
			default:
				if _, ok := values[ident]; !ok {
					return validation("Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s", x.label, ident)
				}
				usedValues[ident] = true
			}
		}
	}
	if unused := unusedKeys(names, usedNames); unused != "" {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", unused)
	}
	if unused := unusedKeys(values, usedValues); unused != "" {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", unused)
	}
	return nil
}

func unusedKeys[V any](m map[string]V, used map[string]bool) string {
	var out []string
	for k := range m {
		if !used[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// parsedExpr is what parsing one expression found.
type parsedExpr struct {
	err error // its syntax error; nil when it parses
	// placeholders are the #names and :values it uses, in order.
	placeholders []string
	// cond is the parsed condition (kindCondition only), for matches.
	cond *language.ConditionalExpression
}

// parsedExprs keeps what parsing found for each expression seen, by kind, label and text:
// a client sends a few dozen distinct expressions over and over, and parsing is most of
// the cost of checking one. It is bounded: past maxParsed it starts again empty.
var parsedExprs = struct {
	sync.Mutex
	m map[exprKey]*parsedExpr
}{}

type exprKey struct {
	label, text string
	kind        int
}

const maxParsed = 4096

// parse is x parsed, from parsedExprs when it was parsed before.
func parse(x expression) *parsedExpr {
	key := exprKey{label: x.label, text: *x.text, kind: x.kind}
	parsedExprs.Lock()
	px, ok := parsedExprs.m[key]
	parsedExprs.Unlock()
	if ok {
		return px
	}
	px = parseNew(x)
	parsedExprs.Lock()
	if parsedExprs.m == nil || len(parsedExprs.m) >= maxParsed {
		parsedExprs.m = make(map[exprKey]*parsedExpr)
	}
	parsedExprs.m[key] = px
	parsedExprs.Unlock()
	return px
}

// parseNew parses x with the interpreter's own parser; key conditions have theirs
// (parseKeyCondition), and only their placeholders are found here.
func parseNew(x expression) *parsedExpr {
	px := &parsedExpr{}
	l := language.NewLexer(*x.text)
	for tok := l.NextToken(); tok.Type != language.EOF; tok = l.NextToken() {
		if tok.Type == language.IDENT && (strings.HasPrefix(tok.Literal, "#") || strings.HasPrefix(tok.Literal, ":")) {
			px.placeholders = append(px.placeholders, tok.Literal)
		}
	}
	p := language.NewParser(language.NewLexer(*x.text))
	switch x.kind {
	case kindCondition:
		c := p.ParseConditionalExpression()
		if len(p.Errors()) == 0 && c.Expression == nil {
			px.err = validation("Invalid %s: The expression can not be empty;", x.label)
			return px
		}
		px.cond = c
	case kindUpdate:
		p = language.NewUpdateParser(language.NewLexer(*x.text))
		p.ParseUpdateExpression()
		if p.IsUnsupportedExpression() {
			px.err = unsupported("this %s: %s", x.label, strings.Join(p.Errors(), "; "))
			return px
		}
	case kindProjection:
		p.ParseProjectionExpression()
	default:
		return px
	}
	if errs := p.Errors(); len(errs) > 0 {
		px.err, px.cond = validation("Invalid %s: Syntax error; %s", x.label, strings.Join(errs, "; ")), nil
	}
	return px
}

// matches evaluates a condition or filter on an item (nil for none). An expression that
// cannot be evaluated on this item's values (comparing a number with a string, say) is
// false, as in DynamoDB; its syntax and placeholders were checked before, once for the
// request (checkExpressions).
func matches(cond string, item attrs, names map[string]string, values attrs) bool {
	px := parse(expression{label: "ConditionExpression", text: &cond, kind: kindCondition})
	if px.cond == nil {
		return false
	}
	env := language.NewEnvironment()
	if names != nil {
		env.Aliases = names
	}
	if env.AddAttributes(item) != nil || env.AddAttributes(values) != nil {
		return false
	}
	return holds(px.cond.Expression, env, item, names) == truthTrue
}

// truth is what a part of a condition comes to.
type truth int

const (
	truthFalse truth = iota
	truthTrue
	// truthInvalid is a part the interpreter cannot evaluate although the item has every
	// attribute it names (a function it does not know, a value that is no condition): the
	// whole condition is then false.
	truthInvalid
)

// holds evaluates a condition as DynamoDB does. The interpreter turns a function or a
// comparison on an attribute the item does not have (contains, begins_with, size, <) into
// an error that fails the whole condition; in DynamoDB only that part is false, and AND,
// OR and NOT go on from there. So they are taken apart here and each part is evaluated on
// its own: an error is false where the part names an attribute the item lacks, and makes
// the whole condition false otherwise.
func holds(e language.Expression, env *language.Environment, item attrs, names map[string]string) truth {
	switch n := e.(type) {
	case *language.InfixExpression:
		if n.Operator == language.AND || n.Operator == language.OR {
			l, r := holds(n.Left, env, item, names), holds(n.Right, env, item, names)
			switch {
			case l == truthInvalid || r == truthInvalid:
				return truthInvalid
			case n.Operator == language.AND:
				return truthOf(l == truthTrue && r == truthTrue)
			default:
				return truthOf(l == truthTrue || r == truthTrue)
			}
		}
	case *language.PrefixExpression:
		if n.Operator == language.NOT {
			switch holds(n.Right, env, item, names) {
			case truthTrue:
				return truthFalse
			case truthFalse:
				return truthTrue
			}
			return truthInvalid
		}
	}
	switch obj := language.Eval(e, env); {
	case obj == language.TRUE:
		return truthTrue
	case obj == language.FALSE:
		return truthFalse
	case obj.Type() == language.ObjectTypeError && lacks(e, item, names):
		return truthFalse
	}
	return truthInvalid
}

func truthOf(b bool) truth {
	if b {
		return truthTrue
	}
	return truthFalse
}

// lacks reports whether e names an attribute, or a path into one, that item does not have.
func lacks(e language.Expression, item attrs, names map[string]string) bool {
	switch n := e.(type) {
	case *language.Identifier, *language.IndexExpression:
		_, ok := resolve(n, item, names)
		return !ok
	case *language.InfixExpression:
		return lacks(n.Left, item, names) || lacks(n.Right, item, names)
	case *language.PrefixExpression:
		return lacks(n.Right, item, names)
	case *language.CallExpression:
		return slices.ContainsFunc(n.Arguments, func(a language.Expression) bool { return lacks(a, item, names) })
	case *language.BetweenExpression:
		return lacks(n.Left, item, names) || lacks(n.Range[0], item, names) || lacks(n.Range[1], item, names)
	case *language.InExpression:
		return lacks(n.Left, item, names) || slices.ContainsFunc(n.Range, func(a language.Expression) bool { return lacks(a, item, names) })
	}
	return false
}

// resolve is the value of the path e names in item (a name, a.b, a[0]); ok is false when
// the item lacks it. What is no path (a :value placeholder) is never lacking.
func resolve(e language.Expression, item attrs, names map[string]string) (*types.Item, bool) {
	switch n := e.(type) {
	case *language.Identifier:
		name := n.Value
		if strings.HasPrefix(name, ":") {
			return nil, true
		}
		if alias, ok := names[name]; ok {
			name = alias
		}
		v, ok := item[name]
		return v, ok && v != nil
	case *language.IndexExpression:
		base, ok := resolve(n.Left, item, names)
		step, isName := n.Index.(*language.Identifier)
		if !ok || base == nil || !isName {
			return nil, false
		}
		if n.Type == language.ObjectTypeMap {
			key := step.Value
			if alias, ok := names[key]; ok {
				key = alias
			}
			v, ok := base.M[key]
			return v, ok && v != nil
		}
		i, err := strconv.Atoi(step.Value)
		if err != nil || i < 0 || i >= len(base.L) {
			return nil, false
		}
		return base.L[i], base.L[i] != nil
	}
	return nil, true
}

// applyUpdate is the item an update expression makes of base (the stored item, or just the
// key for a new one). Only the attributes the expression names change; the rest keep their
// stored values exactly. The interpreter rewrites every attribute it carries (numbers pass
// through float64) and does not delete what REMOVE removes; both are undone here: an
// attribute it names but no longer holds a value of its own for is removed, like an emptied set.
func applyUpdate(base attrs, expr string, names map[string]string, values attrs) (attrs, error) {
	work := copyAttrs(base)
	var li interpreter.Language
	err := li.Update(interpreter.UpdateInput{Expression: expr, Item: work, Attributes: values, Aliases: names})
	if err != nil {
		return nil, validation("Invalid UpdateExpression: %s", strings.TrimPrefix(err.Error(), "ERROR: "))
	}
	out := copyAttrs(base)
	for _, name := range updateTargets(expr, names) {
		v, ok := work[name]
		if !ok || v == base[name] || emptyValue(v) {
			delete(out, name)
			continue
		}
		out[name] = v
	}
	return out, nil
}

// emptyValue reports a value DynamoDB does not keep: a set with no members left.
func emptyValue(v *types.Item) bool {
	switch kindOf(v) {
	case "":
		return true
	case "SS":
		return len(v.SS) == 0
	case "NS":
		return len(v.NS) == 0
	case "BS":
		return len(v.BS) == 0
	}
	return false
}

// updateTargets are the top-level attributes an update expression's actions write.
func updateTargets(expr string, names map[string]string) []string {
	p := language.NewUpdateParser(language.NewLexer(expr))
	stmt := p.ParseUpdateExpression()
	ue, ok := stmt.Expression.(*language.UpdateExpression)
	if !ok {
		return nil
	}
	var out []string
	for _, x := range ue.Expressions {
		if a, ok := x.(*language.ActionExpression); ok && a != nil {
			if name, ok := rootName(a.Left, names); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

func rootName(x language.Expression, names map[string]string) (string, bool) {
	switch n := x.(type) {
	case *language.Identifier:
		if real, ok := names[n.Value]; ok {
			return real, true
		}
		return n.Value, true
	case *language.IndexExpression:
		return rootName(n.Left, names)
	}
	return "", false
}

// project applies a ProjectionExpression to an item. The interpreter leaves a hole for each
// list element not projected; DynamoDB answers the projected elements alone, in order.
func project(item attrs, expr string, names map[string]string) (attrs, error) {
	var li interpreter.Language
	out, err := li.Project(interpreter.ProjectInput{Expression: expr, Item: item, Aliases: names})
	if err != nil {
		return nil, validation("Invalid ProjectionExpression: %s", err.Error())
	}
	for _, v := range out {
		closeHoles(v)
	}
	return out, nil
}

func closeHoles(v *types.Item) {
	if v == nil {
		return
	}
	if v.L != nil {
		kept := v.L[:0]
		for _, e := range v.L {
			if e != nil {
				closeHoles(e)
				kept = append(kept, e)
			}
		}
		v.L = kept
	}
	for _, e := range v.M {
		closeHoles(e)
	}
}
