// Command webhooks is the Lambda function that delivers webhooks: woken by the table's
// stream when a change writes its event or a delivery is made due, and by a schedule that
// retries what is due (and first announces the invitations that expired), it fans events out
// to endpoints and delivers them. It is a function
// of its own, not the mailer's: a slow or failing endpoint then never delays an invitation
// email, and its network access and permissions stay apart from SES's.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"gatehouse/internal/awsenv"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/hooks"
	"gatehouse/internal/logs"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/seal"
	"gatehouse/internal/ses"
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

// margin is kept back from the invocation's deadline for the last records.
const margin = 5 * time.Second

// wakeUp is what wakes the function: a batch of stream records or a scheduled event. Which
// one does not matter: each is a reason to look at what is due.
type wakeUp struct {
	Records    []json.RawMessage `json:"Records"`
	DetailType string            `json:"detail-type"`
}

// handler is the Lambda entry point: a wake-up in, what was done out.
type handler func(context.Context, wakeUp) (hooks.Stats, error)

// newHandler validates the configuration and wires the dispatcher over the table, logging
// and writing its metrics to stdout.
func newHandler(ctx context.Context, getenv env.Getenv, stdout io.Writer) (handler, error) {
	cfg, err := env.LoadWebhooks(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Load(getenv, cfg.AWS)
	if err != nil {
		return nil, err
	}
	sealer, err := seal.Load(awsCfg, cfg.KeyID, cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	if sealer == nil {
		return nil, fmt.Errorf("SECRETS_KEY_ID is required: the webhooks function opens endpoints' signing secrets with it")
	}
	store := dynamo.New(dynamo.NewClient(awsCfg, cfg.Endpoint), cfg.Table)
	log := logs.New(stdout, cfg.LogLevel)
	sink, err := metrics.New(stdout, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "webhooks", Logger: log})
	if err != nil {
		return nil, err
	}
	orgs := org.NewService(store.Org())
	opts := []hooks.Option{hooks.WithMetrics(sink)}
	if cfg.From != "" {
		notices, err := ses.New(ses.NewClient(awsCfg, cfg.SESEndpoint), ses.Config{From: cfg.From, ConfigurationSet: cfg.ConfigurationSet})
		if err != nil {
			return nil, err
		}
		opts = append(opts, hooks.WithMailer(hooks.AdminNotices{Admins: orgs.AdminAddresses, Sender: notices, SettingsURL: cfg.PublicURL + "/settings/"}))
	}
	svc := hooks.New(store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: cfg.Local}), cfg.Local, log, opts...)
	return metrics.Invocation(sink, func(ctx context.Context, w wakeUp) (hooks.Stats, error) {
		if len(w.Records) == 0 && w.DetailType == "" {
			return nil, fmt.Errorf("the webhooks function is woken by the table's stream or its schedule, not by this event")
		}
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
			defer cancel()
		}
		expired := 0
		if w.DetailType != "" {
			// Every minute, the invitations whose expiry passed are announced first, so that
			// this pass delivers their events.
			// At most a quarter of the invocation (or 30 s): a large import's expiry never
			// holds back the deliveries.
			budget := 30 * time.Second
			if deadline, ok := ctx.Deadline(); ok {
				budget = min(budget, time.Until(deadline)/4)
			}
			expCtx, cancel := context.WithTimeout(ctx, budget)
			var err error
			expired, err = orgs.AnnounceExpiries(expCtx)
			cancel()
			if err != nil && expCtx.Err() == nil {
				log.ErrorContext(ctx, "announce expired invitations", "err", err)
			}
		}
		stats, err := svc.Sweep(ctx)
		if expired > 0 {
			stats["expired"] = expired
		}
		if err != nil && ctx.Err() != nil {
			return stats, nil // out of time: the next invocation goes on
		}
		return stats, err
	}), nil
}
