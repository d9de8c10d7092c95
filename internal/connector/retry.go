package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// maxBackoff caps the backoff between retries without Retry-After.
const maxBackoff = 30 * time.Second

// get sends rq until it succeeds, retrying what a retry may fix: 429 and 5xx (after the
// wait the provider asks for, or an exponential backoff with jitter), broken connections,
// and one 401 after signing in again. It never waits past ctx's deadline: a wait that
// would is an ErrDeadline at once. The body is read into buf.
func (c *core) get(ctx context.Context, rq request, buf *bytes.Buffer) (*response, error) {
	reauthed := false
	for attempt := 1; ; attempt++ {
		if err := c.pace(ctx, rq); err != nil {
			return nil, err
		}
		resp, gen, err := c.do(ctx, rq, buf)
		if c.rate != nil && resp != nil {
			c.rate.observe(resp.header)
		}
		var failed *Error
		retry := false
		switch {
		case err != nil:
			if !errors.As(err, &failed) {
				return nil, err
			}
			if failed.Group == "" && failed.Kind != ErrSignIn {
				failed.Group, failed.Page = rq.group, rq.page
			}
			retry = failed.Kind == ErrUnavailable || failed.Kind == ErrRateLimited
		case resp.status/100 == 2:
			return resp, nil
		case resp.status == http.StatusUnauthorized && rq.auth != nil && !reauthed && rq.auth.refresh(gen):
			reauthed = true // the token expired or was revoked: sign in once more
			attempt--
			continue
		default:
			failed, retry = c.explain(rq, resp)
			failed.Group, failed.Page, failed.Status = rq.group, rq.page, resp.status
			failed.Reason = c.scrub(failed.Reason)
		}
		if !retry {
			return nil, failed
		}
		if attempt >= c.opts.MaxAttempts {
			failed.Reason += fmt.Sprintf(", after %d tries", attempt)
			return nil, failed
		}
		var header http.Header
		if resp != nil {
			header = resp.header
		}
		if err := c.wait(ctx, rq, c.retryDelay(header, attempt), failed); err != nil {
			return nil, err
		}
	}
}

// pace waits before a request when the provider's rate limit is close.
func (c *core) pace(ctx context.Context, rq request) error {
	if c.rate == nil {
		return nil
	}
	d := c.rate.delay(c.opts.Now())
	if d <= 0 {
		return nil
	}
	why := c.fail(rq, ErrRateLimited, 0, "", c.provider.name()+"'s rate limit is nearly spent", nil)
	return c.wait(ctx, rq, d, why)
}

// wait sleeps d before another try after failed, unless that would pass ctx's deadline or
// the longest wait allowed.
func (c *core) wait(ctx context.Context, rq request, d time.Duration, failed *Error) error {
	if deadline, ok := ctx.Deadline(); ok && c.opts.Now().Add(d).After(deadline) {
		e := *failed
		e.Kind, e.cause = ErrDeadline, failed
		e.Reason = fmt.Sprintf("%s, and waiting %s for it would pass the run's deadline", failed.Reason, d.Round(time.Second))
		return &e
	}
	if d > c.opts.MaxWait {
		e := *failed
		e.Kind = ErrRateLimited
		e.Reason = fmt.Sprintf("%s, and asks to wait %s, longer than the %s a run waits", failed.Reason, d.Round(time.Second), c.opts.MaxWait)
		return &e
	}
	if err := c.opts.Sleep(ctx, d); err != nil {
		return c.contextError(rq, err)
	}
	return nil
}

// retryDelay is how long to wait before try attempt+1: what Retry-After or Okta's
// X-Rate-Limit-Reset asks for, else an exponential backoff with jitter.
func (c *core) retryDelay(h http.Header, attempt int) time.Duration {
	now := c.opts.Now()
	if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	if reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil && reset > 0 {
		return max(time.Unix(reset, 0).Sub(now), time.Second)
	}
	d := c.opts.BaseDelay << min(attempt-1, 10)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1) // "equal jitter": between half and all of it
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
