// Command mailer is the Lambda function that sends queued invitation emails, woken by the
// table's stream and by a schedule that sweeps what failures left behind.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"gatehouse/internal/awsenv"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/logs"
	"gatehouse/internal/mailer"
	"gatehouse/internal/metrics"
	"gatehouse/internal/ses"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run builds the handler and serves Lambda invocations until the runtime stops the process.
func run(ctx context.Context, getenv env.Getenv) error {
	h, err := newFunction(ctx, getenv, os.Stdout)
	if err != nil {
		return err
	}
	lambda.Start(h)
	return nil
}

// newFunction validates the configuration and wires the mailer over the table and SES,
// logging and writing its metrics to stdout.
func newFunction(ctx context.Context, getenv env.Getenv, stdout io.Writer) (func(context.Context, json.RawMessage) (any, error), error) {
	cfg, err := env.LoadMailer(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Load(getenv, cfg.AWS)
	if err != nil {
		return nil, err
	}
	db := dynamo.NewClient(awsCfg, cfg.Endpoint)
	sender, err := ses.New(ses.NewClient(awsCfg, cfg.SESEndpoint), ses.Config{From: cfg.From, ConfigurationSet: cfg.ConfigurationSet})
	if err != nil {
		return nil, err
	}
	log := logs.New(stdout, cfg.LogLevel)
	sink, err := metrics.New(stdout, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "mailer", Logger: log})
	if err != nil {
		return nil, err
	}
	m, err := mailer.New(dynamo.New(db, cfg.Table).Deliveries, sender, mailer.Config{PublicURL: cfg.PublicURL, Rate: cfg.Rate, Logger: log, Metrics: sink})
	if err != nil {
		return nil, err
	}
	return metrics.Invocation(sink, newHandler(m, log)), nil
}
