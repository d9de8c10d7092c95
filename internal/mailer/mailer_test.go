package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/mailer"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// fakeSender records what it sends and fails as told.
type fakeSender struct {
	mu   sync.Mutex
	sent []mailer.Message
	at   []time.Time
	fail func(n int, m mailer.Message) error // n counts calls from 1
	n    int
}

func (f *fakeSender) Send(_ context.Context, m mailer.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.fail != nil {
		if err := f.fail(f.n, m); err != nil {
			return "", err
		}
	}
	f.sent = append(f.sent, m)
	f.at = append(f.at, time.Now())
	return fmt.Sprintf("msg-%d", f.n), nil
}

func (f *fakeSender) messages() []mailer.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mailer.Message(nil), f.sent...)
}

type fixture struct {
	store  *dynamo.Deliveries
	svc    *org.Service
	clock  *orgtest.Clock
	sender *fakeSender
	mailer *mailer.Mailer
	admin  org.Principal
}

func newFixture(t *testing.T, rate float64) *fixture {
	t.Helper()
	env := dynamotest.New(t)
	c := orgtest.NewClock()
	f := &fixture{store: env.Store.Deliveries, clock: c, sender: &fakeSender{}, svc: org.NewService(env.Store.Org(), org.WithClock(c.Now))}
	ctx := context.Background()
	if _, err := f.svc.CreateOrg(ctx, org.Actor{Type: "cli", ID: "t"}, org.SourceCLI, org.NewOrg{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	f.admin = org.Principal{OrgID: "acme", Role: org.RoleAdmin, Actor: org.Actor{Type: "token", ID: "tok_1", Name: "Ada Lovelace"}, Source: org.SourceAPI}
	f.mailer = f.newMailer(t, rate)
	return f
}

func (f *fixture) newMailer(t *testing.T, rate float64) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New(f.store, f.sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Rate: rate, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) invite(t *testing.T, email string) org.Invitation {
	t.Helper()
	c, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: email, Name: "Grace Hopper", Role: "member"})
	if err != nil {
		t.Fatal(err)
	}
	return c.Invitation
}

