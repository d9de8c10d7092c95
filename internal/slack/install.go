package slack

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gatehouse/internal/org"
)

// Installer runs Slack's OAuth v2 install of the Gatehouse app, the only way a workspace is
// connected outside the local stack: the admin is sent to Slack with a signed state naming
// their organization and token; Slack sends them back with a code, which oauth.v2.access
// exchanges for the team the installer really belongs to.
type Installer struct {
	clientID     string
	clientSecret string
	redirectURL  string
	authorizeURL string
	apiURL       string
	key          []byte
	http         *http.Client
	now          func() time.Time
}

// InstallConfig configures an Installer.
type InstallConfig struct {
	ClientID, ClientSecret string // the Slack app's, from its Basic Information page
	// RedirectURL is Gatehouse's callback, such as https://gatehouse.acme.com/slack/oauth/callback;
	// it must be among the app's redirect URLs.
	RedirectURL string
	// AuthorizeURL and APIURL are Slack's (https://slack.com/oauth/v2/authorize and
	// https://slack.com/api) unless set, as tests do.
	AuthorizeURL, APIURL string
	HTTP                 *http.Client
	Now                  func() time.Time
}

// StateTTL is how long an install started in Gatehouse may take to come back from Slack.
const StateTTL = 10 * time.Minute

// NewInstaller checks c and returns an Installer.
func NewInstaller(c InstallConfig) (*Installer, error) {
	if c.ClientID == "" || c.ClientSecret == "" {
		return nil, errors.New("slack install needs the app's client id and client secret")
	}
	if u, err := url.Parse(c.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("slack install redirect URL %q must be an absolute http(s) URL", c.RedirectURL)
	}
	i := &Installer{clientID: c.ClientID, clientSecret: c.ClientSecret, redirectURL: c.RedirectURL,
		authorizeURL: c.AuthorizeURL, apiURL: strings.TrimRight(c.APIURL, "/"), http: c.HTTP, now: c.Now}
	if i.authorizeURL == "" {
		i.authorizeURL = "https://slack.com/oauth/v2/authorize"
	}
	if i.apiURL == "" {
		i.apiURL = "https://slack.com/api"
	}
	if i.http == nil {
		i.http = &http.Client{Timeout: 10 * time.Second}
	}
	if i.now == nil {
		i.now = time.Now
	}
	mac := hmac.New(sha256.New, []byte(c.ClientSecret))
	mac.Write([]byte("gatehouse slack install state v1"))
	i.key = mac.Sum(nil)
	return i, nil
}

// state is what an install carries to Slack and back, signed.
type state struct {
	OrgID   string `json:"o"`
	TokenID string `json:"t"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

// Start returns the Slack address an admin of orgID, acting with API token tokenID, opens
// to install the app, asking only for slash commands.
func (i *Installer) Start(orgID, tokenID string) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never returns an error since Go 1.24
	raw, _ := json.Marshal(state{OrgID: orgID, TokenID: tokenID, Expires: i.now().Add(StateTTL).Unix(),
		Nonce: base64.RawURLEncoding.EncodeToString(nonce[:])}) // a struct of strings always marshals
	payload := base64.RawURLEncoding.EncodeToString(raw)
	q := url.Values{"client_id": {i.clientID}, "scope": {"commands"}, "redirect_uri": {i.redirectURL},
		"state": {payload + "." + i.sign(payload)}}
	return i.authorizeURL + "?" + q.Encode()
}

func (i *Installer) sign(payload string) string {
	mac := hmac.New(sha256.New, i.key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Errors of an install's return from Slack.
var (
	// ErrBadState: the state is not one Gatehouse signed, or it has expired.
	ErrBadState = errors.New("slack install state is invalid or expired")
	// ErrInstallRefused: Slack did not confirm the install (the admin cancelled, the code is
	// spent, or it was installed for a whole Enterprise Grid rather than one workspace).
	ErrInstallRefused = errors.New("slack did not confirm the install")
)

// Finish checks the state Slack brought back, that orgID's API token tokenID started the
// install, and only then exchanges code for the workspace it was installed in, so a code is
// never spent for someone who may not finish it.
func (i *Installer) Finish(ctx context.Context, code, signed, orgID, tokenID string) (org.SlackInstall, error) {
	st, err := i.verify(signed)
	if err != nil {
		return org.SlackInstall{}, err
	}
	if st.OrgID != orgID || st.TokenID != tokenID {
		return org.SlackInstall{}, org.ErrSlackInstallMismatch
	}
	return i.exchange(ctx, code)
}

// exchange asks oauth.v2.access which workspace code installed the app in.
func (i *Installer) exchange(ctx context.Context, code string) (org.SlackInstall, error) {
	if code == "" {
		return org.SlackInstall{}, fmt.Errorf("no code came back: %w", ErrInstallRefused)
	}
	form := url.Values{"client_id": {i.clientID}, "client_secret": {i.clientSecret}, "code": {code}, "redirect_uri": {i.redirectURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, i.apiURL+"/oauth.v2.access", strings.NewReader(form.Encode()))
	if err != nil {
		return org.SlackInstall{}, fmt.Errorf("build oauth.v2.access: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := i.http.Do(req)
	if err != nil {
		return org.SlackInstall{}, fmt.Errorf("call oauth.v2.access: %w: %w", err, org.ErrUnavailable)
	}
	defer res.Body.Close()
	var out struct {
		OK                  bool                       `json:"ok"`
		Error               string                     `json:"error"`
		IsEnterpriseInstall bool                       `json:"is_enterprise_install"`
		Team                *struct{ ID, Name string } `json:"team"`
		Enterprise          *struct{ ID string }       `json:"enterprise"`
		AuthedUser          struct{ ID string }        `json:"authed_user"`
	}
	if res.StatusCode/100 != 2 {
		return org.SlackInstall{}, fmt.Errorf("oauth.v2.access answered %d: %w", res.StatusCode, org.ErrUnavailable)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&out); err != nil {
		return org.SlackInstall{}, fmt.Errorf("read oauth.v2.access: %w: %w", err, org.ErrUnavailable)
	}
	switch {
	case !out.OK:
		return org.SlackInstall{}, fmt.Errorf("slack answered %q: %w", out.Error, ErrInstallRefused)
	case out.IsEnterpriseInstall || out.Team == nil || out.Team.ID == "":
		return org.SlackInstall{}, fmt.Errorf("the app was installed for a whole Enterprise Grid, not one workspace: %w", ErrInstallRefused)
	case out.AuthedUser.ID == "":
		return org.SlackInstall{}, fmt.Errorf("slack named no installing user: %w", ErrInstallRefused)
	}
	inst := org.SlackInstall{TeamID: out.Team.ID, TeamName: out.Team.Name, InstallerID: out.AuthedUser.ID}
	if out.Enterprise != nil {
		inst.EnterpriseID = out.Enterprise.ID
	}
	return inst, nil
}

// verify checks a state's signature and expiry.
func (i *Installer) verify(signed string) (state, error) {
	payload, sig, ok := strings.Cut(signed, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(i.sign(payload))) {
		return state{}, ErrBadState
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return state{}, ErrBadState
	}
	var st state
	if err := json.Unmarshal(raw, &st); err != nil || st.OrgID == "" || st.TokenID == "" {
		return state{}, ErrBadState
	}
	if i.now().Unix() > st.Expires {
		return state{}, fmt.Errorf("started more than %v ago: %w", StateTTL, ErrBadState)
	}
	return st, nil
}
