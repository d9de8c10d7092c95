package dynamo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/dynamo"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
)

// faultyDB passes calls to the real client but lets a test fail TransactWriteItems.
type faultyDB struct {
	*dynamodb.Client
	calls    atomic.Int64
	transact func(n int64, in *dynamodb.TransactWriteItemsInput) error // nil: pass through
}

func (f *faultyDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	n := f.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.transact != nil {
		if err := f.transact(n, in); err != nil {
			return nil, err
		}
	}
	return f.Client.TransactWriteItems(ctx, in, o...)
}

// cancelled is a TransactionCanceledException with code as the first action's reason.
func cancelled(in *dynamodb.TransactWriteItemsInput, code string) error {
	r := make([]types.CancellationReason, len(in.TransactItems))
	for i := range r {
		r[i].Code = aws.String("None")
	}
	r[0].Code = aws.String(code)
	return &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: r}
}

func newFaulty(t *testing.T) (*faultyDB, *org.Service, org.Principal, *dynamo.Store) {
	t.Helper()
	env := dynamotest.New(t)
	db := &faultyDB{Client: env.Client}
	store := dynamo.New(db, env.Store.Table())
	svc := org.NewService(store.Org())
	if _, err := svc.CreateOrg(context.Background(), org.Actor{Type: "cli", ID: "t"}, org.SourceCLI, org.NewOrg{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	db.calls.Store(0)
	return db, svc, org.Principal{OrgID: "acme", Role: org.RoleAdmin, Actor: org.Actor{Type: "token", ID: "tok_x"}, Source: org.SourceAPI}, store
}

func bulkRows(n int) []org.InviteRequest {
	out := make([]org.InviteRequest, n)
	for i := range out {
		out[i] = org.InviteRequest{Email: fmt.Sprintf("p%d@x.io", i), SendEmail: aws.Bool(false)}
	}
	return out
}

func TestPermanentCancellationIsNotRetried(t *testing.T) {
	db, svc, admin, _ := newFaulty(t)
	db.transact = func(_ int64, in *dynamodb.TransactWriteItemsInput) error { return cancelled(in, "ValidationError") }
	res, err := svc.InviteMany(context.Background(), admin, bulkRows(2))
	if err != nil {
		t.Fatal(err)
	}
	if n := db.calls.Load(); n != 1 {
		t.Errorf("TransactWriteItems called %d times, want 1", n)
	}
	for _, r := range res {
		if r.Status != org.BulkFailed {
			t.Errorf("row %d = %s, want failed", r.Index, r.Status)
		}
	}
}

func TestThrottledTransactionsBackOffThenReportUnavailable(t *testing.T) {
	db, svc, admin, _ := newFaulty(t)
	db.transact = func(_ int64, in *dynamodb.TransactWriteItemsInput) error { return cancelled(in, "ThrottlingError") }
	_, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "t@x.io"})
	if !errors.Is(err, org.ErrUnavailable) {
		t.Errorf("err = %v, want unavailable", err)
	}
	if n := db.calls.Load(); n != 6 {
		t.Errorf("TransactWriteItems called %d times, want 1 + 5 retries", n)
	}
}

func TestConflictsRetryThenReportConflict(t *testing.T) {
	db, svc, admin, _ := newFaulty(t)
	db.transact = func(n int64, in *dynamodb.TransactWriteItemsInput) error {
		if n <= 2 {
			return cancelled(in, "TransactionConflict")
		}
		return nil
	}
	if _, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "c@x.io"}); err != nil {
		t.Fatalf("two conflicts then success: %v", err)
	}
	db.transact = func(_ int64, in *dynamodb.TransactWriteItemsInput) error { return cancelled(in, "TransactionConflict") }
	if _, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "d@x.io"}); !errors.Is(err, org.ErrConflict) {
		t.Errorf("lasting conflict: err = %v, want conflict", err)
	}
}

func TestBulkKeepsCommittedRowsWhenALaterChunkFails(t *testing.T) {
	db, svc, admin, store := newFaulty(t)
	// The chunk holding row 20 fails: rows 0 to 24, since invitations without email write
	// four items each, 25 to a transaction (chunks are written at once, in any order).
	db.transact = func(_ int64, in *dynamodb.TransactWriteItemsInput) error {
		if raw, _ := json.Marshal(in.TransactItems); strings.Contains(string(raw), "p20@x.io") {
			return errors.New("connection reset by peer")
		}
		return nil
	}
	res, err := svc.InviteMany(context.Background(), admin, bulkRows(40))
	if err != nil {
		t.Fatal(err)
	}
	created, failed := 0, 0
	for _, r := range res {
		switch r.Status {
		case org.BulkCreated:
			created++
			if r.Created.Token == "" {
				t.Errorf("row %d created without its link", r.Index)
			}
		case org.BulkFailed:
			failed++
			if strings.Contains(r.Errors[0].Message, "connection reset") {
				t.Errorf("row %d shows internal error text: %v", r.Index, r.Errors)
			}
		}
	}
	page, err := store.Invitations.ListInvitations(context.Background(), "acme", org.InvitationQuery{PageRequest: org.PageRequest{Limit: 100}, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if created != 15 || failed != 25 || len(page.Items) != 15 {
		t.Errorf("created %d, failed %d, stored %d; want 15, 25, 15", created, failed, len(page.Items))
	}
}

func TestBulkRetriesAChunkWithoutTheRowsTakenMeanwhile(t *testing.T) {
	db, svc, admin, _ := newFaulty(t)
	// Between the marker pre-read and the first transaction, someone invites p5.
	db.transact = func(n int64, _ *dynamodb.TransactWriteItemsInput) error {
		if n == 1 {
			db.transact = nil
			if _, err := svc.Invite(context.Background(), admin, org.InviteRequest{Email: "p5@x.io"}); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := svc.InviteMany(context.Background(), admin, bulkRows(10))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		want := org.BulkCreated
		if i == 5 {
			want = org.BulkAlreadyInvited
		}
		if r.Status != want {
			t.Errorf("row %d = %s, want %s", i, r.Status, want)
		}
	}
}
