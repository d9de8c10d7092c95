package localdb

import (
	"slices"
	"time"
)

type attrDef struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

type keyElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type projectionDef struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

type throughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

type gsiDef struct {
	IndexName             string         `json:"IndexName"`
	KeySchema             []keyElement   `json:"KeySchema"`
	Projection            *projectionDef `json:"Projection"`
	ProvisionedThroughput *throughput    `json:"ProvisionedThroughput,omitempty"`
}

type streamSpec struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

type createTableInput struct {
	TableName              string       `json:"TableName"`
	AttributeDefinitions   []attrDef    `json:"AttributeDefinitions"`
	KeySchema              []keyElement `json:"KeySchema"`
	GlobalSecondaryIndexes []gsiDef     `json:"GlobalSecondaryIndexes,omitempty"`
	BillingMode            string       `json:"BillingMode,omitempty"`
	ProvisionedThroughput  *throughput  `json:"ProvisionedThroughput,omitempty"`
	StreamSpecification    *streamSpec  `json:"StreamSpecification,omitempty"`
}

type tableNameInput struct {
	TableName string `json:"TableName"`
}

// CreateTable makes an empty table, active at once.
func (e *engine) CreateTable(in *createTableInput) (any, error) {
	t, err := newTable(in, e.now())
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.tables[in.TableName]; ok {
		return nil, newError("ResourceInUseException", "Table already exists: %s", in.TableName)
	}
	e.tables[in.TableName] = t
	return map[string]any{"TableDescription": t.describe("ACTIVE")}, nil
}

func newTable(in *createTableInput, now time.Time) (*table, error) {
	if in.TableName == "" {
		return nil, validation("TableName must not be empty")
	}
	types := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		if !slices.Contains([]string{"S", "N", "B"}, d.AttributeType) {
			return nil, validation("Member must satisfy enum value set: [B, N, S] at 'attributeDefinitions.attributeType'")
		}
		types[d.AttributeName] = d.AttributeType
	}
	used := map[string]bool{}
	parseKey := func(elems []keyElement, what string) (keySchema, error) {
		var ks keySchema
		for i, el := range elems {
			typ, ok := types[el.AttributeName]
			if !ok {
				return ks, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: %v", el.AttributeName, keysOf(types))
			}
			used[el.AttributeName] = true
			switch {
			case el.KeyType == "HASH" && i == 0:
				ks.hash = keyAttr{el.AttributeName, typ}
			case el.KeyType == "RANGE" && i == 1:
				ks.rng = keyAttr{el.AttributeName, typ}
			default:
				return ks, validation("Invalid KeySchema of %s: a HASH key, then optionally a RANGE key", what)
			}
		}
		if ks.hash.name == "" || ks.hash.name == ks.rng.name {
			return ks, validation("Invalid KeySchema of %s: a HASH key, then optionally a RANGE key", what)
		}
		return ks, nil
	}
	key, err := parseKey(in.KeySchema, "the table")
	if err != nil {
		return nil, err
	}
	provisioned := in.BillingMode == "" || in.BillingMode == "PROVISIONED"
	if provisioned && in.ProvisionedThroughput == nil {
		return nil, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	t := &table{name: in.TableName, created: now, def: *in, key: key, items: map[string]*record{}}
	t.primary = newIndex("", key, key, projection{typ: "ALL"})
	for _, g := range in.GlobalSecondaryIndexes {
		gk, err := parseKey(g.KeySchema, "index "+g.IndexName)
		if err != nil {
			return nil, err
		}
		if g.IndexName == "" || t.gsi(g.IndexName) != nil {
			return nil, validation("One or more parameter values were invalid: Duplicate index name: %s", g.IndexName)
		}
		if g.Projection == nil || !slices.Contains([]string{"ALL", "KEYS_ONLY", "INCLUDE"}, g.Projection.ProjectionType) {
			return nil, validation("One or more parameter values were invalid: Unknown ProjectionType for index %s", g.IndexName)
		}
		if provisioned && g.ProvisionedThroughput == nil {
			return nil, validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", g.IndexName)
		}
		p := projection{typ: g.Projection.ProjectionType, include: g.Projection.NonKeyAttributes}
		t.gsis = append(t.gsis, newIndex(g.IndexName, gk, key, p))
	}
	if len(used) != len(types) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	return t, nil
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// describe is the table's TableDescription.
func (t *table) describe(status string) map[string]any {
	d := map[string]any{
		"TableName":            t.name,
		"TableStatus":          status,
		"TableArn":             tableARN(t.name),
		"CreationDateTime":     float64(t.created.UnixMilli()) / 1000,
		"AttributeDefinitions": t.def.AttributeDefinitions,
		"KeySchema":            t.def.KeySchema,
		"ItemCount":            len(t.items),
		"TableSizeBytes":       t.size,
		"ProvisionedThroughput": map[string]any{
			"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0,
		},
	}
	if pt := t.def.ProvisionedThroughput; pt != nil {
		d["ProvisionedThroughput"] = map[string]any{
			"ReadCapacityUnits": pt.ReadCapacityUnits, "WriteCapacityUnits": pt.WriteCapacityUnits, "NumberOfDecreasesToday": 0,
		}
	}
	if t.def.BillingMode != "" {
		d["BillingModeSummary"] = map[string]any{"BillingMode": t.def.BillingMode}
	}
	if t.def.StreamSpecification != nil {
		d["StreamSpecification"] = t.def.StreamSpecification
	}
	if len(t.gsis) > 0 {
		gsis := make([]map[string]any, len(t.gsis))
		for i, g := range t.def.GlobalSecondaryIndexes {
			gsis[i] = map[string]any{
				"IndexName":   g.IndexName,
				"IndexArn":    tableARN(t.name) + "/index/" + g.IndexName,
				"KeySchema":   g.KeySchema,
				"Projection":  g.Projection,
				"IndexStatus": "ACTIVE",
				"ItemCount":   t.gsis[i].count,
			}
		}
		d["GlobalSecondaryIndexes"] = gsis
	}
	return d
}

// DescribeTable answers a table's description.
func (e *engine) DescribeTable(in *tableNameInput) (any, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	t, ok := e.tables[in.TableName]
	if !ok {
		return nil, tableNotFound(in.TableName)
	}
	return map[string]any{"Table": t.describe("ACTIVE")}, nil
}

// DeleteTable drops a table and its items.
func (e *engine) DeleteTable(in *tableNameInput) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tables[in.TableName]
	if !ok {
		return nil, tableNotFound(in.TableName)
	}
	delete(e.tables, in.TableName)
	return map[string]any{"TableDescription": t.describe("DELETING")}, nil
}

type listTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName,omitempty"`
	Limit                   int    `json:"Limit,omitempty"`
}

// ListTables names the tables in order, 100 (or Limit) at a time.
func (e *engine) ListTables(in *listTablesInput) (any, error) {
	limit := in.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	e.mu.RLock()
	names := make([]string, 0, len(e.tables))
	for n := range e.tables {
		if n > in.ExclusiveStartTableName {
			names = append(names, n)
		}
	}
	e.mu.RUnlock()
	slices.Sort(names)
	out := map[string]any{"TableNames": names}
	if len(names) > limit {
		out["TableNames"], out["LastEvaluatedTableName"] = names[:limit], names[limit-1]
	}
	return out, nil
}

type updateTTLInput struct {
	TableName               string  `json:"TableName"`
	TimeToLiveSpecification ttlSpec `json:"TimeToLiveSpecification"`
}

// UpdateTimeToLive records a table's TTL setting.
func (e *engine) UpdateTimeToLive(in *updateTTLInput) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tables[in.TableName]
	if !ok {
		return nil, tableNotFound(in.TableName)
	}
	if in.TimeToLiveSpecification.AttributeName == "" {
		return nil, validation("TimeToLiveSpecification.AttributeName must not be empty")
	}
	spec := in.TimeToLiveSpecification
	t.ttl = &spec
	return map[string]any{"TimeToLiveSpecification": spec}, nil
}

// DescribeTimeToLive answers a table's TTL setting.
func (e *engine) DescribeTimeToLive(in *tableNameInput) (any, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	t, ok := e.tables[in.TableName]
	if !ok {
		return nil, tableNotFound(in.TableName)
	}
	desc := map[string]any{"TimeToLiveStatus": "DISABLED"}
	if t.ttl != nil && t.ttl.Enabled {
		desc = map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttl.AttributeName}
	}
	return map[string]any{"TimeToLiveDescription": desc}, nil
}
