package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/mailer"
	"gatehouse/internal/ses"
)

// deliverer is the part of the mailer the handler drives.
type deliverer interface {
	DeliverEach(ctx context.Context, jobs []mailer.Job, done func(i int, o mailer.Outcome, err error))
	Sweep(ctx context.Context, limit int) (mailer.Stats, error)
	RecordFeedback(ctx context.Context, f mailer.Feedback) (mailer.Outcome, error)
}

// sweepBatch is how many due entries a sweep reads at a time.
const sweepBatch = 25

// sweepMargin is the time a sweep leaves before the function's deadline to record its last
// attempt.
const sweepMargin = 10 * time.Second

// trigger is any event the function receives: a DynamoDB stream batch, the schedule, or an
// SES bounce or complaint from EventBridge.
type trigger struct {
	Records    []events.DynamoDBEventRecord `json:"Records"`
	DetailType string                       `json:"detail-type"`
	Source     string                       `json:"source"`
	Detail     json.RawMessage              `json:"detail"`
}

// summary answers a scheduled sweep, for the logs and the invocation record.
type summary struct {
	Outcomes mailer.Stats `json:"outcomes"`
}

// newHandler serves both triggers with the same drain: stream records are delivered one by
// one, reporting failed records so only they are retried; the schedule sweeps what is due.
func newHandler(m deliverer, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var t trigger
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, fmt.Errorf("decode event: %w", err)
		}
		if len(t.Records) > 0 {
			return deliverRecords(ctx, m, log, t.Records), nil
		}
		if t.Source == "aws.ses" {
			return recordFeedback(ctx, m, log, t)
		}
		if t.DetailType != "Scheduled Event" {
			return nil, fmt.Errorf("unexpected event: neither stream records, a schedule nor SES feedback")
		}
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-sweepMargin))
			defer cancel()
		}
		stats, err := m.Sweep(ctx, sweepBatch)
		log.InfoContext(ctx, "outbox swept", "outcomes", stats, "err", err)
		if err != nil && ctx.Err() == nil {
			return summary{Outcomes: stats}, err
		}
		return summary{Outcomes: stats}, nil
	}
}

// deliverRecords attempts the outbox entry each stream record names, several at a time, and
// reports the records that could not be attempted so only they are retried.
func deliverRecords(ctx context.Context, m deliverer, log *slog.Logger, records []events.DynamoDBEventRecord) events.DynamoDBEventResponse {
	var res events.DynamoDBEventResponse
	var jobs []mailer.Job
	var seqs []string
	for _, r := range records {
		orgID, invID, ok := dynamo.OutboxEntryOf(stringAttributes(r.Change.NewImage))
		if !ok {
			continue // the stream filter lets only outbox entries through
		}
		jobs, seqs = append(jobs, mailer.Job{OrgID: orgID, InvitationID: invID}), append(seqs, r.Change.SequenceNumber)
	}
	m.DeliverEach(ctx, jobs, func(i int, o mailer.Outcome, err error) {
		if err != nil {
			log.ErrorContext(ctx, "deliver invitation email", "invitationId", jobs[i].InvitationID, "err", err)
			res.BatchItemFailures = append(res.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: seqs[i]})
			return
		}
		log.InfoContext(ctx, "invitation email", "invitationId", jobs[i].InvitationID, "outcome", o)
	})
	return res
}

// stringAttributes are an image's string attributes.
func stringAttributes(img map[string]events.DynamoDBAttributeValue) map[string]string {
	out := make(map[string]string, len(img))
	for k, v := range img {
		if v.DataType() == events.DataTypeString {
			out[k] = v.String()
		}
	}
	return out
}

// feedbackAnswer answers an SES event, for the logs and the invocation record.
type feedbackAnswer struct {
	Outcome mailer.Outcome `json:"outcome"`
}

// recordFeedback shows an SES bounce or complaint on its invitation. Events about other
// emails of the account are ignored; a store failure is returned, so Lambda retries the
// event and, failing that, describes it in the failure queue.
func recordFeedback(ctx context.Context, m deliverer, log *slog.Logger, t trigger) (any, error) {
	f, err := ses.ParseFeedback(t.DetailType, t.Detail)
	if errors.Is(err, ses.ErrNotInvitation) {
		return feedbackAnswer{Outcome: mailer.OutcomeIgnored}, nil
	}
	if err != nil {
		log.WarnContext(ctx, "unreadable SES event", "detailType", t.DetailType, "err", err)
		return feedbackAnswer{Outcome: mailer.OutcomeIgnored}, nil
	}
	o, err := m.RecordFeedback(ctx, f)
	if err != nil {
		return nil, err
	}
	log.InfoContext(ctx, "invitation email feedback", "invitationId", f.InvitationID, "kind", string(f.Kind), "outcome", o)
	return feedbackAnswer{Outcome: o}, nil
}
