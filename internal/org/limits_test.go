package org_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gatehouse/internal/org"
)

func TestResendLimits(t *testing.T) {
	f := newFixture(t, "acme")
	ctx := context.Background()
	inv, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "flood@x.io"})
	if err != nil {
		t.Fatal(err)
	}
	id := inv.Invitation.ID
	f.clock.Add(20 * time.Second)
	var limited *org.RateLimitError
	if _, err := f.svc.Resend(ctx, f.admin, id); !errors.As(err, &limited) || limited.RetryAfter != 40*time.Second {
		t.Fatalf("resend after 20 s: err = %v, want rate limited for 40 s more", err)
	}
	f.clock.Add(40 * time.Second)
	for i := 2; i <= 5; i++ {
		if _, err := f.svc.Resend(ctx, f.admin, id); err != nil {
			t.Fatalf("email %d: %v", i, err)
		}
		f.clock.Add(time.Hour)
	}
	// Five emails: the first at 0, then at 1 minute and every hour after; the window frees
	// up a day after the first.
	_, err = f.svc.Resend(ctx, f.admin, id)
	if !errors.As(err, &limited) || !errors.Is(err, org.ErrRateLimited) {
		t.Fatalf("sixth email: err = %v, want rate limited", err)
	}
	if want := 24*time.Hour - 4*time.Hour - time.Minute; limited.RetryAfter != want {
		t.Errorf("sixth email: retry after %v, want %v", limited.RetryAfter, want)
	}
	// Revoking and inviting again, alone or in bulk, does not get around it.
	if _, err := f.svc.Revoke(ctx, f.admin, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "FLOOD@x.io"}); !errors.Is(err, org.ErrRateLimited) {
		t.Errorf("invite again: err = %v, want rate limited", err)
	}
	res, err := f.svc.InviteMany(ctx, f.admin, []org.InviteRequest{{Email: "flood@x.io"}, {Email: "fresh@x.io"}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != org.BulkFailed || res[0].Errors[0].Code != "rate_limited" || res[1].Status != org.BulkCreated {
		t.Errorf("bulk rows = %+v", res)
	}
	// Without email, nothing is counted.
	if _, err := f.svc.Invite(ctx, f.admin, org.InviteRequest{Email: "flood@x.io", SendEmail: noEmail()}); err != nil {
		t.Errorf("invite without email: %v", err)
	}
}
