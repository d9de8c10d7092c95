package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// nextFunc reads a page and returns the URL of the page after it, "" after the last.
type nextFunc func(r *response) (string, error)

// readPages reads the pages of one group, from first on, until next says there are no
// more. It keeps each page deflated and refuses a group whose pages do not end: a next
// URL seen before, or more than MaxPages pages.
func (c *core) readPages(ctx context.Context, group string, auth authorizer, first string, next nextFunc) ([]Page, error) {
	var (
		pages []Page
		buf   bytes.Buffer
		z     deflater
		seen  = map[string]bool{first: true}
	)
	for u, n := first, 1; u != ""; n++ {
		rq := request{group: group, page: n, url: u, auth: auth}
		if n > c.opts.MaxPages {
			return nil, c.fail(rq, ErrBadResponse, 0, "", fmt.Sprintf("the group has more than %d pages", c.opts.MaxPages), nil)
		}
		resp, err := c.get(ctx, rq, &buf)
		if err != nil {
			return nil, err
		}
		if u, err = next(resp); err != nil {
			return nil, c.pageError(rq, resp, err)
		}
		if seen[u] {
			return nil, c.fail(rq, ErrBadResponse, resp.status, "", "the next page is one already read: the pages go round in a circle", nil)
		}
		seen[u] = true
		p, err := z.page(resp.body)
		if err != nil {
			return nil, c.fail(rq, ErrBadResponse, 0, "", "cannot keep the page", err)
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// pageError is an *Error about a page next could not read.
func (c *core) pageError(rq request, resp *response, err error) error {
	var e *Error
	if errors.As(err, &e) {
		e.Group, e.Page, e.Status = rq.group, rq.page, resp.status
		return e
	}
	return c.fail(rq, ErrBadResponse, resp.status, "", fmt.Sprintf("%s sent a page that cannot be read: %v", c.provider.name(), err), err)
}

// sameHost checks that a link from a page stays on the API's scheme and host: the
// connector sends its credentials with it.
func (c *core) sameHost(base, link string) error {
	b, err := url.Parse(base)
	if err != nil {
		return err
	}
	l, err := url.Parse(link)
	if err != nil {
		return c.fail(request{}, ErrBadResponse, 0, "", c.provider.name()+" sent a next link that is not a URL", nil)
	}
	if !strings.EqualFold(l.Scheme, b.Scheme) || !strings.EqualFold(l.Host, b.Host) {
		return c.fail(request{}, ErrBadResponse, 0, "", fmt.Sprintf("%s sent a next link to %s://%s, not %s://%s: not followed, as it would carry the credentials there",
			c.provider.name(), l.Scheme, l.Host, b.Scheme, b.Host), nil)
	}
	return nil
}

// eachGroup runs fn for groups 0..n-1, at most limit at once, and returns their results
// in order. The first failure cancels the others; the error returned is that failure, not
// the cancellations it caused.
func eachGroup[T any](ctx context.Context, n, limit int, fn func(ctx context.Context, i int) (T, error)) ([]T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, errs := make([]T, n), make([]error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		select {
		case sem <- struct{}{}: // a free slot first, so that the group says why it stopped
		default:
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				continue
			}
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if out[i], errs[i] = fn(ctx, i); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}
