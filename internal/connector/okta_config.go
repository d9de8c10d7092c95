package connector

import (
	"fmt"
	"net/url"
	"strings"
)

// OktaConfig is how to read groups from Okta with an API token (Security > API > Tokens)
// of an admin who may read the groups, such as a Read-only Administrator.
type OktaConfig struct {
	// Domain is the org's address, such as https://acme.okta.com; a bare host is taken
	// as https.
	Domain   string  `json:"domain"`
	APIToken Secret  `json:"apiToken"`
	Groups   []Group `json:"groups"`
}

// Provider is ProviderOkta.
func (OktaConfig) Provider() Provider { return ProviderOkta }

// Validate reports every field problem as an *org.ValidationError.
func (c OktaConfig) Validate() error {
	var f fields
	if f.required("domain", c.Domain, "https://acme.okta.com") {
		if err := checkBaseURL(c.base()); err != nil {
			f.Add("domain", "invalid_url", fmt.Sprintf("domain %v, such as https://acme.okta.com", err))
		} else if u, _ := url.Parse(c.base()); strings.Trim(u.Path, "/") != "" {
			f.Add("domain", "invalid_url", "domain must be the org's address alone, such as https://acme.okta.com, without a path")
		}
	}
	f.secret("apiToken", c.APIToken, "an API token from Security > API > Tokens")
	f.groups(c.Groups, true, func(id string) bool { return isToken(id, "") }, "group's id", "00g1abcdEFGH12345678")
	return f.Err()
}

// base is the domain as a URL without the slash at its end.
func (c OktaConfig) base() string {
	d := strings.TrimSpace(c.Domain)
	if d != "" && !strings.Contains(d, "://") {
		d = "https://" + d
	}
	return trimBase(d, "")
}

// String describes the settings without the secret.
func (c OktaConfig) String() string {
	return fmt.Sprintf("okta{domain: %s, apiToken: %s, groups: %s}", c.Domain, c.APIToken, groupIDs(c.Groups))
}

// GoString is String for %#v.
func (c OktaConfig) GoString() string {
	return "connector.OktaConfig" + strings.TrimPrefix(c.String(), "okta")
}

// Format prints String, or GoString for %#v, whatever the verb.
func (c OktaConfig) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String(), c.GoString()) }

func (c OktaConfig) open(opts Options) (Connector, error) { return NewOkta(c, opts) }
