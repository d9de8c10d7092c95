package lambdatest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadResolvesEveryReference(t *testing.T) {
	tests := []struct {
		name     string
		values   Values
		env      map[string]string
		deployed map[string]bool
	}{
		{
			name:   "defaults",
			values: Values{Parameters: map[string]string{"Sender": "invites@example.com"}},
			env: map[string]string{
				"SHARED": "from-globals", "OVERRIDDEN": "from-function",
				"TABLE":     "gatehouse-Table",
				"TABLE_ARN": "arn:aws:dynamodb:us-east-1:123456789012:gatehouse-Table",
				"STREAM":    "arn:aws:dynamodb:us-east-1:123456789012:gatehouse-Table/StreamArn",
				"OBJECTS":   "arn:aws:s3:us-east-1:123456789012:gatehouse-Bucket/*",
				"LOGS":      "arn:aws:logs:us-east-1:123456789012:gatehouse-Logs",
				"ROLE":      "arn:aws:iam:us-east-1:123456789012:gatehouse-Role",
				"URL":       "https://gatehouse-Api.execute-api.us-east-1.amazonaws.com/${Stage}",
				"NAMED":     "invites@gatehouse-Bucket",
				"RATE":      "14", "SENDER": "invites@example.com", "DEFAULT_RATE": "yes",
				"MODE": "without-secret", "DEBUG": "no", "SECRET": "{{resolve:secretsmanager:}}",
				"ONLY_WITHOUT_SECRET": "present", "JOINED": "a,info", "FLAG": "true",
			},
			deployed: map[string]bool{"AppFunction": true, "SecretFunction": false},
		},
		{
			name: "given values and resources",
			values: Values{
				Parameters: map[string]string{"Sender": "a@b.example", "Level": "debug", "Rate": "2", "SecretName": "app/secret"},
				Resources:  map[string]string{"Table": "fresh", "Bucket": "exports-1"},
			},
			env: map[string]string{
				"SHARED": "from-globals", "OVERRIDDEN": "from-function",
				"TABLE":     "fresh",
				"TABLE_ARN": "arn:aws:dynamodb:us-east-1:123456789012:fresh",
				"STREAM":    "arn:aws:dynamodb:us-east-1:123456789012:fresh/StreamArn",
				"OBJECTS":   "arn:aws:s3:us-east-1:123456789012:exports-1/*",
				"LOGS":      "arn:aws:logs:us-east-1:123456789012:gatehouse-Logs",
				"ROLE":      "arn:aws:iam:us-east-1:123456789012:gatehouse-Role",
				"URL":       "https://gatehouse-Api.execute-api.us-east-1.amazonaws.com/${Stage}",
				"NAMED":     "invites@exports-1",
				"RATE":      "2", "SENDER": "a@b.example", "DEFAULT_RATE": "no",
				"MODE": "with-secret", "DEBUG": "yes", "SECRET": "test-secretsmanager-app-secret",
				"JOINED": "a,debug", "FLAG": "true",
			},
			deployed: map[string]bool{"AppFunction": true, "SecretFunction": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// goformation evaluates conditions in map order: every order must give the same.
			for range 10 {
				tmpl, err := Load("testdata/template.yaml", tt.values)
				if err != nil {
					t.Fatal(err)
				}
				app := tmpl.Functions["AppFunction"]
				if diff := cmp.Diff(tt.env, app.Env); diff != "" {
					t.Fatalf("AppFunction environment mismatch (-want +got):\n%s", diff)
				}
				deployed := map[string]bool{}
				for id, fn := range tmpl.Functions {
					deployed[id] = fn.Deployed
				}
				if diff := cmp.Diff(tt.deployed, deployed); diff != "" {
					t.Fatalf("deployed mismatch (-want +got):\n%s", diff)
				}
				got := []int{app.Timeout, app.MemorySize, tmpl.Functions["SecretFunction"].Timeout, tmpl.Functions["SecretFunction"].MemorySize}
				if diff := cmp.Diff([]int{10, 512, 3, defaultMemorySize}, got); diff != "" {
					t.Fatalf("timeouts and memory sizes mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseRefusesWhatItCannotResolve(t *testing.T) {
	const function = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
	tests := []struct {
		template string
		values   Values
		want     string
	}{
		{"Parameters:\n  Sender: {Type: String}\nResources: {}\n", Values{}, "parameter Sender has no default: give it a test value"},
		{"Resources: {}\n", Values{Parameters: map[string]string{"Nope": "x"}}, "test value for Nope: the template has no such parameter"},
		{"Conditions:\n  C: !And [!Condition Missing, !Equals [a, a]]\nResources: {}\n", Values{}, "conditions [C] cannot be evaluated"},
		{function + "      Environment:\n        Variables:\n          X: [a, b]\n", Values{}, "environment variable X"},
		{function + "      CodeUri: {Bucket: b, Key: k}\n", Values{}, "CodeUri of type string"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.template), tt.values)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q): err = %v, want %q", tt.template, err, tt.want)
		}
	}
}

func TestEnvironmentLayersLambdaTheTemplateAndOverrides(t *testing.T) {
	fn := &Function{ID: "AppFunction", Timeout: 10, MemorySize: 256, Env: map[string]string{"TABLE_NAME": "t", "AWS_REGION": "eu-west-1"}}
	got := Environment(fn, map[string]string{"TABLE_NAME": "fresh", "DYNAMODB_ENDPOINT": "http://127.0.0.1:1"})
	want := map[string]string{
		"TABLE_NAME": "fresh", "DYNAMODB_ENDPOINT": "http://127.0.0.1:1", "AWS_REGION": "eu-west-1",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "10", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_FUNCTION_NAME": "gatehouse-AppFunction",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
