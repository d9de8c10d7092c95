package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/hooks"
	"gatehouse/internal/org"
)

// Hooks keeps webhook endpoints, the events waiting to be fanned out and the deliveries of
// each to each endpoint. It implements hooks.Store.
type Hooks struct{ t *table }

var _ hooks.Store = (*Hooks)(nil)

// eventKeep is how long a fanned-out event's item would stay had nobody dropped it, and a
// final delivery's: they expire through the table's TTL.
const (
	eventKeep    = 7 * 24 * time.Hour
	deliveryKeep = 30 * 24 * time.Hour
)

// eventItem is a change waiting to be announced, written in the change's own transaction:
// its audit entry, its webhook type and the resource as the change left it. It sits in the
// outbox index under eventsQueue until the fan-out drops it.
type eventItem struct {
	key
	Type       string            `dynamodbav:"type"`
	Queue      string            `dynamodbav:"queue"`
	Due        string            `dynamodbav:"due"`
	ID         string            `dynamodbav:"id"`
	OrgID      string            `dynamodbav:"orgId"`
	EventType  string            `dynamodbav:"eventType"`
	At         string            `dynamodbav:"at"`
	Action     string            `dynamodbav:"action"`
	Actor      actorAttr         `dynamodbav:"actor"`
	Source     string            `dynamodbav:"source"`
	TargetType string            `dynamodbav:"targetType"`
	TargetID   string            `dynamodbav:"targetId"`
	Details    map[string]string `dynamodbav:"details,omitempty"`
	Invitation *invitationItem   `dynamodbav:"invitation,omitempty"`
	Member     *memberItem       `dynamodbav:"member,omitempty"`
	TTL        int64             `dynamodbav:"ttl"`
}

// toEventItems are the events of audit entry a: none when webhooks have none for it, and
// two for SCIM's provisioning (its own event, with an id of its own, besides the change's).
func toEventItems(a org.AuditEntry) []eventItem {
	var out []eventItem
	if t := hooks.EventType(a); t != "" {
		out = append(out, toEventItem(a, a.ID, t))
	}
	if t := hooks.SCIMEventType(a); t != "" {
		out = append(out, toEventItem(a, a.ID+scimEventSuffix, t))
	}
	return out
}

// scimEventSuffix makes the id of an audit entry's SCIM event from the entry's: a ULID with
// a letter after it, still unique and in order.
const scimEventSuffix = "S"

// toEventItem is the event id of type t of audit entry a.
func toEventItem(a org.AuditEntry, id, t string) eventItem {
	it := eventItem{
		key: key{PK: orgPK(a.OrgID), SK: eventSK(id)}, Type: typeEvent, Queue: eventsQueue, Due: fmtTime(a.At),
		ID: id, OrgID: a.OrgID, EventType: t, At: fmtTime(a.At), Action: a.Action, Actor: toActorAttr(a.Actor),
		Source: string(a.Source), TargetType: a.TargetType, TargetID: a.TargetID, Details: a.Details,
		TTL: a.At.Add(eventKeep).Unix(),
	}
	switch s := a.Subject.(type) {
	case org.Invitation:
		inv := toInvitationItem(s)
		it.Invitation = &inv
	case org.Member:
		m := toMemberItem(s)
		it.Member = &m
	}
	return it
}

func (it eventItem) domain() hooks.Event {
	ev := hooks.Event{Type: it.EventType, AuditEntry: org.AuditEntry{ID: it.ID, OrgID: it.OrgID, At: parseTime(it.At), Action: it.Action,
		Actor: it.Actor.domain(), Source: org.Source(it.Source), TargetType: it.TargetType, TargetID: it.TargetID, Details: it.Details}}
	if it.Invitation != nil {
		inv := it.Invitation.domain()
		ev.Invitation = &inv
	}
	if it.Member != nil {
		m := it.Member.domain()
		ev.Member = &m
	}
	return ev
}

