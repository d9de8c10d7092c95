package connector

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/org"
)

// problem is a field problem without its message.
type problem struct{ Field, Code string }

// problems lists the field problems of a Validate error, failing on other errors.
func problems(t *testing.T, err error) []problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("error %v (%T) is not an *org.ValidationError", err, err)
	}
	var got []problem
	for _, f := range verr.Fields {
		got = append(got, problem{f.Field, f.Code})
		if f.Message == "" || !strings.Contains(f.Message, strings.SplitN(f.Field, "[", 2)[0]) {
			t.Errorf("field %s: message %q does not name the field", f.Field, f.Message)
		}
	}
	return got
}

func TestValidate(t *testing.T) {
	google := newFakeGoogle(t).config("engineering@example.com")
	many := make([]Group, MaxGroups+1)
	for i := range many {
		many[i] = Group{ID: "00g" + strings.Repeat("a", i+1)}
	}
	cases := []struct {
		name string
		cfg  Config
		want []problem
	}{
		{name: "graph: nothing", cfg: GraphConfig{}, want: []problem{
			{"tenantId", "required"}, {"clientId", "required"}, {"clientSecret", "required"}, {"groups", "required"}}},
		{name: "graph: all wrong", cfg: GraphConfig{TenantID: "common", ClientID: "my-app", ClientSecret: NewSecret("[redacted]"),
			AuthorityURL: "http://login.example.com", GraphURL: "https://graph.microsoft.com/?x=1",
			Groups: []Group{{ID: "Developers"}, {ID: ""}, {ID: groupPortal}, {ID: " " + groupOncall}, {ID: groupPortal}}},
			want: []problem{{"tenantId", "invalid"}, {"clientId", "invalid"}, {"clientSecret", "redacted"}, {"authorityUrl", "invalid_url"},
				{"graphUrl", "invalid_url"}, {"groups[0].id", "invalid"}, {"groups[1].id", "required"}, {"groups[3].id", "invalid"},
				{"groups[4].id", "duplicate"}}},
		{name: "graph: valid", cfg: GraphConfig{TenantID: "contoso.onmicrosoft.com", ClientID: "11111111-2222-3333-4444-555555555555",
			ClientSecret: NewSecret("s3cr3t"), GraphURL: "https://graph.microsoft.us", Groups: []Group{{ID: groupPortal}}}},
		{name: "okta: nothing", cfg: OktaConfig{}, want: []problem{{"domain", "required"}, {"apiToken", "required"}, {"groups", "required"}}},
		{name: "okta: all wrong", cfg: OktaConfig{Domain: "https://acme.okta.com/admin/dashboard", APIToken: NewSecret("tok\x00en"),
			Groups: []Group{{ID: "00g1/../users"}}},
			want: []problem{{"domain", "invalid_url"}, {"apiToken", "invalid"}, {"groups[0].id", "invalid"}}},
		{name: "okta: too many groups", cfg: OktaConfig{Domain: "acme.okta.com", APIToken: NewSecret("00tok"), Groups: many},
			want: []problem{{"groups", "too_many"}}},
		{name: "okta: bare host", cfg: OktaConfig{Domain: "acme.okta.com", APIToken: NewSecret("00tok"), Groups: []Group{{ID: "00g1"}}}},
		{name: "google: nothing", cfg: GoogleConfig{}, want: []problem{{"serviceAccountKey", "required"}, {"subject", "required"}, {"groups", "required"}}},
		{name: "google: all wrong", cfg: GoogleConfig{ServiceAccountKey: NewSecret(`{"type": "authorized_user", "client_secret": "x"}`),
			Subject: "Admin <admin@example.com>", TokenURL: "http://10.0.0.1/token", DirectoryURL: "ftp://admin.googleapis.com",
			Groups: []Group{{ID: "eng team"}}},
			want: []problem{{"serviceAccountKey", "invalid"}, {"subject", "invalid"}, {"tokenUrl", "invalid_url"}, {"directoryUrl", "invalid_url"}, {"groups[0].id", "invalid"}}},
		{name: "google: a key that is not JSON", cfg: GoogleConfig{ServiceAccountKey: NewSecret("-----BEGIN PRIVATE KEY-----"), Subject: "admin@example.com",
			Groups: []Group{{ID: "eng@example.com"}}}, want: []problem{{"serviceAccountKey", "invalid"}}},
		{name: "google: valid", cfg: google},
		{name: "scim: nothing", cfg: SCIMConfig{}, want: []problem{{"url", "required"}, {"bearerToken", "required"}}},
		{name: "scim: all wrong", cfg: SCIMConfig{URL: "https://user:pass@idp.example.com/scim", BearerToken: NewSecret("b"),
			Groups: []Group{{ID: "a"}, {ID: "a"}}}, want: []problem{{"url", "invalid_url"}, {"groups[1].id", "duplicate"}}},
		{name: "scim: every user", cfg: SCIMConfig{URL: "https://idp.example.com/scim/v2/", BearerToken: NewSecret("b")}},
		{name: "scim: loopback for the local stack", cfg: SCIMConfig{URL: "http://127.0.0.1:9000/scim/v2", BearerToken: NewSecret("b")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if diff := cmp.Diff(tc.want, problems(t, err)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				noSecrets(t, "validation error", err.Error(), "s3cr3t", "tok\x00en", "client_secret")
			}
		})
	}
}

