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
	"path/filepath"
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

// Opener opens exports. S3 is nil where no S3 is configured. FilesDir, when set, is the one
// folder file:// locations may name files in (the local stack's exports folder): nothing
// outside it is opened, not even through a symbolic link, and whether a file outside exists
// is never told. A Lambda function has no exports on its disk and sets none.
type Opener struct {
	S3       S3API
	FilesDir string
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
		return o.openFile(location, u.Path)
	}
	return nil, fmt.Errorf("export location %q must start with s3:// or file://", location)
}

// openFile opens path, which must lie inside o.FilesDir.
func (o Opener) openFile(location, path string) (io.ReadCloser, error) {
	if o.FilesDir == "" {
		return nil, fmt.Errorf("export %s: file:// locations work only in the local stack; use s3://", location)
	}
	// The root refuses any relative path that leaves the folder, by ".." or by a link.
	rel, err := filepath.Rel(o.FilesDir, path)
	if err != nil || !filepath.IsAbs(path) || rel == "." {
		return nil, fmt.Errorf("export %s: file:// locations must lie inside the exports folder %s", location, o.FilesDir)
	}
	root, err := os.OpenRoot(o.FilesDir)
	if err != nil {
		return nil, fmt.Errorf("open the exports folder %s: %w", o.FilesDir, err)
	}
	defer root.Close()
	// Only a regular file is opened: a named pipe or a device would block or never end.
	if st, err := root.Lstat(rel); err == nil && !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0 {
		return nil, fmt.Errorf("export %s is not a file: %w", location, fs.ErrPermission)
	}
	f, err := root.Open(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("export %s: %w", location, ErrNotFound)
	case err != nil:
		// Escapes through symbolic links land here too, without saying what is outside.
		return nil, fmt.Errorf("export %s cannot be read inside the exports folder: %w", location, fs.ErrPermission)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("export %s is not a file: %w", location, fs.ErrPermission)
	}
	return f, nil
}
