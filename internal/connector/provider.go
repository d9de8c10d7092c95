package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// Provider names an identity-provider API.
type Provider string

// The providers.
const (
	ProviderGraph  Provider = "microsoft-graph"  // Microsoft Graph (Entra ID)
	ProviderOkta   Provider = "okta"             // the Okta management API
	ProviderGoogle Provider = "google-workspace" // the Google Admin SDK Directory API
	ProviderSCIM   Provider = "scim"             // any SCIM 2.0 server
)

// Providers lists every provider, in the order messages name them.
func Providers() []Provider {
	return []Provider{ProviderGraph, ProviderOkta, ProviderGoogle, ProviderSCIM}
}

// Format is the idp format of the pages the provider's connector yields.
func (p Provider) Format() idp.Format {
	switch p {
	case ProviderGraph:
		return idp.FormatEntraJSON
	case ProviderOkta:
		return idp.FormatOktaJSON
	case ProviderGoogle:
		return idp.FormatGoogleJSON
	case ProviderSCIM:
		return idp.FormatSCIM
	}
	return ""
}

// name is how messages call the provider's API.
func (p Provider) name() string {
	switch p {
	case ProviderGraph:
		return "Graph"
	case ProviderOkta:
		return "Okta"
	case ProviderGoogle:
		return "Google"
	}
	return "The SCIM server"
}

// MaxGroups bounds the groups of one configuration.
const MaxGroups = 50

// Group is one group a connector reads.
type Group struct {
	ID string `json:"id"`
	// Role is the role the group grants in Gatehouse, for directory sync; the connector
	// does not use it.
	Role string `json:"role,omitempty"`
}

// Config is the settings of one provider's connector: a GraphConfig, OktaConfig,
// GoogleConfig or SCIMConfig. Validate reports every field problem at once as an
// *org.ValidationError, with field names as in the JSON.
type Config interface {
	Provider() Provider
	Validate() error
	open(opts Options) (Connector, error)
}

// Connector reads the configured groups of one identity provider. *Graph, *Okta, *Google
// and *SCIM are connectors.
type Connector interface {
	// Provider names the API.
	Provider() Provider
	// Fetch signs in and reads every page of every configured group. It returns either
	// all of them or an *Error that wraps ErrIncomplete: a read that did not finish must
	// apply nothing.
	Fetch(ctx context.Context) (*Result, error)
	// Test signs in and reads the first page of each group, for an admin checking the
	// settings. A sign-in failure is its error; a group's own failure is in its report.
	Test(ctx context.Context) (*Report, error)
}

// New validates cfg and returns its connector.
func New(cfg Config, opts Options) (Connector, error) {
	if cfg == nil {
		return nil, errors.New("connector: no configuration")
	}
	return cfg.open(opts)
}

// Decode reads the JSON settings of a provider into its Config, refusing fields it does
// not know. It does not validate them; call Validate. Its errors are
// *org.ValidationError naming "provider" or "settings", and never quote the input.
func Decode(provider string, data []byte) (Config, error) { return decode(provider, data, true) }

// DecodeStored reads settings a store wrote, as Decode does but passing over fields it does
// not know: settings stored by a newer release still read after a rollback.
func DecodeStored(provider string, data []byte) (Config, error) { return decode(provider, data, false) }

func decode(provider string, data []byte, strict bool) (Config, error) {
	var cfg Config
	switch Provider(strings.TrimSpace(provider)) {
	case ProviderGraph:
		cfg = &GraphConfig{}
	case ProviderOkta:
		cfg = &OktaConfig{}
	case ProviderGoogle:
		cfg = &GoogleConfig{}
	case ProviderSCIM:
		cfg = &SCIMConfig{}
	default:
		names := make([]string, 0, 4)
		for _, p := range Providers() {
			names = append(names, string(p))
		}
		return nil, org.Invalid("provider", "invalid_provider", "provider must be one of "+strings.Join(names, ", "))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(cfg); err != nil {
		return nil, org.Invalid("settings", "invalid_json", decodeProblem(err))
	}
	// Dereference: the config types are used as values.
	switch c := cfg.(type) {
	case *GraphConfig:
		return *c, nil
	case *OktaConfig:
		return *c, nil
	case *GoogleConfig:
		return *c, nil
	case *SCIMConfig:
		return *c, nil
	}
	return cfg, nil
}

// decodeProblem says what is wrong with settings JSON without quoting it.
func decodeProblem(err error) string {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("settings are not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("settings field %s must be a JSON %s", typ.Field, typ.Type.Kind())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "settings have an unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case strings.HasPrefix(err.Error(), "secret: "):
		return "settings have a secret that " + strings.TrimPrefix(err.Error(), "secret: ")
	}
	return "settings must be a JSON object"
}
