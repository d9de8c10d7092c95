package hooks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// NoticeSender sends one plain-text notice to one address; package ses's Sender is one.
type NoticeSender interface {
	SendNotice(ctx context.Context, to, subject, text string) (messageID string, err error)
}

// AdminNotices emails an organization's active admins about an endpoint Gatehouse disabled.
// It is the Mailer the webhooks function is given when it may send email.
type AdminNotices struct {
	// Admins lists the addresses to tell (org.Service.AdminAddresses).
	Admins func(ctx context.Context, orgID string) ([]string, error)
	Sender NoticeSender
	// SettingsURL is the Settings page, such as https://gatehouse.acme.com/settings/.
	SettingsURL string
}

var _ Mailer = AdminNotices{}

// EndpointDisabled emails each admin of orgID that e was disabled and why, and how to turn it
// on again. Every admin is tried; the error names how many were not told.
func (n AdminNotices) EndpointDisabled(ctx context.Context, orgID string, e Endpoint, reason string) error {
	to, err := n.Admins(ctx, orgID)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return fmt.Errorf("organization %s has no active admin to tell", orgID)
	}
	subject, text := disabledNotice(orgID, e, reason, n.SettingsURL)
	var errs []error
	for _, addr := range to {
		if _, err := n.Sender.SendNotice(ctx, addr, subject, text); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d admins not told: %w", len(errs), len(to), errors.Join(errs...))
	}
	return nil
}

// disabledNotice is the subject and text telling admins that e was disabled. It names the
// endpoint by id, description and the origin of its URL only: receivers often carry a secret
// in a URL's path or query, and email is not the place for it.
func disabledNotice(orgID string, e Endpoint, reason, settingsURL string) (subject, text string) {
	where := redactedURL(e.URL)
	subject = "Gatehouse disabled the webhook endpoint " + where
	var b strings.Builder
	fmt.Fprintf(&b, "Gatehouse stopped sending events to a webhook endpoint of the organization %s:\n\n", orgID)
	fmt.Fprintf(&b, "  %s  %s\n", e.ID, where)
	if e.Description != "" {
		fmt.Fprintf(&b, "  %s\n", e.Description)
	}
	fmt.Fprintf(&b, "\nIt was disabled at %s because %s.\n\n", e.UpdatedAt.Format("2006-01-02 15:04 MST"), reason)
	b.WriteString("Events from now on are not sent to it. Deliveries that failed stay listed for 30 days\n")
	b.WriteString("and can be sent again one by one.\n\n")
	b.WriteString("Once the receiver works, turn the endpoint on again")
	if settingsURL != "" {
		fmt.Fprintf(&b, " on the Settings page's Webhooks tab:\n\n  %s\n\nor", settingsURL)
	}
	fmt.Fprintf(&b, " with the API:\n\n  PATCH /api/v1/webhooks/%s  {\"enabled\": true}\n\n", e.ID)
	b.WriteString("You are told because you are an admin of this organization.\n")
	return subject, b.String()
}

// redactedURL is raw's scheme and host, with "/…" when it has more.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(an unreadable URL)"
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}
