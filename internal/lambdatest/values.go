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
	// Parameters are parameter values over their defaults; a parameter without a default
	// must be given one.
	Parameters map[string]string
	// Resources are what Ref gives for a resource (a table's or a bucket's name), by logical
	// ID; any other resource gives "gatehouse-<logicalID>".
	Resources map[string]string
}

// processMu serializes goformation's YAML reading, which registers its tag handlers in a
// package-level map on every call.
var processMu sync.Mutex

// conditionTag is the short form !Condition, which goformation reads as a bare string that
// its Fn::And, Fn::Or and Fn::Not find only once that condition happens to be evaluated.
var conditionTag = regexp.MustCompile(`!Condition\s+([A-Za-z0-9]+)`)

// resolve resolves a YAML or JSON template's intrinsic functions and conditions with v
// through goformation, returning it as JSON with each resource's condition by logical ID.
func resolve(data []byte, v Values) ([]byte, map[string]string, error) {
	processMu.Lock()
	raw, err := intrinsics.ProcessYAML(conditionTag.ReplaceAll(data, []byte("{Condition: $1}")), &intrinsics.ProcessorOptions{NoProcess: true})
	processMu.Unlock()
	var decl struct{ Parameters, Resources map[string]map[string]any }
	var doc map[string]any
	if err == nil {
		err = errors.Join(json.Unmarshal(raw, &decl), json.Unmarshal(raw, &doc))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("parse template: %w", err)
	}
	var errs []error
	overrides := map[string]any{}
	for name, val := range v.Parameters {
		if _, ok := decl.Parameters[name]; !ok {
			errs = append(errs, fmt.Errorf("test value for %s: the template has no such parameter", name))
		}
		overrides[name] = val
	}
	for name, p := range decl.Parameters {
		if _, ok := p["Default"]; !ok && overrides[name] == nil {
			errs = append(errs, fmt.Errorf("parameter %s has no default: give it a test value", name))
		}
	}
	// goformation replaces any object with a Condition key, a resource too, by the condition's
	// value: resources' conditions are taken out first, and Outputs are not read.
	conditions := map[string]string{}
	for id, res := range decl.Resources {
		if c, ok := res["Condition"].(string); ok {
			conditions[id] = c
			delete(res, "Condition")
		}
	}
	doc["Resources"] = decl.Resources
	delete(doc, "Outputs")
	in, err := json.Marshal(doc)
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, nil, err
	}
	opts := &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: refs{decl.Resources, v.Resources}.handlers(), ParameterOverrides: overrides, EvaluateConditions: true}
	out, err := intrinsics.ProcessJSON(in, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve intrinsic functions: %w", err)
	}
	return out, conditions, nil
}

// refs gives the references of one template their test values.
type refs struct {
	resources map[string]map[string]any // the template's resources by logical ID
	names     map[string]string         // Values.Resources
}

// handlers are the intrinsic functions whose goformation defaults do not give test values:
// its Ref knows only parameters and some pseudo parameters, its GetAtt resolves nothing, its
// Fn::Sub calls neither of ours, and its Fn::Equals finds a Number parameter unequal to the
// same YAML number, where CloudFormation compares strings.
func (r refs) handlers() map[string]intrinsics.IntrinsicHandler {
	return map[string]intrinsics.IntrinsicHandler{"Ref": r.ref, "Fn::GetAtt": r.getAtt, "Fn::Sub": r.sub, "Fn::Equals": equals}
}

// ref is Ref's value: a resource's name in r.names, else "gatehouse-<logicalID>"; pseudo
// parameters of a stack named gatehouse; the parameters' values as goformation gives them.
func (r refs) ref(fn string, in, t any) any {
	name := scalar(in)
	_, isResource := r.resources[name]
	switch {
	case name == "AWS::Partition":
		return "aws"
	case name == "AWS::URLSuffix":
		return "amazonaws.com"
	case name == "AWS::StackName":
		return "gatehouse"
	case r.names[name] != "":
		return r.names[name]
	case isResource:
		return "gatehouse-" + name
	}
	return intrinsics.Ref(fn, in, t) // parameters, AWS::AccountId, AWS::Region, AWS::NoValue
}

// getAtt is Fn::GetAtt's value for ["Res", "Attr"] or "Res.Attr": the Arn of a resource is
// arn:aws:<service>:us-east-1:123456789012:<its Ref>, any other attribute that ARN and
// /<attribute>.
func (r refs) getAtt(_ string, in, t any) any {
	path, _ := in.(string)
	if list, ok := in.([]any); ok && len(list) == 2 {
		path = scalar(list[0]) + "." + scalar(list[1])
	}
	res, attr, _ := strings.Cut(path, ".")
	parts := strings.Split(scalar(r.resources[res]["Type"]), "::")
	if len(parts) < 2 {
		return nil // cfn-lint (E1010) refuses a GetAtt of no resource
	}
	arn := "arn:aws:" + strings.ToLower(parts[1]) + ":us-east-1:123456789012:" + scalar(r.ref("Ref", res, t))
	if attr != "Arn" {
		arn += "/" + attr
	}
	return arn
}

// sub is Fn::Sub's value for "text" or ["text", {"Var": value}]: each ${Var}, ${Res.Attr}
// and ${Name} substituted, each ${!Literal} written ${Literal}.
func (r refs) sub(_ string, in, t any) any {
	text, _ := in.(string)
	vars := map[string]any{}
	if list, ok := in.([]any); ok && len(list) == 2 {
		text, _ = list[0].(string)
		vars, _ = list[1].(map[string]any)
	}
	return subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		v, isVar := vars[name]
		switch {
		case isVar:
			return scalar(v)
		case strings.HasPrefix(name, "!"):
			return "${" + name[1:] + "}"
		case strings.Contains(name, "."):
			return scalar(r.getAtt("Fn::GetAtt", name, t))
		}
		return scalar(r.ref("Ref", name, t))
	})
}

// equals is Fn::Equals's value: whether its two values are the same string.
func equals(_ string, in, _ any) any {
	args, _ := in.([]any)
	return len(args) == 2 && scalar(args[0]) == scalar(args[1])
}

// subVariable matches Fn::Sub's ${Name}, ${Res.Attr} and the literal ${!Text}.
var subVariable = regexp.MustCompile(`\$\{[^}]*\}`)

// dynamicReference matches CloudFormation's {{resolve:service:name...}}.
var dynamicReference = regexp.MustCompile(`\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]+)\}\}`)

// resolveDynamicReferences replaces each dynamic reference in s with a test value naming it,
// as CloudFormation replaces it with the secret or parameter at deploy time.
func resolveDynamicReferences(s string) string {
	return dynamicReference.ReplaceAllStringFunc(s, func(m string) string {
		g := dynamicReference.FindStringSubmatch(m)
		return "test-" + g[1] + "-" + strings.NewReplacer("/", "-", ":", "-").Replace(g[2])
	})
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
