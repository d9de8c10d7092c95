package connector

import (
	"context"
	"errors"
	"strings"
)

// sampleSize is how many people a test shows per group.
const sampleSize = 5

// Report is what Test found: for each group, its name where the API gives it cheaply, the
// first few people of the first page and how many people that page holds.
type Report struct {
	Provider Provider
	Groups   []GroupReport
	// Requests counts the HTTP requests made, sign-in included.
	Requests int
}

// GroupReport is the test of one group.
type GroupReport struct {
	ID string
	// Name is the group's display name; "" where reading it would need more access than
	// the read itself (Google) or when the group could not be read.
	Name string
	// Sample is the first people of the first page, users only.
	Sample []Person
	// Count is the number of users on the first page; More says there are further pages.
	Count int
	More  bool
	// Err is the group's own failure (it does not exist, no permission to read it), an
	// *Error; nil when its first page was read.
	Err error
}

// Person is one person of a test sample, as the provider lists them.
type Person struct {
	Name  string
	Email string
}

// preview is what a connector makes of a first page.
type preview struct {
	sample []Person
	count  int
	more   bool
}

// add counts one user of a first page, keeping the first few for the sample.
func (p *preview) add(name, email string) {
	p.count++
	if len(p.sample) < sampleSize {
		p.sample = append(p.sample, Person{Name: strings.TrimSpace(name), Email: strings.TrimSpace(email)})
	}
}

// report runs check for every group and collects the report. A failure that concerns the
// whole connector (signing in, the provider's address, the run's end) is Test's error; a
// failure of one group goes in its report.
func (c *core) report(ctx context.Context, groups []Group, check func(ctx context.Context, id string) (GroupReport, error)) (*Report, error) {
	start := c.requests.Load()
	reports, err := eachGroup(ctx, len(groups), c.opts.Concurrency, func(ctx context.Context, i int) (GroupReport, error) {
		id := groups[i].ID
		r, err := check(ctx, id)
		if err == nil {
			return r, nil
		}
		if wholeConnector(err) {
			return GroupReport{}, err
		}
		return GroupReport{ID: id, Name: r.Name, Err: err}, nil
	})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = c.contextError(request{}, err)
		}
		return nil, err
	}
	return &Report{Provider: c.provider, Groups: reports, Requests: int(c.requests.Load() - start)}, nil
}

// wholeConnector reports whether err is about the connector rather than one group.
func wholeConnector(err error) bool {
	for _, kind := range []error{ErrSignIn, ErrUnreachable, ErrDeadline} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}

// fetch runs read for every group and collects the result, or the first failure marked
// incomplete.
func (c *core) fetch(ctx context.Context, groups []Group, read func(ctx context.Context, id string) (GroupPages, error)) (*Result, error) {
	start := c.requests.Load()
	pages, err := eachGroup(ctx, len(groups), c.opts.Concurrency, func(ctx context.Context, i int) (GroupPages, error) {
		return read(ctx, groups[i].ID)
	})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = c.contextError(request{}, err)
		}
		return nil, incomplete(err)
	}
	return &Result{Provider: c.provider, Format: c.provider.Format(), Groups: pages, Requests: int(c.requests.Load() - start)}, nil
}
