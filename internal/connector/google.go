package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Google reads groups from the Google Admin SDK Directory API: members.list, GET
// /admin/directory/v1/groups/{groupKey}/members?maxResults=200, following nextPageToken.
// It signs in as the service account acting for the subject (a JWT bearer grant signed
// with the key) and keeps the access token for its lifetime.
//
// members.list gives each member's id, email, type and status but no name, and that is
// all idp's google-json parser reads, so only the group-member scope is asked for: people
// come in without names. Reading names would take users.get per person (and the user
// scope), which this connector does not do.
type Google struct {
	cfg      GoogleConfig
	base     string
	clientID string
	core     *core
	auth     *tokenAuth
}

// NewGoogle validates cfg and returns its connector.
func NewGoogle(cfg GoogleConfig, opts Options) (*Google, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	key := []byte(strings.TrimSpace(cfg.ServiceAccountKey.Reveal()))
	jc, err := google.JWTConfigFromJSON(key, googleScopeGroupMembers)
	if err != nil {
		return nil, errors.New("connector: serviceAccountKey cannot be read as a service account key")
	}
	var k googleKey
	if err := json.Unmarshal(key, &k); err != nil {
		return nil, errors.New("connector: serviceAccountKey cannot be read as a service account key")
	}
	jc.Subject = strings.TrimSpace(cfg.Subject)
	jc.TokenURL = trimBase(cfg.TokenURL, DefaultGoogleTokenURL) // never the key file's token_uri
	c, err := newCore(ProviderGoogle, opts, string(key), k.PrivateKey)
	if err != nil {
		return nil, err
	}
	g := &Google{cfg: cfg, base: trimBase(cfg.DirectoryURL, DefaultGoogleDirectory), clientID: k.ClientID, core: c}
	g.auth = &tokenAuth{core: c, words: g.signInWords,
		fetch: func(ctx context.Context) (*oauth2.Token, error) { return jc.TokenSource(ctx).Token() }}
	c.explain = g.explain
	return g, nil
}

// Provider is ProviderGoogle.
func (g *Google) Provider() Provider { return ProviderGoogle }

// String names the connector without its secret.
func (g *Google) String() string { return "connector " + g.cfg.String() }

// Format prints String whatever the verb, so that no credential is printed.
func (g *Google) Format(f fmt.State, verb rune) { formatSafe(f, verb, g.String(), g.String()) }

// Fetch reads every page of every group; see Connector.
func (g *Google) Fetch(ctx context.Context) (*Result, error) {
	return g.core.fetch(ctx, g.cfg.Groups, func(ctx context.Context, id string) (GroupPages, error) {
		first := g.membersURL(id)
		pages, err := g.core.readPages(ctx, id, g.auth, first, func(r *response) (string, error) { return g.next(first, r) })
		return GroupPages{ID: id, Pages: pages}, err
	})
}

// Test signs in and reads each group's first page; see Connector. Google gives no group
// name: groups.get needs a scope beyond the one this connector asks for.
func (g *Google) Test(ctx context.Context) (*Report, error) {
	if _, _, err := g.auth.token(ctx); err != nil {
		return nil, err
	}
	return g.core.report(ctx, g.cfg.Groups, func(ctx context.Context, id string) (GroupReport, error) {
		r := GroupReport{ID: id}
		rq := request{group: id, page: 1, url: g.membersURL(id), auth: g.auth}
		resp, err := g.core.get(ctx, rq, new(bytes.Buffer))
		if err != nil {
			return r, err
		}
		var page struct {
			Members []struct {
				Email string `json:"email"`
				Type  string `json:"type"`
			} `json:"members"`
			NextPageToken string `json:"nextPageToken"`
		}
		if err := json.Unmarshal(resp.body, &page); err != nil {
			return r, g.core.pageError(rq, resp, err)
		}
		var p preview
		for _, m := range page.Members {
			if m.Type == "" || strings.EqualFold(m.Type, "USER") {
				p.add("", m.Email)
			}
		}
		r.Sample, r.Count, r.More = p.sample, p.count, page.NextPageToken != ""
		return r, nil
	})
}

// membersURL is the first page of a group's members.
func (g *Google) membersURL(id string) string {
	u := g.base + "/admin/directory/v1/groups/" + url.PathEscape(id) + "/members?maxResults=200"
	if g.cfg.Nested {
		u += "&includeDerivedMembership=true"
	}
	return u
}

// next is the first page's URL with the page's nextPageToken.
func (g *Google) next(first string, r *response) (string, error) {
	var page struct {
		NextPageToken string `json:"nextPageToken"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		return "", err
	}
	if page.NextPageToken == "" {
		return "", nil
	}
	return first + "&pageToken=" + url.QueryEscape(page.NextPageToken), nil
}

// explain puts a Google error in words: {"error": {"code", "message", "errors": [{"reason"}], "status"}}.
func (g *Google) explain(rq request, r *response) (*Error, bool) {
	var body struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		body.Error.Message, body.Error.Status = "", ""
	}
	code := body.Error.Status
	if len(body.Error.Errors) > 0 && body.Error.Errors[0].Reason != "" {
		code = body.Error.Errors[0].Reason
	}
	said := strings.TrimSpace(fmt.Sprintf("Google answered %d %s", r.status, code))
	fail := func(kind error, reason string) *Error {
		return g.core.fail(rq, kind, r.status, code, withDetail(reason, oneLine(body.Error.Message)), nil)
	}
	switch {
	case r.status == http.StatusTooManyRequests, r.status == http.StatusForbidden &&
		(code == "rateLimitExceeded" || code == "userRateLimitExceeded" || code == "quotaExceeded"):
		return fail(ErrRateLimited, said+": too many requests"), true
	case r.status >= 500:
		return fail(ErrUnavailable, said+": Google is unavailable"), true
	case r.status == http.StatusUnauthorized:
		return fail(ErrSignIn, said+": the access token was refused, even after signing in again"), false
	case r.status == http.StatusForbidden:
		return fail(ErrPermission, said+fmt.Sprintf(": %s may not read this group's members; the subject must be an admin allowed to read groups", g.cfg.Subject)), false
	case r.status == http.StatusNotFound:
		return fail(ErrGroupNotFound, said+fmt.Sprintf(": group %s does not exist", rq.group)), false
	case r.status == http.StatusBadRequest:
		return fail(ErrRejected, said+": Google refused the request"), false
	}
	return fail(ErrBadResponse, said), false
}

// signInWords puts a refusal of Google's token endpoint in words.
func (g *Google) signInWords(status int, code, desc string) (error, string) {
	said := strings.TrimSpace(fmt.Sprintf("Google sign-in answered %d %s", status, code))
	switch code {
	case "unauthorized_client":
		return ErrSignIn, withDetail(said+fmt.Sprintf(": domain-wide delegation is not granted; in the Admin console (Security > API controls > Domain-wide delegation) allow client id %s the scope %s",
			g.clientID, googleScopeGroupMembers), desc)
	case "invalid_grant":
		return ErrSignIn, withDetail(said+fmt.Sprintf(": %s is not a user of the domain, or the key was deleted or disabled, or this machine's clock is off", g.cfg.Subject), desc)
	case "invalid_client":
		return ErrSignIn, withDetail(said+": the service account or its key is not valid", desc)
	}
	return ErrSignIn, withDetail(said+": the sign-in was refused", desc)
}
