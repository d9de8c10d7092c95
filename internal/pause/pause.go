// Package pause waits between the tries of a request: for a while, or until the context of
// the work ends, whichever comes first.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx ends: it returns ctx's error then, and nil when d has passed.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
