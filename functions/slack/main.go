// Command slack is the Lambda function serving Gatehouse's Slack slash command behind API
// Gateway: POST /slack/commands, verified with the Slack app's signing secret.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"gatehouse/internal/awsenv"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/logs"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/slack"
)

func main() {
	if err := run(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run builds the handler and serves Lambda invocations until the runtime stops the process.
func run(ctx context.Context, getenv env.Getenv) error {
	h, err := newHandler(ctx, getenv, os.Stdout, time.Now)
	if err != nil {
		return err
	}
	lambda.Start(h)
	return nil
}

// handler is the Lambda entry point: an API Gateway REST proxy event in, a response out.
type handler func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// newHandler validates the configuration and wires the webhook over the table, logging and
// writing its metrics to stdout, and reading the time (which signatures must be close to)
// from now.
func newHandler(ctx context.Context, getenv env.Getenv, stdout io.Writer, now func() time.Time) (handler, error) {
	cfg, err := env.LoadSlack(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Load(getenv, cfg.AWS)
	if err != nil {
		return nil, err
	}
	v, err := slack.NewVerifier(cfg.SigningSecret, now)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table)
	log := logs.New(stdout, cfg.LogLevel)
	sink, err := metrics.New(stdout, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "slack", Logger: log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/slack/commands", withRequestID(slack.Handler(slack.Config{
		Service: org.NewService(store.Org(), org.WithMetrics(sink)), Verifier: v, Replays: store.Idempotency, Logger: log, Now: now,
	})))
	return metrics.Invocation(sink, httpadapter.New(mux).ProxyWithContext), nil
}
