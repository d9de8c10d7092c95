package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/mailer"
)

// deliverer is the part of the mailer the handler drives.
type deliverer interface {
	Deliver(ctx context.Context, orgID, invitationID string) (mailer.Outcome, error)
	Sweep(ctx context.Context, limit int) (mailer.Stats, error)
}

// sweepBatch is how many due entries a sweep reads at a time.
const sweepBatch = 25

// sweepMargin is the time a sweep leaves before the function's deadline to record its last
// attempt.
const sweepMargin = 10 * time.Second

// trigger is either event the function receives: a DynamoDB stream batch or the schedule.
type trigger struct {
	Records    []events.DynamoDBEventRecord `json:"Records"`
	DetailType string                       `json:"detail-type"`
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
		if t.DetailType != "Scheduled Event" {
			return nil, fmt.Errorf("unexpected event: neither stream records nor a schedule")
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

// recordWorkers is how many records of a batch are delivered at once; the mailer's rate
// limiter still bounds how many emails start per second.
const recordWorkers = 8

// deliverRecords attempts the outbox entry each stream record names, several at a time, and
// reports the records that could not be attempted so only they are retried.
func deliverRecords(ctx context.Context, m deliverer, log *slog.Logger, records []events.DynamoDBEventRecord) events.DynamoDBEventResponse {
	var (
		mu  sync.Mutex
		res events.DynamoDBEventResponse
		wg  sync.WaitGroup
	)
	work := make(chan events.DynamoDBEventRecord)
	for range min(recordWorkers, len(records)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				orgID, invID, ok := dynamo.OutboxEntryOf(stringAttributes(r.Change.NewImage))
				if !ok {
					continue // the stream filter lets only outbox entries through
				}
				o, err := m.Deliver(ctx, orgID, invID)
				if err != nil {
					log.ErrorContext(ctx, "deliver invitation email", "invitationId", invID, "err", err)
					mu.Lock()
					res.BatchItemFailures = append(res.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
					mu.Unlock()
					continue
				}
				log.InfoContext(ctx, "invitation email", "invitationId", invID, "outcome", o)
			}
		}()
	}
	for _, r := range records {
		work <- r
	}
	close(work)
	wg.Wait()
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
