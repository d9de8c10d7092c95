package lambdatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// recordSources are what each record of a batch event source says it came from.
var recordSources = map[string]string{
	"DynamoDB": "aws:dynamodb",
	"Kinesis":  "aws:kinesis",
	"SQS":      "aws:sqs",
	"S3":       "aws:s3",
	"SNS":      "aws:sns",
}

// MatchTrigger returns nil when payload is an event tr delivers to its function, else why it
// is not: an API event names the trigger's resource and a method it routes, a schedule sends
// its Input or a Scheduled Event, a batch event's records come from the trigger's service and
// pass its FilterCriteria, an EventBridge rule's event matches its Pattern.
func MatchTrigger(tr Trigger, payload []byte) error {
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("event is not a JSON object: %w", err)
	}
	if in, ok := tr.Properties["Input"]; ok {
		var want any
		if err := json.Unmarshal([]byte(scalar(in)), &want); err != nil {
			return fmt.Errorf("the trigger's Input is not JSON: %w", err)
		}
		if !reflect.DeepEqual(any(ev), want) {
			return errors.New("the event is not the trigger's Input")
		}
		return nil
	}
	switch tr.Type {
	case "Api":
		return matchAPI(tr, ev)
	case "Schedule":
		if ev["detail-type"] != "Scheduled Event" || ev["source"] != "aws.events" {
			return errors.New(`a schedule sends detail-type "Scheduled Event" from source "aws.events"`)
		}
		return nil
	case "EventBridgeRule", "CloudWatchEvent":
		pattern, _ := tr.Properties["Pattern"].(map[string]any)
		return matchPattern(pattern, ev)
	}
	source, ok := recordSources[tr.Type]
	if !ok {
		return fmt.Errorf("no check for %s triggers: teach MatchTrigger what they deliver", tr.Type)
	}
	records, _ := ev["Records"].([]any)
	if len(records) == 0 {
		return errors.New("a batch event holds Records")
	}
	for i, rec := range records {
		r, _ := rec.(map[string]any)
		if got := r["eventSource"]; got != source && r["EventSource"] != source {
			return fmt.Errorf("record %d comes from %v, not %s", i, got, source)
		}
		if err := matchFilters(tr, r); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return nil
}

// matchAPI checks an API Gateway proxy event against an Api trigger.
func matchAPI(tr Trigger, ev map[string]any) error {
	path, method := scalar(tr.Properties["Path"]), strings.ToUpper(scalar(tr.Properties["Method"]))
	rc, _ := ev["requestContext"].(map[string]any)
	switch {
	case ev["resource"] != path:
		return fmt.Errorf("resource %v, not %s", ev["resource"], path)
	case rc["resourcePath"] != path:
		return fmt.Errorf("requestContext.resourcePath %v, not %s", rc["resourcePath"], path)
	case method != "ANY" && ev["httpMethod"] != method:
		return fmt.Errorf("httpMethod %v, not %s", ev["httpMethod"], method)
	case rc["httpMethod"] != ev["httpMethod"]:
		return fmt.Errorf("requestContext.httpMethod %v differs from httpMethod %v", rc["httpMethod"], ev["httpMethod"])
	}
	only := []Route{{API: implicitAPI, Method: "ANY", Path: path}}
	if _, ok := RouteFor(only, implicitAPI, "GET", scalar(ev["path"])); !ok {
		return fmt.Errorf("path %v is not under resource %s", ev["path"], path)
	}
	return nil
}

// matchFilters checks a record against the trigger's FilterCriteria: it passes when any
// filter's pattern matches, or when there are none.
func matchFilters(tr Trigger, record map[string]any) error {
	fc, _ := tr.Properties["FilterCriteria"].(map[string]any)
	filters, _ := fc["Filters"].([]any)
	if len(filters) == 0 {
		return nil
	}
	var errs []error
	for _, f := range filters {
		filter, _ := f.(map[string]any)
		var pattern map[string]any
		if err := json.Unmarshal([]byte(scalar(filter["Pattern"])), &pattern); err != nil {
			return fmt.Errorf("filter pattern is not a JSON object: %w", err)
		}
		err := matchPattern(pattern, record)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("no filter lets it through: %w", errors.Join(errs...))
}

// matchPattern checks value against an event pattern, as EventBridge and Lambda event
// filtering read it: nested objects, lists of allowed values, and the prefix, suffix,
// equals-ignore-case, exists and anything-but operators.
func matchPattern(pattern map[string]any, value any) error {
	obj, _ := value.(map[string]any)
	for key, want := range pattern {
		got, present := obj[key]
		switch want := want.(type) {
		case map[string]any:
			if err := matchPattern(want, got); err != nil {
				return fmt.Errorf("%s.%w", key, err)
			}
		case []any:
			ok, err := matchAnyOf(want, got, present)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if !ok {
				return fmt.Errorf("%s: %v is none of %v", key, got, want)
			}
		default:
			return fmt.Errorf("%s: a pattern's leaves are lists, got %v", key, want)
		}
	}
	return nil
}

// matchAnyOf reports whether got (or, for a list, one of its elements) matches one of the
// allowed values or operators.
func matchAnyOf(allowed []any, got any, present bool) (bool, error) {
	values := []any{got}
	if list, ok := got.([]any); ok {
		values = list
	}
	for _, a := range allowed {
		op, isOp := a.(map[string]any)
		if !isOp {
			for _, v := range values {
				if present && reflect.DeepEqual(a, v) {
					return true, nil
				}
			}
			continue
		}
		for name, arg := range op {
			if name == "exists" {
				if arg == present {
					return true, nil
				}
				continue
			}
			for _, v := range values {
				ok, err := matchOperator(name, arg, v, present)
				if err != nil || ok {
					return ok, err
				}
			}
		}
	}
	return false, nil
}

// matchOperator applies one content-filtering operator to a present value.
func matchOperator(name string, arg, v any, present bool) (bool, error) {
	s, isString := v.(string)
	switch name {
	case "prefix":
		return isString && strings.HasPrefix(s, scalar(arg)), nil
	case "suffix":
		return isString && strings.HasSuffix(s, scalar(arg)), nil
	case "equals-ignore-case":
		return isString && strings.EqualFold(s, scalar(arg)), nil
	case "anything-but":
		excluded, ok := arg.([]any)
		if !ok {
			excluded = []any{arg}
		}
		for _, e := range excluded {
			if reflect.DeepEqual(e, v) {
				return false, nil
			}
		}
		return present, nil
	}
	return false, fmt.Errorf("operator %q is not understood here", name)
}
