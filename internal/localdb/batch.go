package localdb

import "slices"

// DynamoDB's bounds on batches.
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

type keysAndAttributes struct {
	Keys                     []attrs           `json:"Keys"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
}

type batchGetInput struct {
	RequestItems           map[string]keysAndAttributes `json:"RequestItems"`
	ReturnConsumedCapacity string                       `json:"ReturnConsumedCapacity,omitempty"`
}

type batchGetOutput struct {
	Responses       map[string][]wireItem        `json:"Responses"`
	UnprocessedKeys map[string]keysAndAttributes `json:"UnprocessedKeys"`
}

// BatchGetItem reads up to 100 items from one or more tables. It reads them all, at one
// moment, so UnprocessedKeys is always empty.
func (e *engine) BatchGetItem(in *batchGetInput) (any, error) {
	if err := (common{ReturnConsumedCapacity: in.ReturnConsumedCapacity}).check(); err != nil {
		return nil, err
	}
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, ka := range in.RequestItems {
		if len(ka.Keys) == 0 {
			return nil, validation("1 validation error detected: Value at 'requestItems.keys' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		total += len(ka.Keys)
	}
	if total > maxBatchGet {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := batchGetOutput{Responses: map[string][]wireItem{}, UnprocessedKeys: map[string]keysAndAttributes{}}
	for _, name := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[name]
		t, err := e.table(name)
		if err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(ka.Keys))
		for _, key := range ka.Keys {
			id, err := t.keyOf(key)
			if err != nil {
				return nil, err
			}
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
		}
		items := []wireItem{}
		for _, key := range ka.Keys {
			item, err := e.read(name, key, ka.ProjectionExpression, ka.ExpressionAttributeNames)
			if err != nil {
				return nil, err
			}
			if item != nil {
				items = append(items, toWireItem(item))
			}
		}
		out.Responses[name] = items
	}
	return out, nil
}

type writeRequest struct {
	PutRequest *struct {
		Item attrs `json:"Item"`
	} `json:"PutRequest,omitempty"`
	DeleteRequest *struct {
		Key attrs `json:"Key"`
	} `json:"DeleteRequest,omitempty"`
}

type batchWriteInput struct {
	RequestItems map[string][]writeRequest `json:"RequestItems"`
	common
}

type batchWriteOutput struct {
	UnprocessedItems map[string][]writeRequest `json:"UnprocessedItems"`
}

// BatchWriteItem puts or deletes up to 25 items, unconditionally. It checks every request
// before it writes any, and then writes them all, so UnprocessedItems is always empty.
func (e *engine) BatchWriteItem(in *batchWriteInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	total := 0
	for _, reqs := range in.RequestItems {
		total += len(reqs)
	}
	if total == 0 || total > maxBatchWrite {
		return nil, validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var writes []prepared
	for _, name := range sortedKeys(in.RequestItems) {
		seen := map[string]bool{}
		for _, req := range in.RequestItems[name] {
			var a action
			switch {
			case req.PutRequest != nil && req.DeleteRequest == nil:
				a = action{op: "Put", table: name, item: req.PutRequest.Item}
			case req.DeleteRequest != nil && req.PutRequest == nil:
				a = action{op: "Delete", table: name, key: req.DeleteRequest.Key}
			default:
				return nil, validation("A WriteRequest must contain exactly one of PutRequest or DeleteRequest")
			}
			p, err := e.prepare(a)
			if err != nil {
				return nil, err
			}
			if seen[p.id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[p.id] = true
			writes = append(writes, p)
		}
	}
	for _, p := range writes {
		p.commit(p.item)
	}
	return batchWriteOutput{UnprocessedItems: map[string][]writeRequest{}}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
