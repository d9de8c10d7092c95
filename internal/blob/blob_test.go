package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"gatehouse/internal/blob"
)

// fakeS3 is an in-process S3 with bucket "exports", reached through the real SDK client.
func fakeS3(t *testing.T) *s3.Client {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	client := blob.NewS3Client(cfg, srv.URL)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("exports")}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return client
}

func TestOpenS3(t *testing.T) {
	client := fakeS3(t)
	ctx := context.Background()
	body := []byte("\"User Id\",\"Status\"\n")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("okta/group members.csv"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	o := blob.Opener{S3: client}
	rc, err := o.Open(ctx, "s3://exports/okta/group members.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read %q, %v; want %q", got, err, body)
	}
	for _, missing := range []string{"s3://exports/nope.csv", "s3://no-bucket/a.csv"} {
		if _, err := o.Open(ctx, missing); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", missing, err)
		}
	}
	if _, err := o.Open(ctx, "file:///etc/hostname"); err == nil {
		t.Error("file:// opened where files are not allowed")
	}
}

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := blob.Opener{FilesDir: dir}
	rc, err := o.Open(context.Background(), "file://"+path)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if _, err := o.Open(context.Background(), "file://"+filepath.Join(dir, "missing.csv")); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("missing file: %v, want ErrNotFound", err)
	}
	if _, err := o.Open(context.Background(), "s3://exports/a.csv"); err == nil {
		t.Error("s3:// opened with no S3 configured")
	}
	if _, err := o.Open(context.Background(), "https://example.com/a.csv"); err == nil {
		t.Error("https:// accepted")
	}
}

func TestFilesStayInsideTheExportsFolder(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	if err := os.WriteFile(secret, []byte("password"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	o := blob.Opener{FilesDir: dir}
	for _, loc := range []string{
		"file://" + secret,
		"file://" + filepath.Join(outside, "missing.csv"),
		"file://" + dir + "/../" + filepath.Base(outside) + "/secret.csv",
		"file://" + filepath.Join(dir, "link.csv"),
		"file://" + filepath.Join(dir, "out", "secret.csv"),
		"file:///proc/self/environ",
		"file://" + dir,
	} {
		rc, err := o.Open(context.Background(), loc)
		if err == nil {
			rc.Close()
			t.Errorf("%s was opened from outside the exports folder", loc)
			continue
		}
		if errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: %v tells whether a file outside the folder exists", loc, err)
		}
	}
}

func TestANamedPipeIsNotOpened(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.csv"), 0o600); err != nil {
		t.Fatalf("make a named pipe: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		rc, err := blob.Opener{FilesDir: dir}.Open(context.Background(), "file://"+filepath.Join(dir, "pipe.csv"))
		if err == nil {
			rc.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a named pipe was opened as an export")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a named pipe blocked")
	}
}
