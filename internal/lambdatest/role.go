package lambdatest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Role is one AWS::IAM::Role of a template, every reference resolved.
type Role struct {
	ID string
	// AssumeRolePolicyDocument is its trust policy, as decoded JSON.
	AssumeRolePolicyDocument any
	// Policies are its inline policies, each {"PolicyName": ..., "PolicyDocument": ...}.
	Policies []any
	// ManagedPolicyArns are the managed policies attached to it.
	ManagedPolicyArns []any
	// GrantedBy are the AWS::IAM::Policy, AWS::IAM::ManagedPolicy and AWS::IAM::RolePolicy
	// resources of the template that name it, by logical ID.
	GrantedBy []string
}

// rawRole is the part of an AWS::IAM::Role's properties this package reads.
type rawRole struct {
	AssumeRolePolicyDocument any `json:"AssumeRolePolicyDocument"`
	Policies                 any `json:"Policies"`
	ManagedPolicyArns        any `json:"ManagedPolicyArns"`
}

// readRoles reads the template's AWS::IAM::Role resources, and which policy resources grant
// each of them more.
func (t *Template) readRoles(raw rawTemplate, r *resolver) error {
	grants := map[string][]string{} // the role names each policy resource attaches to
	for id, res := range raw.Resources {
		switch res.Type {
		case "AWS::IAM::Role":
			role, err := newRole(id, res.Properties)
			if err != nil {
				return fmt.Errorf("role %s: %w", id, err)
			}
			t.Roles[id] = role
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
			names, err := rolesGranted(res.Properties)
			if err != nil {
				return fmt.Errorf("policy %s: %w", id, err)
			}
			grants[id] = names
		}
	}
	for id, role := range t.Roles {
		name := scalar(r.ref(id))
		for policy, names := range grants {
			if slices.Contains(names, name) {
				role.GrantedBy = append(role.GrantedBy, policy)
			}
		}
		slices.Sort(role.GrantedBy)
	}
	return nil
}

// newRole reads an AWS::IAM::Role's resolved properties.
func newRole(id string, props json.RawMessage) (*Role, error) {
	var raw rawRole
	if len(props) > 0 {
		if err := json.Unmarshal(props, &raw); err != nil {
			return nil, fmt.Errorf("decode properties: %w", err)
		}
	}
	return &Role{
		ID: id, AssumeRolePolicyDocument: raw.AssumeRolePolicyDocument,
		Policies: listOf(raw.Policies), ManagedPolicyArns: listOf(raw.ManagedPolicyArns),
	}, nil
}

// rolesGranted are the role names an IAM policy resource attaches to: its Roles, or an
// AWS::IAM::RolePolicy's RoleName.
func rolesGranted(props json.RawMessage) ([]string, error) {
	var raw struct {
		Roles    any `json:"Roles"`
		RoleName any `json:"RoleName"`
	}
	if len(props) > 0 {
		if err := json.Unmarshal(props, &raw); err != nil {
			return nil, fmt.Errorf("decode properties: %w", err)
		}
	}
	return append(stringsIn(raw.Roles), stringsIn(raw.RoleName)...), nil
}

// listOf is a resolved list property without the entries AWS::NoValue removed; a single
// value is a list of one.
func listOf(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return slices.DeleteFunc(v, func(e any) bool { return e == nil })
	}
	return []any{v}
}

// roleNamed is the logical ID of the AWS::IAM::Role in types that a function's unresolved
// Role names with {"Fn::GetAtt": "<ID>.Arn"} or {"Ref": "<ID>"}, or "" for any other value:
// a literal ARN, a parameter, an import or an expression this package does not follow.
func roleNamed(role any, types map[string]string) string {
	m, ok := role.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	var id string
	if ref, ok := m["Ref"].(string); ok {
		id = ref
	}
	if args, ok := m["Fn::GetAtt"]; ok {
		res, attr, err := getAttArgs(args)
		if err != nil || attr != "Arn" {
			return ""
		}
		id = res
	}
	if types[id] != "AWS::IAM::Role" {
		return ""
	}
	return id
}

// lambdaService is the one principal a function's role may trust.
const lambdaService = "lambda.amazonaws.com"

// roleProblems checks a function's role of this template as PolicyProblems checks Policies:
// its inline policies' statements, nothing granted from elsewhere, and trust in Lambda alone.
func roleProblems(r *Role, parents map[string]string) []string {
	out := trustProblems(r.ID+".AssumeRolePolicyDocument", r.AssumeRolePolicyDocument)
	for _, arn := range r.ManagedPolicyArns {
		out = append(out, fmt.Sprintf("%s.ManagedPolicyArns: managed policy %v cannot be checked for wildcards (AWSLambdaDynamoDBExecutionRole, for one, reads every stream); grant with the role's Policies", r.ID, arn))
	}
	for _, p := range r.GrantedBy {
		out = append(out, fmt.Sprintf("%s: policy %s grants it more outside its Policies; grant with the role's Policies", r.ID, p))
	}
	for i, p := range r.Policies {
		where := fmt.Sprintf("%s.Policies[%d]", r.ID, i)
		m, _ := p.(map[string]any)
		if name, ok := m["PolicyName"].(string); ok {
			where += " (" + name + ")"
		}
		doc, ok := m["PolicyDocument"].(map[string]any)
		if !ok {
			out = append(out, where+": not an inline policy with a PolicyDocument")
			continue
		}
		out = append(out, statementProblems(where, doc["Statement"], parents)...)
	}
	return out
}

// trustProblems checks a role's trust policy: only lambda.amazonaws.com may assume the role,
// with sts:AssumeRole, and it must.
func trustProblems(where string, doc any) []string {
	d, ok := doc.(map[string]any)
	if !ok {
		return []string{where + ": missing, so Lambda cannot assume the role"}
	}
	var out []string
	lambda := false
	for i, st := range statements(d["Statement"]) {
		at := fmt.Sprintf("%s.Statement[%d]", where, i)
		s, ok := st.(map[string]any)
		if !ok {
			out = append(out, at+": not a statement")
			continue
		}
		if s["Effect"] != "Allow" {
			continue
		}
		for _, k := range []string{"NotPrincipal", "NotAction"} {
			if _, ok := s[k]; ok {
				out = append(out, fmt.Sprintf("%s: %s trusts everything it does not name", at, k))
			}
		}
		if !onlyLambda(s["Principal"]) {
			out = append(out, fmt.Sprintf("%s: principal %v may assume the role; trust %s alone", at, s["Principal"], lambdaService))
			continue
		}
		for _, a := range stringsIn(s["Action"]) {
			if a != "sts:AssumeRole" {
				out = append(out, fmt.Sprintf("%s: action %q; Lambda needs sts:AssumeRole alone", at, a))
				continue
			}
			lambda = true
		}
	}
	if !lambda {
		out = append(out, fmt.Sprintf("%s: no statement lets %s assume the role", where, lambdaService))
	}
	return out
}

// onlyLambda reports whether a trust statement's principal is the Lambda service alone.
func onlyLambda(principal any) bool {
	p, ok := principal.(map[string]any)
	if !ok || len(p) != 1 {
		return false
	}
	services := stringsIn(p["Service"])
	return len(services) > 0 && !slices.ContainsFunc(services, func(s string) bool { return s != lambdaService })
}
