package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gatehouse/internal/env"
)

// NewClient builds a DynamoDB client from the default AWS configuration. With an endpoint (a
// local or test DynamoDB) it talks there instead, with the placeholder credentials and region
// the configuration asks for, and without response checksum validation, which local
// implementations do not all provide.
func NewClient(ctx context.Context, c env.Store, clientOpts ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	var optFns []func(*config.LoadOptions) error
	if c.DefaultRegion != "" {
		optFns = append(optFns, config.WithRegion(c.DefaultRegion))
	}
	if c.LocalCredentials {
		optFns = append(optFns, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return dynamodb.NewFromConfig(cfg, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
			o.DisableValidateResponseChecksum = true
		}
	}}, clientOpts...)...), nil
}
