package lambdatest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/blob"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/localdb"
	"gatehouse/internal/ses/sestest"
)

// Stack is the local stand-ins for the AWS services the functions call, all on 127.0.0.1:
// the embedded DynamoDB, the SES v2 emulator and an in-memory S3.
type Stack struct {
	DynamoDB    *dynamodb.Client
	S3          *s3.Client
	SESEndpoint string            // the SES emulator; its inbox is GET /store
	KeyFile     string            // the key identity-provider credentials are sealed under
	endpoints   map[string]string // the variables pointing a function at the stack
	n           atomic.Int64
}

// NewStack starts the stack; everything stops when the test ends. A missing SES emulator
// fails the test.
func NewStack(tb testing.TB) *Stack {
	tb.Helper()
	db, err := localdb.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatalf("start embedded DynamoDB: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	tb.Cleanup(s3srv.Close)
	sesURL := sestest.Start(tb)
	cfg, err := awsconfig.Load(tb.Context(), env.AWS{LocalCredentials: true, DefaultRegion: "us-east-1"})
	if err != nil {
		tb.Fatalf("AWS config for the local stack: %v", err)
	}
	keyFile := filepath.Join(tb.TempDir(), "secrets.key")
	return &Stack{
		DynamoDB:    dynamo.NewClient(cfg, db.URL),
		S3:          blob.NewS3Client(cfg, s3srv.URL),
		SESEndpoint: sesURL,
		endpoints: map[string]string{"DYNAMODB_ENDPOINT": db.URL, "SES_ENDPOINT": sesURL, "S3_ENDPOINT": s3srv.URL,
			// The stack has no KMS: identity-provider credentials are sealed under a key file.
			"SECRETS_KEY_ID": "", "SECRETS_KEY_FILE": keyFile},
		KeyFile: keyFile,
	}
}

// Env is what points a function's process at the stack instead of AWS: the endpoints, the
// function's credentials and the region. Nothing else of the template's environment is
// overridden.
func (s *Stack) Env() map[string]string {
	out := map[string]string{
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_SECRET_ACCESS_KEY": "local",
		"AWS_SESSION_TOKEN":     "",
		"AWS_REGION":            "us-east-1",
		"AWS_DEFAULT_REGION":    "us-east-1",
	}
	for k, v := range s.endpoints {
		out[k] = v
	}
	return out
}

// Provision creates a fresh table or bucket for each AWS::DynamoDB::Table and AWS::S3::Bucket
// of t and returns their names by logical ID, for Values.Resources.
func (s *Stack) Provision(tb testing.TB, t *Template) map[string]string {
	tb.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for id, typ := range t.Resources {
		name := strings.ToLower(id) + "-" + strconv.FormatInt(s.n.Add(1), 10)
		switch typ {
		case "AWS::DynamoDB::Table":
			if err := dynamo.EnsureTable(ctx, s.DynamoDB, name); err != nil {
				tb.Fatalf("create table %s for %s: %v", name, id, err)
			}
			tb.Cleanup(func() {
				_, _ = s.DynamoDB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			})
		case "AWS::S3::Bucket":
			if _, err := s.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
				tb.Fatalf("create bucket %s for %s: %v", name, id, err)
			}
		default:
			continue
		}
		out[id] = name
	}
	return out
}

// Environment is the whole environment fn's process has in Lambda: what Lambda itself sets,
// the template's variables over it, then overrides (such as Stack.Env) over both.
func Environment(fn *Function, overrides map[string]string) map[string]string {
	name := "gatehouse-" + fn.ID
	out := map[string]string{
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME":        name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemorySize),
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(fn.Timeout), // read by the emulator
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "2026/11/25/[$LATEST]0123456789abcdef",
		"AWS_ACCESS_KEY_ID":               "ASIAEXAMPLEEXAMPLE00",
		"AWS_SECRET_ACCESS_KEY":           "example-role-secret",
		"AWS_SESSION_TOKEN":               "example-role-session",
		"LAMBDA_TASK_ROOT":                "/var/task",
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
	}
	for k, v := range fn.Env {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}
