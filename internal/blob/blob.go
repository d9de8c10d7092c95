// Package blob opens export files by location: s3://bucket/key through the S3 API, and
// file:///path from the local disk where that is allowed.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// ErrNotFound means there is no object or file at the location. It is fs.ErrNotExist, so
// callers need not import this package (and the AWS SDK) to recognise it.
var ErrNotFound = fs.ErrNotExist

// S3API is the part of the S3 client the opener uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Opener opens exports. S3 is nil where no S3 is configured; Files allows file:// locations
// (the local stack only: a Lambda function has no exports on its disk).
type Opener struct {
	S3    S3API
	Files bool
}

// NewS3Client returns an S3 client for cfg; endpoint, when set, names another S3 (path-style).
func NewS3Client(cfg aws.Config, endpoint string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	})
}

// Open opens the export at location for reading; the caller closes it.
func (o Opener) Open(ctx context.Context, location string) (io.ReadCloser, error) {
	u, err := url.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("export location %q: %w", location, err)
	}
	switch u.Scheme {
	case "s3":
		if o.S3 == nil {
			return nil, fmt.Errorf("export %s: no S3 is configured here", location)
		}
		key := strings.TrimPrefix(u.Path, "/")
		out, err := o.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(key)})
		var apiErr smithy.APIError
		switch {
		case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NoSuchBucket"):
			return nil, fmt.Errorf("export %s: %w", location, ErrNotFound)
		case err != nil:
			return nil, fmt.Errorf("read export %s: %w", location, err)
		}
		return out.Body, nil
	case "file":
		if !o.Files {
			return nil, fmt.Errorf("export %s: file:// locations work only in the local stack; use s3://", location)
		}
		f, err := os.Open(u.Path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("export %s: %w", location, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("read export %s: %w", location, err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("export location %q must start with s3:// or file://", location)
}
