package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/env"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/localdb"
	"gatehouse/internal/org"
)

// devOrg is the organization the local stack seeds.
const devOrg = "demo"

// runDev runs the local stack: the embedded DynamoDB (unless DYNAMODB_ENDPOINT names
// another), the table, a seeded demo organization with an admin token, and the API on
// 127.0.0.1:$PORT, until interrupted.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("dev takes no arguments; configure it with environment variables")
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
	cfg, err := env.LoadAPI(func(k string) string {
		switch k {
		case "TABLE_NAME":
			return table
		case "DYNAMODB_ENDPOINT":
			return endpoint
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr)
	client, err := dynamo.NewClient(ctx, cfg.Store)
	if err != nil {
		return err
	}
	if err := dynamo.EnsureTable(ctx, client, cfg.Table); err != nil {
		return err
	}
	store := dynamo.New(client, cfg.Table)
	svc := org.NewService(store)
	secret, err := seedDev(ctx, svc, getenv("GATEHOUSE_DEV_TOKEN"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return fmt.Errorf("listen on port %s (set PORT to use another): %w", port, err)
	}
	srv := &http.Server{
		Handler: httpapi.New(httpapi.Config{
			Service: svc, Idempotency: store.Idempotency(), Logger: log, AllowedOrigins: cfg.AllowedOrigins,
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, `Gatehouse is running.

  API          %s/api/v1  (health: %s/healthz)
  DynamoDB     %s  table %s
  Organization %s
  Admin token  %s

Try:
  curl -s -X POST %s/api/v1/legacy/users/invite \
    -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"name":"John Doe","email":"john.doe@rely.io"}'

Press Ctrl-C to stop.
`, base, base, cfg.Endpoint, cfg.Table, devOrg, secret, base, secret)
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
	nt, err := svc.BootstrapToken(ctx, devOrg, actor, "local development", "admin")
	if err != nil {
		return "", err
	}
	return nt.Secret, nil
}
