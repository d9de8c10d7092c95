package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/org"
	"gatehouse/internal/slack"
)

// The Slack workspace the local stack connects to its demo organization, so slash commands
// can be tried with curl (see the README).
const (
	devSlackTeam   = "T0DEMO"
	devSlackUser   = "U0DEMO"
	devSlackSecret = "gatehouse-dev-signing-secret"
)

// devSlack connects the demo workspace to the demo organization (unless it is connected
// already) and returns the slash-command webhook, verified with signingSecret.
func devSlack(ctx context.Context, svc *org.Service, store *dynamo.Store, adminSecret, signingSecret string, log *slog.Logger) (http.Handler, error) {
	admin, err := svc.Authenticate(ctx, adminSecret, org.SourceCLI)
	if err != nil {
		return nil, fmt.Errorf("seed slack connection: %w", err)
	}
	if _, err := svc.Slack(ctx, admin); errors.Is(err, org.ErrNotFound) {
		req := org.SlackRequest{TeamID: devSlackTeam, AllowedUsers: []string{devSlackUser}}
		if _, err := svc.ConnectSlack(ctx, admin, req); err != nil {
			return nil, fmt.Errorf("seed slack connection: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read slack connection: %w", err)
	}
	v, err := slack.NewVerifier(signingSecret, nil)
	if err != nil {
		return nil, err
	}
	return slack.Handler(slack.Config{Service: svc, Verifier: v, Replays: store.Idempotency, Logger: log}), nil
}