func TestDecode(t *testing.T) {
	key := newFakeGoogle(t).config().ServiceAccountKey.Reveal()
	cases := []struct {
		name, provider, body string
		want                 Config
		problem              *problem
	}{
		{name: "okta", provider: "okta", body: `{"domain": "https://acme.okta.com", "apiToken": "00tok", "groups": [{"id": "00g1"}]}`,
			want: OktaConfig{Domain: "https://acme.okta.com", APIToken: NewSecret("00tok"), Groups: []Group{{ID: "00g1"}}}},
		{name: "google key as an object", provider: "google-workspace", body: `{"serviceAccountKey": ` + key + `, "subject": "admin@example.com", "groups": [{"id": "eng@example.com"}], "nested": true}`,
			want: GoogleConfig{ServiceAccountKey: NewSecret(key), Subject: "admin@example.com", Nested: true, Groups: []Group{{ID: "eng@example.com"}}}},
		{name: "scim key as a string", provider: " scim ", body: `{"url": "https://idp.example.com/scim/v2", "bearerToken": "tok"}`,
			want: SCIMConfig{URL: "https://idp.example.com/scim/v2", BearerToken: NewSecret("tok")}},
		{name: "unknown provider", provider: "onelogin", body: `{}`, problem: &problem{"provider", "invalid_provider"}},
		{name: "unknown field", provider: "microsoft-graph", body: `{"tenant": "x"}`, problem: &problem{"settings", "invalid_json"}},
		{name: "secret of another type", provider: "okta", body: `{"apiToken": 42}`, problem: &problem{"settings", "invalid_json"}},
		{name: "broken JSON", provider: "okta", body: `{"apiToken": "00tok-very-secret", "domain": }`, problem: &problem{"settings", "invalid_json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.provider, []byte(tc.body))
			if tc.problem != nil {
				if diff := cmp.Diff([]problem{*tc.problem}, problems(t, err)); diff != "" {
					t.Errorf("problems mismatch (-want +got):\n%s", diff)
				}
				noSecrets(t, "decode error", err.Error(), "00tok-very-secret")
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b Secret) bool { return a.Reveal() == b.Reveal() })); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretJSON(t *testing.T) {
	b, err := json.Marshal(OktaConfig{Domain: "https://acme.okta.com", APIToken: NewSecret("00tok")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"domain":"https://acme.okta.com","apiToken":"set","groups":null}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	b, err = json.Marshal(SCIMConfig{URL: "https://x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"url":"https://x","bearerToken":""}`; string(b) != want {
		t.Errorf("json of an unset secret = %s, want %s", b, want)
	}
}
