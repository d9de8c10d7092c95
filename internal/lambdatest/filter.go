package lambdatest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Filters are the patterns of a trigger's FilterCriteria, each as JSON.
func (t Trigger) Filters() ([]string, error) {
	fc, ok := t.Properties["FilterCriteria"].(map[string]any)
	if !ok {
		return nil, nil
	}
	list, _ := fc["Filters"].([]any)
	var out []string
	for i, f := range list {
		m, _ := f.(map[string]any)
		p, ok := m["Pattern"].(string)
		if !ok {
			return nil, fmt.Errorf("filter %d has no Pattern string", i)
		}
		out = append(out, p)
	}
	return out, nil
}

// StreamRecord is a DynamoDB stream record of the change to item, as Lambda's event
// filtering sees it: its event name (INSERT, MODIFY, REMOVE) and its new image in DynamoDB
// JSON.
func StreamRecord(eventName string, item map[string]types.AttributeValue) map[string]any {
	return map[string]any{"eventName": eventName, "dynamodb": map[string]any{"NewImage": dynamoJSON(item)}}
}

func dynamoJSON(item map[string]types.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range item {
		out[k] = attributeJSON(v)
	}
	return out
}

func attributeJSON(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": dynamoJSON(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = attributeJSON(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	}
	return map[string]any{}
}

// Matches reports whether any of patterns (Lambda event filtering's syntax) matches record.
// It knows what Gatehouse's template uses — values to equal and {"exists": bool} — and
// answers an error for any other rule, so a pattern it cannot judge is never passed.
func Matches(patterns []string, record map[string]any) (bool, error) {
	for _, p := range patterns {
		var pattern map[string]any
		if err := json.Unmarshal([]byte(p), &pattern); err != nil {
			return false, fmt.Errorf("pattern %s: %w", p, err)
		}
		ok, err := matchObject(pattern, record)
		if err != nil {
			return false, fmt.Errorf("pattern %s: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func matchObject(pattern, record map[string]any) (bool, error) {
	for key, want := range pattern {
		got, present := record[key]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !present || !ok {
				// A nested pattern of only {"exists": false} rules matches an absent key.
				if absentOK(want) {
					continue
				}
				return false, nil
			}
			ok, err := matchObject(want, sub)
			if err != nil || !ok {
				return false, err
			}
		case []any:
			ok, err := matchValue(want, got, present)
			if err != nil || !ok {
				return false, err
			}
		default:
			return false, fmt.Errorf("%s: a rule must be an object or an array, not %v", key, want)
		}
	}
	return true, nil
}

// absentOK reports whether pattern holds only rules that an absent value satisfies.
func absentOK(pattern map[string]any) bool {
	for _, want := range pattern {
		switch want := want.(type) {
		case map[string]any:
			if !absentOK(want) {
				return false
			}
		case []any:
			if ok, err := matchValue(want, nil, false); err != nil || !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// matchValue reports whether the value got (present or not) meets any rule of rules.
func matchValue(rules []any, got any, present bool) (bool, error) {
	for _, r := range rules {
		switch r := r.(type) {
		case map[string]any:
			if len(r) != 1 {
				return false, fmt.Errorf("unsupported rule %v", r)
			}
			exists, ok := r["exists"].(bool)
			if !ok {
				return false, fmt.Errorf("unsupported rule %v", r)
			}
			if _, object := got.(map[string]any); object {
				// Lambda's exists judges leaf values only: on an object it is a mistake
				// (every record would match exists: false).
				return false, fmt.Errorf("rule %v on an object, not a leaf value: name the attribute's type too, as {\"S\": [...]}", r)
			}
			if exists == present {
				return true, nil
			}
		case float64:
			return false, fmt.Errorf("unsupported rule %v: DynamoDB JSON's numbers are strings (write \"%v\")", r, r)
		case string, bool, nil:
			if present && equalValue(r, got) {
				return true, nil
			}
		default:
			return false, fmt.Errorf("unsupported rule %v", r)
		}
	}
	return false, nil
}

// equalValue compares a rule's literal with a record's leaf value.
func equalValue(rule, got any) bool {
	return reflect.DeepEqual(rule, got)
}
