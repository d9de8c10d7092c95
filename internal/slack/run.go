package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/internal/org"
)

// Service is what the slash commands need of the organization service.
type Service interface {
	AuthenticateSlack(ctx context.Context, u org.SlackUser) (org.Principal, org.SlackIntegration, error)
	Invite(ctx context.Context, p org.Principal, req org.InviteRequest) (org.Created, error)
	InviteMany(ctx context.Context, p org.Principal, reqs []org.InviteRequest) ([]org.BulkResult, error)
	Invitations(ctx context.Context, p org.Principal, q org.InvitationQuery) (org.Page[org.Invitation], error)
	PendingInvitation(ctx context.Context, p org.Principal, email string) (org.Invitation, error)
	Revoke(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	Resend(ctx context.Context, p org.Principal, id string) (org.Created, error)
}

// listLimit is how many pending invitations `list` shows; maxCounted bounds how many more it
// counts before saying "more than".
const (
	listLimit  = 20
	maxCounted = 1000
)

// runner carries out one command for one authenticated Slack user.
type runner struct {
	svc     Service
	p       org.Principal
	in      org.SlackIntegration
	command string // the command's registered name, for help texts
	now     time.Time
}

// outcome is a command's reply, and whether it failed for a passing reason (so a retry of the
// same request may run it again rather than replay the failure).
type outcome struct {
	reply     Reply
	transient bool
}

func (r runner) run(ctx context.Context, req Request) outcome {
	switch req.Action {
	case ActionInvite:
		if len(req.Emails) == 1 {
			return r.inviteOne(ctx, req.Emails[0], req.Name)
		}
		return r.inviteMany(ctx, req.Emails)
	case ActionList:
		return r.list(ctx)
	case ActionRevoke:
		return r.revoke(ctx, req.Emails[0])
	case ActionResend:
		return r.resend(ctx, req.Emails[0])
	}
	return outcome{reply: help(r.command, req.Problem)}
}

func (r runner) inviteOne(ctx context.Context, email, name string) outcome {
	c, err := r.svc.Invite(ctx, r.p, org.InviteRequest{Email: email, Name: name, Role: string(r.in.Role)})
	if err != nil {
		return r.failed("I couldn't invite "+escape(email), err)
	}
	who := "*" + escape(c.Invitation.Email) + "*"
	if c.Invitation.Name != "" {
		who = escape(c.Invitation.Name) + " (" + who + ")"
	}
	return outcome{reply: reply(fmt.Sprintf(":white_check_mark: Invited %s as %s.", who, c.Invitation.Role),
		nil, "The invitation email is on its way; it expires "+day(c.Invitation.ExpiresAt)+".")}
}

func (r runner) inviteMany(ctx context.Context, emails []string) outcome {
	reqs := make([]org.InviteRequest, len(emails))
	for i, e := range emails {
		reqs[i] = org.InviteRequest{Email: e, Role: string(r.in.Role)}
	}
	results, err := r.svc.InviteMany(ctx, r.p, reqs)
	if err != nil {
		return r.failed("I couldn't invite them", err)
	}
	var lines []string
	invited, transient := 0, false
	for _, res := range results {
		addr := "*" + escape(res.Email) + "*"
		switch res.Status {
		case org.BulkCreated:
			invited++
			lines = append(lines, ":white_check_mark: "+addr+" invited")
		case org.BulkAlreadyInvited:
			lines = append(lines, ":hourglass: "+addr+" already has a pending invitation")
		case org.BulkAlreadyMember:
			lines = append(lines, ":bust_in_silhouette: "+addr+" is already a member")
		case org.BulkInvalid:
			lines = append(lines, ":warning: "+addr+": "+escape(org.Messages(res.Errors)))
		case org.BulkDomainNotAllowed:
			lines = append(lines, ":no_entry: "+addr+" is outside the organization's allowed domains")
		case org.BulkFailed:
			switch code := failedCode(res); code {
			case "rate_limited":
				lines = append(lines, ":hourglass: "+addr+": "+escape(res.Errors[0].Message))
				continue
			case "outcome_unknown":
				lines = append(lines, ":grey_question: "+addr+" may have been invited: Gatehouse could not confirm it; check with `list` before sending it again")
				continue
			}
			fallthrough
		default:
			transient = true
			lines = append(lines, ":x: "+addr+" was not invited (Gatehouse was busy); send the command again")
		}
	}
	headline := fmt.Sprintf("Invited %d of %d people as %s.", invited, len(results), r.in.Role)
	footnote := ""
	if invited > 0 {
		footnote = "Invitation emails are on their way."
	}
	return outcome{reply: reply(headline, []string{strings.Join(lines, "\n")}, footnote), transient: transient}
}

func (r runner) list(ctx context.Context) outcome {
	q := org.InvitationQuery{Status: org.StatusPending, Now: r.now, PageRequest: org.PageRequest{Limit: listLimit}}
	page, err := r.svc.Invitations(ctx, r.p, q)
	if err != nil {
		return r.failed("I couldn't list the invitations", err)
	}
	if len(page.Items) == 0 {
		return outcome{reply: reply("There are no pending invitations.", nil, "")}
	}
	lines := make([]string, 0, len(page.Items))
	for _, inv := range page.Items {
		line := "• *" + escape(inv.Email) + "*"
		if inv.Name != "" {
			line += " — " + escape(inv.Name)
		}
		line += fmt.Sprintf(", %s, expires %s", inv.Role, day(inv.ExpiresAt))
		lines = append(lines, line)
	}
	rest, more, err := r.countRest(ctx, q, page.Next)
	if err != nil {
		return r.failed("I couldn't count the invitations", err)
	}
	footnote := ""
	switch {
	case more:
		footnote = fmt.Sprintf("…and more than %d others.", rest)
	case rest > 0:
		footnote = fmt.Sprintf("…and %d more.", rest)
	}
	headline := fmt.Sprintf("Pending invitations (%d):", len(page.Items)+rest)
	if more {
		headline = fmt.Sprintf("Pending invitations (more than %d):", len(page.Items)+rest)
	}
	return outcome{reply: reply(headline, []string{strings.Join(lines, "\n")}, footnote)}
}

// countRest counts the pending invitations after the first page, up to maxCounted.
func (r runner) countRest(ctx context.Context, q org.InvitationQuery, cursor string) (n int, more bool, err error) {
	q.Limit = org.MaxPageSize
	for cursor != "" {
		if n >= maxCounted {
			return n, true, nil
		}
		q.Cursor = cursor
		page, err := r.svc.Invitations(ctx, r.p, q)
		if err != nil {
			return 0, false, err
		}
		n += len(page.Items)
		cursor = page.Next
	}
	return n, false, nil
}

func (r runner) revoke(ctx context.Context, email string) outcome {
	inv, err := r.svc.PendingInvitation(ctx, r.p, email)
	if err == nil {
		_, err = r.svc.Revoke(ctx, r.p, inv.ID)
	}
	if err != nil {
		return r.failed("I couldn't revoke the invitation of "+escape(email), err)
	}
	return outcome{reply: reply(":no_entry_sign: Revoked the invitation of *"+escape(inv.Email)+"*.", nil, "Its link no longer works.")}
}

func (r runner) resend(ctx context.Context, email string) outcome {
	inv, err := r.svc.PendingInvitation(ctx, r.p, email)
	var c org.Created
	if err == nil {
		c, err = r.svc.Resend(ctx, r.p, inv.ID)
	}
	if err != nil {
		return r.failed("I couldn't resend the invitation of "+escape(email), err)
	}
	return outcome{reply: reply(":envelope: Sent the invitation to *"+escape(c.Invitation.Email)+"* again.", nil,
		"The earlier link stops working; the new one expires "+day(c.Invitation.ExpiresAt)+".")}
}

// failed explains err to the person who typed the command.
func (r runner) failed(what string, err error) outcome {
	why, transient := explain(err)
	return outcome{reply: reply(":warning: "+what+": "+why, nil, ""), transient: transient}
}

// explain turns a domain error into a sentence, and says whether trying again may help.
func explain(err error) (string, bool) {
	var verr *org.ValidationError
	var existing *org.ExistingError
	var limited *org.RateLimitError
	switch {
	case errors.As(err, &verr):
		return escape(org.Messages(verr.Fields)) + ".", false
	case errors.As(err, &existing) && errors.Is(err, org.ErrAlreadyMember) && !existing.Active:
		return "they are a deactivated member; an admin can reactivate them in Gatehouse.", false
	case errors.Is(err, org.ErrAlreadyMember):
		return "they are already a member.", false
	case errors.Is(err, org.ErrAlreadyInvited):
		return "they already have a pending invitation; `resend` sends the email again.", false
	case errors.As(err, &limited):
		return limited.Reason + "; try again in " + wait(limited.RetryAfter) + ".", false
	case errors.Is(err, org.ErrNotFound):
		return "there is no pending invitation for that address.", false
	case errors.Is(err, org.ErrInvitationExpired):
		return "the invitation has expired; invite them again.", false
	case errors.Is(err, org.ErrInvitationRevoked):
		return "the invitation was already revoked.", false
	case errors.Is(err, org.ErrInvitationAccepted):
		return "they have already accepted and joined.", false
	case errors.Is(err, org.ErrDomainNotAllowed):
		return "the address is outside the organization's allowed domains.", false
	case errors.Is(err, org.ErrForbidden):
		return "you are not allowed to do that.", false
	}
	return "Gatehouse is having trouble right now; please try again in a moment.", true
}

// day formats a time as a date people read at a glance.
func day(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006") }

// wait says how long to wait, rounded up to a minute or an hour.
func wait(d time.Duration) string {
	switch {
	case d <= time.Minute:
		return "a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d hours", int((d+time.Hour-1)/time.Hour))
}

// help explains the commands, after the problem with what was typed, if any.
func help(command, problem string) Reply {
	if command == "" {
		command = "/gatehouse"
	}
	usage := strings.Join([]string{
		"`" + command + " invite jane@acme.com Jane Doe` invites one person",
		"`" + command + " invite a@acme.com, b@acme.com` invites up to 20 at once",
		"`" + command + " list` shows pending invitations",
		"`" + command + " resend jane@acme.com` sends the invitation email again",
		"`" + command + " revoke jane@acme.com` withdraws an invitation",
	}, "\n")
	headline := "Here is what I can do:"
	if problem != "" {
		headline = ":thinking_face: " + problem + ". Here is what I can do:"
	}
	return reply(headline, []string{usage}, "")
}

// failedCode is the code of a failed row's first problem, "" when it has none.
func failedCode(res org.BulkResult) string {
	if len(res.Errors) == 0 {
		return ""
	}
	return res.Errors[0].Code
}
