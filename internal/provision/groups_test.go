package provision_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
	"gatehouse/internal/provision"
	"gatehouse/internal/scim"
)

// env is SCIM provisioning over a fresh table: an organization whose owner is its only admin
// until Ada (a member, by SCIM) is given a role by groups Admins (admin) and Engineers (member).
type env struct {
	svc   *org.Service
	prov  *provision.Service
	store provision.Store // the table's, unwrapped
	runs  provision.Runs
	log   *slog.Logger
	admin org.Principal
	token string
	ada   string // Ada's SCIM id
	adaID string // her member id
}

// as is ctx as the SCIM token's request.
func (e env) as(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, err := e.prov.Authorize(ctx, e.token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// role is Ada's role now.
func (e env) role(t *testing.T) org.Role {
	t.Helper()
	m, err := e.svc.Member(context.Background(), e.admin, e.adaID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Role
}

// newEnv builds env over store and orgs wrapping the table's (nil: as they are).
func newEnv(t *testing.T, store func(provision.Store) provision.Store, orgs func(provision.Orgs) provision.Orgs) env {
	t.Helper()
	ctx := context.Background()
	table := dynamotest.New(t)
	svc := org.NewService(table.Store.Org())
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	var st provision.Store = table.Store.SCIM
	if store != nil {
		st = store(st)
	}
	var o provision.Orgs = svc
	if orgs != nil {
		o = orgs(o)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prov := provision.New(st, table.Store.Sync, o, log)
	no := false
	owner, err := svc.Invite(ctx, admin, org.InviteRequest{Email: "owner@acme.com", Role: "admin", SendEmail: &no})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, org.SourceWeb, owner.Token, ""); err != nil {
		t.Fatal(err)
	}
	var cfg provision.ConfigRequest
	if err := json.Unmarshal([]byte(`{"defaultRole": "viewer", "sendEmail": false,
		"roleMappings": [{"group": "Admins", "role": "admin"}, {"group": "Engineers", "role": "member"}]}`), &cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := prov.Configure(ctx, admin, cfg); err != nil {
		t.Fatal(err)
	}
	tok, err := prov.CreateToken(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	e := env{svc: svc, prov: prov, store: table.Store.SCIM, runs: table.Store.Sync, log: log, admin: admin, token: tok.Secret}
	u, err := prov.CreateUser(e.as(t, ctx), scim.User{UserName: "ada@acme.com", Email: "ada@acme.com", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.Resend(ctx, admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.Accept(ctx, org.SourceWeb, link.Token, "")
	if err != nil {
		t.Fatal(err)
	}
	e.ada, e.adaID = u.ID, m.ID
	return e
}

type gateKey struct{}

// gated stalls the first membership read of the request whose ctx carries gateKey, after
// reading, until release is closed.
type gated struct {
	provision.Store
	once             sync.Once
	arrived, release chan struct{}
}

func (g *gated) MemberOf(ctx context.Context, orgID string, groupIDs, people []string) (map[string][]string, error) {
	out, err := g.Store.MemberOf(ctx, orgID, groupIDs, people)
	if ctx.Value(gateKey{}) != nil {
		g.once.Do(func() {
			close(g.arrived)
			<-g.release
		})
	}
	return out, err
}

func TestConcurrentGroupChangesLeaveTheRoleTheGroupsGive(t *testing.T) {
	ctx := context.Background()
	gate := &gated{arrived: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, func(s provision.Store) provision.Store { gate.Store = s; return gate }, nil)
	eng, err := e.prov.CreateGroup(e.as(t, ctx), scim.Group{DisplayName: "Engineers", Members: []scim.Member{{Value: e.ada}}})
	if err != nil {
		t.Fatal(err)
	}
	adm, err := e.prov.CreateGroup(e.as(t, ctx), scim.Group{DisplayName: "Admins"})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.role(t); r != org.RoleMember {
		t.Fatalf("in Engineers Ada is %s", r)
	}
	// B: Ada leaves Engineers; it reads her memberships (none mapped: viewer), then stalls.
	done := make(chan error)
	go func() {
		done <- e.prov.UpdateGroup(e.as(t, context.WithValue(ctx, gateKey{}, true)), eng.ID, scim.GroupChange{Remove: []string{e.ada}})
	}()
	<-gate.arrived
	// A: meanwhile Ada joins Admins, and is promoted.
	if err := e.prov.UpdateGroup(e.as(t, ctx), adm.ID, scim.GroupChange{Add: []string{e.ada}}); err != nil {
		t.Fatal(err)
	}
	if r := e.role(t); r != org.RoleAdmin {
		t.Fatalf("in Admins Ada is %s", r)
	}
	// B goes on from its stale read, and must not leave her a viewer while she is in Admins.
	close(gate.release)
	if err := <-done; err != nil {
		t.Fatalf("B: %v", err)
	}
	if r := e.role(t); r != org.RoleAdmin {
		t.Errorf("Ada is in Admins, not in Engineers, and her role is %s", r)
	}
}

// flaky fails the first ChangeRole to fail, with ErrUnavailable.
type flaky struct {
	provision.Orgs
	fail  string // the member whose role change fails
	calls atomic.Int32
}

func (f *flaky) ChangeRole(ctx context.Context, p org.Principal, id, role string) (org.Member, error) {
	if id == f.fail && f.calls.Add(1) == 1 {
		return org.Member{}, fmt.Errorf("change role of %s: %w", id, org.ErrUnavailable)
	}
	return f.Orgs.ChangeRole(ctx, p, id, role)
}

func TestRetriedGroupReplaceRepairsRolesItFailedToChange(t *testing.T) {
	ctx := context.Background()
	f := &flaky{}
	e := newEnv(t, nil, func(o provision.Orgs) provision.Orgs { f.Orgs = o; return f })
	f.fail = e.adaID
	adm, err := e.prov.CreateGroup(e.as(t, ctx), scim.Group{DisplayName: "Admins"})
	if err != nil {
		t.Fatal(err)
	}
	replace := scim.GroupChange{ReplaceMembers: &[]string{e.ada}}
	// The membership is written, the role change fails: the identity provider is told to retry.
	if err := e.prov.UpdateGroup(e.as(t, ctx), adm.ID, replace); err == nil {
		t.Fatalf("a replace whose role change failed succeeded")
	}
	if r := e.role(t); r != org.RoleViewer {
		t.Fatalf("after the failed change Ada is %s, want viewer still", r)
	}
	// The retry finds the members as listed already, and repairs the role.
	if err := e.prov.UpdateGroup(e.as(t, ctx), adm.ID, replace); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if r := e.role(t); r != org.RoleAdmin {
		t.Errorf("after the retried replace Ada is %s, want admin", r)
	}
}
