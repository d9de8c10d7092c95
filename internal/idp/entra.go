package idp

import (
	"strings"
)

// entraGuestMark is in the user principal name of every B2B guest of Microsoft Entra ID:
// alex_partner.example#EXT#@contoso.onmicrosoft.com. It is not an address that reaches the
// guest; their real address is in mail.
const entraGuestMark = "#EXT#"

// entraOwnDomain ends the user principal names Entra makes up for a tenant
// (ada@contoso.onmicrosoft.com): names, not mailboxes anyone reads.
const entraOwnDomain = ".onmicrosoft.com"

// entraEmail picks the address of an Entra user: mail; without one, the user principal name
// only when useUPN says so, and never a guest's (#EXT#) or one of Entra's own
// *.onmicrosoft.com names. When there is none, the reason says why.
func entraEmail(mail, upn string, useUPN bool) (email, noEmail string) {
	if strings.TrimSpace(mail) != "" {
		return mail, ""
	}
	upn = strings.TrimSpace(upn)
	switch {
	case upn == "":
		return "", ""
	case strings.Contains(strings.ToUpper(upn), entraGuestMark):
		return "", "guest without mail: the user principal name " + upn + " is not an address"
	case strings.HasSuffix(strings.ToLower(upn), entraOwnDomain):
		return "", "no mail: the user principal name " + upn + " is Entra's own name, not an address"
	case !useUPN:
		return "", "no mail: the user principal name " + upn + " is used only with useUpnWhenNoMail"
	}
	return upn, ""
}

// entraEnabled maps the CSV's accountEnabled ("True" or "False") to a Status; "" when
// unknown. Empty means present only when the download has no such column: in a column that
// is there, an empty value may be a row cut off inside its last field, and reading it as
// present would reactivate a disabled user.
func entraEnabled(raw string, column bool) Status {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "true", "yes":
		return StatusPresent
	case "false", "no":
		return StatusGone
	case "":
		if !column {
			return StatusPresent
		}
	}
	return ""
}
