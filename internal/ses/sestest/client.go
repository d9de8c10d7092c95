package sestest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/env"
	"gatehouse/internal/ses"
)

// NewClient returns an SES v2 client that sends to the emulator at endpoint, with placeholder
// credentials (the emulator only checks that requests are signed) in us-east-1.
func NewClient(tb testing.TB, endpoint string) *sesv2.Client {
	tb.Helper()
	cfg, err := awsconfig.Load(tb.Context(), env.AWS{LocalCredentials: true, DefaultRegion: "us-east-1"})
	if err != nil {
		tb.Fatalf("AWS config for aws-ses-v2-local: %v", err)
	}
	return ses.NewClient(cfg, endpoint)
}