func (f *fixture) sweep(t *testing.T) mailer.Stats {
	t.Helper()
	stats, err := f.mailer.Sweep(context.Background(), 25)
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

func (f *fixture) get(t *testing.T, id string) org.Invitation {
	t.Helper()
	inv, err := f.store.GetInvitation(context.Background(), "acme", id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// mailerOver is a mailer on f's clock over store, which may wrap f's.
func (f *fixture) mailerOver(t *testing.T, store mailer.Store) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New(store, f.sender, mailer.Config{PublicURL: "http://127.0.0.1:3000", Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// audited counts the audit entries of action on invitation id.
func (f *fixture) audited(t *testing.T, action, id string) int {
	t.Helper()
	page, err := f.svc.AuditLog(context.Background(), f.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range page.Items {
		if a.Action == action && a.TargetID == id {
			n++
		}
	}
	return n
}

// tokenOf takes the accept token out of a sent message's link.
func tokenOf(t *testing.T, m mailer.Message) string {
	t.Helper()
	u, err := url.Parse(m.AcceptURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func TestInvitationIsEmailedOnceWithAWorkingLink(t *testing.T) {
	f := newFixture(t, 0)
	inv := f.invite(t, "grace@example.com")
	if stats := f.sweep(t); stats[mailer.OutcomeSent] != 1 {
		t.Fatalf("sweep = %v, want one sent", stats)
	}
	msgs := f.sender.messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d emails", len(msgs))
	}
	m := msgs[0]
	if m.To != "grace@example.com" || m.OrgName != "Acme" || m.InviterName != "Ada Lovelace" || m.Role != "member" || !m.ExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("message = %+v", m)
	}
	got := f.get(t, inv.ID)
	if got.Delivery.State != org.DeliverySent || got.Delivery.MessageID != "msg-1" || got.Delivery.Attempts != 1 {
		t.Errorf("delivery = %+v", got.Delivery)
	}
	// A second sweep, or the same stream record delivered again, sends nothing.
	f.sweep(t)
	if o, err := f.mailer.Deliver(context.Background(), "acme", inv.ID); o != mailer.OutcomeSkipped || err != nil {
		t.Errorf("redelivered record: %s, %v", o, err)
	}
	if n := len(f.sender.messages()); n != 1 {
		t.Errorf("sent %d emails after a recorded success, want 1", n)
	}
	member, err := f.svc.Accept(context.Background(), org.SourceWeb, tokenOf(t, m), "")
	if err != nil || member.Email != "grace@example.com" {
		t.Fatalf("accept with the emailed link: %+v, %v", member, err)
	}
	audit, err := f.svc.AuditLog(context.Background(), f.admin, org.AuditQuery{PageRequest: org.PageRequest{}})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, a.Action)
	}
	if !slices.Contains(actions, org.ActionEmailSent) {
		t.Errorf("audit = %v, want the email recorded", actions)
	}
}

func TestPassingFailuresRetryThenSend(t *testing.T) {
	f := newFixture(t, 0)
	f.sender.fail = func(n int, _ mailer.Message) error {
		switch n {
		case 1:
			return fmt.Errorf("throttled: %w", mailer.ErrThrottled)
		case 2:
			return errors.New("connection reset by peer")
		}
		return nil
	}
	inv := f.invite(t, "grace@example.com")
	if stats := f.sweep(t); stats[mailer.OutcomeRetry] != 1 {
		t.Fatalf("first sweep = %v, want a retry", stats)
	}
	got := f.get(t, inv.ID)
	if got.Delivery.State != org.DeliveryQueued || got.Delivery.Reason == "" || got.Delivery.Attempts != 1 {
		t.Errorf("after a throttled attempt: %+v", got.Delivery)
	}
	// Not due yet: nothing happens until the backoff has passed.
	if stats := f.sweep(t); len(stats) != 0 {
		t.Errorf("sweep before the backoff = %v", stats)
	}
	f.clock.Add(time.Hour)
	f.sweep(t)
	f.clock.Add(2 * time.Hour)
	f.sweep(t)
	got = f.get(t, inv.ID)
	if got.Delivery.State != org.DeliverySent || got.Delivery.Attempts != 3 || len(f.sender.messages()) != 1 {
		t.Errorf("after retries: %+v, %d sent", got.Delivery, len(f.sender.messages()))
	}
}

func TestRejectionsStopAtOnce(t *testing.T) {
	f := newFixture(t, 0)
	f.sender.fail = func(int, mailer.Message) error {
		return fmt.Errorf("MessageRejected: Email address is on the suppression list: %w", mailer.ErrRejected)
	}
	inv := f.invite(t, "bounced@example.com")
	if stats := f.sweep(t); stats[mailer.OutcomeFailed] != 1 {
		t.Fatalf("sweep = %v, want failed", stats)
	}
	got := f.get(t, inv.ID)
	if got.Delivery.State != org.DeliveryFailed || got.Delivery.Attempts != 1 || got.Delivery.Reason == "" {
		t.Errorf("delivery = %+v", got.Delivery)
	}
	f.clock.Add(48 * time.Hour)
	f.sweep(t)
	if f.sender.n != 1 {
		t.Errorf("rejected email attempted %d times, want 1", f.sender.n)
	}
	// A resend queues it afresh.
	f.sender.fail = nil
	if _, err := f.svc.Resend(context.Background(), f.admin, inv.ID); err != nil {
		t.Fatal(err)
	}
	f.sweep(t)
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliverySent {
		t.Errorf("after resend: %+v", got.Delivery)
	}
}

func TestRetriesGiveUpAfterADay(t *testing.T) {
	f := newFixture(t, 0)
	f.sender.fail = func(int, mailer.Message) error { return errors.New("dial tcp: i/o timeout") }
	inv := f.invite(t, "grace@example.com")
	for range 200 {
		f.sweep(t)
		if f.get(t, inv.ID).Delivery.State == org.DeliveryFailed {
			break
		}
		f.clock.Add(time.Hour)
	}
	got := f.get(t, inv.ID)
	if got.Delivery.State != org.DeliveryFailed {
		t.Fatalf("still %s after days of failures", got.Delivery.State)
	}
	if elapsed := f.clock.Now().Sub(inv.CreatedAt); elapsed < 24*time.Hour || elapsed > 26*time.Hour {
		t.Errorf("gave up after %v, want about a day", elapsed)
	}
}

// crashingStore loses the mailer's process once at a chosen step.
type crashingStore struct {
	*dynamo.Deliveries
	beforeRecord, beforeDrop bool
}

func (c *crashingStore) RecordDelivery(ctx context.Context, inv org.Invitation, event org.DeliveryEvent) error {
	if c.beforeRecord && inv.Delivery.State == org.DeliverySent {
		c.beforeRecord = false
		return errors.New("process died")
	}
	return c.Deliveries.RecordDelivery(ctx, inv, event)
}

func (c *crashingStore) Drop(ctx context.Context, e mailer.Entry) error {
	if c.beforeDrop {
		c.beforeDrop = false
		return errors.New("process died")
	}
	return c.Deliveries.Drop(ctx, e)
}

func TestACrashBetweenSendAndRecordSendsAgainOnlyOnce(t *testing.T) {
	f := newFixture(t, 0)
	m := f.mailerOver(t, &crashingStore{Deliveries: f.store, beforeRecord: true})
	inv := f.invite(t, "grace@example.com")
	if _, err := m.Sweep(context.Background(), 25); err == nil {
		t.Fatal("the crash was not reported")
	}
	// The entry is not lost: once the lease lapses it is sent again, with a new link.
	if stats, _ := m.Sweep(context.Background(), 25); stats[mailer.OutcomeSent] != 0 || len(f.sender.messages()) != 1 {
		t.Errorf("sweep within the lease = %v, want nothing sent", stats)
	}
	f.clock.Add(4 * time.Minute) // past the lease
	if stats, err := m.Sweep(context.Background(), 25); err != nil || stats[mailer.OutcomeSent] != 1 {
		t.Fatalf("sweep after the lease = %v, %v", stats, err)
	}
	f.clock.Add(time.Hour)
	m.Sweep(context.Background(), 25)
	msgs := f.sender.messages()
	if len(msgs) != 2 {
		t.Fatalf("sent %d emails, want 2 (one lost to the crash, one recorded)", len(msgs))
	}
	if _, err := f.svc.Accept(context.Background(), org.SourceWeb, tokenOf(t, msgs[0]), ""); !errors.Is(err, org.ErrInvalidToken) {
		t.Errorf("link of the unrecorded email: %v, want invalid (replaced)", err)
	}
	if _, err := f.svc.Accept(context.Background(), org.SourceWeb, tokenOf(t, msgs[1]), ""); err != nil {
		t.Errorf("link of the recorded email: %v", err)
	}
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliverySent || got.Delivery.Attempts != 2 {
		t.Errorf("delivery = %+v", got.Delivery)
	}
}

func TestACrashAfterTheRecordSendsNothingMore(t *testing.T) {
	f := newFixture(t, 0)
	m := f.mailerOver(t, &crashingStore{Deliveries: f.store, beforeDrop: true})
	inv := f.invite(t, "grace@example.com")
	if _, err := m.Sweep(context.Background(), 25); err == nil {
		t.Fatal("the crash was not reported")
	}
	f.clock.Add(4 * time.Minute) // past the lease
	if stats, err := m.Sweep(context.Background(), 25); err != nil || stats[mailer.OutcomeDropped] != 1 {
		t.Fatalf("sweep after the lease = %v, %v; want the recorded entry dropped", stats, err)
	}
	if n := len(f.sender.messages()); n != 1 {
		t.Errorf("sent %d emails after a recorded success, want 1", n)
	}
	if entries, _ := f.store.DueEntries(context.Background(), f.clock.Now().Add(time.Hour), 10); len(entries) != 0 {
		t.Errorf("outbox still holds %v", entries)
	}
	if sent := f.audited(t, org.ActionEmailSent, inv.ID); sent != 1 {
		t.Errorf("%d email_sent audit entries, want exactly 1", sent)
	}
}

func TestNothingIsSentForRevokedOrLinkOnlyInvitations(t *testing.T) {
	f := newFixture(t, 0)
	revoked := f.invite(t, "gone@example.com")
	if _, err := f.svc.Revoke(context.Background(), f.admin, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Invite(context.Background(), f.admin, org.InviteRequest{Email: "link@example.com", SendEmail: new(bool)}); err != nil {
		t.Fatal(err)
	}
	stats := f.sweep(t)
	if len(f.sender.messages()) != 0 || stats[mailer.OutcomeDropped] != 1 {
		t.Errorf("sweep = %v, sent %d", stats, len(f.sender.messages()))
	}
	if entries, _ := f.store.DueEntries(context.Background(), f.clock.Now().Add(time.Hour), 10); len(entries) != 0 {
		t.Errorf("outbox still holds %v", entries)
	}
}

// resendingSender resends the invitation while its email is being sent.
type resendingSender struct {
	fakeSender
	resend func()
}

func (r *resendingSender) Send(ctx context.Context, m mailer.Message) (string, error) {
	if r.resend != nil {
		r.resend()
		r.resend = nil
	}
	return r.fakeSender.Send(ctx, m)
}

func TestAResendDuringSendingWins(t *testing.T) {
	f := newFixture(t, 0)
	inv := f.invite(t, "grace@example.com")
	rs := &resendingSender{}
	rs.resend = func() {
		f.clock.Add(org.MinResendInterval + time.Second)
		if _, err := f.svc.Resend(context.Background(), f.admin, inv.ID); err != nil {
			t.Error(err)
		}
	}
	m, err := mailer.New(f.store, rs, mailer.Config{PublicURL: "http://127.0.0.1:3000", Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = m.Sweep(context.Background(), 25); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, inv.ID); got.Delivery.State != org.DeliveryQueued {
		t.Errorf("after a resend during sending: %+v, want queued again", got.Delivery)
	}
	m.Sweep(context.Background(), 25)
	msgs := rs.messages()
	if len(msgs) != 2 {
		t.Fatalf("sent %d, want 2 (the interrupted one and the resend)", len(msgs))
	}
	if _, err := f.svc.Accept(context.Background(), org.SourceWeb, tokenOf(t, msgs[1]), ""); err != nil {
		t.Errorf("the resent link: %v", err)
	}
}

func TestTwoMailersSendEachEmailOnce(t *testing.T) {
	f := newFixture(t, 0)
	reqs := make([]org.InviteRequest, 40)
	for i := range reqs {
		reqs[i] = org.InviteRequest{Email: fmt.Sprintf("p%d@example.com", i)}
	}
	if _, err := f.svc.InviteMany(context.Background(), f.admin, reqs); err != nil {
		t.Fatal(err)
	}
	other := f.newMailer(t, 0)
	var wg sync.WaitGroup
	for _, m := range []*mailer.Mailer{f.mailer, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.Sweep(context.Background(), 10); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, m := range f.sender.messages() {
		seen[m.To]++
	}
	if len(seen) != 40 {
		t.Errorf("%d addresses emailed, want 40", len(seen))
	}
	for to, n := range seen {
		if n != 1 {
			t.Errorf("%s emailed %d times", to, n)
		}
	}
}

func TestSendingKeepsToTheRate(t *testing.T) {
	f := newFixture(t, 20)
	reqs := make([]org.InviteRequest, 6)
	for i := range reqs {
		reqs[i] = org.InviteRequest{Email: fmt.Sprintf("p%d@example.com", i)}
	}
	if _, err := f.svc.InviteMany(context.Background(), f.admin, reqs); err != nil {
		t.Fatal(err)
	}
	f.sweep(t)
	at := f.sender.at
	if len(at) != 6 {
		t.Fatalf("sent %d", len(at))
	}
	// A lower bound only: a busy machine makes sending slower, never faster.
	if gap := at[5].Sub(at[0]); gap < 5*(50*time.Millisecond)*9/10 {
		t.Errorf("6 emails at 20/s took %v, want at least 225ms", gap)
	}
}

func TestNewRefusesABadPublicURL(t *testing.T) {
	for _, u := range []string{"", "gatehouse.example.com", "ftp://x", "http://"} {
		if _, err := mailer.New(nil, nil, mailer.Config{PublicURL: u}); err == nil {
			t.Errorf("public URL %q accepted", u)
		}
	}
}

func TestAccountProblemsAreRetriedWithAClearReason(t *testing.T) {
	f := newFixture(t, 0)
	f.sender.fail = func(n int, _ mailer.Message) error {
		if n == 1 {
			return fmt.Errorf("SendingPausedException: sending is paused for this account: %w", mailer.ErrAccount)
		}
		return nil
	}
	inv := f.invite(t, "grace@example.com")
	if stats := f.sweep(t); stats[mailer.OutcomeRetry] != 1 {
		t.Fatalf("sweep = %v, want a retry", stats)
	}
	if got := f.get(t, inv.ID).Delivery; got.State != org.DeliveryQueued || !strings.Contains(got.Reason, "account") {
		t.Errorf("delivery = %+v, want queued with a reason naming the account", got)
	}
	f.clock.Add(time.Hour)
	f.sweep(t)
	if got := f.get(t, inv.ID).Delivery; got.State != org.DeliverySent {
		t.Errorf("after the account was fixed: %+v", got)
	}
}
