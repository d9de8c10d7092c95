package lambdatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// Values are what a template's references stand for in tests.
type Values struct {
	// Parameters are parameter values. A parameter not named here takes its Default, else a
	// placeholder: its first AllowedValues, MinValue (or 1) for a number, "test-<name>" for a
	// string. Every value must pass the parameter's own constraints.
	Parameters map[string]string
	// Resources are what Ref gives for a resource (a table's or a bucket's name), by logical
	// ID; any other resource gives "gatehouse-<logicalID>".
	Resources map[string]string
}

// Pseudo parameters, as in a stack named gatehouse in us-east-1.
var pseudoParameters = map[string]any{
	"AWS::AccountId":        "123456789012",
	"AWS::Region":           "us-east-1",
	"AWS::Partition":        "aws",
	"AWS::URLSuffix":        "amazonaws.com",
	"AWS::StackName":        "gatehouse",
	"AWS::StackId":          "arn:aws:cloudformation:us-east-1:123456789012:stack/gatehouse/00000000-0000-0000-0000-000000000000",
	"AWS::NotificationARNs": []any{},
	"AWS::NoValue":          nil,
}

// processMu serializes goformation's template processing, which registers its YAML tag
// handlers in a package-level map on every call.
var processMu sync.Mutex

// process runs goformation's intrinsic processor over a YAML or JSON template.
func process(data []byte, opts *intrinsics.ProcessorOptions) ([]byte, error) {
	processMu.Lock()
	defer processMu.Unlock()
	return intrinsics.ProcessYAML(data, opts)
}

// resolver gives each reference of one template its test value.
type resolver struct {
	params     map[string]any
	types      map[string]string // resource types by logical ID
	resources  map[string]string
	conditions map[string]bool
	mu         sync.Mutex
	errs       []error // from handlers, which cannot return errors
}

// rawParameter is a template parameter's declaration.
type rawParameter struct {
	Type           string `json:"Type"`
	Default        any    `json:"Default"`
	AllowedValues  []any  `json:"AllowedValues"`
	AllowedPattern string `json:"AllowedPattern"`
	MinValue       any    `json:"MinValue"`
	MaxValue       any    `json:"MaxValue"`
}

