package connector

import "strings"

// GroupsOf lists the groups cfg reads, in its order.
func GroupsOf(cfg Config) []Group {
	switch c := cfg.(type) {
	case GraphConfig:
		return c.Groups
	case OktaConfig:
		return c.Groups
	case GoogleConfig:
		return c.Groups
	case SCIMConfig:
		return c.Groups
	}
	return nil
}

// SecretsOf returns cfg's credentials by their JSON field name, unset ones included, so a
// store can seal them apart from the rest of the settings.
func SecretsOf(cfg Config) map[string]Secret {
	switch c := cfg.(type) {
	case GraphConfig:
		return map[string]Secret{"clientSecret": c.ClientSecret}
	case OktaConfig:
		return map[string]Secret{"apiToken": c.APIToken}
	case GoogleConfig:
		return map[string]Secret{"serviceAccountKey": c.ServiceAccountKey}
	case SCIMConfig:
		return map[string]Secret{"bearerToken": c.BearerToken}
	}
	return nil
}

// WithSecrets returns cfg with the credentials of secrets (by JSON field name, as SecretsOf
// gives them) in place of its own; fields secrets does not name keep theirs.
func WithSecrets(cfg Config, secrets map[string]Secret) Config {
	pick := func(name string, own Secret) Secret {
		if s, ok := secrets[name]; ok {
			return s
		}
		return own
	}
	switch c := cfg.(type) {
	case GraphConfig:
		c.ClientSecret = pick("clientSecret", c.ClientSecret)
		return c
	case OktaConfig:
		c.APIToken = pick("apiToken", c.APIToken)
		return c
	case GoogleConfig:
		c.ServiceAccountKey = pick("serviceAccountKey", c.ServiceAccountKey)
		return c
	case SCIMConfig:
		c.BearerToken = pick("bearerToken", c.BearerToken)
		return c
	}
	return cfg
}

// WithoutSecrets returns cfg with every credential unset.
func WithoutSecrets(cfg Config) Config {
	none := map[string]Secret{}
	for name := range SecretsOf(cfg) {
		none[name] = Secret{}
	}
	return WithSecrets(cfg, none)
}

// Endpoint is where cfg's credentials are sent and for whom: the sign-in and API hosts and
// the account. A stored credential may be kept only while the endpoint stays the same, so
// that pointing the settings at another host never hands it a secret it was not given.
func Endpoint(cfg Config) string {
	switch c := cfg.(type) {
	case GraphConfig:
		return strings.Join([]string{string(ProviderGraph), strings.ToLower(strings.TrimSpace(c.TenantID)), strings.TrimSpace(c.ClientID),
			trimBase(c.AuthorityURL, DefaultAuthorityURL), trimBase(c.GraphURL, DefaultGraphURL)}, "\x00")
	case OktaConfig:
		return strings.Join([]string{string(ProviderOkta), c.base()}, "\x00")
	case GoogleConfig:
		return strings.Join([]string{string(ProviderGoogle), strings.TrimSpace(c.Subject),
			trimBase(c.TokenURL, DefaultGoogleTokenURL), trimBase(c.DirectoryURL, DefaultGoogleDirectory)}, "\x00")
	case SCIMConfig:
		return strings.Join([]string{string(ProviderSCIM), trimBase(c.URL, "")}, "\x00")
	}
	return ""
}
