package dynamo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"gatehouse/internal/org"
)

// A cursor continues a list where its page ended. It is the rest of the last sort key and a
// MAC over it, the organization and the query (the list, its filter and its order), under a
// key kept in the table: a cursor Gatehouse did not make, or made for another organization
// or another query, is refused.

// cursorKeyItem holds the table's cursor key, made once by whichever process needs it first.
type cursorKeyItem struct {
	key
	Type string `dynamodbav:"type"`
	Key  []byte `dynamodbav:"key"`
}

// cursorKeys loads the table's cursor key once per process.
type cursorKeys struct {
	mu  sync.Mutex
	key []byte
}

// get returns the key, making it if the table has none yet.
func (c *cursorKeys) get(ctx context.Context, t *table) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key != nil {
		return c.key, nil
	}
	var it cursorKeyItem
	err := t.get(ctx, pkSystem, skCursorKey, &it)
	if errors.Is(err, org.ErrNotFound) {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("make the cursor key: %w", err)
		}
		cond := notExists()
		it = cursorKeyItem{key: key{PK: pkSystem, SK: skCursorKey}, Type: typeCursorKey, Key: fresh}
		err = t.newTx().put(org.PartRecord, it, &cond).commit(ctx)
		if org.Refused(err, org.PartRecord) {
			err = t.get(ctx, pkSystem, skCursorKey, &it) // another process made it first
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read the cursor key: %w", err)
	}
	if len(it.Key) < 32 {
		return nil, errors.New("the table's cursor key is too short")
	}
	c.key = it.Key
	return c.key, nil
}

// cursorPattern is what a cursor's key part may hold: the part of a sort key after its prefix.
// Like cursorAlphabet it is compiled on first use: counted repetitions make large programs,
// which every cold start would pay for.
var cursorPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_]{1,80}$`) })

// cursorAlphabet is what a whole cursor is made of.
var cursorAlphabet = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-]{1,110}\.[A-Za-z0-9_-]{22}$`)
})

// cursorTag is the MAC binding rest to the organization and the query.
func cursorTag(secret []byte, q query, rest string) []byte {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%t\x00%s", q.orgID, q.prefix, q.view, q.forward, rest)
	return m.Sum(nil)[:16]
}

// encodeCursor makes the cursor that continues q after sort key sk.
func encodeCursor(secret []byte, q query, sk string) string {
	rest := strings.TrimPrefix(sk, q.prefix)
	return base64.RawURLEncoding.EncodeToString([]byte(rest)) + "." + base64.RawURLEncoding.EncodeToString(cursorTag(secret, q, rest))
}

// errBadCursor refuses a cursor Gatehouse did not make for this list.
var errBadCursor = org.Invalid("cursor", "invalid_cursor", "cursor is not one this API returned for this list; start again without it")

// decodeCursor reads a cursor of q back into a sort key, refusing anything not made by
// encodeCursor for the same organization and query.
func decodeCursor(secret []byte, q query, cursor string) (string, error) {
	if !cursorAlphabet().MatchString(cursor) {
		return "", errBadCursor
	}
	body, tag, _ := strings.Cut(cursor, ".")
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || !cursorPattern().Match(raw) {
		return "", errBadCursor
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(tag)
	if err != nil || !hmac.Equal(got, cursorTag(secret, q, string(raw))) {
		return "", errBadCursor
	}
	return q.prefix + string(raw), nil
}
