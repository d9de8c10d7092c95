// Package org is the heart of Gatehouse: an organization's invitations, members, API tokens
// and audit log, the rules they obey, and the operations that change them.
//
// It imports no AWS SDK. It consumes a Store (implemented by the DynamoDB adapter) and is
// driven by the HTTP API, the Slack webhook, the directory sync and the operator CLI alike.
package org
