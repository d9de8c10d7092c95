package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"gatehouse/internal/egress"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSecretsNeverPrinted formats every config and connector every way a log line or an
// error might, and looks for the credentials in the output.
func TestSecretsNeverPrinted(t *testing.T) {
	const (
		graphSecret = "GraphSecretValue~1234567890"
		oktaToken   = "00OktaTokenValue_1234567890"
		scimToken   = "ScimBearerValue-1234567890"
	)
	googleCfg := newFakeGoogle(t).config("eng@example.com")
	googleKey := googleCfg.ServiceAccountKey.Reveal()
	secrets := []string{graphSecret, oktaToken, scimToken, googleKey, "PRIVATE KEY", "MIIE"}

	graph := GraphConfig{TenantID: "contoso.onmicrosoft.com", ClientID: "11111111-2222-3333-4444-555555555555",
		ClientSecret: NewSecret(graphSecret), Groups: []Group{{ID: groupPortal}}}
	okta := OktaConfig{Domain: "https://acme.okta.com", APIToken: NewSecret(oktaToken), Groups: []Group{{ID: "00g1"}}}
	scim := SCIMConfig{URL: "https://idp.example.com/scim/v2", BearerToken: NewSecret(scimToken)}
	values := []any{graph, &graph, okta, googleCfg, scim, graph.ClientSecret,
		struct{ Settings Config }{okta}, []Config{graph, scim}, map[string]any{"cfg": googleCfg}}
	opts := Options{HTTPClient: http.DefaultClient}
	for _, cfg := range []Config{graph, okta, googleCfg, scim} {
		conn, err := New(cfg, opts)
		if err != nil {
			t.Fatalf("New(%s): %v", cfg.Provider(), err)
		}
		values = append(values, conn)
	}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
			noSecrets(t, fmt.Sprintf("%T with %s", v, verb), fmt.Sprintf(verb, v), secrets...)
		}
		if b, err := json.Marshal(v); err == nil {
			noSecrets(t, fmt.Sprintf("%T as JSON", v), string(b), secrets...)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("settings", "value", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("settings", "value", v)
		noSecrets(t, fmt.Sprintf("%T logged", v), buf.String(), secrets...)
	}
	if s := fmt.Sprint(graph); !strings.Contains(s, "clientSecret: [redacted]") || !strings.Contains(s, "contoso.onmicrosoft.com") {
		t.Errorf("Sprint(GraphConfig) = %s, want the settings with the secret redacted", s)
	}
}

// TestEchoedSecretIsScrubbed: a provider that repeats the credential in its error message
// does not get it into the error.
func TestEchoedSecretIsScrubbed(t *testing.T) {
	clock := newClock()
	f := newOktaOrg(t, clock)
	f.hooks.add(func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, http.StatusUnauthorized, oktaError("E0000011", "Invalid token provided: "+r.Header.Get("Authorization")))
		return true
	})
	o, err := NewOkta(f.config(oktaPortal), testOptions(t, clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Fetch(context.Background())
	wantError(t, err, ErrSignIn, oktaPortal, 1, "Invalid token provided: SSWS [redacted]")
	noSecrets(t, "error", err.Error(), f.token)
}

// TestEchoedSecretIsScrubbedBeforeMessagesAreCut: a server that echoes the credential
// where its message is cut short (past 200 bytes) leaves no piece of it in the error.
func TestEchoedSecretIsScrubbedBeforeMessagesAreCut(t *testing.T) {
	const token = "scimTOKEN-0123456789abcdefghijklmnopqrstuvwxyz"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusUnauthorized)
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		detail := strings.Repeat("x", 170) + " token " + got + " is not valid"
		fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":%q}`, detail)
	}))
	defer srv.Close()
	conn, err := New(SCIMConfig{URL: srv.URL, BearerToken: NewSecret(token)},
		Options{HTTPClient: egress.NewClient(egress.Options{LocalStack: true})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Fetch(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), token[:16]) {
		t.Errorf("error carries a prefix of the token: %q", err.Error())
	}
}
