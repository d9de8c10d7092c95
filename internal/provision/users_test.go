package provision_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gatehouse/internal/org"
	"gatehouse/internal/provision"
	"gatehouse/internal/scim"
)

// takenMeanwhile refuses a new profile's write as if another request had taken its
// userName between CreateUser's check and its write.
type takenMeanwhile struct{ provision.Store }

func (s takenMeanwhile) PutProfile(ctx context.Context, prev *provision.Profile, p provision.Profile) error {
	if prev == nil {
		return &org.ConflictError{Parts: []org.Part{org.PartAddress}}
	}
	return s.Store.PutProfile(ctx, prev, p)
}

func TestCreateRefusedAtTheProfileLeavesNoInvitation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil, nil)
	racing := provision.New(takenMeanwhile{e.store}, e.runs, e.svc, e.log)
	c, err := racing.Authorize(ctx, e.token)
	if err != nil {
		t.Fatal(err)
	}
	_, err = racing.CreateUser(c, scim.User{UserName: "bob@acme.com", Email: "bob@acme.com", Active: true})
	if !errors.Is(err, scim.ErrUniqueness) {
		t.Fatalf("CreateUser = %v, want ErrUniqueness", err)
	}
	if inv, err := e.svc.PendingInvitation(ctx, e.admin, "bob@acme.com"); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("a refused create left invitation %+v (%v)", inv, err)
	}
}

// revokeFails refuses to withdraw one invitation, as if it had been accepted meanwhile.
type revokeFails struct {
	provision.Orgs
	id string
}

func (o *revokeFails) Revoke(ctx context.Context, p org.Principal, id string) (org.Invitation, error) {
	if id == o.id {
		return org.Invitation{}, fmt.Errorf("revoke %s: %w", id, org.ErrInvitationAccepted)
	}
	return o.Orgs.Revoke(ctx, p, id)
}

func TestAddressChangeWhoseWithdrawalFailsLeavesOneInvitation(t *testing.T) {
	ctx := context.Background()
	o := &revokeFails{}
	e := newEnv(t, nil, func(orgs provision.Orgs) provision.Orgs { o.Orgs = orgs; return o })
	u, err := e.prov.CreateUser(e.as(t, ctx), scim.User{UserName: "bob@acme.com", Email: "bob@acme.com", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	o.id = u.ID
	email := "bob.new@acme.com"
	_, err = e.prov.UpdateUser(e.as(t, ctx), u.ID, scim.UserChange{Email: &email})
	if !errors.Is(err, scim.ErrUnavailable) {
		t.Fatalf("UpdateUser = %v, want ErrUnavailable (retry)", err)
	}
	if _, err := e.svc.PendingInvitation(ctx, e.admin, email); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("the new address's invitation was left pending beside the old one (%v)", err)
	}
	if inv, err := e.svc.Invitation(ctx, e.admin, u.ID); err != nil || inv.Status != org.StatusPending {
		t.Errorf("the old invitation: %+v %v, want pending", inv, err)
	}
}
