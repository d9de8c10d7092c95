package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// scimPageSize is the count asked for per page; a server may send fewer.
const scimPageSize = 100

// SCIM reads users from a SCIM 2.0 server (RFC 7644) with a bearer token: GET
// /Users?startIndex=&count= pages, each starting where the users read so far end.
//
// With groups, each group is first looked up (GET /Groups/{id}, which tells a group that
// does not exist from an empty one) and its users read with
// filter=groups.value eq "{id}": idp's SCIM parser reads Users with their emails, names
// and active flags, while a Group's members carry only ids and display names. The filter
// is on the User's read-only "groups" attribute, which RFC 7643 defines but not every
// server lets one filter on; such a server refuses with invalidFilter, and then only the
// read of every user (no groups) works.
type SCIM struct {
	cfg  SCIMConfig
	base string
	core *core
	auth staticAuth
}

// NewSCIM validates cfg and returns its connector.
func NewSCIM(cfg SCIMConfig, opts Options) (*SCIM, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.BearerToken.Reveal())
	c, err := newCore(ProviderSCIM, opts, token)
	if err != nil {
		return nil, err
	}
	s := &SCIM{cfg: cfg, base: trimBase(cfg.URL, ""), core: c, auth: staticAuth{header: "Bearer " + token}}
	c.explain = s.explain
	return s, nil
}

// Provider is ProviderSCIM.
func (s *SCIM) Provider() Provider { return ProviderSCIM }

// String names the connector without its secret.
func (s *SCIM) String() string { return "connector " + s.cfg.String() }

// Format prints String whatever the verb, so that no credential is printed.
func (s *SCIM) Format(f fmt.State, verb rune) { formatSafe(f, verb, s.String(), s.String()) }

// groups are the configured groups, or the one group "" of every user.
func (s *SCIM) groups() []Group {
	if len(s.cfg.Groups) == 0 {
		return []Group{{ID: ""}}
	}
	return s.cfg.Groups
}

// Fetch reads every page of every group; see Connector.
func (s *SCIM) Fetch(ctx context.Context) (*Result, error) {
	return s.core.fetch(ctx, s.groups(), func(ctx context.Context, id string) (GroupPages, error) {
		if id != "" {
			if _, err := s.groupName(ctx, id); err != nil {
				return GroupPages{}, err
			}
		}
		pager := &scimPager{s: s, group: id, start: 1}
		pages, err := s.core.readPages(ctx, id, s.auth, s.usersURL(id, 1), pager.next)
		return GroupPages{ID: id, Pages: pages}, err
	})
}

