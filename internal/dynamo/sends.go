package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"gatehouse/internal/org"
)

// sendsItem is an address's send history (org.SendHistory): when invitation emails to one
// address of an organization were queued lately. It expires with the last of them.
type sendsItem struct {
	key
	Type    string   `dynamodbav:"type"`
	Times   []string `dynamodbav:"times"`
	Version int      `dynamodbav:"version"`
	TTL     int64    `dynamodbav:"ttl"`
}

func (it sendsItem) domain() org.SendHistory {
	h := org.SendHistory{Version: it.Version, Times: make([]time.Time, 0, len(it.Times))}
	for _, t := range it.Times {
		h.Times = append(h.Times, parseTime(t))
	}
	return h
}

// queueEmail adds to x the writes that queue inv's email as q says: the outbox entry, due
// at q.Due, which replaces any earlier entry of the invitation (so a mailer still holding
// that one loses its lease), and the send history, on condition that it is still the one
// q.Sends was made from.
func queueEmail(x *tx, inv org.Invitation, q *org.QueuedEmail) {
	due := fmtTime(q.Due)
	x.put(org.PartRecord, outboxItem{
		key:  key{PK: orgPK(inv.OrgID), SK: outboxSK(inv.ID)},
		Type: typeOutbox, OrgID: inv.OrgID, InvitationID: inv.ID,
		Queue: outboxQueue, Due: due, QueuedAt: due,
	}, nil)
	h := sendsItem{
		key: key{PK: orgPK(inv.OrgID), SK: sendsSK(inv.Email)}, Type: typeSends,
		Version: q.Sends.Version, TTL: q.Due.Add(org.EmailWindow).Unix(),
	}
	for _, t := range q.Sends.Times {
		h.Times = append(h.Times, fmtTime(t))
	}
	cond := expression.Name("version").Equal(expression.Value(q.Sends.Version - 1))
	if q.Sends.Version <= 1 {
		cond = notExists()
	}
	x.put(org.PartSends, h, &cond)
}
