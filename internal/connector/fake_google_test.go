package connector

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKey is an RSA key made once for the tests that sign in to the fake Google.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return k
})

// keyFile is a service account key file for key, whose token_uri points at tokenURI.
func keyFile(t testing.TB, key *rsa.PrivateKey, email, tokenURI string) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "gatehouse-test", "private_key_id": "kid-1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "108765432109876543210",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": tokenURI,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// googleMember is a member as members.list gives it.
type googleMember struct {
	Kind   string `json:"kind"`
	Etag   string `json:"etag"`
	ID     string `json:"id"`
	Email  string `json:"email,omitempty"`
	Role   string `json:"role"`
	Type   string `json:"type"`
	Status string `json:"status"`
}

// fakeGoogleGroup is a group of the fake domain: its direct members, and those it has
// through groups inside it.
type fakeGoogleGroup struct {
	members, derived []googleMember
}

// fakeGoogle is Google's token endpoint (the JWT bearer grant, verified against the test
// key) and the Directory API's members.list, on 127.0.0.1.
type fakeGoogle struct {
	t        testing.TB
	srv      *httptest.Server
	email    string // the service account
	admins   map[string]bool
	scopes   map[string]bool // scopes domain-wide delegation allows
	public   *rsa.PublicKey
	pageSize int
	hooks    hooks

	mu     sync.Mutex
	groups map[string]fakeGoogleGroup
	tokens []string
	valid  map[string]bool
	claims []map[string]any // of every assertion accepted
}

func newFakeGoogle(t testing.TB) *fakeGoogle {
	f := &fakeGoogle{t: t, email: "sync@gatehouse-test.iam.gserviceaccount.com", admins: map[string]bool{"admin@example.com": true},
		scopes: map[string]bool{googleScopeGroupMembers: true}, public: &testKey().PublicKey, pageSize: 2,
		groups: make(map[string]fakeGoogleGroup), valid: make(map[string]bool)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// config is a GoogleConfig for the fake, reading groups.
func (f *fakeGoogle) config(groups ...string) GoogleConfig {
	c := GoogleConfig{ServiceAccountKey: NewSecret(keyFile(f.t, testKey(), f.email, "https://oauth2.googleapis.com/token")),
		Subject: "admin@example.com", TokenURL: f.srv.URL + "/token", DirectoryURL: f.srv.URL}
	for _, g := range groups {
		c.Groups = append(c.Groups, Group{ID: g})
	}
	return c
}

func (f *fakeGoogle) serve(w http.ResponseWriter, r *http.Request) {
	if f.hooks.handled(w, r) {
		return
	}
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	f.mu.Lock()
	ok := f.valid[bearer(r, "Bearer")]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, googleError(http.StatusUnauthorized, "Invalid Credentials", "authError", "UNAUTHENTICATED"))
		return
	}
	key, ok := strings.CutPrefix(r.URL.Path, "/admin/directory/v1/groups/")
	if !ok || !strings.HasSuffix(key, "/members") {
		writeJSON(w, http.StatusNotFound, googleError(http.StatusNotFound, "Not Found", "notFound", "NOT_FOUND"))
		return
	}
	f.members(w, r, strings.TrimSuffix(key, "/members"))
}

// googleError is the Directory API's error body.
func googleError(code int, msg, reason, status string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status,
		"errors": []map[string]string{{"message": msg, "domain": "global", "reason": reason}}}}
}

// oauthError is the token endpoint's error body.
func oauthError(code, desc string) map[string]string {
	return map[string]string{"error": code, "error_description": desc}
}

// token checks the JWT bearer grant: RS256 over the assertion with the service account's
// key, issued by it, for the subject, to this endpoint, for allowed scopes, short-lived.
func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeJSON(w, http.StatusBadRequest, oauthError("unsupported_grant_type", "Invalid grant_type"))
		return
	}
	claims, err := f.verify(r.PostForm.Get("assertion"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", err.Error()))
		return
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	sub, _ := claims["sub"].(string)
	scopes, _ := claims["scope"].(string)
	switch {
	case claims["iss"] != f.email || claims["aud"] != f.srv.URL+"/token":
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Invalid JWT: wrong iss or aud"))
	case exp-iat > 3600 || time.Since(time.Unix(int64(iat), 0)).Abs() > 5*time.Minute:
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."))
	case !f.admins[sub]:
		writeJSON(w, http.StatusBadRequest, oauthError("invalid_grant", "Invalid email or User ID"))
	case !f.allowed(scopes):
		writeJSON(w, http.StatusUnauthorized, oauthError("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."))
	default:
		f.mu.Lock()
		tok := fmt.Sprintf("ya29.google-access-%d", len(f.tokens)+1)
		f.tokens = append(f.tokens, tok)
		f.valid[tok] = true
		f.claims = append(f.claims, claims)
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
	}
}

// allowed reports whether delegation allows every scope asked for.
func (f *fakeGoogle) allowed(scopes string) bool {
	for _, s := range strings.Fields(scopes) {
		if !f.scopes[s] {
			return false
		}
	}
	return scopes != ""
}

// verify checks an RS256 JWT against the test key and returns its claims.
func (f *fakeGoogle) verify(assertion string) (map[string]any, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("Invalid JWT: not three parts")
	}
	var header struct{ Alg, Typ, Kid string }
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" || header.Kid != "kid-1" {
		return nil, fmt.Errorf("Invalid JWT: header %+v", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("Invalid JWT Signature.")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(f.public, crypto.SHA256, sum[:], sig); err != nil {
		return nil, fmt.Errorf("Invalid JWT Signature.")
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("Invalid JWT: claims")
	}
	return claims, nil
}

// decodeSegment decodes a base64url JSON segment of a JWT.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// members is a page of members.list, with an opaque nextPageToken.
func (f *fakeGoogle) members(w http.ResponseWriter, r *http.Request, key string) {
	q := r.URL.Query()
	f.mu.Lock()
	g, ok := f.groups[key]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, googleError(http.StatusNotFound, "Resource Not Found: groupKey", "notFound", "NOT_FOUND"))
		return
	}
	if q.Get("maxResults") != "200" {
		writeJSON(w, http.StatusBadRequest, googleError(http.StatusBadRequest, "Invalid maxResults", "invalid", "INVALID_ARGUMENT"))
		return
	}
	all := g.members
	if q.Get("includeDerivedMembership") == "true" {
		all = append(append([]googleMember(nil), g.members...), g.derived...)
	}
	from := 0
	if tok := q.Get("pageToken"); tok != "" {
		raw, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, googleError(http.StatusBadRequest, "Invalid pageToken", "invalid", "INVALID_ARGUMENT"))
			return
		}
		from, _ = strconv.Atoi(strings.TrimPrefix(string(raw), key+"/"))
	}
	to := min(from+f.pageSize, len(all))
	page := map[string]any{"kind": "admin#directory#members", "etag": `"etag/page"`, "members": all[from:to]}
	if to < len(all) {
		page["nextPageToken"] = base64.StdEncoding.EncodeToString([]byte(key + "/" + strconv.Itoa(to)))
	}
	writeJSON(w, http.StatusOK, page)
}
