package ses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// ClientConfig says where SES is.
type ClientConfig struct {
	Endpoint         string // another SES (the local emulator); empty for AWS
	LocalCredentials bool   // placeholder credentials, for a local SES that accepts any
	DefaultRegion    string // a region when none is configured
}

// NewClient builds an SES v2 client from the default AWS configuration.
func NewClient(ctx context.Context, c ClientConfig) (*sesv2.Client, error) {
	var opts []func(*config.LoadOptions) error
	if c.DefaultRegion != "" {
		opts = append(opts, config.WithRegion(c.DefaultRegion))
	}
	if c.LocalCredentials {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	}), nil
}
