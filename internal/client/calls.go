package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// pageSize is how many items each page of a list asks for: the API's most.
const pageSize = org.MaxPageSize

// BulkInvite invites up to 1,000 people in one request, with key as its Idempotency-Key:
// sending the same rows with the same key again (after a lost answer, or in a later run
// within a day) replays the first answer and invites nobody twice.
func (c *Client) BulkInvite(ctx context.Context, key string, rows []org.InviteRequest) (view.Bulk, error) {
	var out view.Bulk
	body := struct {
		Invitations []org.InviteRequest `json:"invitations"`
	}{rows}
	if err := c.do(ctx, http.MethodPost, "/api/v1/invitations/bulk", nil, body, key, &out); err != nil {
		return view.Bulk{}, fmt.Errorf("bulk invite: %w", err)
	}
	if len(out.Results) != len(rows) {
		return view.Bulk{}, fmt.Errorf("bulk invite: the API answered %d results for %d rows", len(out.Results), len(rows))
	}
	return out, nil
}

// Invitations lists the organization's invitations, newest first, of status (every status
// when empty), reading every page.
func (c *Client) Invitations(ctx context.Context, status string) iter.Seq2[view.Invitation, error] {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	return list[view.Invitation](ctx, c, "list invitations", "/api/v1/invitations", q)
}

// RevokeInvitation withdraws a pending invitation; its link stops working.
func (c *Client) RevokeInvitation(ctx context.Context, id string) (view.Invitation, error) {
	var out view.Invitation
	if err := c.do(ctx, http.MethodDelete, "/api/v1/invitations/"+url.PathEscape(id), nil, nil, "", &out); err != nil {
		return view.Invitation{}, fmt.Errorf("revoke invitation %s: %w", id, err)
	}
	return out, nil
}

// ResendInvitation gives a pending invitation a new link and a fresh expiry, and emails it
// (unless it was made without email: then the answer holds the new link, once).
func (c *Client) ResendInvitation(ctx context.Context, id string) (view.Invitation, error) {
	var out view.Invitation
	if err := c.do(ctx, http.MethodPost, "/api/v1/invitations/"+url.PathEscape(id)+"/resend", nil, nil, NewKey(), &out); err != nil {
		return view.Invitation{}, fmt.Errorf("resend invitation %s: %w", id, err)
	}
	return out, nil
}

// Members lists the organization's members, reading every page.
func (c *Client) Members(ctx context.Context) iter.Seq2[view.Member, error] {
	return list[view.Member](ctx, c, "list members", "/api/v1/users", url.Values{})
}

// AuditLog lists the organization's audit entries, newest first, reading pages until the
// caller stops.
func (c *Client) AuditLog(ctx context.Context) iter.Seq2[view.AuditEntry, error] {
	return list[view.AuditEntry](ctx, c, "read the audit log", "/api/v1/audit-logs", url.Values{})
}

// list reads every page of the list at path, following its cursors; an error ends it.
func list[T any](ctx context.Context, c *Client, what, path string, q url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q.Set("limit", strconv.Itoa(pageSize))
		for page := 1; ; page++ {
			var p view.List[T]
			if err := c.do(ctx, http.MethodGet, path, q, nil, "", &p); err != nil {
				var zero T
				yield(zero, fmt.Errorf("%s, page %d: %w", what, page, err))
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			if p.NextCursor == q.Get("cursor") {
				var zero T
				yield(zero, fmt.Errorf("%s, page %d: the API answered the same cursor again", what, page))
				return
			}
			q.Set("cursor", p.NextCursor)
		}
	}
}
