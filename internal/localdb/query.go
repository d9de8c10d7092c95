package localdb

import "github.com/truora/minidyn/interpreter/language"

// maxPageSize is how much a Query or Scan reads before it stops and answers a
// LastEvaluatedKey, as in DynamoDB (1 MB).
const maxPageSize = 1 << 20

// readInput are the parameters Query and Scan share.
type readInput struct {
	TableName                 string            `json:"TableName"`
	IndexName                 *string           `json:"IndexName,omitempty"`
	FilterExpression          *string           `json:"FilterExpression,omitempty"`
	ProjectionExpression      *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames  map[string]string `json:"ExpressionAttributeNames,omitempty"`
	ExpressionAttributeValues attrs             `json:"ExpressionAttributeValues,omitempty"`
	Limit                     *int              `json:"Limit,omitempty"`
	ExclusiveStartKey         attrs             `json:"ExclusiveStartKey,omitempty"`
	ConsistentRead            *bool             `json:"ConsistentRead,omitempty"`
	Select                    string            `json:"Select,omitempty"`
	ReturnConsumedCapacity    string            `json:"ReturnConsumedCapacity,omitempty"`
}

type queryInput struct {
	readInput
	KeyConditionExpression *string `json:"KeyConditionExpression,omitempty"`
	ScanIndexForward       *bool   `json:"ScanIndexForward,omitempty"`
}

type pageOutput struct {
	Items            *[]wireItem `json:"Items,omitempty"`
	Count            int         `json:"Count"`
	ScannedCount     int         `json:"ScannedCount"`
	LastEvaluatedKey wireItem    `json:"LastEvaluatedKey,omitempty"`
}

// reader evaluates one page of a Query or Scan over entries of one index.
type reader struct {
	in     *readInput
	ix     *index
	count  bool                            // Select COUNT
	filter *language.ConditionalExpression // the FilterExpression, parsed; nil for none
}

// newReader checks the parameters Query and Scan share. The caller holds the lock.
func (e *engine) newReader(in *readInput, extra ...expression) (*reader, error) {
	if err := (common{ReturnConsumedCapacity: in.ReturnConsumedCapacity}).check(); err != nil {
		return nil, err
	}
	t, err := e.table(in.TableName)
	if err != nil {
		return nil, err
	}
	r := &reader{in: in, ix: t.primary}
	if in.IndexName != nil {
		if r.ix = t.gsi(*in.IndexName); r.ix == nil {
			return nil, validation("The table does not have the specified index: %s", *in.IndexName)
		}
		if in.ConsistentRead != nil && *in.ConsistentRead {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
	}
	if in.Limit != nil && *in.Limit < 1 {
		return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
	}
	switch in.Select {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT":
	default:
		return nil, validation("Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES] at 'select'")
	}
	switch {
	case in.Select == "ALL_PROJECTED_ATTRIBUTES" && in.IndexName == nil:
		return nil, validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	case in.Select == "ALL_ATTRIBUTES" && r.ix.name != "" && r.ix.projection.typ != "ALL":
		return nil, validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", r.ix.name)
	case in.Select == "SPECIFIC_ATTRIBUTES" && in.ProjectionExpression == nil:
		return nil, validation("SPECIFIC_ATTRIBUTES requires a ProjectionExpression")
	case in.Select != "" && in.Select != "SPECIFIC_ATTRIBUTES" && in.ProjectionExpression != nil:
		return nil, validation("Cannot specify the ProjectionExpression when choosing to get %s", in.Select)
	}
	r.count = in.Select == "COUNT"
	exprs := append([]expression{
		{"FilterExpression", in.FilterExpression, kindCondition},
		{"ProjectionExpression", in.ProjectionExpression, kindProjection},
	}, extra...)
	conds, err := e.exprs.checkExpressions(in.ExpressionAttributeNames, in.ExpressionAttributeValues, exprs...)
	if err != nil {
		return nil, err
	}
	r.filter = conds[0]
	return r, nil
}

// startKey reads an ExclusiveStartKey as a position in the index: its partition, and the
// probe that the page continues after.
func (r *reader) startKey(t *table) (keyVal, *entry, error) {
	esk := r.in.ExclusiveStartKey
	invalid := validation("The provided starting key is invalid: The provided key element does not match the schema")
	if err := validateAttrs(esk); err != nil {
		return keyVal{}, nil, invalid
	}
	tableKey := projectNames(esk, []string{t.key.hash.name, t.key.rng.name})
	id, err := t.keyOf(tableKey)
	if err != nil {
		return keyVal{}, nil, invalid
	}
	p, err := r.ix.entryKey(esk)
	if err != nil || !p.in || len(esk) != len(r.ix.lastKeyNames()) {
		return keyVal{}, nil, invalid
	}
	return p.hash, &entry{rng: p.rng, id: id}, nil
}

// read walks the entries next gives until it gives nil, and answers the page: the items
// that pass the filter, and where to continue when it stopped at its Limit or at 1 MB.
func (r *reader) read(next func() *entry) pageOutput {
	var out pageOutput
	items := []wireItem{}
	size := 0
	for e := next(); e != nil; e = next() {
		out.ScannedCount++
		size += e.rec.size
		item := r.ix.project(e.rec.data.unpack())
		if r.filter == nil || matches(r.filter, item, r.in.ExpressionAttributeNames, r.in.ExpressionAttributeValues) {
			out.Count++
			if !r.count {
				if r.in.ProjectionExpression != nil {
					// Checked by checkExpressions; an item it cannot project is left whole.
					if p, err := project(item, *r.in.ProjectionExpression, r.in.ExpressionAttributeNames); err == nil {
						item = p
					}
				}
				items = append(items, toWireItem(item))
			}
		}
		if (r.in.Limit != nil && out.ScannedCount == *r.in.Limit) || size >= maxPageSize {
			out.LastEvaluatedKey = toWireItem(r.ix.lastKey(e.rec.data.unpack()))
			break
		}
	}
	if !r.count {
		out.Items = &items
	}
	return out
}

// lastKeyNames are the attributes of this index's LastEvaluatedKey.
func (ix *index) lastKeyNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range []string{ix.tableKey.hash.name, ix.tableKey.rng.name, ix.key.hash.name, ix.key.rng.name} {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
