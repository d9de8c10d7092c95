package connector

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"gatehouse/internal/pause"
)

// Options are what every connector is built with besides its settings.
type Options struct {
	// HTTPClient makes every request, sign-in included. Required: build it with
	// egress.NewClient, so that no configured URL reaches a private address. The
	// connector uses a copy that refuses redirects, since a redirect would carry the
	// credentials elsewhere.
	HTTPClient *http.Client
	// Logger gets the warnings that do not fail a read (a delta link that could not be
	// had). nil discards them.
	Logger *slog.Logger
	// Now and Sleep are the clock, injected by tests; nil means the real ones. Sleep must
	// return early with ctx's error when ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Concurrency bounds the groups read at once; 0 means 4. A group's pages are read one
	// after the other, as each names the next.
	Concurrency int
	// MaxAttempts bounds the tries of one request; 0 means 5.
	MaxAttempts int
	// BaseDelay is the first backoff of a retry without Retry-After; 0 means 1s. Each
	// further retry doubles it, with jitter, up to 30s.
	BaseDelay time.Duration
	// MaxWait bounds one wait the provider asks for (Retry-After, a rate-limit reset);
	// 0 means 5 minutes. A longer one fails the read with ErrRateLimited.
	MaxWait time.Duration
	// MaxPageBytes bounds one response body; 0 means 32 MiB.
	MaxPageBytes int64
	// MaxPages bounds the pages of one group; 0 means 20,000 (four million people at
	// Okta's 200 a page).
	MaxPages int
}

// withDefaults checks o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.HTTPClient == nil {
		return o, errors.New("connector: Options.HTTPClient is required; build it with egress.NewClient")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = pause.For
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 5 * time.Minute
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 32 << 20
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 20_000
	}
	return o, nil
}
