package lambdatest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// handlers are the intrinsic functions whose goformation defaults do not give test values:
// goformation resolves Ref only to parameter defaults and GetAtt not at all.
func (r *resolver) handlers() map[string]intrinsics.IntrinsicHandler {
	return map[string]intrinsics.IntrinsicHandler{
		"Ref": func(_ string, in, _ any) any {
			name, _ := in.(string)
			return r.ref(name)
		},
		"Fn::GetAtt": func(_ string, in, _ any) any {
			res, attr, err := getAttArgs(in)
			if err != nil {
				r.fail(err)
				return nil
			}
			return r.getAtt(res, attr)
		},
		"Fn::Sub": func(_ string, in, _ any) any {
			s, err := r.sub(in)
			if err != nil {
				r.fail(err)
				return nil
			}
			return s
		},
		"Fn::If": func(_ string, in, _ any) any {
			args, _ := in.([]any)
			var name string
			if len(args) == 3 {
				name, _ = args[0].(string)
			}
			v, ok := r.conditions[name]
			if !ok {
				r.fail(fmt.Errorf("Fn::If %v: no such condition", in))
				return nil
			}
			if v {
				return args[1]
			}
			return args[2]
		},
		"Fn::ImportValue": func(_ string, in, _ any) any { return "imported-" + scalar(in) },
	}
}

// fail records an error a handler met.
func (r *resolver) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

// ref is what Ref gives for name: a parameter's test value, a pseudo parameter's value, or a
// resource's name.
func (r *resolver) ref(name string) any {
	if v, ok := r.params[name]; ok {
		return v
	}
	if v, ok := pseudoParameters[name]; ok {
		return v
	}
	if _, ok := r.types[name]; !ok {
		r.fail(fmt.Errorf("Ref %s: no such parameter or resource", name))
		return nil
	}
	if v, ok := r.resources[name]; ok {
		return v
	}
	return "gatehouse-" + name
}

// getAttArgs reads Fn::GetAtt's argument: ["Res", "Attr"] or "Res.Attr".
func getAttArgs(in any) (res, attr string, err error) {
	switch v := in.(type) {
	case string:
		res, attr, _ = strings.Cut(v, ".")
	case []any:
		if len(v) == 2 {
			res, attr = scalar(v[0]), scalar(v[1])
		}
	}
	if res == "" || attr == "" {
		return "", "", fmt.Errorf("Fn::GetAtt %v: want a resource and an attribute", in)
	}
	return res, attr, nil
}

// getAtt is a resource attribute's test value: ARNs shaped as AWS shapes them.
func (r *resolver) getAtt(res, attr string) any {
	typ, ok := r.types[res]
	if !ok {
		r.fail(fmt.Errorf("Fn::GetAtt %s.%s: no such resource", res, attr))
		return nil
	}
	arn := r.arn(res, typ)
	switch attr {
	case "Arn":
		if typ == "AWS::Logs::LogGroup" {
			return arn + ":*" // as AWS gives it: the group's streams
		}
		return arn
	case "StreamArn":
		return arn + "/stream/2026-01-01T00:00:00.000"
	}
	return scalar(r.ref(res)) + "." + attr
}

// arn is the test value of the ARN naming resource res of type typ itself, without what an
// attribute adds (a log group's Arn ends in ":*").
func (r *resolver) arn(res, typ string) string {
	name := scalar(r.ref(res))
	switch typ {
	case "AWS::DynamoDB::Table":
		return "arn:aws:dynamodb:us-east-1:123456789012:table/" + name
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + name
	case "AWS::IAM::Role":
		return "arn:aws:iam::123456789012:role/" + name
	case "AWS::Logs::LogGroup":
		return "arn:aws:logs:us-east-1:123456789012:log-group:" + name
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		return "arn:aws:lambda:us-east-1:123456789012:function:" + name
	}
	service := "unknown"
	if parts := strings.Split(typ, "::"); len(parts) > 1 {
		service = strings.ToLower(parts[1])
	}
	return "arn:aws:" + service + ":us-east-1:123456789012:" + name
}

// subVariable matches ${Name}, ${Res.Attr} and the literal ${!Text}.
var subVariable = regexp.MustCompile(`\$\{(!?)([^}]*)\}`)

// sub substitutes Fn::Sub's variables: "text" or ["text", {"Var": value}].
func (r *resolver) sub(in any) (string, error) {
	text, vars := "", map[string]any{}
	switch v := in.(type) {
	case string:
		text = v
	case []any:
		if len(v) == 2 {
			text, _ = v[0].(string)
			vars, _ = v[1].(map[string]any)
		}
	}
	var err error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		g := subVariable.FindStringSubmatch(m)
		if g[1] == "!" {
			return "${" + g[2] + "}"
		}
		if v, ok := vars[g[2]]; ok {
			return scalar(v)
		}
		if res, attr, ok := strings.Cut(g[2], "."); ok {
			return scalar(r.getAtt(res, attr))
		}
		v := r.ref(g[2])
		if _, ok := v.([]any); ok {
			err = fmt.Errorf("Fn::Sub %q: ${%s} is a list", text, g[2])
		}
		return scalar(v)
	})
	return out, err
}

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
