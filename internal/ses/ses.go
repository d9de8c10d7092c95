// Package ses is the Amazon SES v2 adapter: it renders invitation emails and sends them with
// SendEmail, reporting throttling and permanent rejections as the mailer's sentinel errors.
package ses

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"gatehouse/internal/mailer"
)

// API is the part of the SES v2 client the Sender uses.
type API interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Config is where invitations are sent from.
type Config struct {
	// From is a verified SES identity, with or without a display name:
	// "Gatehouse <invites@acme.com>" or "invites@acme.com".
	From string
	// ConfigurationSet names the SES configuration set to send with; empty for none.
	ConfigurationSet string
}

// Sender sends invitation emails through SES v2. It implements mailer.Sender.
type Sender struct {
	client API
	cfg    Config
}

var _ mailer.Sender = (*Sender)(nil)

// charset is the character set of every part SES is given.
const charset = "UTF-8"

// New returns a Sender over client. It fails when cfg.From is not an email address.
func New(client API, cfg Config) (*Sender, error) {
	if client == nil {
		return nil, errors.New("new SES sender: client is nil")
	}
	if strings.TrimSpace(cfg.From) == "" {
		return nil, errors.New("new SES sender: From is empty: set the verified sender address")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("new SES sender: From %q is not an email address: %w", cfg.From, err)
	}
	return &Sender{client: client, cfg: cfg}, nil
}

// Send renders m and sends it to m.To, returning the SES message id. A message that cannot be
// rendered or addressed wraps mailer.ErrRejected, since sending it again cannot succeed; see
// classify for how SES errors are reported.
func (s *Sender) Send(ctx context.Context, m mailer.Message) (messageID string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("send invitation email: %w", err)
		}
	}()
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
		return "", fmt.Errorf("%w: recipient %q is not a bare email address", mailer.ErrRejected, m.To)
	}
	subject, html, text, err := Render(m)
	if err != nil {
		return "", fmt.Errorf("%w: %w", mailer.ErrRejected, err)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.cfg.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String(charset)},
			Body: &types.Body{
				Html: &types.Content{Data: aws.String(html), Charset: aws.String(charset)},
				Text: &types.Content{Data: aws.String(text), Charset: aws.String(charset)},
			},
		}},
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	// The configuration set's bounce and complaint events carry these tags back.
	if m.OrgID != "" && m.InvitationID != "" {
		in.EmailTags = []types.MessageTag{
			{Name: aws.String(TagOrg), Value: aws.String(m.OrgID)},
			{Name: aws.String(TagInvitation), Value: aws.String(m.InvitationID)},
		}
	}
	return s.send(ctx, in)
}

// send sends in, returning the message id SES gave it.
func (s *Sender) send(ctx context.Context, in *sesv2.SendEmailInput) (string, error) {
	out, err := s.client.SendEmail(ctx, in)
	if err != nil {
		return "", classify(err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", errors.New("SES returned no message id")
	}
	return *out.MessageId, nil
}

// SendNotice sends a plain-text notice from Gatehouse to one address (an admin told of
// something that needs them), returning the SES message id. Notices carry no invitation
// tags, so their bounces never touch an invitation.
func (s *Sender) SendNotice(ctx context.Context, to, subject, text string) (messageID string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("send notice: %w", err)
		}
	}()
	if a, err := mail.ParseAddress(to); err != nil || a.Address != to {
		return "", fmt.Errorf("%w: recipient %q is not a bare email address", mailer.ErrRejected, to)
	}
	subject = truncate(strings.Join(strings.FieldsFunc(subject, isBreaking), " "), 200)
	if subject == "" || text == "" {
		return "", fmt.Errorf("%w: a notice needs a subject and a text", mailer.ErrRejected)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.cfg.From),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String(charset)},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(text), Charset: aws.String(charset)}},
		}},
	}
	if s.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.cfg.ConfigurationSet)
	}
	return s.send(ctx, in)
}
