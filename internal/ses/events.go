package ses

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/internal/mailer"
)

// The message tags every invitation email carries, naming what it is for.
const (
	TagOrg        = "gatehouse-org"
	TagInvitation = "gatehouse-invitation"
)

// The EventBridge detail types of the SES events the mailer reads.
const (
	DetailBounce    = "Email Bounced"
	DetailComplaint = "Email Complaint Received"
)

// event is the detail of an SES event published to EventBridge (the same JSON as SES's event
// publishing): what happened and to which email.
type event struct {
	EventType string `json:"eventType"`
	Mail      struct {
		MessageID string              `json:"messageId"`
		Timestamp time.Time           `json:"timestamp"`
		Tags      map[string][]string `json:"tags"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string    `json:"bounceType"`
		BounceSubType     string    `json:"bounceSubType"`
		Timestamp         time.Time `json:"timestamp"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string    `json:"complaintFeedbackType"`
		Timestamp             time.Time `json:"timestamp"`
	} `json:"complaint"`
}

// ErrNotInvitation means an SES event is about an email that is not an invitation (it lacks
// the tags), such as another application's mail in the same account.
var ErrNotInvitation = errors.New("not an invitation email")

// ParseFeedback reads the detail of an SES bounce or complaint event.
func ParseFeedback(detailType string, detail json.RawMessage) (mailer.Feedback, error) {
	var e event
	if err := json.Unmarshal(detail, &e); err != nil {
		return mailer.Feedback{}, fmt.Errorf("decode SES event: %w", err)
	}
	f := mailer.Feedback{MessageID: e.Mail.MessageID, OrgID: first(e.Mail.Tags[TagOrg]), InvitationID: first(e.Mail.Tags[TagInvitation])}
	if f.OrgID == "" || f.InvitationID == "" || f.MessageID == "" {
		return mailer.Feedback{}, ErrNotInvitation
	}
	switch {
	case detailType == DetailBounce && e.Bounce != nil:
		f.Kind, f.At = mailer.FeedbackBounce, e.Bounce.Timestamp
		kind := strings.ToLower(e.Bounce.BounceType)
		switch e.Bounce.BounceType {
		case "Permanent":
			kind = "permanent"
		case "Transient":
			kind = "temporary"
		case "":
			kind = "undetermined"
		}
		f.Reason = fmt.Sprintf("the recipient's mail server refused it (%s bounce: %s)", kind, e.Bounce.BounceSubType)
		if len(e.Bounce.BouncedRecipients) > 0 && e.Bounce.BouncedRecipients[0].DiagnosticCode != "" {
			f.Reason += ": " + strings.Join(strings.Fields(e.Bounce.BouncedRecipients[0].DiagnosticCode), " ")
		}
	case detailType == DetailComplaint && e.Complaint != nil:
		f.Kind, f.At = mailer.FeedbackComplaint, e.Complaint.Timestamp
		f.Reason = "the recipient marked it as spam"
		if t := e.Complaint.ComplaintFeedbackType; t != "" {
			f.Reason += " (" + t + ")"
		}
	default:
		return mailer.Feedback{}, fmt.Errorf("SES event %q (%s) is neither a bounce nor a complaint", detailType, e.EventType)
	}
	if f.At.IsZero() {
		f.At = e.Mail.Timestamp
	}
	return f, nil
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}
