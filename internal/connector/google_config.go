package connector

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/mail"
	"strings"
)

// The defaults of Google Workspace.
const (
	DefaultGoogleTokenURL   = "https://oauth2.googleapis.com/token"
	DefaultGoogleDirectory  = "https://admin.googleapis.com"
	googleScopeGroupMembers = "https://www.googleapis.com/auth/admin.directory.group.member.readonly"
)

// GoogleConfig is how to read groups from Google Workspace as a service account with
// domain-wide delegation: its JSON key, and the admin it acts as. In the Admin console
// (Security > API controls > Domain-wide delegation) its client id must be allowed the
// scope https://www.googleapis.com/auth/admin.directory.group.member.readonly, and the
// subject must be an admin who may read groups.
type GoogleConfig struct {
	// ServiceAccountKey is the key file, as a JSON string or the JSON object itself.
	ServiceAccountKey Secret `json:"serviceAccountKey"`
	// Subject is the admin user the service account acts as.
	Subject string `json:"subject"`
	// TokenURL is where to sign in; "" means https://oauth2.googleapis.com/token. The
	// key file's own token_uri is not used, so a key cannot send its signed assertion to
	// another host.
	TokenURL string `json:"tokenUrl,omitempty"`
	// DirectoryURL is the API host; "" means https://admin.googleapis.com.
	DirectoryURL string `json:"directoryUrl,omitempty"`
	// Nested reads members of groups inside the groups too (includeDerivedMembership).
	Nested bool    `json:"nested,omitempty"`
	Groups []Group `json:"groups"`
}

// Provider is ProviderGoogle.
func (GoogleConfig) Provider() Provider { return ProviderGoogle }

// Validate reports every field problem as an *org.ValidationError.
func (c GoogleConfig) Validate() error {
	var f fields
	f.secret("serviceAccountKey", c.ServiceAccountKey, "the JSON key file of the service account")
	if v := strings.TrimSpace(c.ServiceAccountKey.Reveal()); v != "" && !c.ServiceAccountKey.IsPlaceholder() {
		if problem := keyProblem([]byte(v)); problem != "" {
			f.Add("serviceAccountKey", "invalid", "serviceAccountKey "+problem)
		}
	}
	if f.required("subject", c.Subject, "admin@example.com") {
		if a, err := mail.ParseAddress(c.Subject); err != nil || a.Address != strings.TrimSpace(c.Subject) {
			f.Add("subject", "invalid", "subject must be the email address of an admin user, such as admin@example.com")
		}
	}
	f.baseURL("tokenUrl", c.TokenURL, DefaultGoogleTokenURL)
	f.baseURL("directoryUrl", c.DirectoryURL, DefaultGoogleDirectory)
	f.groups(c.Groups, true, func(id string) bool { return isToken(id, "@._+-'") }, "group's email address or id", "engineering@example.com")
	return f.Err()
}

// googleKey is the part of a service account key file that is checked.
type googleKey struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	ClientID    string `json:"client_id"`
	PrivateKey  string `json:"private_key"`
}

// keyProblem says what is wrong with a key file, as the end of a sentence, without
// quoting it; "" when it will do.
func keyProblem(data []byte) string {
	var k googleKey
	if err := json.Unmarshal(data, &k); err != nil {
		return "must be the JSON key file of a service account (IAM > Service accounts > Keys > Add key > JSON)"
	}
	switch {
	case k.Type != "service_account":
		return `must be a service account key: its "type" must be "service_account"`
	case k.ClientEmail == "":
		return `has no "client_email"`
	case k.PrivateKey == "":
		return `has no "private_key"`
	}
	block, _ := pem.Decode([]byte(k.PrivateKey))
	if block == nil {
		return `has a "private_key" that is not a PEM key`
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return `has a "private_key" that is not an RSA private key`
		}
	}
	return ""
}

// String describes the settings without the secret.
func (c GoogleConfig) String() string {
	return fmt.Sprintf("google-workspace{serviceAccountKey: %s, subject: %s, tokenUrl: %s, directoryUrl: %s, nested: %t, groups: %s}",
		c.ServiceAccountKey, c.Subject, trimBase(c.TokenURL, DefaultGoogleTokenURL), trimBase(c.DirectoryURL, DefaultGoogleDirectory), c.Nested, groupIDs(c.Groups))
}

// GoString is String for %#v.
func (c GoogleConfig) GoString() string {
	return "connector.GoogleConfig" + strings.TrimPrefix(c.String(), "google-workspace")
}

// Format prints String, or GoString for %#v, whatever the verb.
func (c GoogleConfig) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String(), c.GoString()) }

func (c GoogleConfig) open(opts Options) (Connector, error) { return NewGoogle(c, opts) }
