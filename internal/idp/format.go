package idp

import (
	"errors"
	"fmt"
	"strings"
)

// Format names the kind of export a file holds.
type Format string

// The export formats. FormatAuto detects the format from each file's first bytes.
const (
	FormatAuto       Format = "auto"
	FormatOktaCSV    Format = "okta-csv"    // Okta admin console: group members report
	FormatOktaJSON   Format = "okta-json"   // Okta API: GET /api/v1/groups/{id}/users
	FormatEntraCSV   Format = "entra-csv"   // Microsoft Entra admin center: Download users
	FormatEntraJSON  Format = "entra-json"  // Microsoft Graph: GET /groups/{id}/members
	FormatGoogleCSV  Format = "google-csv"  // Google Admin console: Download users
	FormatGoogleJSON Format = "google-json" // Google Directory API: members.list
	FormatSCIM       Format = "scim"        // SCIM 2.0: a ListResponse of Users or Groups, or a Group
)

// formats lists every format in the order error messages name them.
func formats() []Format {
	return []Format{FormatAuto, FormatOktaCSV, FormatOktaJSON, FormatEntraCSV, FormatEntraJSON,
		FormatGoogleCSV, FormatGoogleJSON, FormatSCIM}
}

// The errors a caller may want to tell apart; errors of this package wrap them.
var (
	// ErrUnknownFormat: a format name or an export's content is none this package reads.
	ErrUnknownFormat = errors.New("unknown export format")
	// ErrWrongFormat: the content does not match the format that was asked for.
	ErrWrongFormat = errors.New("export is not of the expected format")
	// ErrMalformed: the file breaks the syntax of its format.
	ErrMalformed = errors.New("malformed export")
	// ErrTruncated: the export ends early or misses pages.
	ErrTruncated = errors.New("export is truncated")
	// ErrEmpty: the export holds no people at all.
	ErrEmpty = errors.New("export is empty")
	// ErrNobodyPresent: a snapshot has no present people, so planning against it would
	// remove everyone; an empty export applies nothing.
	ErrNobodyPresent = errors.New("export has no present people")
)

// ParseFormat reads a configured format name: "" means FormatAuto; case and surrounding
// spaces do not matter.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		return FormatAuto, nil
	}
	for _, f := range formats() {
		if Format(name) == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q: valid formats are %s", ErrUnknownFormat, s, formatList())
}

// formatList names every format for an error message.
func formatList() string {
	names := make([]string, 0, len(formats()))
	for _, f := range formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}
