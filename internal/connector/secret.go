package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// redacted is what a set secret prints as.
const redacted = "[redacted]"

// Set is what a set secret marshals as in JSON: answers show that a credential is there,
// never what it is. A request that sends it back means "keep the stored one".
const Set = "set"

// Secret is a credential of an identity provider: a client secret, an API token, a
// service account key, a bearer token. Every way of printing it (String, GoString, any
// fmt verb, slog) gives "[redacted]" when it is set and "" when it is not, and JSON gives
// "set" (Set) or "", so a
// config that reaches a log or an API answer never carries it. Reveal is the only way
// to the value: the connector calls it to sign in, and the store to encrypt it.
type Secret struct {
	value string
}

// NewSecret wraps a credential.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the credential itself.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is unset.
func (s Secret) IsZero() bool { return s.value == "" }

// String is "[redacted]", or "" when the secret is unset.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString is what %#v prints.
func (s Secret) GoString() string { return fmt.Sprintf("connector.Secret(%q)", s.String()) }

// Format prints String for every verb but %#v, which prints GoString.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// LogValue keeps the secret out of structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes "set" (or "" when unset): secrets are write-only.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.value == "" {
		return []byte(`""`), nil
	}
	return json.Marshal(Set)
}

// IsPlaceholder reports whether the secret is what answers show in place of one ("set",
// "[redacted]"), not a credential.
func (s Secret) IsPlaceholder() bool {
	v := strings.TrimSpace(s.value)
	return v == Set || v == redacted
}

// UnmarshalJSON reads a JSON string, or a JSON object taken as its compact text (a
// service account key pasted as the key file itself). null leaves the secret unset.
func (s *Secret) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*s = Secret{}
		return nil
	case len(data) > 0 && data[0] == '{':
		var buf bytes.Buffer
		if err := json.Compact(&buf, data); err != nil {
			return errors.New("secret: is not a JSON object")
		}
		*s = Secret{value: buf.String()}
		return nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return errors.New("secret: is not a JSON string")
	}
	*s = Secret{value: v}
	return nil
}
