package localdb

import (
	"strconv"
	"time"
)

// keyAttr is one key attribute of a table or index: its name and scalar type (S, N or B).
type keyAttr struct{ name, typ string }

// keySchema is the key of a table or index; rng.name is empty when it has no sort key.
type keySchema struct{ hash, rng keyAttr }

// table is one table's items, kept in its primary index and in each global secondary index.
type table struct {
	name    string
	created time.Time
	def     createTableInput // as created, for DescribeTable
	key     keySchema
	items   map[string]*record // by primary key identity
	primary *index
	gsis    []*index
	size    int
	ttl     *ttlSpec
}

// record is one item, packed. Index entries point at it, so replacing an item whose index
// keys stay the same costs no index work.
type record struct {
	id   string
	data packed
	size int
	at   []position // its place in each of t.indexes(), the primary index first
}

// ttlSpec is a table's time to live setting, answered back and otherwise unused: like
// DynamoDB, which deletes expired items some time later, the engine keeps them.
type ttlSpec struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

// keyIdentity names a primary key uniquely from its hash and sort key values.
func keyIdentity(hash, rng keyVal) string {
	h := hash.identity()
	return strconv.Itoa(len(h)) + ":" + h + rng.identity()
}

// keyOfItem reads the primary key of an item that is to be written.
func (t *table) keyOfItem(a attrs) (string, keyVal, keyVal, error) {
	hash, err := itemKeyVal(a, t.key.hash)
	if err != nil {
		return "", keyVal{}, keyVal{}, err
	}
	var rng keyVal
	if t.key.rng.name != "" {
		if rng, err = itemKeyVal(a, t.key.rng); err != nil {
			return "", keyVal{}, keyVal{}, err
		}
	}
	return keyIdentity(hash, rng), hash, rng, nil
}

func itemKeyVal(a attrs, k keyAttr) (keyVal, error) {
	v, ok := a[k.name]
	if !ok {
		return keyVal{}, validation("One or more parameter values were invalid: Missing the key %s in the item", k.name)
	}
	kv, ok := parseKeyVal(v, k.typ)
	if !ok {
		return keyVal{}, validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k.name, k.typ, kindOf(v))
	}
	if k.typ != "N" && kv.s == "" {
		return keyVal{}, validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", emptyWord(k.typ), k.name)
	}
	return kv, nil
}

func emptyWord(typ string) string {
	if typ == "B" {
		return "binary"
	}
	return "string"
}

// keyOf reads a request's Key: exactly the table's key attributes, of their types.
func (t *table) keyOf(key attrs) (string, error) {
	want := 1
	if t.key.rng.name != "" {
		want = 2
	}
	if len(key) != want {
		return "", validation("The provided key element does not match the schema")
	}
	if err := validateAttrs(key); err != nil {
		return "", err
	}
	id, _, _, err := t.keyOfItem(key)
	if err != nil {
		return "", validation("The provided key element does not match the schema")
	}
	return id, nil
}

// keyAttrs is the primary key part of an item.
func (t *table) keyAttrs(a attrs) attrs {
	out := attrs{t.key.hash.name: a[t.key.hash.name]}
	if t.key.rng.name != "" {
		out[t.key.rng.name] = a[t.key.rng.name]
	}
	return out
}

// get is the stored item with primary key identity id, or nil. It is the caller's to keep
// or change.
func (t *table) get(id string) attrs {
	if r, ok := t.items[id]; ok {
		return r.data.unpack()
	}
	return nil
}

// checkIndexKeys refuses an item whose secondary index key attributes DynamoDB would not
// index: of the wrong type, or empty.
func (t *table) checkIndexKeys(a attrs) error {
	for _, ix := range t.gsis {
		if _, err := ix.entryKey(a); err != nil {
			return err
		}
	}
	return nil
}

// write stores item under id (replacing any item there), or removes the item at id when
// item is nil, keeping every index in step. Its checks have been made: it cannot fail.
func (t *table) write(id string, item attrs) {
	ixs := t.indexes()
	old := t.items[id]
	if old != nil {
		t.size -= old.size
	}
	if item == nil {
		if old != nil {
			for i, ix := range ixs {
				ix.remove(old.at[i], old)
			}
			delete(t.items, id)
		}
		return
	}
	at := make([]position, len(ixs))
	for i, ix := range ixs {
		at[i], _ = ix.entryKey(item)
	}
	r := old
	if r == nil {
		r = &record{id: id}
		t.items[id] = r
	}
	r.data, r.size = pack(item), itemSize(item)
	t.size += r.size
	for i, ix := range ixs {
		switch {
		case old == nil:
			ix.add(at[i], r)
		case !old.at[i].same(at[i]):
			ix.remove(old.at[i], r)
			ix.add(at[i], r)
		}
	}
	r.at = at
}

func (t *table) indexes() []*index {
	return append([]*index{t.primary}, t.gsis...)
}

// gsi is the global secondary index called name, or nil.
func (t *table) gsi(name string) *index {
	for _, ix := range t.gsis {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// copyAttrs is a shallow copy of a, enough for a map whose values are never changed.
func copyAttrs(a attrs) attrs {
	out := make(attrs, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

// projectNames keeps only the named top-level attributes of a.
func projectNames(a attrs, names []string) attrs {
	out := make(attrs, len(names))
	for _, n := range names {
		if v, ok := a[n]; ok {
			out[n] = v
		}
	}
	return out
}

// tableARN is the ARN DynamoDB Local gives a table.
func tableARN(name string) string {
	return "arn:aws:dynamodb:ddblocal:000000000000:table/" + name
}