// endpointItem is a webhook endpoint.
type endpointItem struct {
	key
	Type           string    `dynamodbav:"type"`
	ID             string    `dynamodbav:"id"`
	OrgID          string    `dynamodbav:"orgId"`
	URL            string    `dynamodbav:"url"`
	Description    string    `dynamodbav:"description,omitempty"`
	Events         []string  `dynamodbav:"events"`
	Enabled        bool      `dynamodbav:"enabled"`
	DisabledReason string    `dynamodbav:"disabledReason,omitempty"`
	Sealed         []byte    `dynamodbav:"sealed"`
	SecretHint     string    `dynamodbav:"secretHint"`
	PreviousUntil  string    `dynamodbav:"previousUntil,omitempty"`
	FailingSince   string    `dynamodbav:"failingSince,omitempty"`
	CreatedAt      string    `dynamodbav:"createdAt"`
	UpdatedAt      string    `dynamodbav:"updatedAt"`
	CreatedBy      actorAttr `dynamodbav:"createdBy"`
}

func toEndpointItem(e hooks.Endpoint) endpointItem {
	return endpointItem{key: key{PK: orgPK(e.OrgID), SK: webhookSK(e.ID)}, Type: typeWebhook, ID: e.ID, OrgID: e.OrgID, URL: e.URL,
		Description: e.Description, Events: e.Events, Enabled: e.Enabled, DisabledReason: e.DisabledReason, Sealed: e.Sealed,
		SecretHint: e.SecretHint, PreviousUntil: fmtTime(e.PreviousUntil), FailingSince: fmtTime(e.FailingSince),
		CreatedAt: fmtTime(e.CreatedAt), UpdatedAt: fmtTime(e.UpdatedAt), CreatedBy: toActorAttr(e.CreatedBy)}
}

func (it endpointItem) domain() hooks.Endpoint {
	return hooks.Endpoint{ID: it.ID, OrgID: it.OrgID, URL: it.URL, Description: it.Description, Events: it.Events, Enabled: it.Enabled,
		DisabledReason: it.DisabledReason, Sealed: it.Sealed, SecretHint: it.SecretHint, PreviousUntil: parseTime(it.PreviousUntil),
		FailingSince: parseTime(it.FailingSince), CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt),
		CreatedBy: it.CreatedBy.domain()}
}

// deliveryItem is one event on its way to one endpoint; while not final it sits in the
// outbox index under webhooksQueue, due at its next attempt.
type deliveryItem struct {
	key
	Type       string `dynamodbav:"type"`
	Queue      string `dynamodbav:"queue,omitempty"`
	Due        string `dynamodbav:"due,omitempty"`
	ID         string `dynamodbav:"id"`
	OrgID      string `dynamodbav:"orgId"`
	EndpointID string `dynamodbav:"endpointId"`
	EventType  string `dynamodbav:"eventType"`
	Body       []byte `dynamodbav:"body"`
	Status     string `dynamodbav:"status"`
	Attempts   int    `dynamodbav:"attempts"`
	CreatedAt  string `dynamodbav:"createdAt"`
	TriesSince string `dynamodbav:"triesSince"`
	NextAt     string `dynamodbav:"nextAt,omitempty"`
	LastStatus int    `dynamodbav:"lastStatus,omitempty"`
	LastBody   string `dynamodbav:"lastBody,omitempty"`
	LastError  string `dynamodbav:"lastError,omitempty"`
	UpdatedAt  string `dynamodbav:"updatedAt"`
	LeaseID    string `dynamodbav:"leaseId,omitempty"`
	LeaseUntil string `dynamodbav:"leaseUntil,omitempty"`
	TTL        int64  `dynamodbav:"ttl,omitempty"`
}

func toDeliveryItem(d hooks.Delivery) deliveryItem {
	it := deliveryItem{key: key{PK: orgPK(d.OrgID), SK: deliverySK(d.EndpointID, d.ID)}, Type: typeWebhookDelivery, ID: d.ID,
		OrgID: d.OrgID, EndpointID: d.EndpointID, EventType: d.EventType, Body: d.Body, Status: d.Status, Attempts: d.Attempts,
		CreatedAt: fmtTime(d.CreatedAt), TriesSince: fmtTime(d.TriesSince), NextAt: fmtTime(d.NextAt), LastStatus: d.LastStatus,
		LastBody: d.LastBody, LastError: d.LastError, UpdatedAt: fmtTime(d.UpdatedAt), LeaseID: d.LeaseID, LeaseUntil: fmtTime(d.LeaseUntil)}
	if d.Status == hooks.DeliveryPending || d.Status == hooks.DeliveryFailing {
		it.Queue, it.Due = webhooksQueue, fmtTime(d.NextAt)
	} else {
		it.TTL = d.UpdatedAt.Add(deliveryKeep).Unix()
	}
	return it
}

