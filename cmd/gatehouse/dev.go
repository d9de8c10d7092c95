package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatehouse/internal/awsconfig"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/hooks"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/localdb"
	"gatehouse/internal/localses"
	"gatehouse/internal/logs"
	"gatehouse/internal/mailer"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/ses"
	"gatehouse/internal/webhook"
)

// devOrg is the organization the local stack seeds.
const devOrg = "demo"

// runDev runs the local stack until interrupted: the embedded DynamoDB (unless
// DYNAMODB_ENDPOINT names another), the SES emulator on 127.0.0.1:8005 (unless SES_ENDPOINT
// names another SES), the table, a seeded demo organization with an admin token, the API on
// 127.0.0.1:$PORT, and the mailer sending what is queued every second.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("dev", "", `Runs the whole product locally until interrupted: the API and pages on
http://127.0.0.1:$PORT (default 3000), an embedded DynamoDB (unless DYNAMODB_ENDPOINT names
another), the SES emulator whose inbox keeps every email, the mailer, directory sync and
webhooks, and a seeded demo organization whose admin token it prints. It takes no flags:
configure it with the environment variables the README's Configuration lists.`)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("dev", "dev takes no arguments, got %q; configure it with environment variables", fs.Arg(0))
	}
	port := getenv("PORT")
	if port == "" {
		port = "3000"
	}
	table := getenv("TABLE_NAME")
	if table == "" {
		table = "gatehouse"
	}
	endpoint := getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		db, err := localdb.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer db.Close()
		endpoint = db.URL
	}
	sesEndpoint := getenv("SES_ENDPOINT")
	if sesEndpoint == "" {
		emu, err := startSES(getenv("SES_LOCAL_PORT"))
		if err != nil {
			return err
		}
		defer emu.Close()
		sesEndpoint = emu.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return fmt.Errorf("listen on port %s (set PORT to use another): %w", port, err)
	}
	base := "http://" + ln.Addr().String()
	devDefaults := map[string]string{
		"TABLE_NAME": table, "DYNAMODB_ENDPOINT": endpoint, "SES_ENDPOINT": sesEndpoint,
		"SES_FROM": "Gatehouse <invites@gatehouse.example>", "PUBLIC_URL": base,
	}
	lookup := func(k string) string {
		if v := getenv(k); v != "" && k != "TABLE_NAME" && k != "DYNAMODB_ENDPOINT" && k != "SES_ENDPOINT" {
			return v
		}
		return devDefaults[k]
	}
	cfg, err := env.LoadAPI(lookup)
	if err != nil {
		return err
	}
	mcfg, err := env.LoadMailer(lookup)
	if err != nil {
		return err
	}
	log := logs.New(stderr, cfg.LogLevel)
	sink, err := devMetrics(cfg.Common, stderr, log)
	if err != nil {
		return err
	}
	// The mailer's settings cover both local services: one AWS configuration serves them.
	awsCfg, err := awsconfig.Load(ctx, mcfg.AWS)
	if err != nil {
		return err
	}
	client := dynamo.NewClient(awsCfg, cfg.Endpoint)
	if err := dynamo.EnsureTable(ctx, client, cfg.Table); err != nil {
		return err
	}
	store := dynamo.New(client, cfg.Table)
	// The local stack has no Slack app to install: workspaces are connected by team id.
	svc := org.NewService(store.Org(), org.WithManualSlack(), org.WithMetrics(sink))
	secret, err := seedDev(ctx, svc, getenv("GATEHOUSE_DEV_TOKEN"))
	if err != nil {
		return err
	}
	m, err := newMailer(awsCfg, mcfg, store, sink, log)
	if err != nil {
		return err
	}
	go drain(ctx, m, sink, log)
	every, err := syncInterval(getenv("SYNC_INTERVAL"))
	if err != nil {
		return err
	}
	exports, err := exportsDir(getenv("EXPORTS_DIR"))
	if err != nil {
		return err
	}
	sealer, _, err := devSealer(getenv("SECRETS_KEY_FILE"), exports)
	if err != nil {
		return err
	}
	prov := provision.New(store.SCIM, store.Sync, svc, log)
	syncer := devSync(awsCfg, cfg.S3Endpoint, exports, sealer, store, svc, prov, sink, log)
	// Webhooks go out from the same ticker as emails, and may reach receivers on 127.0.0.1.
	// Admins are emailed through the SES emulator when an endpoint is disabled.
	notices, err := ses.New(ses.NewClient(awsCfg, mcfg.SESEndpoint), ses.Config{From: mcfg.From, ConfigurationSet: mcfg.ConfigurationSet})
	if err != nil {
		return err
	}
	hk := hooks.New(store.Hooks, sealer, webhook.NewSender(webhook.SenderOptions{Local: true}), true, log, hooks.WithMetrics(sink),
		hooks.WithMailer(hooks.AdminNotices{Admins: svc.AdminAddresses, Sender: notices, SettingsURL: mcfg.PublicURL + "/settings/"}))
	go deliverWebhooks(ctx, svc, hk, sink, log)
	go syncLoop(ctx, syncer, every, sink, log)
	api, err := httpapi.New(httpapi.Config{
		Service: svc, Idempotency: store.Idempotency, Logger: log, AllowedOrigins: cfg.AllowedOrigins, AppURL: cfg.AppURL, PublicURL: cfg.PublicURL,
		Sync: syncer, SCIM: prov, Webhooks: hk, Metrics: sink,
	})
	if err != nil {
		return err
	}
	slackSecret := getenv("SLACK_SIGNING_SECRET")
	if slackSecret == "" {
		slackSecret = devSlackSecret
	}
	commands, err := devSlack(ctx, svc, store, secret, slackSecret, log)
	if err != nil {
		return err
	}
	root := http.NewServeMux()
	root.Handle("/slack/commands", commands)
	root.Handle("/", api)
	srv := &http.Server{Handler: sink.Handler(root), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, `Gatehouse is running.

  API          %s/api/v1  (health: %s/healthz)
  Email inbox  %s  (every invitation email lands here)
  DynamoDB     %s  table %s
  Organization %s
  Admin token  %s
  Slack        %s/slack/commands  (team %s, user %s, signing secret %s)
  Exports      %s  (file:// sync sources must lie in this folder)
  SCIM         %s/scim/v2  (create its token: POST /api/v1/integrations/scim/token with the admin token)

Try:
  curl -s -X POST %s/api/v1/legacy/users/invite \
    -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"name":"John Doe","email":"john.doe@rely.io"}'

Press Ctrl-C to stop.
`, base, base, sesEndpoint, cfg.Endpoint, cfg.Table, devOrg, secret, base, devSlackTeam, devSlackUser, slackSecret, exports, base, base, secret)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// seedDev makes sure the demo organization, its admin member and an admin token exist, and
// returns the token's secret: fixedToken when set, otherwise a fresh one.
func seedDev(ctx context.Context, svc *org.Service, fixedToken string) (string, error) {
	actor := org.Actor{Type: "cli", ID: "gatehouse-dev"}
	_, err := svc.CreateOrg(ctx, actor, org.SourceCLI, org.NewOrg{ID: devOrg, Name: "Demo", AdminEmail: "admin@demo.example", AdminName: "Demo Admin"})
	if err != nil && !errors.Is(err, org.ErrExists) {
		return "", err
	}
	if fixedToken != "" {
		nt, err := svc.DevToken(ctx, devOrg, fixedToken)
		if err != nil {
			return "", fmt.Errorf("GATEHOUSE_DEV_TOKEN: %w", err)
		}
		return nt.Secret, nil
	}
	nt, err := svc.BootstrapToken(ctx, devOrg, actor, "Demo Admin", "admin")
	if err != nil {
		return "", err
	}
	return nt.Secret, nil
}