// Test reads each group's name and first page of users; see Connector.
func (s *SCIM) Test(ctx context.Context) (*Report, error) {
	return s.core.report(ctx, s.groups(), func(ctx context.Context, id string) (GroupReport, error) {
		r := GroupReport{ID: id, Name: "every user"}
		if id != "" {
			name, err := s.groupName(ctx, id)
			if err != nil {
				return GroupReport{ID: id}, err
			}
			r.Name = name
		}
		rq := request{group: id, page: 1, url: s.usersURL(id, 1), auth: s.auth}
		resp, err := s.core.get(ctx, rq, new(bytes.Buffer))
		if err != nil {
			return r, err
		}
		var page struct {
			Total     int `json:"totalResults"`
			Resources []struct {
				UserName    string `json:"userName"`
				DisplayName string `json:"displayName"`
				Name        struct {
					Formatted  string `json:"formatted"`
					GivenName  string `json:"givenName"`
					FamilyName string `json:"familyName"`
				} `json:"name"`
				Emails []struct {
					Value   string `json:"value"`
					Primary bool   `json:"primary"`
				} `json:"emails"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(resp.body, &page); err != nil {
			return r, s.core.pageError(rq, resp, err)
		}
		var p preview
		for _, u := range page.Resources {
			email := ""
			for _, e := range u.Emails {
				if email == "" || e.Primary {
					email = e.Value
				}
			}
			p.add(firstNonEmpty(u.DisplayName, u.Name.Formatted, u.Name.GivenName+" "+u.Name.FamilyName, u.UserName), email)
		}
		r.Sample, r.Count, r.More = p.sample, p.count, page.Total > len(page.Resources)
		return r, nil
	})
}

// groupName looks a group up, by its id.
func (s *SCIM) groupName(ctx context.Context, id string) (string, error) {
	rq := request{group: id, url: s.base + "/Groups/" + url.PathEscape(id) + "?attributes=displayName", auth: s.auth}
	resp, err := s.core.get(ctx, rq, new(bytes.Buffer))
	if err != nil {
		return "", err
	}
	var g struct {
		DisplayName string `json:"displayName"`
	}
	if err := json.Unmarshal(resp.body, &g); err != nil {
		return "", s.core.pageError(rq, resp, err)
	}
	return g.DisplayName, nil
}

// usersURL is the page of users from startIndex on; of a group's users when id is set.
func (s *SCIM) usersURL(id string, start int) string {
	u := s.base + "/Users?startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(scimPageSize)
	if id != "" {
		filter := `groups.value eq "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id) + `"`
		u += "&filter=" + strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	}
	return u
}

// scimPager follows the startIndex of one group's pages.
type scimPager struct {
	s     *SCIM
	group string
	start int // the startIndex of the page being read
	read  int // users read before it
}

// next checks a ListResponse page and returns the URL of the next one.
func (p *scimPager) next(r *response) (string, error) {
	var page struct {
		Total     *int       `json:"totalResults"`
		Start     *int       `json:"startIndex"`
		Resources []struct{} `json:"Resources"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		return "", err
	}
	if page.Total == nil {
		return "", fmt.Errorf("not a SCIM ListResponse: no totalResults")
	}
	if page.Start != nil {
		if p.read == 0 && *page.Start == 0 {
			p.start = 0 // a server that counts from 0, against RFC 7644
		} else if *page.Start != p.start {
			return "", fmt.Errorf("asked for startIndex %d, the server answered with %d: it does not page", p.start, *page.Start)
		}
	}
	n := len(page.Resources)
	p.read += n
	switch {
	case p.read >= *page.Total:
		return "", nil
	case n == 0:
		return "", fmt.Errorf("no users from startIndex %d on, though totalResults is %d", p.start, *page.Total)
	}
	p.start += n
	return p.s.usersURL(p.group, p.start), nil
}

// explain puts a SCIM error in words: {"schemas": [...Error], "status", "scimType", "detail"}.
func (s *SCIM) explain(rq request, r *response) (*Error, bool) {
	var body struct {
		SCIMType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		body.SCIMType, body.Detail = "", ""
	}
	said := strings.TrimSpace(fmt.Sprintf("the SCIM server answered %d %s", r.status, body.SCIMType))
	fail := func(kind error, reason string) *Error {
		return s.core.fail(rq, kind, r.status, body.SCIMType, withDetail(reason, oneLine(body.Detail)), nil)
	}
	switch {
	case r.status == http.StatusTooManyRequests:
		return fail(ErrRateLimited, said+": too many requests"), true
	case r.status >= 500:
		return fail(ErrUnavailable, said+": the server is unavailable"), true
	case r.status == http.StatusUnauthorized:
		return fail(ErrSignIn, said+": the bearer token was refused"), false
	case r.status == http.StatusForbidden:
		return fail(ErrPermission, said+": the bearer token may not read users and groups"), false
	case r.status == http.StatusNotFound && rq.page == 0:
		return fail(ErrGroupNotFound, said+fmt.Sprintf(": group %s does not exist", rq.group)), false
	case r.status == http.StatusNotFound:
		return fail(ErrRejected, said+fmt.Sprintf(": there are no SCIM Users at %s; check url", s.base)), false
	case r.status == http.StatusBadRequest && body.SCIMType == "invalidFilter":
		return fail(ErrRejected, said+": the server cannot filter users by group (groups.value); leave groups empty to read every user"), false
	case r.status == http.StatusBadRequest:
		return fail(ErrRejected, said+": the server refused the request"), false
	}
	return fail(ErrBadResponse, said), false
}