func (it deliveryItem) domain() hooks.Delivery {
	return hooks.Delivery{ID: it.ID, OrgID: it.OrgID, EndpointID: it.EndpointID, EventType: it.EventType, Body: it.Body, Status: it.Status,
		Attempts: it.Attempts, CreatedAt: parseTime(it.CreatedAt), TriesSince: parseTime(it.TriesSince), NextAt: parseTime(it.NextAt),
		LastStatus: it.LastStatus, LastBody: it.LastBody, LastError: it.LastError, UpdatedAt: parseTime(it.UpdatedAt),
		LeaseID: it.LeaseID, LeaseUntil: parseTime(it.LeaseUntil)}
}

// CreateEndpoint writes a new endpoint of an organization that exists (PartOrg) and has
// fewer than hooks.MaxEndpoints (hooks.PartEndpointCount).
func (s *Hooks) CreateEndpoint(ctx context.Context, e hooks.Endpoint, audit org.AuditEntry) error {
	return s.counted(ctx, e.OrgID, +1, func() *tx {
		x := s.t.newTx().
			check(org.PartOrg, orgPK(e.OrgID), skOrg, expression.AttributeExists(expression.Name(attrPK))).
			putNew(org.PartRecord, toEndpointItem(e)).
			audit(audit)
		countEndpoints(x, e.OrgID, +1)
		return x
	})
}

// GetEndpoint reads one endpoint.
func (s *Hooks) GetEndpoint(ctx context.Context, orgID, id string) (hooks.Endpoint, error) {
	var it endpointItem
	if err := s.t.get(ctx, orgPK(orgID), webhookSK(id), &it); err != nil {
		return hooks.Endpoint{}, err
	}
	return it.domain(), nil
}

// ListEndpoints lists an organization's endpoints, oldest first.
func (s *Hooks) ListEndpoints(ctx context.Context, orgID string) ([]hooks.Endpoint, error) {
	var out []hooks.Endpoint
	err := s.t.queryAll(ctx, orgID, prefixWebhook, nil, func(item map[string]types.AttributeValue) error {
		var it endpointItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		out = append(out, it.domain())
		return nil
	})
	return out, err
}

// UpdateEndpoint replaces prev with next if prev is still current.
func (s *Hooks) UpdateEndpoint(ctx context.Context, prev, next hooks.Endpoint, audit *org.AuditEntry) error {
	same := expression.Name("updatedAt").Equal(expression.Value(fmtTime(prev.UpdatedAt)))
	x := s.t.newTx().put(org.PartRecord, toEndpointItem(next), &same)
	if audit != nil {
		x.audit(*audit)
	}
	return x.commit(ctx)
}

// DeleteEndpoint removes an endpoint if it is still as read, and takes it off the count.
func (s *Hooks) DeleteEndpoint(ctx context.Context, e hooks.Endpoint, audit org.AuditEntry) error {
	same := expression.Name("updatedAt").Equal(expression.Value(fmtTime(e.UpdatedAt)))
	return s.counted(ctx, e.OrgID, -1, func() *tx {
		x := s.t.newTx().del(org.PartRecord, orgPK(e.OrgID), webhookSK(e.ID), same).audit(audit)
		countEndpoints(x, e.OrgID, -1)
		return x
	})
}

// farFuture is a due time after every event's.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// DueEvents lists events waiting to be fanned out, oldest first.
func (s *Hooks) DueEvents(ctx context.Context, limit int) ([]hooks.Event, error) {
	items, err := s.t.due(ctx, eventsQueue, farFuture, limit)
	if err != nil {
		return nil, err
	}
	out := make([]hooks.Event, 0, len(items))
	for _, raw := range items {
		var it eventItem
		if err := decodeItem(raw, &it); err != nil {
			return nil, err
		}
		out = append(out, it.domain())
	}
	return out, nil
}

// DropEvent removes a fanned-out event.
func (s *Hooks) DropEvent(ctx context.Context, ev hooks.Event) error {
	_, err := s.t.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.t.name, Key: keyOf(orgPK(ev.OrgID), eventSK(ev.ID))})
	if err != nil {
		return fmt.Errorf("drop event %s: %w", ev.ID, err)
	}
	return nil
}

