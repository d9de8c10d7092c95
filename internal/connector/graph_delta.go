package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// Graph's delta query for groups (GET /groups/delta) tells whether a group's membership
// changed since a delta link, in one request when it did not. How this package uses it,
// and the limits Graph documents:
//
//   - The link is taken with $filter=id eq '{id}' (one group per link), $select=members
//     (only membership is tracked: Graph reports changes of selected properties alone) and
//     $deltatoken=latest (Entra ID's "sync from now": a link without reading every member
//     again). It is taken before the full read, so a change during the read shows at the
//     next check.
//   - Only direct members are tracked. A nested group (transitiveMembers) is not given a
//     link, and CheckDelta answers Changed for it.
//   - A change of a member's own attributes (accountEnabled, mail, name) is not a
//     membership change and does not show. The caller must still read in full at least
//     daily, as it does.
//   - Delta links of directory objects last seven days; an expired one is answered with
//     400 syncStateNotFound (or 410), which is ErrDeltaExpired: read in full.
//   - Changes can reach the delta query some minutes after they are made.

// Delta is what CheckDelta found.
type Delta struct {
	// Changed: the membership changed since the link (or cannot be ruled out); read the
	// group in full, which gives a new link.
	Changed bool
	// DeltaLink is where to ask next time, when not Changed.
	DeltaLink string
	// Requests counts the HTTP requests made, a sign-in included.
	Requests int
}

// CheckDelta asks Graph whether group id's membership changed since deltaLink (a
// GroupPages.DeltaLink or the DeltaLink of an earlier Delta). An expired link is an
// *Error of kind ErrDeltaExpired.
func (g *Graph) CheckDelta(ctx context.Context, id, deltaLink string) (Delta, error) {
	if g.cfg.Nested || deltaLink == "" {
		return Delta{Changed: true}, nil
	}
	start := g.core.requests.Load()
	count := func(d Delta) Delta {
		d.Requests = int(g.core.requests.Load() - start)
		return d
	}
	if err := g.core.sameHost(g.base, deltaLink); err != nil {
		return Delta{}, g.core.pageError(request{group: id}, &response{}, err)
	}
	var buf bytes.Buffer
	for u, n := deltaLink, 1; n <= g.core.opts.MaxPages; n++ {
		rq := request{group: id, url: u, auth: g.auth}
		resp, err := g.core.get(ctx, rq, &buf)
		if err != nil {
			return Delta{}, err
		}
		page, err := g.deltaPage(resp)
		switch {
		case err != nil:
			return Delta{}, g.core.pageError(rq, resp, err)
		case page.changes > 0:
			return count(Delta{Changed: true}), nil
		case page.deltaLink != "":
			return count(Delta{DeltaLink: page.deltaLink}), nil
		case page.nextLink == "":
			return count(Delta{Changed: true}), nil // neither link: cannot tell
		}
		u = page.nextLink
	}
	return count(Delta{Changed: true}), nil
}

// baseline is the latest delta link of group id, or "" (logged) when Graph gives none:
// the group is then read in full every time, which is correct, only slower. A failure of
// the whole connector (signing in, the address, the run's end) is returned, as the read
// would meet it too.
func (g *Graph) baseline(ctx context.Context, id string) (string, error) {
	filter := strings.ReplaceAll(url.QueryEscape("id eq '"+strings.ReplaceAll(id, "'", "''")+"'"), "+", "%20")
	u := g.base + "/v1.0/groups/delta?$filter=" + filter + "&$select=members&$deltatoken=latest"
	var buf bytes.Buffer
	for n := 1; n <= g.core.opts.MaxPages; n++ {
		rq := request{group: id, url: u, auth: g.auth}
		resp, err := g.core.get(ctx, rq, &buf)
		if err == nil {
			var page deltaPage
			if page, err = g.deltaPage(resp); err == nil {
				if page.deltaLink != "" || page.nextLink == "" {
					return page.deltaLink, nil
				}
				u = page.nextLink // Graph began a full round after all: follow it to its end
				continue
			}
		}
		if wholeConnector(err) {
			return "", err
		}
		g.core.opts.Logger.WarnContext(ctx, "no graph delta link", "group", id, "err", err)
		return "", nil
	}
	return "", nil
}

// deltaPage is one page of a delta round.
type deltaPage struct {
	changes             int
	nextLink, deltaLink string
}

// deltaPage reads a delta response and checks its links stay on Graph's host.
func (g *Graph) deltaPage(r *response) (deltaPage, error) {
	var body struct {
		Value     []json.RawMessage `json:"value"`
		NextLink  string            `json:"@odata.nextLink"`
		DeltaLink string            `json:"@odata.deltaLink"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return deltaPage{}, err
	}
	for _, link := range []string{body.NextLink, body.DeltaLink} {
		if link == "" {
			continue
		}
		if err := g.core.sameHost(g.base, link); err != nil {
			return deltaPage{}, err
		}
	}
	return deltaPage{changes: len(body.Value), nextLink: body.NextLink, deltaLink: body.DeltaLink}, nil
}
