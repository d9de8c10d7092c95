package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// graphSelect is what sync reads of each member (idp's entra-json parser).
const graphSelect = "id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled"

// Graph reads groups from Microsoft Graph: GET /v1.0/groups/{id}/members (or
// /transitiveMembers) with $select and $top=999, following each page's @odata.nextLink
// exactly as Graph wrote it. It signs in with the client credentials grant and keeps the
// access token for its lifetime.
type Graph struct {
	cfg  GraphConfig
	base string
	core *core
	auth *tokenAuth
}

// NewGraph validates cfg and returns its connector.
func NewGraph(cfg GraphConfig, opts Options) (*Graph, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := newCore(ProviderGraph, opts, cfg.ClientSecret.Reveal())
	if err != nil {
		return nil, err
	}
	g := &Graph{cfg: cfg, base: trimBase(cfg.GraphURL, DefaultGraphURL), core: c}
	scope := DefaultGraphURL + "/.default"
	if strings.HasPrefix(g.base, "https://") && cfg.GraphURL != "" {
		scope = g.base + "/.default" // a national cloud's Graph
	}
	cc := &clientcredentials.Config{
		ClientID:     strings.TrimSpace(cfg.ClientID),
		ClientSecret: cfg.ClientSecret.Reveal(),
		TokenURL:     trimBase(cfg.AuthorityURL, DefaultAuthorityURL) + "/" + url.PathEscape(strings.TrimSpace(cfg.TenantID)) + "/oauth2/v2.0/token",
		Scopes:       []string{scope},
		AuthStyle:    oauth2.AuthStyleInParams, // a form post, as Microsoft documents it
	}
	g.auth = &tokenAuth{core: c, fetch: cc.Token, words: g.signInWords}
	c.explain = g.explain
	return g, nil
}

// Provider is ProviderGraph.
func (g *Graph) Provider() Provider { return ProviderGraph }

// String names the connector without its secret.
func (g *Graph) String() string { return "connector " + g.cfg.String() }

// Format prints String whatever the verb, so that no credential is printed.
func (g *Graph) Format(f fmt.State, verb rune) { formatSafe(f, verb, g.String(), g.String()) }

// Fetch reads every page of every group; see Connector. For a group read without
// nesting, it first takes a delta link (GroupPages.DeltaLink) for CheckDelta.
func (g *Graph) Fetch(ctx context.Context) (*Result, error) {
	return g.core.fetch(ctx, g.cfg.Groups, func(ctx context.Context, id string) (GroupPages, error) {
		gp := GroupPages{ID: id}
		if !g.cfg.Nested {
			link, err := g.baseline(ctx, id)
			if err != nil {
				return gp, err
			}
			gp.DeltaLink = link
		}
		pages, err := g.core.readPages(ctx, id, g.auth, g.membersURL(id), g.next)
		gp.Pages = pages
		return gp, err
	})
}

// Test signs in and reads each group's name and first page; see Connector.
func (g *Graph) Test(ctx context.Context) (*Report, error) {
	if _, _, err := g.auth.token(ctx); err != nil {
		return nil, err
	}
	return g.core.report(ctx, g.cfg.Groups, func(ctx context.Context, id string) (GroupReport, error) {
		r := GroupReport{ID: id}
		var buf bytes.Buffer
		nameURL := g.base + "/v1.0/groups/" + url.PathEscape(id) + "?$select=id,displayName"
		resp, err := g.core.get(ctx, request{group: id, url: nameURL, auth: g.auth}, &buf)
		if err != nil {
			return r, err
		}
		var group struct {
			DisplayName string `json:"displayName"`
		}
		if err := json.Unmarshal(resp.body, &group); err != nil {
			return r, g.core.pageError(request{group: id}, resp, err)
		}
		r.Name = group.DisplayName
		rq := request{group: id, page: 1, url: g.membersURL(id), auth: g.auth}
		if resp, err = g.core.get(ctx, rq, &buf); err != nil {
			return r, err
		}
		p, err := previewGraph(resp.body)
		if err != nil {
			return r, g.core.pageError(rq, resp, err)
		}
		r.Sample, r.Count, r.More = p.sample, p.count, p.more
		return r, nil
	})
}

// membersURL is the first page of a group's members.
func (g *Graph) membersURL(id string) string {
	rel := "members"
	if g.cfg.Nested {
		rel = "transitiveMembers"
	}
	return g.base + "/v1.0/groups/" + url.PathEscape(id) + "/" + rel + "?$select=" + graphSelect + "&$top=999"
}

// next is the @odata.nextLink of a members page, checked to stay on Graph's host.
func (g *Graph) next(r *response) (string, error) {
	var page struct {
		Next string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		return "", err
	}
	if page.Next == "" {
		return "", nil
	}
	return page.Next, g.core.sameHost(g.base, page.Next)
}

// previewGraph reads the users of a first page.
func previewGraph(body []byte) (preview, error) {
	var page struct {
		Value []struct {
			Type        string `json:"@odata.type"`
			DisplayName string `json:"displayName"`
			Mail        string `json:"mail"`
			UPN         string `json:"userPrincipalName"`
		} `json:"value"`
		Next string `json:"@odata.nextLink"`
	}
	var p preview
	if err := json.Unmarshal(body, &page); err != nil {
		return p, err
	}
	for _, m := range page.Value {
		if m.Type == "" || strings.EqualFold(m.Type, "#microsoft.graph.user") {
			p.add(m.DisplayName, firstNonEmpty(m.Mail, m.UPN))
		}
	}
	p.more = page.Next != ""
	return p, nil
}

// firstNonEmpty is the first value that is not blank.
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
