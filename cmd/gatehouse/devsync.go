package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo"
	"gatehouse/internal/localproc"
	"gatehouse/internal/metrics"
	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/seal"
)

// defaultSyncInterval is how often the local stack runs every configured directory sync.
const defaultSyncInterval = 30 * time.Second

// devSync returns the sync service of the local stack: file:// exports are read from the
// exports folder (and nowhere else), and s3:// ones from S3_ENDPOINT when it is set;
// identity providers' credentials are sealed under the local key file, and providers may
// be fakes on 127.0.0.1.
func devSync(awsCfg aws.Config, s3Endpoint, exports string, sealer seal.Sealer, store *dynamo.Store, svc *org.Service, prov *provision.Service, sink *metrics.Sink, log *slog.Logger) *dirsync.Service {
	opener := blob.Opener{FilesDir: exports}
	if s3Endpoint != "" {
		opener.S3 = blob.NewS3Client(awsCfg, s3Endpoint)
	}
	return dirsync.New(store.Sync, svc, opener, log, dirsync.WithExportsDir(exports), dirsync.WithHeldApplier(provision.TriggerSCIM, prov),
		dirsync.WithDirectories(sealer, true), dirsync.WithMetrics(sink))
}

// devSealer seals identity-provider credentials under the local stack's key: the file
// SECRETS_KEY_FILE, or secrets.key beside the exports folder, made when missing.
func devSealer(raw, exports string) (seal.Sealer, string, error) {
	path := raw
	if path == "" {
		path = filepath.Join(filepath.Dir(exports), "secrets.key")
	}
	key, err := seal.LoadOrCreateKey(path)
	if err != nil {
		return nil, "", fmt.Errorf("the local key for identity-provider credentials (set SECRETS_KEY_FILE to use another): %w", err)
	}
	sealer, err := seal.NewLocal(key)
	return sealer, path, err
}

// exportsDir is the folder file:// sync sources must lie in: EXPORTS_DIR, or .gatehouse/exports
// under the repository (under the working directory outside one), made if it is missing.
func exportsDir(raw string) (string, error) {
	dir := raw
	if dir == "" {
		base, err := localproc.RepoRoot()
		if err != nil {
			if base, err = os.Getwd(); err != nil {
				return "", fmt.Errorf("exports folder: %w", err)
			}
		}
		dir = filepath.Join(base, ".gatehouse", "exports")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("EXPORTS_DIR %q: %w", raw, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("make the exports folder %s (set EXPORTS_DIR to use another): %w", dir, err)
	}
	return dir, nil
}

// syncInterval reads SYNC_INTERVAL (a Go duration such as 30s or 5m).
func syncInterval(raw string) (time.Duration, error) {
	if raw == "" {
		return defaultSyncInterval, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("SYNC_INTERVAL must be a duration of at least 1s, such as 30s, got %q", raw)
	}
	return d, nil
}

// syncLoop runs every enabled sync each interval until ctx ends. A pass has no deadline: it
// runs every organization, however long that takes, and the ticks it overlaps are dropped.
func syncLoop(ctx context.Context, s *dirsync.Service, every time.Duration, sink *metrics.Sink, log *slog.Logger) {
	repeat(ctx, every, sink, func(ctx context.Context) {
		sum, err := s.SyncAll(ctx, dirsync.TriggerSchedule)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "directory sync", "err", err)
		}
		if sum.Organizations > 0 {
			log.InfoContext(ctx, "directory sync", "organizations", sum.Organizations, "runs", sum.Runs, "failed", sum.Failed)
		}
	})
}

// repeat calls do every interval until ctx ends, writing each call's metrics to sink when
// it returns, as a Lambda invocation's are.
func repeat(ctx context.Context, every time.Duration, sink *metrics.Sink, do func(context.Context)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tickCtx, flush := sink.Batch(ctx)
		do(tickCtx)
		flush()
	}
}
