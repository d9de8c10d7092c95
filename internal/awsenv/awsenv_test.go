package awsenv

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"gatehouse/internal/env"
)

// lambdaEnv is what Lambda sets that the SDK reads, for a function whose execution role has
// temporary credentials.
var lambdaEnv = map[string]string{
	"AWS_REGION":            "eu-west-1",
	"AWS_DEFAULT_REGION":    "eu-west-1",
	"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLEEXAMPLE00",
	"AWS_SECRET_ACCESS_KEY": "example-role-secret",
	"AWS_SESSION_TOKEN":     "example-role-session",
}

// sdkEnvironment makes the process environment exactly vars for the SDK's loader: no other
// AWS variable, and a home without shared configuration files.
func sdkEnvironment(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, name := range append(unread, "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_ACCOUNT_ID", "AWS_SDK_UA_APP_ID", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EC2_METADATA_DISABLED") {
		t.Setenv(name, "")
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

// comparable leaves out of a configuration or client options what cannot be compared:
// functions, interfaces (providers, clients, resolvers) and unexported fields; the
// credentials are compared by their values.
var comparable = cmp.Options{
	cmp.FilterPath(func(p cmp.Path) bool {
		k := p.Last().Type().Kind()
		return k == reflect.Func || k == reflect.Interface || k == reflect.Chan
	}, cmp.Ignore()),
	cmpopts.IgnoreFields(aws.Config{}, "ConfigSources"),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreUnexported(dynamodb.Options{}, s3.Options{}, kms.Options{}, sesv2.Options{}),
}

// credentialsOf are the credentials cfg signs with.
func credentialsOf(t *testing.T, cfg aws.Config) aws.Credentials {
	t.Helper()
	c, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.CanExpire, c.Expires = false, c.Expires.UTC()
	return c
}

// TestLoadIsTheSDKsLoader checks that the configuration, and every client the functions make
// from it, is what the SDK's default loader gives in the same environment.
func TestLoadIsTheSDKsLoader(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		aws  env.AWS
		sdk  []func(*config.LoadOptions) error // what awsconfig.Load adds for local stand-ins
	}{
		{name: "Lambda", vars: lambdaEnv},
		{name: "Lambda with an account id", vars: merge(lambdaEnv, map[string]string{"AWS_ACCOUNT_ID": "123456789012"})},
		{name: "AWS_DEFAULT_REGION only", vars: map[string]string{"AWS_DEFAULT_REGION": "ap-south-1", "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"}},
		{
			name: "local stand-ins", aws: env.AWS{LocalCredentials: true, DefaultRegion: "us-east-1"},
			sdk: []func(*config.LoadOptions) error{config.WithRegion("us-east-1"),
				config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", ""))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sdkEnvironment(t, tt.vars)
			want, err := config.LoadDefaultConfig(context.Background(), tt.sdk...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Load(func(k string) string { return tt.vars[k] }, tt.aws)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, comparable); diff != "" {
				t.Errorf("configuration mismatch (-SDK +Load):\n%s", diff)
			}
			if diff := cmp.Diff(credentialsOf(t, want), credentialsOf(t, got)); diff != "" {
				t.Errorf("credentials mismatch (-SDK +Load):\n%s", diff)
			}
			clients := []struct {
				name string
				opts func(aws.Config) any
			}{
				{"DynamoDB", func(c aws.Config) any { return dynamodb.NewFromConfig(c).Options() }},
				{"S3", func(c aws.Config) any { return s3.NewFromConfig(c).Options() }},
				{"KMS", func(c aws.Config) any { return kms.NewFromConfig(c).Options() }},
				{"SESv2", func(c aws.Config) any { return sesv2.NewFromConfig(c).Options() }},
			}
			for _, c := range clients {
				if diff := cmp.Diff(c.opts(want), c.opts(got), comparable); diff != "" {
					t.Errorf("%s client options mismatch (-SDK +Load):\n%s", c.name, diff)
				}
			}
		})
	}
}

func TestLoadRefusesWhatItDoesNotRead(t *testing.T) {
	for _, name := range unread {
		t.Run(name, func(t *testing.T) {
			vars := merge(lambdaEnv, map[string]string{name: "x"})
			_, err := Load(func(k string) string { return vars[k] }, env.AWS{})
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("Load error = %v, want one naming %s", err, name)
			}
		})
	}
}

func TestLoadNeedsTheRolesCredentials(t *testing.T) {
	_, err := Load(func(k string) string { return map[string]string{"AWS_REGION": "eu-west-1"}[k] }, env.AWS{})
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("Load error = %v, want one naming AWS_ACCESS_KEY_ID", err)
	}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
