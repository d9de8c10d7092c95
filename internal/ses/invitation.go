package ses

import (
	"strings"

	"gatehouse/internal/markup"
)

// The invitation email's two bodies. The HTML one escapes every value as html/template would
// (see package markup for why it is not a template); names are already one line of text.

// invitationHTML is the HTML body: inline styles and tables only, as email clients need.
func invitationHTML(v view) string {
	var h markup.Builder
	h.Raw(`<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>`).Text(v.Subject).Raw(`</title>
</head>
<body style="margin:0; padding:0; background-color:#f3f4f6;">
<div style="display:none; max-height:0; overflow:hidden;">`)
	invitedBy(&h, v, false)
	h.Raw(` to join `).Text(v.Org).Raw(`. The invitation expires on `).Text(v.ExpiresAt).Raw(`.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr>
<td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px; background-color:#ffffff; border-radius:8px;">
<tr>
<td style="padding:32px; font-family:Arial, Helvetica, sans-serif; font-size:16px; line-height:24px; color:#1f2937;">
<h1 style="margin:0 0 24px; font-size:22px; line-height:30px; font-weight:bold; color:#111827;">Join `).Text(v.Org).Raw(`</h1>
<p style="margin:0 0 16px;">`)
	if v.Invitee != "" {
		h.Raw(`Hi `).Text(v.Invitee).Raw(`,`)
	} else {
		h.Raw(`Hello,`)
	}
	h.Raw(`</p>
<p style="margin:0 0 24px;">`)
	invitedBy(&h, v, true)
	h.Raw(` to join <strong>`).Text(v.Org).Raw(`</strong>`)
	if v.Role != "" {
		h.Raw(` as <strong>`).Text(v.Role).Raw(`</strong>`)
	}
	h.Raw(`.</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 24px;">
<tr>
<td align="center" style="border-radius:6px; background-color:#1d4ed8;">
<a href="`).URL(v.AcceptURL).Raw(`" target="_blank" style="display:inline-block; padding:12px 24px; font-family:Arial, Helvetica, sans-serif; font-size:16px; line-height:24px; font-weight:bold; color:#ffffff; text-decoration:none; border-radius:6px;">Accept the invitation to join `).Text(v.Org).Raw(`</a>
</td>
</tr>
</table>
<p style="margin:0 0 8px;">Or copy this link into your browser:</p>
<p style="margin:0 0 24px; word-break:break-all;"><a href="`).URL(v.AcceptURL).Raw(`" target="_blank" style="color:#1d4ed8; text-decoration:underline;">`).Text(v.AcceptURL).Raw(`</a></p>
<p style="margin:0 0 16px;">This invitation expires on `).Text(v.ExpiresAt).Raw(`.</p>
<p style="margin:0; font-size:14px; line-height:20px; color:#4b5563;">If you weren't expecting this invitation, you can ignore this email.</p>
</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
`)
	return h.String()
}

// invitedBy writes who invited: the inviter's name (in bold when strong), or that someone did.
func invitedBy(h *markup.Builder, v view, strong bool) {
	switch {
	case v.Inviter == "":
		h.Raw(`You have been invited`)
	case strong:
		h.Raw(`<strong>`).Text(v.Inviter).Raw(`</strong> invited you`)
	default:
		h.Text(v.Inviter).Raw(` invited you`)
	}
}

// invitationText is the plain-text body.
func invitationText(v view) string {
	var b strings.Builder
	if v.Invitee != "" {
		b.WriteString("Hi " + v.Invitee + ",")
	} else {
		b.WriteString("Hello,")
	}
	b.WriteString("\n\n")
	if v.Inviter != "" {
		b.WriteString(v.Inviter + " invited you")
	} else {
		b.WriteString("You have been invited")
	}
	b.WriteString(" to join " + v.Org)
	if v.Role != "" {
		b.WriteString(" as " + v.Role)
	}
	b.WriteString(".\n\nAccept the invitation:\n" + v.AcceptURL + "\n\n" +
		"This invitation expires on " + v.ExpiresAt + ".\n\n" +
		"If you weren't expecting this invitation, you can ignore this email.\n")
	return b.String()
}
