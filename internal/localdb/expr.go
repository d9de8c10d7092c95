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
// every one defined is used. It returns the condition each expression parsed to (nil for those that are absent or are
// no condition), index-aligned with exprs, so that evaluating it parses nothing again.
func (c *exprCache) checkExpressions(names map[string]string, values attrs, exprs ...expression) ([]*language.ConditionalExpression, error) {
	if names != nil && len(names) == 0 {
		return nil, validation("ExpressionAttributeNames must not be empty")
	}
	if values != nil && len(values) == 0 {
		return nil, validation("ExpressionAttributeValues must not be empty")
	}
	if err := validateAttrs(values); err != nil {
		return nil, err
	}
	conds := make([]*language.ConditionalExpression, len(exprs))
	usedNames, usedValues := map[string]bool{}, map[string]bool{}
	for i, x := range exprs {
		if x.text == nil {
			continue
		}
		if strings.TrimSpace(*x.text) == "" {
			return nil, validation("Invalid %s: The expression can not be empty;", x.label)
		}
		px := c.parse(x)
		if px.err != nil {
			return nil, px.err
		}
		conds[i] = px.cond
		for _, ident := range px.placeholders {
			switch {
			case strings.HasPrefix(ident, "#"):
				if _, ok := names[ident]; !ok {
					return nil, validation("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", x.label, ident)
				}
				usedNames[ident] = true
			default:
				if _, ok := values[ident]; !ok {
					return nil, validation("Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s", x.label, ident)
				}
				usedValues[ident] = true
			}
		}
	}
	if unused := unusedKeys(names, usedNames); unused != "" {
		return nil, validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", unused)
	}
	if unused := unusedKeys(values, usedValues); unused != "" {
		return nil, validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", unused)
	}
	return conds, nil
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

// exprCache keeps what parsing found for each expression seen, by kind, label and text:
// a client sends a few dozen distinct expressions over and over, and parsing is most of
// the cost of checking one. It is bounded: past maxParsed it starts again empty. Its zero
// value is ready; it is safe for concurrent use.
type exprCache struct {
	mu sync.Mutex
	m  map[exprKey]*parsedExpr
}

type exprKey struct {
	label, text string
	kind        int
}

const maxParsed = 4096

// parse is x parsed, from the cache when it was parsed before.
func (c *exprCache) parse(x expression) *parsedExpr {
	key := exprKey{label: x.label, text: *x.text, kind: x.kind}
	c.mu.Lock()
	px, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return px
	}
	px = parseNew(x)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxParsed {
		c.m = make(map[exprKey]*parsedExpr)
	}
	c.m[key] = px
	c.mu.Unlock()
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
		if len(p.Errors()) == 0 {
			if err := checkCondition(x.label, c.Expression); err != nil {
				px.err = err
				return px
			}
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

// matches evaluates a condition or filter, as checkExpressions parsed it once for the
// request, on an item (nil for none). An expression that cannot be evaluated on this item's
// values (comparing a number with a string, say) is false, as in DynamoDB.
func matches(cond *language.ConditionalExpression, item attrs, names map[string]string, values attrs) bool {
	env := language.NewEnvironment()
	if names != nil {
		env.Aliases = names
	}
	if env.AddAttributes(item) != nil || env.AddAttributes(values) != nil {
		return false
	}
	return holds(cond.Expression, env)
}

// holds evaluates a condition as DynamoDB does. The interpreter turns a function or a
// comparison it cannot apply to the item's values (contains, begins_with, size or < on an
// attribute the item lacks, a string compared with a number) into an error that fails the
// whole condition; in DynamoDB only that part is false, and AND, OR and NOT go on from
// there. So they are taken apart here and each part is evaluated on its own, an error
// being false. What is no valid condition at all was refused before (checkCondition).
func holds(e language.Expression, env *language.Environment) bool {
	switch n := e.(type) {
	case *language.InfixExpression:
		switch n.Operator {
		case language.AND:
			return holds(n.Left, env) && holds(n.Right, env)
		case language.OR:
			return holds(n.Left, env) || holds(n.Right, env)
		}
	case *language.PrefixExpression:
		if n.Operator == language.NOT {
			return !holds(n.Right, env)
		}
	case *language.BetweenExpression:
		ops := pathsBound(env, n.Left, n.Range[0], n.Range[1])
		if ops == nil {
			return false
		}
		e = &language.BetweenExpression{Token: n.Token, Left: ops[0], Range: [2]language.Expression{ops[1], ops[2]}}
	case *language.InExpression:
		ops := pathsBound(env, append([]language.Expression{n.Left}, n.Range...)...)
		if ops == nil {
			return false
		}
		e = &language.InExpression{Token: n.Token, Left: ops[0], Range: ops[1:]}
	}
	return language.Eval(e, env) == language.TRUE
}

// pathsBound is ops with each path into an attribute (a.b, a[0]), which the interpreter's
// BETWEEN and IN do not take, replaced by a name bound in env to the path's value; nil when
// a path cannot be read (the item lacks it: the condition is false).
func pathsBound(env *language.Environment, ops ...language.Expression) []language.Expression {
	out := make([]language.Expression, len(ops))
	for i, op := range ops {
		path, ok := op.(*language.IndexExpression)
		if !ok {
			out[i] = op
			continue
		}
		v := language.Eval(path, env)
		if v == nil || v.Type() == language.ObjectTypeError || v.Type() == language.ObjectTypeNull {
			return nil
		}
		name := "\x00operand" + strconv.Itoa(i)
		env.Set(name, v)
		out[i] = &language.Identifier{Value: name}
	}
	return out
}

// conditionFunctions are the functions a condition may call, with their numbers of
// arguments; size may only be an operand.
var conditionFunctions = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2,
}

// checkCondition refuses, as DynamoDB does, what parses but is no condition: a function it
// does not know or that returns no truth value, the wrong number of arguments, an operand
// (a bare attribute, a value) standing where a condition must.
func checkCondition(label string, e language.Expression) error {
	switch n := e.(type) {
	case *language.InfixExpression:
		switch n.Operator {
		case language.AND, language.OR:
			if err := checkCondition(label, n.Left); err != nil {
				return err
			}
			return checkCondition(label, n.Right)
		case language.EQ, language.NotEQ, language.LT, language.LTE, language.GT, language.GTE:
			return checkOperands(label, n.Left, n.Right)
		}
	case *language.PrefixExpression:
		if n.Operator == language.NOT {
			return checkCondition(label, n.Right)
		}
	case *language.BetweenExpression:
		return checkOperands(label, n.Left, n.Range[0], n.Range[1])
	case *language.InExpression:
		return checkOperands(label, append([]language.Expression{n.Left}, n.Range...)...)
	case *language.CallExpression:
		name := functionName(n)
		want, ok := conditionFunctions[name]
		switch {
		case !ok && knownFunction(name):
			return validation("Invalid %s: The function is not allowed to be used this way in an expression; function: %s", label, name)
		case !ok:
			return validation("Invalid %s: Invalid function name; function: %s", label, name)
		case len(n.Arguments) != want:
			return validation("Invalid %s: Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", label, name, len(n.Arguments))
		}
		return checkOperands(label, n.Arguments...)
	}
	return validation("Invalid %s: The expression is not a condition: %s", label, e.String())
}

// checkOperands refuses operands that are not attributes, values or size of one.
func checkOperands(label string, es ...language.Expression) error {
	for _, e := range es {
		switch n := e.(type) {
		case *language.Identifier, *language.IndexExpression:
		case *language.CallExpression:
			name := functionName(n)
			switch {
			case name == "size" && len(n.Arguments) == 1:
				if err := checkOperands(label, n.Arguments...); err != nil {
					return err
				}
			case name == "size":
				return validation("Invalid %s: Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", label, len(n.Arguments))
			case knownFunction(name):
				return validation("Invalid %s: The function is not allowed to be used this way in an expression; function: %s", label, name)
			default:
				return validation("Invalid %s: Invalid function name; function: %s", label, name)
			}
		default:
			return validation("Invalid %s: Syntax error; token: %s", label, e.String())
		}
	}
	return nil
}

// functionName is the name a call calls.
func functionName(c *language.CallExpression) string {
	if id, ok := c.Function.(*language.Identifier); ok {
		return id.Value
	}
	return c.Function.String()
}

// knownFunction reports whether name is a function of DynamoDB's expressions.
func knownFunction(name string) bool {
	_, ok := conditionFunctions[name]
	return ok || name == "size" || name == "if_not_exists" || name == "list_append"
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
