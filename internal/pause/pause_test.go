package pause

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestForWaitsTheWholeWhile(t *testing.T) {
	start := time.Now()
	if err := For(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatalf("For = %v, want nil", err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Fatalf("For returned after %v, before the 20ms it was given", waited)
	}
}

func TestForEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := For(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("For on a cancelled context = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := For(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("For past its context's deadline = %v, want context.DeadlineExceeded", err)
	}
}
