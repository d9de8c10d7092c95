// Package env reads Gatehouse's configuration from environment variables once, at start,
// and reports every missing or malformed variable together.
package env

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"gatehouse/internal/metrics"
)

// Getenv looks a variable up, like os.Getenv; tests pass a map's lookup instead.
type Getenv func(string) string

// Store is how a function reaches its DynamoDB table.
type Store struct {
	Table    string // TABLE_NAME
	Endpoint string // DYNAMODB_ENDPOINT: another DynamoDB (local, moto_server); empty for AWS
	// S3Endpoint is S3_ENDPOINT: another S3 holding the identity-provider exports (tests,
	// local stand-ins); empty for AWS.
	S3Endpoint string
}

// AWS is how a process signs its requests to AWS services, or to local stand-ins for them
// (package awsconfig loads it).
type AWS struct {
	// With a local endpoint and no AWS credentials or region configured, placeholders are
	// used: local services accept any.
	LocalCredentials bool
	DefaultRegion    string
}

// Common is what every Gatehouse process reads.
type Common struct {
	Store
	AWS
	LogLevel slog.Level // LOG_LEVEL: debug, info (default), warn, error
	// MetricsNamespace is METRICS_NAMESPACE: the CloudWatch namespace of the metrics the
	// process writes, DefaultMetricsNamespace when unset (the template names one per stack).
	MetricsNamespace string
	// Local is set when the table is on this machine (DYNAMODB_ENDPOINT on 127.0.0.1 or
	// localhost): the local stack, whose identity providers may be fakes on 127.0.0.1.
	Local bool
	Secrets
}

// Secrets is how identity-provider credentials are sealed at rest: under a KMS key in AWS,
// or, in the local stack only, under a key file. Neither leaves directory sync off.
type Secrets struct {
	KeyID   string // SECRETS_KEY_ID: the KMS key's ARN, id or alias
	KeyFile string // SECRETS_KEY_FILE: the local stack's key file (created when missing)
}

// localAWS is the placeholders a process talking to local services needs, leaving alone any
// credentials or region the environment configures.
func localAWS(getenv Getenv) AWS {
	a := AWS{LocalCredentials: getenv("AWS_ACCESS_KEY_ID") == "" && getenv("AWS_PROFILE") == ""}
	if getenv("AWS_REGION") == "" && getenv("AWS_DEFAULT_REGION") == "" {
		a.DefaultRegion = "us-east-1"
	}
	return a
}

// API is what the API reads besides the common settings.
type API struct {
	Common
	// CORS_ALLOWED_ORIGINS: comma-separated browser origins allowed to call the API, such
	// as https://portal.example.com; none by default.
	AllowedOrigins []string
	// APP_URL: where people go once they have accepted (the portal); optional.
	AppURL string
	// PUBLIC_URL: the API's public base URL, for accept links handed to admins; optional
	// but with Slack's install, whose callback it is the base of.
	PublicURL string
	// SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: the Slack app's, for its install (how a
	// workspace is connected); both or neither. In AWS the template fills the secret from
	// Secrets Manager.
	SlackClientID, SlackClientSecret string
}

// httpURL parses raw as an absolute http(s) URL with a host.
func httpURL(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// problems collects configuration errors so they are reported at once.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("configuration: " + strings.Join(p, "; "))
}

// DefaultMetricsNamespace is the CloudWatch namespace when METRICS_NAMESPACE is unset.
const DefaultMetricsNamespace = "Gatehouse"

// LoadCommon reads the variables every process needs.
func LoadCommon(getenv Getenv) (Common, error) {
	var p problems
	c := loadCommon(getenv, &p)
	return c, p.err()
}

