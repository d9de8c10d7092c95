package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// SecretPrefix starts every signing secret, as the Standard Webhooks specification names
// symmetric secrets, so that a leaked one is recognised for what it is.
const SecretPrefix = "whsec_"

// The sizes of a secret's key, in bytes. The specification asks for at least 24 bytes and
// at most 64 (512 bits); NewSecret makes 32.
const (
	secretBytes    = 32
	minSecretBytes = 24
	maxSecretBytes = 64
)

// maxIDLength bounds a webhook-id; ours are ULIDs of 26 characters, perhaps prefixed.
const maxIDLength = 128

// NewSecret returns a new signing secret: SecretPrefix followed by the standard base64 (with
// padding) of 32 random bytes.
func NewSecret() string {
	var b [secretBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ValidSecret reports whether s is a signing secret: SecretPrefix followed by the canonical
// standard base64 of 24 to 64 bytes. Secrets are made by NewSecret; the wider range lets
// the specification's published test secrets (24 bytes) through.
func ValidSecret(s string) bool {
	_, ok := secretKey(s)
	return ok
}

// secretKey is the key of secret s, or false when s is not a signing secret.
func secretKey(s string) ([]byte, bool) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, false
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil || len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, false
	}
	// One spelling per key (the decoder skips line breaks), so that what is stored, shown
	// and scrubbed from answers is always the same text.
	if base64.StdEncoding.EncodeToString(key) != enc {
		return nil, false
	}
	return key, true
}

// Sign returns the webhook-signature header of a message: one "v1,<signature>" per secret,
// in the order given, separated by spaces. Pass every live secret of the endpoint: during a
// rotation the new one and the old one, so that a receiver knowing either verifies. at is
// the time of this attempt (the webhook-timestamp header), which receivers check against
// their clock, not the time of the event.
//
// The id must be 1 to 128 printable ASCII characters without spaces or full stops (the
// specification forbids "." in it: the signed text is id.timestamp.body). Errors name the
// refused secret by its index, never by its value.
func Sign(secrets []string, id string, at time.Time, body []byte) (string, error) {
	if err := checkMessage(id, at); err != nil {
		return "", err
	}
	if len(secrets) == 0 {
		return "", errors.New("sign webhook: no signing secret")
	}
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		if !ValidSecret(s) {
			return "", fmt.Errorf("sign webhook: secrets[%d] is not a signing secret (%s followed by the base64 of 24 to 64 bytes)", i, SecretPrefix)
		}
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return "", fmt.Errorf("sign webhook: secrets[%d] is refused by the signing library", i)
		}
		if sigs[i], err = wh.Sign(id, at, body); err != nil {
			return "", fmt.Errorf("sign webhook with secrets[%d]: %w", i, err)
		}
	}
	return strings.Join(sigs, " "), nil
}

// checkMessage checks the id and time that Sign signs.
func checkMessage(id string, at time.Time) error {
	if id == "" {
		return errors.New("sign webhook: the webhook id is empty")
	}
	if len(id) > maxIDLength {
		return fmt.Errorf("sign webhook: the webhook id is %d bytes long, more than %d", len(id), maxIDLength)
	}
	for i := range len(id) {
		if c := id[i]; c <= ' ' || c > '~' || c == '.' {
			return fmt.Errorf("sign webhook: the webhook id %q has a character at byte %d that is not printable ASCII or is a space or full stop", id, i)
		}
	}
	if at.Unix() <= 0 {
		return fmt.Errorf("sign webhook: the timestamp %s is not after 1970", at.UTC().Format(time.RFC3339))
	}
	return nil
}
