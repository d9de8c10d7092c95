// Command sync is the Lambda function that runs every organization's directory sync on an
// EventBridge schedule: read the export from S3, plan, hold or apply, report.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"gatehouse/internal/awsenv"
	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/logs"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/seal"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run builds the handler and serves Lambda invocations until the runtime stops the process.
func run(ctx context.Context, getenv env.Getenv) error {
	h, err := newHandler(ctx, getenv, os.Stdout)
	if err != nil {
		return err
	}
	lambda.Start(h)
	return nil
}

// handler is the Lambda entry point: a scheduled event in, the pass's summary out.
type handler func(context.Context, events.EventBridgeEvent) (dirsync.Summary, error)

// newHandler validates the configuration and wires sync over the table and S3, logging and
// writing its metrics to stdout.
func newHandler(ctx context.Context, getenv env.Getenv, stdout io.Writer) (handler, error) {
	cfg, err := env.LoadCommon(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Load(getenv, cfg.AWS)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table)
	opener := blob.Opener{S3: blob.NewS3Client(awsCfg, cfg.S3Endpoint)}
	sealer, err := seal.Load(awsCfg, cfg.KeyID, cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	log := logs.New(stdout, cfg.LogLevel)
	sink, err := metrics.New(stdout, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "sync", Logger: log})
	if err != nil {
		return nil, err
	}
	svc := dirsync.New(store.Sync, org.NewService(store.Org(), org.WithMetrics(sink)), opener, log,
		dirsync.WithDirectories(sealer, cfg.Local), dirsync.WithMetrics(sink))
	return metrics.Invocation(sink, func(ctx context.Context, _ events.EventBridgeEvent) (dirsync.Summary, error) {
		return svc.SyncAll(ctx, dirsync.TriggerSchedule)
	}), nil
}
