package egress

import (
	"context"
	"fmt"
	"net/url"
)

// CheckURL tells whether a client built with o may reach raw, without connecting: the
// scheme, and every address the host resolves to now. Use it to report a bad URL when an
// admin saves it. A URL that passes may still be refused later, when the request is made,
// if its host resolves differently by then: that check is the one that counts.
func CheckURL(ctx context.Context, o Options, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("egress: not a URL: %w", err)
	}
	if err := checkScheme(u.Scheme, u.Hostname(), o.LocalStack); err != nil {
		return err
	}
	_, err = newDialer(o).lookup(ctx, u.Hostname())
	return err
}
