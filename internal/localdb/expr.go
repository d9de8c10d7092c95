package localdb

import (
	"slices"
	"strings"

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
		if err := parses(x); err != nil {
			return err
		}
		l := language.NewLexer(*x.text)
		for tok := l.NextToken(); tok.Type != language.EOF; tok = l.NextToken() {
			switch {
			case tok.Type != language.IDENT:
			case strings.HasPrefix(tok.Literal, "#"):
				if _, ok := names[tok.Literal]; !ok {
					return validation("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", x.label, tok.Literal)
				}
				usedNames[tok.Literal] = true
			case strings.HasPrefix(tok.Literal, ":"):
				if _, ok := values[tok.Literal]; !ok {
					return validation("Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s", x.label, tok.Literal)
				}
				usedValues[tok.Literal] = true
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

// parses checks an expression's syntax with the interpreter's own parser; key conditions
// have theirs (parseKeyCondition).
func parses(x expression) error {
	p := language.NewParser(language.NewLexer(*x.text))
	switch x.kind {
	case kindCondition:
		if c := p.ParseConditionalExpression(); len(p.Errors()) == 0 && c.Expression == nil {
			return validation("Invalid %s: The expression can not be empty;", x.label)
		}
	case kindUpdate:
		p = language.NewUpdateParser(language.NewLexer(*x.text))
		p.ParseUpdateExpression()
		if p.IsUnsupportedExpression() {
			return unsupported("this %s: %s", x.label, strings.Join(p.Errors(), "; "))
		}
	case kindProjection:
		p.ParseProjectionExpression()
	default:
		return nil
	}
	if errs := p.Errors(); len(errs) > 0 {
		return validation("Invalid %s: Syntax error; %s", x.label, strings.Join(errs, "; "))
	}
	return nil
}

// matches evaluates a condition or filter on an item (nil for none). An expression that
// cannot be evaluated on this item's values (comparing a number with a string, say) is
// false, as in DynamoDB; its syntax was checked before.
func matches(cond string, item attrs, names map[string]string, values attrs) bool {
	if item == nil {
		item = attrs{}
	}
	var li interpreter.Language
	ok, err := li.Match(interpreter.MatchInput{
		Expression: cond, ExpressionType: interpreter.ExpressionTypeConditional,
		Item: item, Aliases: names, Attributes: values,
	})
	return err == nil && ok
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
