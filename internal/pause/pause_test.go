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
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	late, cancelLate := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelLate()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"a cancelled context", cancelled, context.Canceled}, {"past its context's deadline", late, context.DeadlineExceeded}} {
		done := make(chan error, 1)
		go func() { done <- For(c.ctx, time.Hour) }()
		select {
		case err := <-done:
			if !errors.Is(err, c.want) {
				t.Errorf("For on %s = %v, want %v", c.name, err, c.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("For on %s still waits after 5s: it does not end with its context", c.name)
		}
	}
}
