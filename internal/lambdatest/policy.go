package lambdatest

import (
	"fmt"
	"sort"
	"strings"
)

// resourceFreeActions are the actions that may be allowed on every resource ("*"), each
// because the service defines no resource type for it: IAM cannot scope it any further.
var resourceFreeActions = map[string]string{
	"xray:PutTraceSegments":    "X-Ray defines no resource types",
	"xray:PutTelemetryRecords": "X-Ray defines no resource types",
	"cloudwatch:PutMetricData": "metrics have no ARNs (scope with a cloudwatch:namespace condition instead)",
}

// scopedPolicyTemplates are the SAM policy templates that grant listed actions on the
// resources named by their parameters only, so they are least privilege whenever those
// parameters are. Any other template is refused until someone reads what it grants.
var scopedPolicyTemplates = map[string]bool{
	"DynamoDBReadPolicy":                    true,
	"DynamoDBWritePolicy":                   true,
	"DynamoDBCrudPolicy":                    true,
	"S3ReadPolicy":                          true,
	"S3WritePolicy":                         true,
	"S3CrudPolicy":                          true,
	"SQSSendMessagePolicy":                  true,
	"SQSPollerPolicy":                       true,
	"SNSPublishMessagePolicy":               true,
	"AWSSecretsManagerGetSecretValuePolicy": true,
	"SSMParameterReadPolicy":                true,
	"KMSDecryptPolicy":                      true,
	"EventBridgePutEventsPolicy":            true,
	"LambdaInvokePolicy":                    true,
	"StepFunctionsExecutionPolicy":          true,
}

// PolicyProblems lists what in fn's permissions is broader than a named action on a named
// resource: wildcard actions, NotAction or NotResource, "*" resources (unless every action
// needs it), unchecked SAM policy templates, managed policies and roles brought along.
func PolicyProblems(fn *Function) []string {
	var out []string
	if fn.Role != nil {
		out = append(out, fmt.Sprintf("Role %v: a role defined elsewhere cannot be checked; grant with Policies", fn.Role))
	}
	for i, p := range fn.Policies {
		where := fmt.Sprintf("Policies[%d]", i)
		switch p := p.(type) {
		case string:
			out = append(out, fmt.Sprintf("%s: managed policy %s cannot be checked for wildcards; grant with statements", where, p))
		case map[string]any:
			if _, ok := p["Statement"]; ok {
				out = append(out, statementProblems(where, p["Statement"])...)
				continue
			}
			out = append(out, policyTemplateProblems(where, p)...)
		default:
			out = append(out, fmt.Sprintf("%s: not a policy: %v", where, p))
		}
	}
	return out
}

// policyTemplateProblems checks a SAM policy template entry, {"Name": {parameters}}.
func policyTemplateProblems(where string, p map[string]any) []string {
	var out []string
	for name, params := range p {
		if !scopedPolicyTemplates[name] {
			out = append(out, fmt.Sprintf("%s: SAM policy template %s is not known to be scoped; use statements or vet it and add it to scopedPolicyTemplates", where, name))
			continue
		}
		for _, v := range stringsIn(params) {
			if strings.Contains(v, "*") {
				out = append(out, fmt.Sprintf("%s: %s parameter %q is a wildcard", where, name, v))
			}
		}
	}
	return out
}

// statementProblems checks a policy document's statements.
func statementProblems(where string, statements any) []string {
	list, ok := statements.([]any)
	if !ok {
		list = []any{statements}
	}
	var out []string
	for i, st := range list {
		s, ok := st.(map[string]any)
		at := fmt.Sprintf("%s.Statement[%d]", where, i)
		if !ok {
			out = append(out, at+": not a statement")
			continue
		}
		if s["Effect"] != "Allow" {
			continue // a Deny narrows; wildcards there are fine
		}
		for _, k := range []string{"NotAction", "NotResource"} {
			if _, ok := s[k]; ok {
				out = append(out, fmt.Sprintf("%s: %s allows everything it does not name", at, k))
			}
		}
		actions := stringsIn(s["Action"])
		for _, a := range actions {
			if strings.Contains(a, "*") {
				out = append(out, fmt.Sprintf("%s: action %q is a wildcard; name each call", at, a))
			}
		}
		for _, r := range stringsIn(s["Resource"]) {
			if !allResources(r) {
				continue
			}
			var unscoped []string
			for _, a := range actions {
				if _, ok := resourceFreeActions[a]; !ok {
					unscoped = append(unscoped, a)
				}
			}
			if len(unscoped) > 0 || len(actions) == 0 {
				sort.Strings(unscoped)
				out = append(out, fmt.Sprintf("%s: resource %q for %s, which can be scoped to named resources", at, r, strings.Join(unscoped, ", ")))
			}
		}
	}
	return out
}

// allResources reports whether an IAM resource names every resource: "*", or an ARN whose
// resource part is "*".
func allResources(r string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[5] == "*"
}

// stringsIn collects the strings of a JSON value: a string, or those in a list or an object.
func stringsIn(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, stringsIn(e)...)
		}
		return out
	}
	return nil
}