// loadCommon reads the variables every process needs, adding what is wrong with them to p.
func loadCommon(getenv Getenv, p *problems) Common {
	c := Common{Store: Store{Table: getenv("TABLE_NAME"), Endpoint: getenv("DYNAMODB_ENDPOINT"), S3Endpoint: getenv("S3_ENDPOINT")}}
	if c.Table == "" {
		p.addf("TABLE_NAME is required (the DynamoDB table)")
	}
	if e := c.Endpoint; e != "" {
		if !strings.HasPrefix(e, "http://") && !strings.HasPrefix(e, "https://") {
			p.addf("DYNAMODB_ENDPOINT must be an http:// or https:// URL, got %q", e)
		}
		c.AWS = localAWS(getenv)
	}
	if e := c.S3Endpoint; e != "" {
		if _, ok := httpURL(e); !ok {
			p.addf("S3_ENDPOINT must be an http:// or https:// URL, got %q", e)
		}
		c.AWS = localAWS(getenv)
	}
	c.LogLevel = logLevel(getenv, p)
	c.MetricsNamespace = getenv("METRICS_NAMESPACE")
	if c.MetricsNamespace == "" {
		c.MetricsNamespace = DefaultMetricsNamespace
	}
	if err := metrics.CheckNamespace(c.MetricsNamespace); err != nil {
		p.addf("METRICS_NAMESPACE: %v", err)
	}
	if u, ok := httpURL(c.Endpoint); ok {
		h := u.Hostname()
		c.Local = h == "127.0.0.1" || h == "localhost" || h == "::1"
	}
	c.Secrets = Secrets{KeyID: strings.TrimSpace(getenv("SECRETS_KEY_ID")), KeyFile: getenv("SECRETS_KEY_FILE")}
	switch {
	case c.KeyID != "" && c.KeyFile != "":
		p.addf("SECRETS_KEY_ID and SECRETS_KEY_FILE are one or the other: a KMS key in AWS, a key file in the local stack")
	case c.KeyFile != "" && !c.Local:
		p.addf("SECRETS_KEY_FILE works only in the local stack (DYNAMODB_ENDPOINT on 127.0.0.1); in AWS set SECRETS_KEY_ID to a KMS key")
	}
	return c
}

// logLevel reads LOG_LEVEL, else the level Lambda's logging configuration gives
// (AWS_LAMBDA_LOG_LEVEL: TRACE, DEBUG, INFO, WARN, ERROR or FATAL), else info.
func logLevel(getenv Getenv, p *problems) slog.Level {
	var lvl slog.Level
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := lvl.UnmarshalText([]byte(v)); err != nil {
			p.addf("LOG_LEVEL must be debug, info, warn or error, got %q", v)
		}
		return lvl
	}
	switch v := strings.ToUpper(getenv("AWS_LAMBDA_LOG_LEVEL")); v {
	case "":
	case "TRACE":
		lvl = slog.LevelDebug
	case "FATAL":
		lvl = slog.LevelError
	default:
		if err := lvl.UnmarshalText([]byte(v)); err != nil {
			p.addf("AWS_LAMBDA_LOG_LEVEL must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL, got %q", v)
		}
	}
	return lvl
}

// LoadAPI reads the API's variables.
func LoadAPI(getenv Getenv) (API, error) {
	var p problems
	c := loadCommon(getenv, &p)
	a := API{Common: c, AppURL: getenv("APP_URL"), PublicURL: strings.TrimRight(getenv("PUBLIC_URL"), "/"),
		SlackClientID: getenv("SLACK_CLIENT_ID"), SlackClientSecret: getenv("SLACK_CLIENT_SECRET")}
	switch {
	case (a.SlackClientID == "") != (strings.TrimSpace(a.SlackClientSecret) == ""):
		p.addf("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both (from the Slack app's Basic Information page) or neither")
	case a.SlackClientID != "" && a.PublicURL == "":
		p.addf("PUBLIC_URL is required with SLACK_CLIENT_ID: Slack's install returns to PUBLIC_URL/slack/oauth/callback")
	}
	for name, v := range map[string]string{"APP_URL": a.AppURL, "PUBLIC_URL": a.PublicURL} {
		if _, ok := httpURL(v); v != "" && !ok {
			p.addf("%s must be an http(s) URL such as https://portal.acme.com, got %q", name, v)
		}
	}
	for _, o := range strings.Split(getenv("CORS_ALLOWED_ORIGINS"), ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if u, ok := httpURL(o); !ok || u.Path != "" || u.RawQuery != "" {
			p.addf("CORS_ALLOWED_ORIGINS must list origins such as https://portal.example.com, got %q", o)
			continue
		}
		a.AllowedOrigins = append(a.AllowedOrigins, o)
	}
	return a, p.err()
}

// Mailer is what the mailer reads besides the common settings.
type Mailer struct {
	Common
	From             string  // SES_FROM: the verified sender identity, such as "Acme <invites@acme.com>"
	ConfigurationSet string  // SES_CONFIGURATION_SET: optional
	SESEndpoint      string  // SES_ENDPOINT: another SES (the local emulator); empty for AWS
	PublicURL        string  // PUBLIC_URL: where accept links point, such as https://gatehouse.acme.com
	Rate             float64 // SES_MAX_SEND_RATE: emails per second, default 14; 0 lifts the limit
}

