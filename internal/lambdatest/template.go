// Package lambdatest runs Gatehouse's Lambda functions the way AWS does, for tests: it reads
// them from the SAM template with every reference resolved to a test value, deploys them on a
// local stack for the functions' own tests, and builds and invokes them under the Lambda
// Runtime Interface Emulator.
package lambdatest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// Template is a SAM template as its functions would see it once deployed.
type Template struct {
	// Functions are the AWS::Serverless::Function resources by logical ID, including those
	// whose condition leaves them out (Deployed false).
	Functions map[string]*Function
	// Resources are the types of every resource, by logical ID.
	Resources map[string]string
	// Properties are every resource's properties, resolved, by logical ID.
	Properties map[string]json.RawMessage
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

// rawFunction is the part of a function's (or Globals') properties this package reads.
type rawFunction struct {
	CodeURI     string `json:"CodeUri"` // an S3 location fails to decode: not built here
	Timeout     int
	MemorySize  int
	Environment struct{ Variables map[string]any }
	Events      map[string]Trigger
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
	resolved, conditions, err := resolve(data, v)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Conditions map[string]any
		Globals    struct{ Function rawFunction }
		Resources  map[string]struct {
			Type       string
			Metadata   struct{ BuildMethod string }
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(resolved, &raw); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	var unknown []string
	for name, c := range raw.Conditions {
		if _, ok := c.(bool); !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("conditions %v cannot be evaluated: they name a condition the template lacks, or use a function conditions cannot", unknown)
	}
	t := &Template{Functions: map[string]*Function{}, Resources: map[string]string{}, Properties: map[string]json.RawMessage{}}
	for id, res := range raw.Resources {
		t.Resources[id], t.Properties[id] = res.Type, res.Properties
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
		fn.Deployed = conditions[id] == "" || raw.Conditions[conditions[id]] == true
		fn.BuildMethod = res.Metadata.BuildMethod
		t.Functions[id] = fn
	}
	return t, nil
}

// newFunction applies the Globals g to the function's own properties p, as SAM does: scalars
// in p win, environment variables are merged.
func newFunction(id string, g, p rawFunction) (*Function, error) {
	fn := &Function{
		ID: id, Env: map[string]string{}, Triggers: p.Events, CodeURI: cmp.Or(p.CodeURI, g.CodeURI),
		Timeout: cmp.Or(p.Timeout, g.Timeout, defaultTimeout), MemorySize: cmp.Or(p.MemorySize, g.MemorySize, defaultMemorySize),
	}
	for _, vars := range []map[string]any{g.Environment.Variables, p.Environment.Variables} {
		for name, val := range vars {
			switch val := val.(type) {
			case nil: // AWS::NoValue removes it
				delete(fn.Env, name)
			case string:
				fn.Env[name] = resolveDynamicReferences(val)
			case float64, bool:
				fn.Env[name] = scalar(val)
			default:
				return nil, fmt.Errorf("environment variable %s: a value CloudFormation cannot pass as a string: %v", name, val)
			}
		}
	}
	return fn, nil
}
