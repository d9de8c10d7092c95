package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/httpapi"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

func TestIdempotentAnswersBelongToTheirToken(t *testing.T) {
	s := newServer(t)
	body := map[string]any{"name": "deploy bot", "role": "admin"}
	first := s.do("POST", "/api/v1/tokens", "acme/admin", body, "Idempotency-Key", "same")
	if first.status != 201 {
		t.Fatalf("create token: %d %s", first.status, first.raw)
	}
	// Another token of the same organization with the same key and body runs its own
	// request (and is refused): it never sees the first answer.
	other := s.do("POST", "/api/v1/tokens", "acme/viewer", body, "Idempotency-Key", "same")
	wantProblem(t, other, http.StatusForbidden, "forbidden", "")
	again := s.do("POST", "/api/v1/tokens", "acme/admin", body, "Idempotency-Key", "same")
	if again.body["token"] != first.body["token"] || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay to the same token: %s", again.raw)
	}
	// The kept answer holds the new secret, so it must not be readable in the table.
	out, err := s.env.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: ptr(s.store.Table())})
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range out.Items {
		for name, v := range item {
			if strings.Contains(strings.ToLower(name+stringOf(v)), strings.ToLower(first.body["token"].(string)[4:])) {
				t.Errorf("the table holds the token secret readable in %s", name)
			}
		}
	}
}

// panicStore panics when creating invitations, standing in for any panic in a handler.
type panicStore struct{ org.InvitationStore }

func (panicStore) CreateInvitations(context.Context, []org.NewInvitation) []error {
	panic("boom")
}

func TestAPanicReleasesTheIdempotencyKey(t *testing.T) {
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	_, secret := orgtest.Seed(t, svc, "acme", "Acme")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	send := func(svc *org.Service) int {
		h := mustAPI(t, httpapi.Config{Service: svc, Idempotency: env.Store.Idempotency, Logger: logger})
		req := httptest.NewRequest("POST", "/api/v1/invitations", strings.NewReader(`{"email":"p@x.io"}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	stores := env.Store.Org()
	stores.Invitations = panicStore{stores.Invitations}
	if got := send(org.NewService(stores)); got != http.StatusInternalServerError {
		t.Fatalf("panicking handler: %d, want 500", got)
	}
	if got := send(svc); got != http.StatusCreated {
		t.Errorf("retry after the panic: %d, want 201 (the key released)", got)
	}
}
