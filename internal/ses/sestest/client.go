package sestest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// NewClient returns an SES v2 client that sends to the emulator at endpoint, with placeholder
// credentials (the emulator only checks that requests are signed) in us-east-1.
func NewClient(tb testing.TB, endpoint string) *sesv2.Client {
	tb.Helper()
	cfg, err := config.LoadDefaultConfig(tb.Context(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")),
	)
	if err != nil {
		tb.Fatalf("load AWS config for aws-ses-v2-local: %v", err)
	}
	return sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}
