package idp

import (
	"fmt"
	"strconv"
)

// Status is where a person stands in the identity provider.
type Status string

// The statuses. Only present people are invited; gone people only cause removals; pending
// people (Okta STAGED) are not active yet, so sync leaves them and their accounts alone.
const (
	StatusPresent Status = "present"
	StatusGone    Status = "gone"
	StatusPending Status = "pending"
)

// Person is one usable record of an export.
type Person struct {
	// ExternalID is the identity provider's stable id for the person, empty when the format
	// has none (Google CSV); the planner then matches by email.
	ExternalID string
	// Email is normalized by org.NormalizeEmail, the one definition of an address.
	Email string
	// Name is "First Last" (or the display name when the export has no parts), NFC, with
	// control characters and runs of spaces folded to one space; empty when unknown.
	Name   string
	Status Status
	// Row is the record number in its file, from 1: the CSV data row after the header, or
	// the index+1 in the JSON array of people (members of a SCIM Group count on across
	// the groups of a file).
	Row int
	// Page is the page file the record came from, from 1, when an export was given as
	// several files; 0 when it was one file.
	Page int
	// Unterminated marks the last record of a CSV file that ends without a line ending: a
	// file cut off inside the record's last, unquoted field still has the right number of
	// fields, so the planner compares its values with the account's.
	Unterminated bool
	// Group is the group whose read the record came from when the snapshot merges several
	// (see Merge); "" for one export.
	Group string
	// Groups are the groups the person is present in, in the order Merge was given them;
	// empty for one export.
	Groups []string
	// Role is the role the person's groups give them (admin, member or viewer), which the
	// planner keeps their synced account at; "" leaves roles alone.
	Role string
}

// SkipCode says, in a word a program can count, why a record or account was skipped.
type SkipCode string

// The skip codes.
const (
	SkipNoEmail       SkipCode = "no_email"       // the record has no email address
	SkipInvalidEmail  SkipCode = "invalid_email"  // the record's email is not a plain address
	SkipDuplicate     SkipCode = "duplicate"      // another record of the export is the same person
	SkipUnknownStatus SkipCode = "unknown_status" // a status this package does not know
	SkipMalformedRow  SkipCode = "malformed_row"  // a CSV row with the wrong number of fields
	SkipNotUser       SkipCode = "not_user"       // a group member that is not a user (group, device)
	SkipPending       SkipCode = "pending"        // the person is not active yet (Okta STAGED)
	SkipGone          SkipCode = "gone"           // gone from the identity provider, with no account here
	SkipLastAdmin     SkipCode = "last_admin"     // removing the account would leave no active admin
	SkipManual        SkipCode = "deactivated_by_admin"
	SkipEmailTaken    SkipCode = "email_taken" // the address belongs to another account
	SkipKept          SkipCode = "kept"        // an account whose export record was unusable
	// SkipDomainNotAllowed: the address is outside the organization's allowed domains.
	SkipDomainNotAllowed SkipCode = "domain_not_allowed"
)

// Skip is a record of the export, or an account, that parsing or planning left alone, with
// the reason in words.
type Skip struct {
	Row        int
	Page       int
	Group      string // the group of a merged snapshot the record came from
	ExternalID string
	Email      string // as found: normalized when valid, trimmed otherwise
	Name       string
	Reason     string
	Code       SkipCode
	// Status is the record's status when it could be read; a skipped record that is not
	// gone keeps its account from being removed.
	Status Status
	// AccountID names the account a planner skip is about.
	AccountID string
}

// Snapshot is one export read as a whole: every usable person and every skipped record.
type Snapshot struct {
	Format  Format
	People  []Person
	Skipped []Skip
}

// ParseError says where an export could not be read: which page file (from 1, 0 when the
// export is one file) and which record (from 1, 0 for the file as a whole or its header).
// It wraps one of ErrUnknownFormat, ErrWrongFormat, ErrMalformed, ErrTruncated or ErrEmpty,
// or the reader's own error.
type ParseError struct {
	Format Format
	Page   int
	Row    int
	Msg    string
	Err    error
}

// Error names the format and the place, then the problem.
func (e *ParseError) Error() string {
	s := "parse " + string(e.Format) + " export"
	if e.Page > 0 {
		s += ": page " + strconv.Itoa(e.Page)
	}
	if e.Row > 0 {
		if e.Page > 0 {
			s += " row " + strconv.Itoa(e.Row)
		} else {
			s += ": row " + strconv.Itoa(e.Row)
		}
	}
	return s + ": " + e.Msg
}

// Unwrap lets errors.Is see the sentinel or the reader's error.
func (e *ParseError) Unwrap() error { return e.Err }

// where names a record for a reason text: "row 3", or "page 2 row 3" in a paged export,
// after its group in a merged one ("group 00g1admins page 2 row 3").
func where(group string, page, row int) string {
	at := fmt.Sprintf("row %d", row)
	if page > 0 {
		at = fmt.Sprintf("page %d row %d", page, row)
	}
	if group != "" {
		at = group + " " + at
	}
	return at
}
