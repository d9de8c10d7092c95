package idp

import "strings"

// oktaStatus maps an Okta user status to a Status; "" when unknown. The API spells
// statuses like PASSWORD_EXPIRED, the admin console's reports like "Password expired", and
// older reports say "Deactivated" for DEPROVISIONED and "Pending user action" for
// PROVISIONED; all are accepted.
func oktaStatus(raw string) Status {
	// The spellings of the list below read as they are: most exports use only those.
	if s := oktaStatusOf(raw); s != "" {
		return s
	}
	return oktaStatusOf(strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(raw)), " ", "_"))
}

// oktaStatusOf maps a status spelled in upper case with underscores.
func oktaStatusOf(s string) Status {
	switch s {
	case "ACTIVE", "PROVISIONED", "PENDING_USER_ACTION", "PASSWORD_EXPIRED", "PASSWORD_RESET",
		"LOCKED_OUT", "RECOVERY":
		return StatusPresent
	case "SUSPENDED", "DEPROVISIONED", "DEACTIVATED":
		return StatusGone
	case "STAGED":
		return StatusPending
	}
	return ""
}
