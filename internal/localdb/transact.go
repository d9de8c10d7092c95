package localdb

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
)

// maxTransactItems is the most actions one transaction may hold, as in DynamoDB.
const maxTransactItems = 100

type txPut struct {
	TableName string `json:"TableName"`
	Item      attrs  `json:"Item"`
	conditional
}

type txKeyed struct {
	TableName string `json:"TableName"`
	Key       attrs  `json:"Key"`
	conditional
}

type txUpdate struct {
	txKeyed
	UpdateExpression *string `json:"UpdateExpression,omitempty"`
}

type transactItem struct {
	ConditionCheck *txKeyed  `json:"ConditionCheck,omitempty"`
	Put            *txPut    `json:"Put,omitempty"`
	Delete         *txKeyed  `json:"Delete,omitempty"`
	Update         *txUpdate `json:"Update,omitempty"`
}

type transactInput struct {
	TransactItems      []transactItem `json:"TransactItems"`
	ClientRequestToken *string        `json:"ClientRequestToken,omitempty"`
	common
}

// TransactWriteItems writes its actions all or not at all. Under the engine's lock, every
// action is first checked and evaluated against the table as it stands (so no condition
// sees another action's write, and an item may be named only once); only when every
// condition holds are the results stored, which cannot fail. A cancelled transaction
// answers one reason per action, in order. A ClientRequestToken seen on a transaction that
// succeeded in the last 10 minutes answers success again without writing, or
// IdempotentParameterMismatchException if the actions differ.
func (e *engine) TransactWriteItems(in *transactInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	n := len(in.TransactItems)
	if n == 0 || n > maxTransactItems {
		return nil, validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTransactItems)
	}
	actions := make([]action, n)
	for i, it := range in.TransactItems {
		a, err := it.action()
		if err != nil {
			return nil, err
		}
		actions[i] = a
	}
	var fingerprint [32]byte
	if in.ClientRequestToken != nil {
		if l := len(*in.ClientRequestToken); l < 1 || l > 36 {
			return nil, validation("1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36 and greater than or equal to 1")
		}
		fingerprint = fingerprintOf(actions)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	// Validated first: a retry under a used token that is not a valid request is refused as
	// such, not taken for the request it retries.
	ps := make([]prepared, n)
	touched := make(map[string]bool, n)
	for i, a := range actions {
		p, err := e.prepare(a)
		if err != nil {
			return nil, err
		}
		id := a.table + "\x00" + p.id
		if touched[id] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		touched[id] = true
		ps[i] = p
	}
	if in.ClientRequestToken != nil {
		if seen, ok := e.tokens.lookup(*in.ClientRequestToken, now); ok {
			if seen.fingerprint != fingerprint {
				return nil, newError("IdempotentParameterMismatchException", "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.")
			}
			return struct{}{}, nil
		}
	}
	afters := make([]attrs, n)
	reasons := make([]reason, n)
	failed := false
	for i, p := range ps {
		_, after, failure := p.evaluate()
		reasons[i] = reason{Code: "None"}
		switch {
		case failure == nil:
			afters[i] = after
		case failure.code == "ConditionalCheckFailedException":
			reasons[i] = reason{Code: "ConditionalCheckFailed", Message: conditionFailedMessage, Item: toWireItem(failure.item)}
			failed = true
		default:
			reasons[i] = reason{Code: "ValidationError", Message: failure.message}
			failed = true
		}
	}
	if failed {
		return nil, cancelled(reasons)
	}
	for i, p := range ps {
		p.commit(afters[i])
	}
	if in.ClientRequestToken != nil {
		e.tokens.record(*in.ClientRequestToken, fingerprint, now)
	}
	return struct{}{}, nil
}

// action is the one write a transaction item names.
func (it transactItem) action() (action, error) {
	var a action
	var c conditional
	set := 0
	if x := it.ConditionCheck; x != nil {
		a, c, set = action{op: "ConditionCheck", table: x.TableName, key: x.Key}, x.conditional, set+1
	}
	if x := it.Put; x != nil {
		a, c, set = action{op: "Put", table: x.TableName, item: x.Item}, x.conditional, set+1
	}
	if x := it.Delete; x != nil {
		a, c, set = action{op: "Delete", table: x.TableName, key: x.Key}, x.conditional, set+1
	}
	if x := it.Update; x != nil {
		a, c, set = action{op: "Update", table: x.TableName, key: x.Key, update: x.UpdateExpression}, x.conditional, set+1
	}
	if set != 1 {
		return action{}, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	var err error
	if a.returnOld, err = c.returnOld(); err != nil {
		return action{}, err
	}
	a.cond, a.names, a.values = c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues
	return a, nil
}

// fingerprintOf identifies a transaction's actions: equal for equal requests, however the
// maps in them were ordered on the wire.
func fingerprintOf(actions []action) [32]byte {
	b := make([]byte, 0, 4096)
	optional := func(s *string) {
		if s == nil {
			b = append(b, 0)
			return
		}
		b = appendString(append(b, 1), *s)
	}
	for _, a := range actions {
		b = appendString(b, a.op)
		b = appendString(b, a.table)
		b = appendCanonical(b, a.item)
		b = appendCanonical(b, a.key)
		optional(a.cond)
		optional(a.update)
		b = binary.AppendUvarint(b, uint64(len(a.names)))
		for _, k := range slices.Sorted(maps.Keys(a.names)) {
			b = appendString(appendString(b, k), a.names[k])
		}
		b = appendCanonical(b, a.values)
		if a.returnOld {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return sha256.Sum256(b)
}