// PutDelivery stores a new delivery; one that exists already stays as it is.
func (s *Hooks) PutDelivery(ctx context.Context, d hooks.Delivery) error {
	av, err := marshal(toDeliveryItem(d))
	if err != nil {
		return err
	}
	_, err = s.t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.t.name, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store delivery %s: %w", d.ID, err)
	}
	return nil
}

// DueDeliveries lists a page of the deliveries due at now, oldest due first, leaving out
// those leased; after is "" or the next of the page before, and next is "" on the last page.
func (s *Hooks) DueDeliveries(ctx context.Context, now time.Time, limit int, after string) ([]hooks.Delivery, string, error) {
	items, next, err := s.t.duePage(ctx, webhooksQueue, now, limit, after)
	if err != nil {
		return nil, "", err
	}
	out := make([]hooks.Delivery, 0, len(items))
	for _, raw := range items {
		var it deliveryItem
		if err := decodeItem(raw, &it); err != nil {
			return nil, "", err
		}
		if d := it.domain(); !d.LeaseUntil.After(now) {
			out = append(out, d)
		}
	}
	return out, next, nil
}

// ClaimDelivery leases d for leaseID until until, if it is still as read and nobody holds it.
func (s *Hooks) ClaimDelivery(ctx context.Context, d hooks.Delivery, leaseID string, at, until time.Time) error {
	now := fmtTime(at)
	upd := expression.Set(expression.Name("leaseId"), expression.Value(leaseID)).Set(expression.Name("leaseUntil"), expression.Value(fmtTime(until)))
	cond := expression.Name("updatedAt").Equal(expression.Value(fmtTime(d.UpdatedAt))).
		And(expression.Name("status").Equal(expression.Value(d.Status))).
		And(expression.AttributeNotExists(expression.Name("leaseUntil")).Or(expression.Name("leaseUntil").LessThan(expression.Value(now))))
	return s.t.newTx().update(org.PartRecord, orgPK(d.OrgID), deliverySK(d.EndpointID, d.ID), upd, cond).commit(ctx)
}

// RecordDelivery stores d's outcome, letting its lease go, if the lease is still d's.
func (s *Hooks) RecordDelivery(ctx context.Context, d hooks.Delivery) error {
	held := expression.Name("leaseId").Equal(expression.Value(d.LeaseID))
	d.LeaseID, d.LeaseUntil = "", time.Time{}
	return s.t.newTx().put(org.PartRecord, toDeliveryItem(d), &held).commit(ctx)
}

// GetDelivery reads one delivery.
func (s *Hooks) GetDelivery(ctx context.Context, orgID, endpointID, id string) (hooks.Delivery, error) {
	var it deliveryItem
	if err := s.t.get(ctx, orgPK(orgID), deliverySK(endpointID, id), &it); err != nil {
		return hooks.Delivery{}, err
	}
	return it.domain(), nil
}

// ListDeliveries lists an endpoint's deliveries, newest first.
func (s *Hooks) ListDeliveries(ctx context.Context, orgID, endpointID string, p org.PageRequest) (org.Page[hooks.Delivery], error) {
	items, next, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: deliveryPrefix(endpointID), page: p})
	if err != nil {
		return org.Page[hooks.Delivery]{}, err
	}
	return decodePage(items, next, deliveryItem.domain)
}

// RequeueDelivery makes prev due again as next, if it is still as read and no dispatcher
// holds a lease on it at next.UpdatedAt: a claim leaves updatedAt as it was, and replacing
// the item would drop the lease of an attempt under way, letting a second one start.
func (s *Hooks) RequeueDelivery(ctx context.Context, prev, next hooks.Delivery, audit org.AuditEntry) error {
	same := expression.Name("updatedAt").Equal(expression.Value(fmtTime(prev.UpdatedAt))).
		And(expression.AttributeNotExists(expression.Name("leaseUntil")).Or(expression.Name("leaseUntil").LessThan(expression.Value(fmtTime(next.UpdatedAt)))))
	return s.t.newTx().put(org.PartRecord, toDeliveryItem(next), &same).audit(audit).commit(ctx)
}