// DefaultSendRate is the usual production SES quota, in emails per second.
const DefaultSendRate = 14

// LoadMailer reads the mailer's variables.
func LoadMailer(getenv Getenv) (Mailer, error) {
	var p problems
	c := loadCommon(getenv, &p)
	m := Mailer{
		Common: c, From: getenv("SES_FROM"), ConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		SESEndpoint: getenv("SES_ENDPOINT"), PublicURL: strings.TrimRight(getenv("PUBLIC_URL"), "/"), Rate: DefaultSendRate,
	}
	if m.From == "" {
		p.addf("SES_FROM is required (a verified SES identity, such as invites@acme.com)")
	} else if _, err := mail.ParseAddress(m.From); err != nil {
		p.addf("SES_FROM must be an email address such as invites@acme.com, got %q", m.From)
	}
	if _, ok := httpURL(m.PublicURL); !ok {
		p.addf("PUBLIC_URL is required: the public base URL of the API, such as https://gatehouse.acme.com")
	}
	if e := m.SESEndpoint; e != "" {
		if !strings.HasPrefix(e, "http://") && !strings.HasPrefix(e, "https://") {
			p.addf("SES_ENDPOINT must be an http:// or https:// URL, got %q", e)
		}
		m.AWS = localAWS(getenv)
	}
	if r := getenv("SES_MAX_SEND_RATE"); r != "" {
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || v < 0 {
			p.addf("SES_MAX_SEND_RATE must be a number of emails per second (0 lifts the limit), got %q", r)
		}
		m.Rate = v
	}
	return m, p.err()
}

// Slack is the configuration of the Slack slash-command webhook.
type Slack struct {
	Common
	// SigningSecret verifies that requests come from Slack. In AWS the template fills it
	// from Secrets Manager.
	SigningSecret string
}

// LoadSlack reads the Slack webhook's configuration. An empty signing secret is refused: it
// would let anyone forge commands.
func LoadSlack(getenv Getenv) (Slack, error) {
	var p problems
	c := loadCommon(getenv, &p)
	s := Slack{Common: c, SigningSecret: getenv("SLACK_SIGNING_SECRET")}
	if strings.TrimSpace(s.SigningSecret) == "" {
		p.addf("SLACK_SIGNING_SECRET is required: the signing secret from the Slack app's Basic Information page")
	}
	return s, p.err()
}

// Webhooks is what the webhooks function reads besides the common settings. With SES_FROM
// set, it emails an organization's admins when it disables one of their endpoints; without,
// the disabling is only in the audit log and on the Settings page.
type Webhooks struct {
	Common
	From             string // SES_FROM: the verified sender identity; empty for no emails
	ConfigurationSet string // SES_CONFIGURATION_SET: optional
	SESEndpoint      string // SES_ENDPOINT: another SES (the local emulator); empty for AWS
	PublicURL        string // PUBLIC_URL: the API's public base URL, for the Settings page's link
}

// LoadWebhooks reads the webhooks function's variables.
func LoadWebhooks(getenv Getenv) (Webhooks, error) {
	var p problems
	w := Webhooks{
		Common: loadCommon(getenv, &p), From: getenv("SES_FROM"), ConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		SESEndpoint: getenv("SES_ENDPOINT"), PublicURL: strings.TrimRight(getenv("PUBLIC_URL"), "/"),
	}
	if w.From != "" {
		if _, err := mail.ParseAddress(w.From); err != nil {
			p.addf("SES_FROM must be an email address such as invites@acme.com, got %q", w.From)
		}
		if _, ok := httpURL(w.PublicURL); !ok {
			p.addf("PUBLIC_URL is required with SES_FROM: the public base URL of the API, such as https://gatehouse.acme.com, which emails to admins link to")
		}
	}
	if e := w.SESEndpoint; e != "" {
		if !strings.HasPrefix(e, "http://") && !strings.HasPrefix(e, "https://") {
			p.addf("SES_ENDPOINT must be an http:// or https:// URL, got %q", e)
		}
		w.AWS = localAWS(getenv)
	}
	return w, p.err()
}
