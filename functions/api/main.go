// Command api is the Lambda function serving Gatehouse's REST API behind API Gateway.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"gatehouse/internal/awsenv"
	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/hooks"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/logs"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/seal"
	"gatehouse/internal/slack"
	"gatehouse/internal/webhook"
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

// handler is the Lambda entry point: an API Gateway REST proxy event in, a response out.
type handler func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// newHandler validates the configuration and wires the API over the table, logging and
// writing its metrics to stdout.
func newHandler(ctx context.Context, getenv env.Getenv, stdout io.Writer) (handler, error) {
	cfg, err := env.LoadAPI(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Load(getenv, cfg.AWS)
	if err != nil {
		return nil, err
	}
	store := dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table)
	log := logs.New(stdout, cfg.LogLevel)
	sink, err := metrics.New(stdout, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "api", Logger: log})
	if err != nil {
		return nil, err
	}
	svc := org.NewService(store.Org(), org.WithMetrics(sink))
	opener := blob.Opener{S3: blob.NewS3Client(awsCfg, cfg.S3Endpoint)}
	var install httpapi.SlackInstaller
	if cfg.SlackClientID != "" {
		if install, err = slack.NewInstaller(slack.InstallConfig{ClientID: cfg.SlackClientID, ClientSecret: cfg.SlackClientSecret,
			RedirectURL: cfg.PublicURL + "/slack/oauth/callback"}); err != nil {
			return nil, err
		}
	}
	prov := provision.New(store.SCIM, store.Sync, svc, log)
	sealer, err := seal.Load(awsCfg, cfg.KeyID, cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	sync := dirsync.New(store.Sync, svc, opener, log, dirsync.WithHeldApplier(provision.TriggerSCIM, prov),
		dirsync.WithDirectories(sealer, cfg.Local), dirsync.WithMetrics(sink))
	var webhooks httpapi.Webhooks
	if sealer != nil {
		webhooks = hooks.New(store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: cfg.Local}), cfg.Local, log, hooks.WithMetrics(sink))
	}
	api, err := httpapi.New(httpapi.Config{
		SlackInstall:   install,
		Service:        svc,
		SCIM:           prov,
		Sync:           sync,
		Webhooks:       webhooks,
		Idempotency:    store.Idempotency,
		Logger:         log,
		RequestID:      apiGatewayRequestID,
		AllowedOrigins: cfg.AllowedOrigins,
		AppURL:         cfg.AppURL,
		PublicURL:      cfg.PublicURL,
		Metrics:        sink,
	})
	if err != nil {
		return nil, err
	}
	return metrics.Invocation(sink, httpadapter.New(api).ProxyWithContext), nil
}

// apiGatewayRequestID is API Gateway's id for the request, so logs join up with its own.
func apiGatewayRequestID(r *http.Request) string {
	rc, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return ""
	}
	return rc.RequestID
}
