// Package lambdatest runs Gatehouse's Lambda functions the way AWS does, for tests: it reads
// them from the SAM template with every reference resolved to a test value, builds them, and
// invokes them under the Lambda Runtime Interface Emulator against a local stack.
package lambdatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// Template is a SAM template as its functions would see it once deployed.
type Template struct {
	// Functions are the AWS::Serverless::Function resources by logical ID, including those
	// whose condition leaves them out (Deployed false).
	Functions map[string]*Function
	// Resources are the types of every resource, by logical ID.
	Resources map[string]string
}

// Function is one AWS::Serverless::Function with the template's Globals applied.
type Function struct {
	ID          string
	Deployed    bool   // false when the resource's Condition is false for these values
	CodeURI     string // relative to the template's folder
	BuildMethod string // Metadata.BuildMethod, such as "makefile"
	Timeout     int    // seconds
	MemorySize  int    // MB
	// Env is Environment.Variables, every value a string as Lambda passes it.
	Env map[string]string
	// Triggers are the function's Events by name.
	Triggers map[string]Trigger
}

// Trigger is one event source of a function.
type Trigger struct {
	Type       string // Api, DynamoDB, Schedule, ...
	Properties map[string]any
}

// Lambda's defaults where neither the function nor Globals says.
const (
	defaultTimeout    = 3
	defaultMemorySize = 128
)

// rawTemplate is the part of a processed template this package reads.
type rawTemplate struct {
	Globals struct {
		Function rawFunction `json:"Function"`
	} `json:"Globals"`
	Resources map[string]struct {
		Type       string          `json:"Type"`
		Condition  string          `json:"Condition"`
		Metadata   map[string]any  `json:"Metadata"`
		Properties json.RawMessage `json:"Properties"`
	} `json:"Resources"`
}

// rawFunction is the part of a function's (or Globals') properties this package reads.
type rawFunction struct {
	CodeURI     any     `json:"CodeUri"`
	Timeout     flexInt `json:"Timeout"`
	MemorySize  flexInt `json:"MemorySize"`
	Environment struct {
		Variables map[string]any `json:"Variables"`
	} `json:"Environment"`
	Events map[string]Trigger `json:"Events"`
}

// flexInt is a number the template may write as a number or, through a Ref, as a string.
type flexInt int

// UnmarshalJSON accepts 10, "10" and null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("decode number: %w", err)
	}
	switch v := v.(type) {
	case nil:
		*n = 0
	case float64:
		*n = flexInt(v)
	case string:
		i, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("decode number %q: %w", v, err)
		}
		*n = flexInt(i)
	default:
		return fmt.Errorf("decode number: got %T", v)
	}
	return nil
}

// Load reads the SAM template at path (YAML or JSON), resolving every intrinsic function
// and dynamic reference with v.
func Load(path string, v Values) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(data, v)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a SAM template (YAML or JSON), resolving every intrinsic function and dynamic
// reference with v.
func Parse(data []byte, v Values) (*Template, error) {
	r, err := newResolver(data, v)
	if err != nil {
		return nil, err
	}
	processed, err := process(data, &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: r.handlers()})
	if err != nil {
		return nil, fmt.Errorf("resolve intrinsic functions: %w", err)
	}
	if err := errors.Join(r.errs...); err != nil {
		return nil, err
	}
	var raw rawTemplate
	if err := json.Unmarshal(processed, &raw); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	t := &Template{Functions: map[string]*Function{}, Resources: map[string]string{}}
	for id, res := range raw.Resources {
		t.Resources[id] = res.Type
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		var props rawFunction
		if err := json.Unmarshal(res.Properties, &props); err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		fn, err := newFunction(id, raw.Globals.Function, props)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		fn.Deployed = res.Condition == "" || r.conditions[res.Condition]
		fn.BuildMethod, _ = res.Metadata["BuildMethod"].(string)
		t.Functions[id] = fn
	}
	return t, nil
}

// newFunction applies the Globals g to the function's own properties p, as SAM does: scalars
// in p win, environment variables are merged.
func newFunction(id string, g, p rawFunction) (*Function, error) {
	fn := &Function{
		ID: id, Env: map[string]string{}, Triggers: p.Events,
		Timeout: int(firstSet(p.Timeout, g.Timeout, defaultTimeout)), MemorySize: int(firstSet(p.MemorySize, g.MemorySize, defaultMemorySize)),
	}
	codeURI := p.CodeURI
	if codeURI == nil {
		codeURI = g.CodeURI
	}
	if s, ok := codeURI.(string); ok {
		fn.CodeURI = s
	} else if codeURI != nil {
		return nil, fmt.Errorf("CodeUri must be a local folder, got %v", codeURI)
	}
	for _, vars := range []map[string]any{g.Environment.Variables, p.Environment.Variables} {
		for name, val := range vars {
			s, ok, err := envValue(val)
			if err != nil {
				return nil, fmt.Errorf("environment variable %s: %w", name, err)
			}
			if ok {
				fn.Env[name] = s
			} else {
				delete(fn.Env, name) // AWS::NoValue removes it
			}
		}
	}
	return fn, nil
}

// firstSet is the first of a, b that is set, else def.
func firstSet(a, b flexInt, def flexInt) flexInt {
	switch {
	case a != 0:
		return a
	case b != 0:
		return b
	}
	return def
}

// envValue is an environment variable's value as Lambda passes it; ok is false for a value
// removed with AWS::NoValue.
func envValue(v any) (s string, ok bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return resolveDynamicReferences(v), true, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true, nil
	case bool:
		return strconv.FormatBool(v), true, nil
	}
	return "", false, fmt.Errorf("a value CloudFormation cannot pass as a string: %v", v)
}
