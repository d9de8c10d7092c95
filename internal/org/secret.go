package org

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// secretBytes is the entropy of every token: 256 bits.
const secretBytes = 32

// NewSecret returns 32 random bytes, base64url-encoded without padding: the secret part of
// every token Gatehouse mints.
func NewSecret() string { return newSecret() }

// newSecret returns 32 random bytes, base64url-encoded without padding.
func newSecret() string {
	var b [secretBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret returns the hex SHA-256 of a token secret: the only form in which secrets are
// stored or compared.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newInvitationToken returns an accept token for invitation invID of orgID. The token names
// the invitation so accepting needs one key lookup; its secret part carries 256 random bits.
func newInvitationToken(orgID, invID string) string {
	return orgID + "." + invID + "." + newSecret()
}

// NewLink mints a fresh accept token for inv and returns it with the hash to store. The
// mailer calls it when it sends, so no raw token ever waits in storage; storing the new hash
// makes every earlier link stop working.
func NewLink(inv Invitation) (token, hash string) {
	token = newInvitationToken(inv.OrgID, inv.ID)
	return token, HashSecret(token)
}

// parseInvitationToken splits an accept token into the organization and invitation it names.
func parseInvitationToken(token string) (orgID, invID string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || len(parts[2]) != 43 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// tokenMatches compares a presented token with a stored hash in constant time.
func tokenMatches(token, hash string) bool {
	if hash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashSecret(token)), []byte(hash)) == 1
}
