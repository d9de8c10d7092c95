package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/lambdatest"
	"gatehouse/internal/metrics/metricstest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

const export = "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n" +
	"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"ada@acme.com\"\r\n" +
	"\"00u2\",\"ACTIVE\",\"alan@acme.com\",\"Alan\",\"Turing\",\"alan@acme.com\"\r\n"

// TestScheduledEventSyncsEveryOrganization replays the schedule's event through the function
// wired as in AWS, with the environment template.yaml gives SyncFunction on a local stack:
// acme's export is in the exports bucket, globex's is missing; acme is synced and globex's
// failure is reported without stopping the pass.
func TestScheduledEventSyncsEveryOrganization(t *testing.T) {
	stack := lambdatest.NewStack(t)
	fn := stack.Deploy(t, "SyncFunction")
	ctx := context.Background()
	out := &metricstest.Output{}
	h, err := newHandler(ctx, fn.Getenv, out)
	if err != nil {
		t.Fatalf("with template.yaml's environment: %v", err)
	}
	bucket := fn.Resources["ExportsBucket"]
	if _, err := stack.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("acme/okta.csv"), Body: bytes.NewReader([]byte(export))}); err != nil {
		t.Fatal(err)
	}
	store := dynamo.New(stack.DynamoDB, fn.Env["TABLE_NAME"])
	svc := org.NewService(store.Org())
	cfgSvc := dirsync.New(store.Sync, svc, blob.Opener{}, slog.New(slog.DiscardHandler))
	admins := map[string]org.Principal{}
	for _, id := range []string{"acme", "globex"} {
		admins[id], _ = orgtest.Seed(t, svc, id, id)
		src := "s3://" + bucket + "/" + id + "/okta.csv"
		if _, err := cfgSvc.Configure(ctx, admins[id], dirsync.ConfigRequest{Sources: dirsync.SourcesOf(src)}); err != nil {
			t.Fatal(err)
		}
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
	statuses := map[any]any{}
	for _, doc := range metricstest.WrittenBy(t, out.Bytes(), "sync", "SyncRuns") {
		statuses[doc["Status"]] = doc["SyncRuns"]
	}
	if diff := cmp.Diff(map[any]any{"applied": 1.0, "failed": 1.0}, statuses); diff != "" {
		t.Errorf("SyncRuns written mismatch (-want +got):\n%s", diff)
	}
	if docs := metricstest.WrittenBy(t, out.Bytes(), "sync", "SyncPeopleChanged"); len(docs) != 1 || docs[0]["SyncPeopleChanged"] != 2.0 {
		t.Errorf("SyncPeopleChanged documents %v, want acme's 2", docs)
	}
	if docs := metricstest.WrittenBy(t, out.Bytes(), "sync", "InvitationsCreated"); len(docs) != 1 || docs[0]["Source"] != "sync" {
		t.Errorf("InvitationsCreated documents %v, want sync's", docs)
	}
}

func TestHandlerRefusesIncompleteConfiguration(t *testing.T) {
	_, err := newHandler(context.Background(), func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Errorf("err = %v, want TABLE_NAME named", err)
	}
}
