package localdb

import (
	"errors"

	"github.com/truora/minidyn/interpreter/language"
)

// maxItemSize is the most an item may hold, as in DynamoDB.
const maxItemSize = 400 * 1024

// action is one write of one item: a PutItem, UpdateItem or DeleteItem, or one action of a
// transaction (which may also be a ConditionCheck).
type action struct {
	op        string // "Put", "Update", "Delete" or "ConditionCheck"
	table     string
	item      attrs // Put
	key       attrs // the others
	cond      *string
	update    *string
	names     map[string]string
	values    attrs
	returnOld bool // ReturnValuesOnConditionCheckFailure is ALL_OLD
}

// prepared is an action checked against its table's schema, with nothing yet read.
type prepared struct {
	action
	t  *table
	id string
	// condition is the action's ConditionExpression, parsed; nil for none.
	condition *language.ConditionalExpression
}

// prepare makes the checks that do not depend on what the table holds; a failure is a
// ValidationException (or ResourceNotFoundException) for the whole request. The caller
// holds the engine's lock.
func (e *engine) prepare(a action) (prepared, error) {
	t, err := e.table(a.table)
	if err != nil {
		return prepared{}, err
	}
	p := prepared{action: a, t: t}
	exprs := []expression{{"ConditionExpression", a.cond, kindCondition}}
	switch a.op {
	case "Put":
		if err := validateAttrs(a.item); err != nil {
			return prepared{}, err
		}
		if p.id, _, _, err = t.keyOfItem(a.item); err != nil {
			return prepared{}, err
		}
		if err := t.checkIndexKeys(a.item); err != nil {
			return prepared{}, err
		}
		if itemSize(a.item) > maxItemSize {
			return prepared{}, validation("Item size has exceeded the maximum allowed size")
		}
	case "Update":
		exprs = append(exprs, expression{"UpdateExpression", a.update, kindUpdate})
		fallthrough
	case "Delete", "ConditionCheck":
		if p.id, err = t.keyOf(a.key); err != nil {
			return prepared{}, err
		}
		if a.op == "ConditionCheck" && a.cond == nil {
			return prepared{}, validation("The ConditionExpression of a ConditionCheck must not be empty")
		}
	default:
		return prepared{}, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	conds, err := e.exprs.checkExpressions(a.names, a.values, exprs...)
	if err != nil {
		return prepared{}, err
	}
	p.condition = conds[0]
	if a.update != nil {
		if err := language.ValidateUpdateExpressionDoesNotTargetPrimaryKey(*a.update, a.names, t.key.hash.name, t.key.rng.name); err != nil {
			return prepared{}, validation("%s", err.Error())
		}
	}
	return p, nil
}

// evaluate reads the item the action concerns and works out what it becomes: the item
// before (nil if none) and after (nil if deleted). It changes nothing. It fails with a
// ConditionalCheckFailedException, or a ValidationException when the stored values do not
// suit the update. The caller holds the engine's lock.
func (p prepared) evaluate() (before, after attrs, failure *apiError) {
	before = p.t.get(p.id)
	if p.condition != nil && !matches(p.condition, before, p.names, p.values) {
		if p.returnOld {
			return before, nil, conditionFailed(before)
		}
		return before, nil, conditionFailed(nil)
	}
	switch p.op {
	case "Put":
		return before, p.item, nil
	case "Delete":
		return before, nil, nil
	case "ConditionCheck":
		return before, before, nil
	}
	after = before
	if after == nil {
		after = p.t.keyAttrs(p.key) // an update of no item makes one
	}
	if p.update != nil {
		var err error
		if after, err = applyUpdate(after, *p.update, p.names, p.values); err != nil {
			return before, nil, asAPIError(err)
		}
	}
	if err := p.t.checkIndexKeys(after); err != nil {
		return before, nil, asAPIError(err)
	}
	if itemSize(after) > maxItemSize {
		return before, nil, validation("Item size to update has exceeded the maximum allowed size")
	}
	return before, after, nil
}

// commit stores what evaluate worked out.
func (p prepared) commit(after attrs) {
	if p.op != "ConditionCheck" {
		p.t.write(p.id, after)
	}
}

// asAPIError is err as an API answer: itself if it is one, else a ValidationException.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return validation("%s", err.Error())
}
