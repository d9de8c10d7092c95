package lambdatest

import (
	"fmt"
	"sort"
	"strings"
)

// resourceFreeActions are the actions that may be allowed on every resource ("*"), each
// because the service defines no resource type for it: IAM cannot scope it any further. The
// reason stands next to each.
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

// PolicyProblems lists what in fn's permissions is broader than named actions on named
// resources: wildcard actions, NotAction or NotResource, resources with a wildcard (but for
// "*" where no action can be scoped and a last /* or :* under a resource of t), unchecked SAM
// policy templates and managed policies. A role fn names is checked the same way when it is an
// AWS::IAM::Role of t, and refused when it is not.
func (t *Template) PolicyProblems(fn *Function) []string {
	var out []string
	if fn.Role != nil {
		if len(fn.Policies) > 0 {
			out = append(out, "Policies: SAM ignores them when the function names a Role; grant with the role's Policies")
		}
		if role, ok := t.Roles[fn.RoleID]; ok {
			return append(out, roleProblems(role, t.arns)...)
		}
		return append(out, fmt.Sprintf("Role %v: a role from outside this template cannot be checked; grant with Policies, or name an AWS::IAM::Role of this template with !GetAtt <LogicalId>.Arn", fn.Role))
	}
	for i, p := range fn.Policies {
		where := fmt.Sprintf("Policies[%d]", i)
		switch p := p.(type) {
		case string:
			out = append(out, fmt.Sprintf("%s: managed policy %s cannot be checked for wildcards; grant with statements", where, p))
		case map[string]any:
			if _, ok := p["Statement"]; ok {
				out = append(out, statementProblems(where, p["Statement"], t.arns)...)
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
			if strings.ContainsAny(v, wildcards) {
				out = append(out, fmt.Sprintf("%s: %s parameter %q is a wildcard", where, name, v))
			}
		}
	}
	return out
}

// statements are a policy document's Statement: a list, or a single statement.
func statements(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

// statementProblems checks a policy document's statements; parents are the ARNs of the
// template's resources.
func statementProblems(where string, list any, parents map[string]string) []string {
	var out []string
	for i, st := range statements(list) {
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
			if strings.ContainsAny(a, wildcards) {
				out = append(out, fmt.Sprintf("%s: action %q is a wildcard; name each call", at, a))
			}
		}
		for _, r := range stringsIn(s["Resource"]) {
			if p := resourceProblem(r, actions, parents); p != "" {
				out = append(out, at+": "+p)
			}
		}
	}
	return out
}

// wildcards are the characters IAM matches names with.
const wildcards = "*?"

// resourceProblem says what is too broad in resource r of a statement allowing actions, or ""
// when nothing is. A wildcard is allowed in two places only:
//   - "*" alone, when every action is in resourceFreeActions (each with its reason there);
//   - a last "/*" or ":*" under the ARN of one resource of this template (see underResource).
func resourceProblem(r string, actions []string, parents map[string]string) string {
	if !strings.ContainsAny(r, wildcards) {
		return ""
	}
	if r == "*" {
		var unscoped []string
		for _, a := range actions {
			if _, ok := resourceFreeActions[a]; !ok {
				unscoped = append(unscoped, a)
			}
		}
		if len(unscoped) == 0 && len(actions) > 0 {
			return ""
		}
		sort.Strings(unscoped)
		return fmt.Sprintf("resource %q for %s, which can be scoped to named resources", r, strings.Join(unscoped, ", "))
	}
	if underResource(r, parents) {
		return ""
	}
	return fmt.Sprintf("resource %q has a wildcard %s; a wildcard may only end an ARN under a resource of this template, as in !Sub ${Bucket.Arn}/*", r, wildcardPart(r))
}

// underResource reports whether r is "<parent>/*" or "<parent>:*" where parent, wildcard-free,
// is the ARN of a resource of this template (one of parents) or a path under it. Resolved with
// test values, a name built from the resource (!GetAtt Bucket.Arn, ${Table.Arn}) is that exact
// ARN; a wildcard in the partition, region, account, service or resource name is not.
// Allowed because the wildcard then stands only for what one named resource holds, whose
// names the template cannot know:
//   - ${Bucket.Arn}/* or ${Bucket.Arn}/prefix/*: objects of one bucket, keyed by the data;
//   - ${Table.Arn}/stream/*: one table's streams (dynamodb:ListStreams), labelled when created;
//   - !GetAtt LogGroup.Arn, which AWS ends in ":*": one log group's streams, named by Lambda.
func underResource(r string, parents map[string]string) bool {
	parent, ok := strings.CutSuffix(r, "/*")
	if !ok {
		parent, ok = strings.CutSuffix(r, ":*")
	}
	if !ok || strings.ContainsAny(parent, wildcards) {
		return false
	}
	for _, arn := range parents {
		if parent == arn || strings.HasPrefix(parent, arn+"/") || strings.HasPrefix(parent, arn+":") {
			return true
		}
	}
	return false
}

// wildcardPart says where resource r holds a wildcard: in the parts of its ARN before the
// resource (arn:partition:service:region:account:resource), else in its resource part.
func wildcardPart(r string) string {
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "and is not an ARN"
	}
	var in []string
	for i, name := range []string{"partition", "service", "region", "account"} {
		if strings.ContainsAny(parts[i+1], wildcards) {
			in = append(in, name)
		}
	}
	if len(in) == 0 {
		return "in its resource part"
	}
	return "in its " + strings.Join(in, " and ")
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
