package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// NewClient builds a DynamoDB client from cfg. With an endpoint (a local or test DynamoDB) it
// talks there instead, without response checksum validation, which local implementations do
// not all provide.
func NewClient(cfg aws.Config, endpoint string, clientOpts ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.DisableValidateResponseChecksum = true
		}
	}}, clientOpts...)...)
}
