package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

const export = "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n" +
	"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"ada@acme.com\"\r\n" +
	"\"00u2\",\"ACTIVE\",\"alan@acme.com\",\"Alan\",\"Turing\",\"alan@acme.com\"\r\n"

// TestScheduledEventSyncsEveryOrganization replays the schedule's event through the function
// wired as in AWS: acme's export is in (an in-process) S3, globex's is missing; acme is synced
// and globex's failure is reported without stopping the pass.
func TestScheduledEventSyncsEveryOrganization(t *testing.T) {
	env := dynamotest.New(t)
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	client := blob.NewS3Client(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}, srv.URL)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("exports")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("exports"), Key: aws.String("acme/okta.csv"), Body: bytes.NewReader([]byte(export))}); err != nil {
		t.Fatal(err)
	}
	svc := org.NewService(env.Store.Org())
	cfgSvc := dirsync.New(env.Store.Sync, svc, blob.Opener{}, slog.New(slog.DiscardHandler))
	admins := map[string]org.Principal{}
	for _, id := range []string{"acme", "globex"} {
		admins[id], _ = orgtest.Seed(t, svc, id, id)
		src := "s3://exports/" + id + "/okta.csv"
		if _, err := cfgSvc.Configure(ctx, admins[id], dirsync.ConfigRequest{Sources: []string{src}}); err != nil {
			t.Fatal(err)
		}
	}

	vars := map[string]string{"TABLE_NAME": env.Store.Table(), "DYNAMODB_ENDPOINT": env.Endpoint, "S3_ENDPOINT": srv.URL, "LOG_LEVEL": "error"}
	h, err := newHandler(ctx, func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "sync-schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	sum, err := h(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Organizations != 2 || sum.Runs["applied"] != 1 || sum.Runs["failed"] != 1 || len(sum.Failed) != 1 || sum.Failed[0] != "globex" {
		t.Errorf("summary = %+v", sum)
	}
	_, invs, err := svc.Accounts(ctx, admins["acme"])
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 2 {
		t.Errorf("acme invitations = %d, want 2", len(invs))
	}
	runs, err := cfgSvc.Runs(ctx, admins["globex"], org.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.Items) != 1 || runs.Items[0].Status != dirsync.RunFailed || runs.Items[0].Error == "" {
		t.Errorf("globex runs = %+v", runs.Items)
	}
}
