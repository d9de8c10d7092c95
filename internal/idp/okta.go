package idp

import "strings"

// oktaStatus maps an Okta user status to a Status; "" when unknown. The API spells
// statuses like PASSWORD_EXPIRED, the admin console's reports like "Password expired", and
// older reports say "Deactivated" for DEPROVISIONED and "Pending user action" for
// PROVISIONED; all are accepted.
func oktaStatus(raw string) Status {
	switch strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(raw)), " ", "_") {
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
