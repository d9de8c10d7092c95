package dynamo

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"gatehouse/internal/org"
)

// classified is the DynamoDB client with its failures sorted: a failure of DynamoDB itself
// (throttling, an error on its side, a timeout, a broken or refused connection) also wraps
// org.ErrUnavailable, which every door answers as "try again shortly" (503), never as a
// bug. DynamoDB's answers (a failed condition, a cancelled transaction, a bad request) are
// left as they are, and the SDK's own errors stay reachable with errors.As.
type classified struct{ API }

func (c classified) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := c.API.GetItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := c.API.PutItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	out, err := c.API.DeleteItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := c.API.UpdateItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.API.Query(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out, err := c.API.BatchGetItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	out, err := c.API.BatchWriteItem(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	out, err := c.API.TransactWriteItems(ctx, in, opts...)
	return out, classify(err)
}

func (c classified) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	out, err := c.API.DescribeTable(ctx, in, opts...)
	return out, classify(err)
}

// unavailableError is a failure of DynamoDB itself: it is both the SDK's error and
// org.ErrUnavailable. Ambiguous says a write may have been applied regardless (a timeout, a
// reset connection, a 5xx, a transaction still in progress), as opposed to one DynamoDB
// refused (throttling) or never received (a refused connection).
type unavailableError struct {
	err       error
	ambiguous bool
}

// mayHaveApplied reports whether err leaves open that the write it answers was applied.
func mayHaveApplied(err error) bool {
	var u *unavailableError
	return errors.As(err, &u) && u.ambiguous
}

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.err, org.ErrUnavailable} }

// refusedCodes are DynamoDB's answers that it is too busy to take the request: nothing was
// applied.
var refusedCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
}

// busyCodes are DynamoDB's error codes that say it failed on its side, the request having
// reached it: a write may or may not have been applied.
var busyCodes = map[string]bool{
	"InternalServerError": true,
	"ServiceUnavailable":  true,
	// An earlier try of the same transaction (same client token) is still being applied:
	// its outcome is not known yet.
	"TransactionInProgressException": true,
}

// classify marks err as org.ErrUnavailable when it is DynamoDB failing rather than answering.
func classify(err error) error {
	if err == nil || errors.Is(err, org.ErrUnavailable) || errors.Is(err, context.Canceled) {
		return err
	}
	var api smithy.APIError
	var resp *smithyhttp.ResponseError
	var netErr net.Error
	switch {
	case errors.As(err, &api) && refusedCodes[api.ErrorCode()]:
		return &unavailableError{err: err}
	case errors.As(err, &api) && busyCodes[api.ErrorCode()], errors.As(err, &resp) && resp.HTTPStatusCode() >= 500:
		return &unavailableError{err: err, ambiguous: true}
	case errors.As(err, &api):
		return err // an answer: a failed condition, a cancelled transaction, a bad request
	case errors.Is(err, syscall.ECONNREFUSED):
		return &unavailableError{err: err} // never connected: nothing was sent
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &unavailableError{err: err, ambiguous: true}
	}
	return err
}
