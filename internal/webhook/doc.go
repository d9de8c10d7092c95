// Package webhook is the delivery core of Gatehouse's outbound webhooks: it signs, checks
// and sends one event to one endpoint as the Standard Webhooks specification
// (standardwebhooks.com) describes, and says when to try again. Storage, fan-out, the API
// and the schedule that calls it live elsewhere.
//
// Secrets are "whsec_" followed by the standard base64 of 24 to 64 random bytes; NewSecret
// makes one of 32. Sign writes the webhook-signature header: one "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" per live secret, space-separated, so that while a secret is rotated
// the old and the new one both sign and a receiver that knows either one verifies.
//
// EventTypes lists the events an endpoint may subscribe to; ValidEvents checks a
// subscription ("*" alone, or known types once each) and Subscribed matches an event
// against it. Payload builds the body: {"type", "timestamp", "data"}.
//
// CheckURL tells an admin, when they save an endpoint, whether its URL may be used: https
// only, no user info or fragment, and a host that resolves only to public addresses (the
// rule of package egress). Send checks the same again, at the moment it connects.
//
// A Sender posts a signed body with the webhook-id, webhook-timestamp and
// webhook-signature headers through an egress client, which refuses private, loopback and
// link-local addresses after DNS resolution, uses no proxy and follows no redirect. Its
// Result says what the caller does next: Delivered (2xx), Retry, Gone (410: disable the
// endpoint) or Refused (the URL or its address may never be used, or there is no valid
// secret to sign with: retrying cannot help). A redirect (3xx) is a Retry and is never
// followed: it would deliver to an address the admin never saved, and the specification
// recommends correcting the URL instead. The Result holds at most the first 200 bytes of
// the receiver's answer, made printable, and never a signing secret or signature, even
// when the receiver echoes them back (as written or JSON-escaped; a receiver that knows a
// secret can always disclose it some other way).
//
// NextAttempt spaces retries with exponential backoff and full jitter, from about 30
// seconds up to 6 hours apart, and gives up once an attempt would come more than
// GiveUpAfter (3 days) after the first one.
//
// How a delivery worker uses it:
//
//	s := webhook.NewSender(webhook.SenderOptions{Local: isDevStack})
//	res := s.Send(ctx, ep.URL, ep.LiveSecrets(now), d.EventID, now, d.Body) // same id on every retry
//	switch res.Outcome {
//	case webhook.Delivered: // mark delivered
//	case webhook.Gone, webhook.Refused: // mark failed; Gone also disables the endpoint
//	case webhook.Retry:
//		if next, ok := webhook.NextAttempt(d.Attempts, d.FirstAttempt, now, nil); ok {
//			// schedule next (no earlier than now+res.RetryAfter)
//		} // else: failed for good
//	}
package webhook
