// Package idp reads group exports of identity providers (Okta, Microsoft Entra ID, Google
// Workspace, SCIM 2.0) into one Snapshot of people, and plans the changes that bring an
// organization's synced members and invitations in step with it.
//
// It is pure: it reads from io.Readers and plans from values, and it imports no AWS SDK and
// no store. The sync function fetches the export, calls Parse and NewPlan, keeps held plans
// for an admin to release, and applies the rest through the org package.
//
// Parsing streams every file once: CSV through encoding/csv with reused records and JSON
// through a token-streaming json.Decoder that decodes one person at a time. A record the
// parser cannot use (no email, an invalid email, a duplicate, a row with the wrong number of
// fields, a non-user group member) is skipped and reported with a reason; an export that
// cannot be trusted as a whole (unreadable, truncated, of another format, empty) is an error.
package idp
