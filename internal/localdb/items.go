package localdb

// common are the parameters every item request may carry that change nothing here.
type common struct {
	ReturnConsumedCapacity      string `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics string `json:"ReturnItemCollectionMetrics,omitempty"`
}

// check refuses a request for capacity or collection metrics, which are not measured here.
func (c common) check() error {
	if c.ReturnConsumedCapacity != "" && c.ReturnConsumedCapacity != "NONE" {
		return unsupported("ReturnConsumedCapacity %s", c.ReturnConsumedCapacity)
	}
	if c.ReturnItemCollectionMetrics != "" && c.ReturnItemCollectionMetrics != "NONE" {
		return unsupported("ReturnItemCollectionMetrics %s", c.ReturnItemCollectionMetrics)
	}
	return nil
}

// conditional are the parameters of a conditional write.
type conditional struct {
	ConditionExpression                 *string           `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues           attrs             `json:"ExpressionAttributeValues,omitempty"`
	ReturnValuesOnConditionCheckFailure string            `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

func (c conditional) returnOld() (bool, error) {
	switch c.ReturnValuesOnConditionCheckFailure {
	case "", "NONE":
		return false, nil
	case "ALL_OLD":
		return true, nil
	}
	return false, validation("Member must satisfy enum value set: [ALL_OLD, NONE] at 'returnValuesOnConditionCheckFailure'")
}

type putItemInput struct {
	TableName string `json:"TableName"`
	Item      attrs  `json:"Item"`
	conditional
	common
	ReturnValues string `json:"ReturnValues,omitempty"`
}

type keyedInput struct {
	TableName string `json:"TableName"`
	Key       attrs  `json:"Key"`
	conditional
	common
	ReturnValues string `json:"ReturnValues,omitempty"`
}

type updateItemInput struct {
	keyedInput
	UpdateExpression *string `json:"UpdateExpression,omitempty"`
}

// itemOutput is the answer to a single-item write.
type itemOutput struct {
	Attributes wireItem `json:"Attributes,omitempty"`
}

// PutItem writes a whole item, under its condition.
func (e *engine) PutItem(in *putItemInput) (any, error) {
	if in.ReturnValues != "" && in.ReturnValues != "NONE" && in.ReturnValues != "ALL_OLD" {
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	return e.writeOne(action{op: "Put", table: in.TableName, item: in.Item}, in.conditional, in.common, in.ReturnValues)
}

// DeleteItem removes an item, under its condition.
func (e *engine) DeleteItem(in *keyedInput) (any, error) {
	if in.ReturnValues != "" && in.ReturnValues != "NONE" && in.ReturnValues != "ALL_OLD" {
		return nil, validation("ReturnValues can only be ALL_OLD or NONE")
	}
	return e.writeOne(action{op: "Delete", table: in.TableName, key: in.Key}, in.conditional, in.common, in.ReturnValues)
}

// UpdateItem changes (or creates) an item by its update expression, under its condition.
func (e *engine) UpdateItem(in *updateItemInput) (any, error) {
	switch in.ReturnValues {
	case "", "NONE", "ALL_OLD", "ALL_NEW":
	case "UPDATED_OLD", "UPDATED_NEW":
		return nil, unsupported("ReturnValues %s", in.ReturnValues)
	default:
		return nil, validation("Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW] at 'returnValues'")
	}
	a := action{op: "Update", table: in.TableName, key: in.Key, update: in.UpdateExpression}
	return e.writeOne(a, in.conditional, in.common, in.ReturnValues)
}

func (e *engine) writeOne(a action, c conditional, com common, returnValues string) (any, error) {
	if err := com.check(); err != nil {
		return nil, err
	}
	var err error
	if a.returnOld, err = c.returnOld(); err != nil {
		return nil, err
	}
	a.cond, a.names, a.values = c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues
	e.mu.Lock()
	defer e.mu.Unlock()
	p, err := e.prepare(a)
	if err != nil {
		return nil, err
	}
	before, after, failure := p.evaluate()
	if failure != nil {
		return nil, failure
	}
	p.commit(after)
	switch returnValues {
	case "ALL_OLD":
		return itemOutput{Attributes: toWireItem(before)}, nil
	case "ALL_NEW":
		return itemOutput{Attributes: toWireItem(after)}, nil
	}
	return itemOutput{}, nil
}

type getItemInput struct {
	TableName                string            `json:"TableName"`
	Key                      attrs             `json:"Key"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ReturnConsumedCapacity   string            `json:"ReturnConsumedCapacity,omitempty"`
}

type getItemOutput struct {
	Item wireItem `json:"Item,omitempty"`
}

// GetItem reads one item. Every read here is strongly consistent.
func (e *engine) GetItem(in *getItemInput) (any, error) {
	if err := (common{ReturnConsumedCapacity: in.ReturnConsumedCapacity}).check(); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	item, err := e.read(in.TableName, in.Key, in.ProjectionExpression, in.ExpressionAttributeNames)
	if err != nil {
		return nil, err
	}
	return getItemOutput{Item: toWireItem(item)}, nil
}

// read is the item at key, projected, or nil. The caller holds the engine's lock.
func (e *engine) read(tableName string, key attrs, proj *string, names map[string]string) (attrs, error) {
	t, err := e.table(tableName)
	if err != nil {
		return nil, err
	}
	if _, err := e.exprs.checkExpressions(names, nil, expression{"ProjectionExpression", proj, kindProjection}); err != nil {
		return nil, err
	}
	id, err := t.keyOf(key)
	if err != nil {
		return nil, err
	}
	item := t.get(id)
	if item == nil || proj == nil {
		return item, nil
	}
	return project(item, *proj, names)
}