// newResolver reads the template's parameters, resources and conditions unprocessed, fixes
// every parameter's value and evaluates every condition.
func newResolver(data []byte, v Values) (*resolver, error) {
	raw, err := process(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var t struct {
		Parameters map[string]rawParameter `json:"Parameters"`
		Conditions map[string]any          `json:"Conditions"`
		Resources  map[string]struct {
			Type string `json:"Type"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	r := &resolver{params: map[string]any{}, types: map[string]string{}, resources: v.Resources, conditions: map[string]bool{}}
	var errs []error
	for name := range v.Parameters {
		if _, ok := t.Parameters[name]; !ok {
			errs = append(errs, fmt.Errorf("test value for %s: the template has no such parameter", name))
		}
	}
	for name, p := range t.Parameters {
		val, err := parameterValue(name, p, v.Parameters)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.params[name] = val
	}
	for id, res := range t.Resources {
		r.types[id] = res.Type
	}
	for name := range t.Conditions {
		if _, err := r.condition(name, t.Conditions, nil); err != nil {
			errs = append(errs, fmt.Errorf("condition %s: %w", name, err))
		}
	}
	return r, errors.Join(errs...)
}

// parameterValue is the test value of parameter name, checked against its constraints.
func parameterValue(name string, p rawParameter, given map[string]string) (any, error) {
	val, ok := given[name]
	switch {
	case ok:
	case p.Default != nil:
		val = scalar(p.Default)
	case len(p.AllowedValues) > 0:
		val = scalar(p.AllowedValues[0])
	case p.Type == "Number" && p.MinValue != nil:
		val = scalar(p.MinValue)
	case p.Type == "Number":
		val = "1"
	default:
		val = "test-" + name
	}
	if len(p.AllowedValues) > 0 && !containsScalar(p.AllowedValues, val) {
		return nil, fmt.Errorf("parameter %s: %q is not one of its AllowedValues", name, val)
	}
	if p.AllowedPattern != "" {
		re, err := regexp.Compile("^(?:" + p.AllowedPattern + ")$")
		if err != nil {
			return nil, fmt.Errorf("parameter %s: AllowedPattern: %w", name, err)
		}
		if !re.MatchString(val) {
			return nil, fmt.Errorf("parameter %s: %q does not match its AllowedPattern %s", name, val, p.AllowedPattern)
		}
	}
	if p.Type == "Number" {
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %q is not a number", name, val)
		}
		if lo, err := strconv.ParseFloat(scalar(p.MinValue), 64); err == nil && n < lo {
			return nil, fmt.Errorf("parameter %s: %v is under its MinValue %v", name, n, lo)
		}
		if hi, err := strconv.ParseFloat(scalar(p.MaxValue), 64); err == nil && n > hi {
			return nil, fmt.Errorf("parameter %s: %v is over its MaxValue %v", name, n, hi)
		}
	}
	if p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<") {
		var list []any
		for _, s := range strings.Split(val, ",") {
			list = append(list, strings.TrimSpace(s))
		}
		return list, nil
	}
	return val, nil
}

// scalar is a decoded JSON scalar as CloudFormation passes it: a string.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func containsScalar(list []any, s string) bool {
	for _, v := range list {
		if scalar(v) == s {
			return true
		}
	}
	return false
}

// condition evaluates the named condition, memoized; seen guards against cycles.
func (r *resolver) condition(name string, all map[string]any, seen []string) (bool, error) {
	if v, ok := r.conditions[name]; ok {
		return v, nil
	}
	expr, ok := all[name]
	if !ok {
		return false, fmt.Errorf("no condition named %s", name)
	}
	for _, s := range seen {
		if s == name {
			return false, fmt.Errorf("condition %s refers to itself", name)
		}
	}
	v, err := r.evalCondition(expr, all, append(seen, name))
	if err != nil {
		return false, err
	}
	r.conditions[name] = v
	return v, nil
}

// evalCondition evaluates a condition expression: Fn::Equals, Fn::Not, Fn::And, Fn::Or and
// Condition.
func (r *resolver) evalCondition(expr any, all map[string]any, seen []string) (bool, error) {
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		switch v := expr.(type) {
		case bool:
			return v, nil
		case string:
			// goformation reads the YAML tag !Condition as its bare argument, and a bare
			// string means nothing else here.
			return r.condition(v, all, seen)
		}
		return false, fmt.Errorf("not a condition: %v", expr)
	}
	for fn, arg := range m {
		if fn == "Condition" {
			name, _ := arg.(string)
			return r.condition(name, all, seen)
		}
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals takes two values: %v", arg)
			}
			a, err := r.conditionValue(args[0])
			if err != nil {
				return false, err
			}
			b, err := r.conditionValue(args[1])
			return a == b, err
		case "Fn::Not", "Fn::And", "Fn::Or":
			var vals []bool
			for _, a := range args {
				v, err := r.evalCondition(a, all, seen)
				if err != nil {
					return false, err
				}
				vals = append(vals, v)
			}
			return combine(fn, vals)
		}
		return false, fmt.Errorf("%s is not a condition function", fn)
	}
	return false, errors.New("an empty condition")
}

// combine applies Fn::Not, Fn::And or Fn::Or to vals.
func combine(fn string, vals []bool) (bool, error) {
	switch {
	case fn == "Fn::Not" && len(vals) == 1:
		return !vals[0], nil
	case fn == "Fn::And" && len(vals) > 1:
		for _, v := range vals {
			if !v {
				return false, nil
			}
		}
		return true, nil
	case fn == "Fn::Or" && len(vals) > 1:
		for _, v := range vals {
			if v {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("%s with %d conditions", fn, len(vals))
}

// conditionValue is an operand of Fn::Equals: a literal or a Ref.
func (r *resolver) conditionValue(v any) (string, error) {
	if m, ok := v.(map[string]any); ok {
		name, isRef := m["Ref"].(string)
		if !isRef || len(m) != 1 {
			return "", fmt.Errorf("Fn::Equals operand %v: only literals and Ref are understood", v)
		}
		return scalar(r.ref(name)), nil
	}
	return scalar(v), nil
}
