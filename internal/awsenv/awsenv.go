// Package awsenv makes a Lambda function's AWS SDK configuration from the environment Lambda
// gives it: the region, and the execution role's credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (or placeholders for local stand-ins of AWS).
//
// The functions use it instead of awsconfig, the SDK's default loader, for their cold starts:
// that loader links the SSO, SSO OIDC, STS and sign-in clients of credential sources a Lambda
// function never has, whose package initialisers and code cost every start about 1 ms and
// every binary about 1.8 MB. What it builds is what the SDK's loader builds from the same
// environment (its tests compare the two). SDK settings it does not read, such as a profile
// or an endpoint URL, are refused by name rather than ignored.
package awsenv

import (
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"

	"gatehouse/internal/env"
)

// unread are variables the SDK's default loader acts on that Load does not read. Lambda sets
// none of them; a function given one refuses to start rather than behave otherwise than the
// variable asks.
var unread = []string{
	"AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_SESV2",
	"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_DEFAULTS_MODE",
}

// Load returns the configuration every client of the function is made with. a says when the
// function talks to local stand-ins only (env.LoadCommon): then placeholder credentials, and
// a region when none is set, are used.
func Load(getenv env.Getenv, a env.AWS) (aws.Config, error) {
	var problems []error
	for _, name := range unread {
		if getenv(name) != "" {
			problems = append(problems, fmt.Errorf("%s is set, but Gatehouse's Lambda functions read only the region and the execution role's credentials from the environment", name))
		}
	}
	cfg := aws.Config{
		Region: getenv("AWS_REGION"),
		Logger: logging.NewStandardLogger(os.Stderr),
		// The defaults the SDK's loader sets when nothing asks otherwise.
		DefaultsMode:                aws.DefaultsModeLegacy,
		RequestMinCompressSizeBytes: 10240,
		AccountIDEndpointMode:       aws.AccountIDEndpointModePreferred,
		RequestChecksumCalculation:  aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation:  aws.ResponseChecksumValidationWhenSupported,
		RestrictFilePermissions:     aws.RestrictFilePermissionsUserReadWrite,
	}
	if cfg.Region == "" {
		cfg.Region = getenv("AWS_DEFAULT_REGION")
	}
	if cfg.Region == "" {
		cfg.Region = a.DefaultRegion
	}
	creds := aws.Credentials{
		AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN"),
		AccountID: getenv("AWS_ACCOUNT_ID"), Source: "EnvConfigCredentials", // as the SDK's loader names them
	}
	switch {
	case a.LocalCredentials:
		creds = aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: credentials.StaticCredentialsName}
	case creds.AccessKeyID == "" || creds.SecretAccessKey == "":
		problems = append(problems, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required: Lambda sets them to the function's execution role"))
	}
	if len(problems) > 0 {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", errors.Join(problems...))
	}
	cfg.Credentials = aws.NewCredentialsCache(credentials.StaticCredentialsProvider{Value: creds})
	return cfg, nil
}
