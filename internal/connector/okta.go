package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Okta reads groups from the Okta management API: GET /api/v1/groups/{id}/users?limit=200,
// paging only through the Link header's rel="next" exactly as Okta sends it (Okta's
// cursors are opaque), with Authorization: SSWS <token>. It follows the rate-limit
// headers: it slows down when a window's budget runs low and, on 429, waits for the reset.
type Okta struct {
	cfg  OktaConfig
	base string
	core *core
	auth staticAuth
}

// NewOkta validates cfg and returns its connector.
func NewOkta(cfg OktaConfig, opts Options) (*Okta, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.APIToken.Reveal())
	c, err := newCore(ProviderOkta, opts, token)
	if err != nil {
		return nil, err
	}
	o := &Okta{cfg: cfg, base: cfg.base(), core: c, auth: staticAuth{header: "SSWS " + token}}
	c.explain = o.explain
	c.rate = &rateGate{}
	return o, nil
}

// Provider is ProviderOkta.
func (o *Okta) Provider() Provider { return ProviderOkta }

// String names the connector without its secret.
func (o *Okta) String() string { return "connector " + o.cfg.String() }

// Format prints String whatever the verb, so that no credential is printed.
func (o *Okta) Format(f fmt.State, verb rune) { formatSafe(f, verb, o.String(), o.String()) }

// Fetch reads every page of every group; see Connector.
func (o *Okta) Fetch(ctx context.Context) (*Result, error) {
	return o.core.fetch(ctx, o.cfg.Groups, func(ctx context.Context, id string) (GroupPages, error) {
		pages, err := o.core.readPages(ctx, id, o.auth, o.usersURL(id), o.next)
		return GroupPages{ID: id, Pages: pages}, err
	})
}

// Test reads each group's name and first page; see Connector.
func (o *Okta) Test(ctx context.Context) (*Report, error) {
	return o.core.report(ctx, o.cfg.Groups, func(ctx context.Context, id string) (GroupReport, error) {
		r := GroupReport{ID: id}
		var buf bytes.Buffer
		rq := request{group: id, url: o.base + "/api/v1/groups/" + url.PathEscape(id), auth: o.auth}
		resp, err := o.core.get(ctx, rq, &buf)
		if err != nil {
			return r, err
		}
		var group struct {
			Profile struct {
				Name string `json:"name"`
			} `json:"profile"`
		}
		if err := json.Unmarshal(resp.body, &group); err != nil {
			return r, o.core.pageError(rq, resp, err)
		}
		r.Name = group.Profile.Name
		rq = request{group: id, page: 1, url: o.usersURL(id), auth: o.auth}
		if resp, err = o.core.get(ctx, rq, &buf); err != nil {
			return r, err
		}
		var users []struct {
			Profile struct {
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
				Email     string `json:"email"`
			} `json:"profile"`
		}
		if err := json.Unmarshal(resp.body, &users); err != nil {
			return r, o.core.pageError(rq, resp, err)
		}
		var p preview
		for _, u := range users {
			p.add(u.Profile.FirstName+" "+u.Profile.LastName, u.Profile.Email)
		}
		next, err := o.next(resp)
		if err != nil {
			return r, o.core.pageError(rq, resp, err)
		}
		r.Sample, r.Count, r.More = p.sample, p.count, next != ""
		return r, nil
	})
}

// usersURL is the first page of a group's users.
func (o *Okta) usersURL(id string) string {
	return o.base + "/api/v1/groups/" + url.PathEscape(id) + "/users?limit=200"
}

// next is the Link header's rel="next", checked to stay on the org's host. The body must
// be a JSON array.
func (o *Okta) next(r *response) (string, error) {
	if len(bytes.TrimSpace(r.body)) == 0 || bytes.TrimSpace(r.body)[0] != '[' || !json.Valid(r.body) {
		return "", fmt.Errorf("not a JSON array of users")
	}
	next := linkNext(r.header)
	if next == "" {
		return "", nil
	}
	return next, o.core.sameHost(o.base, next)
}

// linkNext finds the target of rel="next" in the Link headers of a response (RFC 8288):
// Okta sends one header per link, others put several in one, comma-separated.
func linkNext(h http.Header) string {
	for _, v := range h.Values("Link") {
		for {
			start := strings.IndexByte(v, '<')
			end := strings.IndexByte(v, '>')
			if start < 0 || end < start {
				break
			}
			target, params := v[start+1:end], v[end+1:]
			v = params
			if i := strings.IndexByte(params, '<'); i >= 0 {
				params = params[:i] // up to the next link
			}
			for _, p := range strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ',' }) {
				name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(name, "rel") && hasToken(strings.Trim(val, `"`), "next") {
					return target
				}
			}
		}
	}
	return ""
}

// hasToken reports whether a space-separated list has tok, in any case.
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// explain puts an Okta error in words: {"errorCode": "E0000007", "errorSummary": "..."}.
func (o *Okta) explain(rq request, r *response) (*Error, bool) {
	var body struct {
		Code    string `json:"errorCode"`
		Summary string `json:"errorSummary"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		body.Code, body.Summary = "", ""
	}
	said := strings.TrimSpace(fmt.Sprintf("Okta answered %d %s", r.status, body.Code))
	fail := func(kind error, reason string) *Error {
		return o.core.fail(rq, kind, r.status, body.Code, withDetail(reason, oneLine(body.Summary)), nil)
	}
	switch {
	case r.status == http.StatusTooManyRequests:
		return fail(ErrRateLimited, said+": the rate limit is spent"), true
	case r.status >= 500:
		return fail(ErrUnavailable, said+": Okta is unavailable"), true
	case r.status == http.StatusUnauthorized:
		return fail(ErrSignIn, said+": the API token is wrong, expired or revoked"), false
	case r.status == http.StatusForbidden:
		return fail(ErrPermission, said+": the API token's admin may not read this group; use a token of an admin with read access to groups, such as a Read-only Administrator"), false
	case r.status == http.StatusNotFound:
		return fail(ErrGroupNotFound, said+fmt.Sprintf(": group %s does not exist in %s", rq.group, o.base)), false
	case r.status == http.StatusBadRequest:
		return fail(ErrRejected, said+": Okta refused the request"), false
	}
	return fail(ErrBadResponse, said), false
}
