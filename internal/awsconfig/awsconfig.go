// Package awsconfig loads the AWS SDK configuration a process's environment asks for: AWS's
// own chain (a profile, SSO, a role), or placeholders when it talks only to local stand-ins of
// AWS services. The Lambda functions use package awsenv instead, which links none of the
// chain's clients.
package awsconfig

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"gatehouse/internal/env"
)

// Load loads the configuration once, for every client the process makes.
func Load(ctx context.Context, a env.AWS) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if a.DefaultRegion != "" {
		opts = append(opts, config.WithRegion(a.DefaultRegion))
	}
	if a.LocalCredentials {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
