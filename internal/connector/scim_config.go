package connector

import (
	"fmt"
	"strings"
)

// SCIMConfig is how to read users from a SCIM 2.0 server (RFC 7644) with a bearer token.
type SCIMConfig struct {
	// URL is the server's base, under which /Users and /Groups are, such as
	// https://idp.example.com/scim/v2.
	URL         string `json:"url"`
	BearerToken Secret `json:"bearerToken"`
	// Groups, when given, limits the read to the users of these groups (by the Group's
	// id); none means every user of the server.
	Groups []Group `json:"groups,omitempty"`
}

// Provider is ProviderSCIM.
func (SCIMConfig) Provider() Provider { return ProviderSCIM }

// Validate reports every field problem as an *org.ValidationError.
func (c SCIMConfig) Validate() error {
	var f fields
	if f.required("url", c.URL, "https://idp.example.com/scim/v2") {
		f.baseURL("url", c.URL, "https://idp.example.com/scim/v2")
	}
	f.secret("bearerToken", c.BearerToken, "the token the SCIM server issued for this client")
	f.groups(c.Groups, false, func(string) bool { return true }, "Group's id", "e9e30dba-f08f-4109-8486-d5c6a331660a")
	return f.Err()
}

// String describes the settings without the secret.
func (c SCIMConfig) String() string {
	return fmt.Sprintf("scim{url: %s, bearerToken: %s, groups: %s}", c.URL, c.BearerToken, groupIDs(c.Groups))
}

// GoString is String for %#v.
func (c SCIMConfig) GoString() string {
	return "connector.SCIMConfig" + strings.TrimPrefix(c.String(), "scim")
}

// Format prints String, or GoString for %#v, whatever the verb.
func (c SCIMConfig) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String(), c.GoString()) }

func (c SCIMConfig) open(opts Options) (Connector, error) { return NewSCIM(c, opts) }
