package scim

import (
	"encoding/json"
	"slices"
	"strings"
)

// patchSchema is the URN of RFC 7644's PatchOp message.
const patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// patchRequest is a PATCH body. Keys match case-insensitively, so Entra's "Operations" and
// a lower-case "operations" both read.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// patchOp is one operation as sent.
type patchOp struct {
	Op    string          `json:"op"`
	Path  *string         `json:"path"`
	Value json.RawMessage `json:"value"`
}

// The PATCH operations, lower-cased: Entra ID sends "Add", "Replace" and "Remove".
const (
	opAdd     = "add"
	opRemove  = "remove"
	opReplace = "replace"
)

// target is one attribute an operation touches and the value it brings there.
type target struct {
	op    string
	path  patchPath
	value json.RawMessage
	// keyed is set when the target came from a key of a path-less operation's value.
	keyed bool
}

// patchTargets checks a PATCH body and expands every operation into the attributes it
// touches, in order. A path-less add or replace brings an object whose keys are themselves
// paths: {"active": false}, and Entra's {"name.givenName": "…"} and
// {"emails[type eq \"work\"].value": "…"}. schema is the resource's core schema URN, under
// which keys may also be nested.
func patchTargets(req patchRequest, schema string) ([]target, error) {
	if len(req.Schemas) > 0 && !slices.ContainsFunc(req.Schemas, func(s string) bool { return strings.EqualFold(s, patchSchema) }) {
		return nil, badRequest(typeInvalidSyntax, "a PATCH body has the schema %s", patchSchema)
	}
	if len(req.Operations) == 0 {
		return nil, badRequest(typeInvalidSyntax, "a PATCH body needs at least one operation in Operations")
	}
	var out []target
	for i, o := range req.Operations {
		op := strings.ToLower(strings.TrimSpace(o.Op))
		if op != opAdd && op != opRemove && op != opReplace {
			return nil, badRequest(typeInvalidSyntax, "Operations[%d].op must be add, remove or replace", i)
		}
		if o.Path != nil && strings.TrimSpace(*o.Path) != "" {
			p, err := parsePath(*o.Path)
			if err != nil {
				return nil, err
			}
			if op != opRemove && len(o.Value) == 0 {
				return nil, badRequest(typeInvalidValue, "Operations[%d] (%s) needs a value", i, op)
			}
			out = append(out, target{op: op, path: p, value: o.Value})
			continue
		}
		if op == opRemove {
			return nil, badRequest(typeNoTarget, "Operations[%d] removes without a path", i)
		}
		expanded, err := keyedTargets(op, o.Value, schema, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, expanded...)
	}
	return out, nil
}

// keyedTargets reads each key of value as a path. A key that is the core schema URN
// itself nests further attributes (once).
func keyedTargets(op string, value json.RawMessage, schema string, depth int) ([]target, error) {
	members, ok, err := objectMembers(value)
	if err != nil || !ok {
		return nil, badRequest(typeInvalidValue, "an operation without a path needs an object of attributes as its value")
	}
	var out []target
	for _, m := range members {
		p, err := parsePath(m.key)
		if err != nil {
			return nil, err
		}
		if p.attr.name == "" && p.attr.schema == strings.ToLower(schema) && depth == 0 {
			nested, err := keyedTargets(op, m.value, schema, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
			continue
		}
		out = append(out, target{op: op, path: p, value: m.value, keyed: true})
	}
	return out, nil
}

// idTarget checks a target on id, which is read-only: a path-less value may repeat the
// resource's own id (Okta sends it when renaming a group), anything else is refused.
func idTarget(t target, id string) error {
	if t.keyed && t.op != opRemove {
		if s, err := stringValue(t.value, "id"); err == nil && s == id {
			return nil
		}
	}
	return badRequest(typeMutability, "id is read-only")
}
