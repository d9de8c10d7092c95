package connector

import (
	"fmt"
	"io"
	"strings"
)

// The defaults of Microsoft Graph.
const (
	DefaultAuthorityURL = "https://login.microsoftonline.com"
	DefaultGraphURL     = "https://graph.microsoft.com"
)

// GraphConfig is how to read groups from Microsoft Graph (Entra ID) as an app
// registration: its tenant, client id and client secret (client credentials grant). The app
// needs the application permissions GroupMember.Read.All and User.Read.All, with admin
// consent.
type GraphConfig struct {
	TenantID     string `json:"tenantId"`
	ClientID     string `json:"clientId"`
	ClientSecret Secret `json:"clientSecret"`
	// AuthorityURL is the sign-in host; "" means https://login.microsoftonline.com
	// (national clouds have their own, such as https://login.microsoftonline.us).
	AuthorityURL string `json:"authorityUrl,omitempty"`
	// GraphURL is the API host; "" means https://graph.microsoft.com.
	GraphURL string `json:"graphUrl,omitempty"`
	// Nested reads transitive members (people in groups inside the groups) instead of
	// direct ones. Graph's delta query tracks direct members only, so a nested group is
	// always read in full.
	Nested bool    `json:"nested,omitempty"`
	Groups []Group `json:"groups"`
}

// Provider is ProviderGraph.
func (GraphConfig) Provider() Provider { return ProviderGraph }

// Validate reports every field problem as an *org.ValidationError.
func (c GraphConfig) Validate() error {
	var f fields
	if f.required("tenantId", c.TenantID, "contoso.onmicrosoft.com or the directory (tenant) id") {
		switch t := strings.ToLower(strings.TrimSpace(c.TenantID)); {
		case t == "common" || t == "organizations" || t == "consumers":
			f.Add("tenantId", "invalid", "tenantId must name one tenant (its id or domain), not "+t)
		case len(t) > 253 || !isToken(t, ".-"):
			f.Add("tenantId", "invalid", "tenantId must be the directory (tenant) id or a domain of the tenant, such as contoso.onmicrosoft.com")
		}
	}
	if f.required("clientId", c.ClientID, "the application (client) id 11111111-2222-3333-4444-555555555555") && !isGUID(strings.TrimSpace(c.ClientID)) {
		f.Add("clientId", "invalid", "clientId must be the application (client) id, a GUID such as 11111111-2222-3333-4444-555555555555")
	}
	f.secret("clientSecret", c.ClientSecret, "a client secret's value from the app registration's Certificates & secrets")
	f.baseURL("authorityUrl", c.AuthorityURL, DefaultAuthorityURL)
	f.baseURL("graphUrl", c.GraphURL, DefaultGraphURL)
	f.groups(c.Groups, true, isGUID, "group's object id", "02bd9fd6-8f93-4758-87c3-1fb73740a315")
	return f.Err()
}

// String describes the settings without the secret.
func (c GraphConfig) String() string {
	return fmt.Sprintf("microsoft-graph{tenantId: %s, clientId: %s, clientSecret: %s, authorityUrl: %s, graphUrl: %s, nested: %t, groups: %s}",
		c.TenantID, c.ClientID, c.ClientSecret, trimBase(c.AuthorityURL, DefaultAuthorityURL), trimBase(c.GraphURL, DefaultGraphURL), c.Nested, groupIDs(c.Groups))
}

// GoString is String for %#v.
func (c GraphConfig) GoString() string {
	return "connector.GraphConfig" + strings.TrimPrefix(c.String(), "microsoft-graph")
}

// Format prints String, or GoString for %#v, whatever the verb.
func (c GraphConfig) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String(), c.GoString()) }

func (c GraphConfig) open(opts Options) (Connector, error) { return NewGraph(c, opts) }

// groupIDs lists group ids for String.
func groupIDs(groups []Group) string {
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	return "[" + strings.Join(ids, ", ") + "]"
}

// formatSafe is the Format of types that hold secrets: every verb prints s, %#v prints gs.
func formatSafe(f fmt.State, verb rune, s, gs string) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, gs)
		return
	}
	io.WriteString(f, s)
}