// startSES runs the SES emulator on 127.0.0.1:port (8005 unless set; 0 for any free port).
func startSES(port string) (*localses.Emulator, error) {
	if port == "" {
		port = "8005"
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return nil, fmt.Errorf("SES_LOCAL_PORT must be a port number, got %q", port)
	}
	bin, err := localses.Binary()
	if err != nil {
		return nil, err
	}
	return localses.Start(bin, p)
}

// devMetrics is where the local stack's metrics go: with LOG_LEVEL=debug, to the log (w) as
// the very EMF lines a deployed function writes, so that a metric's wiring can be checked by
// eye; otherwise nowhere. Nothing reads them locally, and at the usual level the log is for
// people, who need one line per request, not three.
func devMetrics(cfg env.Common, w io.Writer, log *slog.Logger) (*metrics.Sink, error) {
	if cfg.LogLevel > slog.LevelDebug {
		w = nil
	}
	return metrics.New(w, metrics.Config{Namespace: cfg.MetricsNamespace, Function: "dev", Logger: log})
}

// newMailer wires the mailer to the store and SES.
func newMailer(awsCfg aws.Config, cfg env.Mailer, store *dynamo.Store, sink *metrics.Sink, log *slog.Logger) (*mailer.Mailer, error) {
	sender, err := ses.New(ses.NewClient(awsCfg, cfg.SESEndpoint), ses.Config{From: cfg.From, ConfigurationSet: cfg.ConfigurationSet})
	if err != nil {
		return nil, err
	}
	return mailer.New(store.Deliveries, sender, mailer.Config{PublicURL: cfg.PublicURL, Rate: cfg.Rate, Logger: log, Metrics: sink})
}

// drainInterval is how often the local stack sends what is queued.
const drainInterval = time.Second

// expiryInterval is how often the local stack announces the invitations that expired (the
// webhooks function does every minute in AWS).
const expiryInterval = 10 * time.Second

// deliverWebhooks fans out events and delivers webhooks every drainInterval, and announces
// expired invitations every expiryInterval, until ctx ends.
func deliverWebhooks(ctx context.Context, svc *org.Service, hk *hooks.Service, sink *metrics.Sink, log *slog.Logger) {
	var announced time.Time
	repeat(ctx, drainInterval, sink, func(ctx context.Context) {
		if time.Since(announced) >= expiryInterval {
			announced = time.Now()
			if n, err := svc.AnnounceExpiries(ctx); err != nil && ctx.Err() == nil {
				log.ErrorContext(ctx, "announce expired invitations", "err", err)
			} else if n > 0 {
				log.InfoContext(ctx, "invitations expired", "count", n)
			}
		}
		stats, err := hk.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "deliver webhooks", "err", err)
		}
		if len(stats) > 0 {
			log.InfoContext(ctx, "webhooks", "outcomes", stats)
		}
	})
}

// drain sends queued invitation emails until ctx ends, as the stream and schedule do in AWS.
func drain(ctx context.Context, m *mailer.Mailer, sink *metrics.Sink, log *slog.Logger) {
	repeat(ctx, drainInterval, sink, func(ctx context.Context) {
		stats, err := m.Sweep(ctx, 25)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "send queued invitation emails", "err", err)
		}
		if len(stats) > 0 {
			log.InfoContext(ctx, "invitation emails", "outcomes", stats)
		}
	})
}
