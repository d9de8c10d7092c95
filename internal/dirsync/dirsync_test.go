package dirsync_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/blob"
	"gatehouse/internal/dirsync"
	"gatehouse/internal/dynamo/dynamotest"
	"gatehouse/internal/org"
	"gatehouse/internal/org/orgtest"
)

// person is one row of a test export.
type person struct{ id, status, first, last, email string }

// bench is an organization "acme" whose sync reads an Okta CSV written by export.
type bench struct {
	t     *testing.T
	env   dynamotest.Env
	svc   *org.Service
	sync  *dirsync.Service
	admin org.Principal
	clock *orgtest.Clock
	path  string
}

func newBench(t *testing.T) *bench {
	t.Helper()
	env := dynamotest.New(t)
	clock := orgtest.NewClock()
	svc := org.NewService(env.Store.Org(), org.WithClock(clock.Now))
	admin, _ := orgtest.Seed(t, svc, "acme", "Acme")
	exports := t.TempDir()
	sync := dirsync.New(env.Store.Sync, svc, blob.Opener{FilesDir: exports}, slog.New(slog.DiscardHandler), dirsync.WithClock(clock.Now), dirsync.WithExportsDir(exports))
	b := &bench{t: t, env: env, svc: svc, sync: sync, admin: admin, clock: clock, path: filepath.Join(exports, "okta.csv")}
	no := false
	if _, err := sync.Configure(context.Background(), admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("file://" + b.path), SendEmail: &no}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return b
}

// export writes the Okta group members CSV the next run reads.
func (b *bench) export(people ...person) {
	b.t.Helper()
	var sb strings.Builder
	sb.WriteString("\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n")
	for _, p := range people {
		fmt.Fprintf(&sb, "%q,%q,%q,%q,%q,%q\r\n", p.id, p.status, p.email, p.first, p.last, p.email)
	}
	if err := os.WriteFile(b.path, []byte(sb.String()), 0o600); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bench) run() dirsync.Run {
	b.t.Helper()
	r, err := b.sync.SyncNow(context.Background(), b.admin)
	if err != nil {
		b.t.Fatalf("sync: %v", err)
	}
	return r
}

// accounts lists acme's members and live invitations by email.
func (b *bench) accounts() (map[string]org.Member, map[string]org.Invitation) {
	b.t.Helper()
	ms, invs, err := b.svc.Accounts(context.Background(), b.admin)
	if err != nil {
		b.t.Fatal(err)
	}
	members, pending := map[string]org.Member{}, map[string]org.Invitation{}
	for _, m := range ms {
		members[m.Email] = m
	}
	for _, inv := range invs {
		pending[inv.Email] = inv
	}
	return members, pending
}

// accept has the person invited at email join.
func (b *bench) accept(email string) {
	b.t.Helper()
	_, pending := b.accounts()
	inv, ok := pending[email]
	if !ok {
		b.t.Fatalf("no pending invitation for %s", email)
	}
	c, err := b.svc.Resend(context.Background(), b.admin, inv.ID)
	if err != nil {
		b.t.Fatalf("resend to get a link: %v", err)
	}
	if _, err := b.svc.Accept(context.Background(), org.SourceWeb, c.Token, ""); err != nil {
		b.t.Fatalf("accept %s: %v", email, err)
	}
}

func wantCounts(t *testing.T, r dirsync.Run, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if r.Counts[k] != n {
			t.Errorf("%s runs %s: counts[%s] = %d, want %d (all: %v)", r.Trigger, r.Status, k, r.Counts[k], n, r.Counts)
		}
	}
}

var (
	ada  = person{"00u1", "ACTIVE", "Ada", "Lovelace", "ada@acme.com"}
	alan = person{"00u2", "ACTIVE", "Alan", "Turing", "alan@acme.com"}
	gra  = person{"00u3", "PROVISIONED", "Grace", "Hopper", "grace@acme.com"}
)

func TestFirstRunInvitesAndReRunWritesNothing(t *testing.T) {
	b := newBench(t)
	b.export(ada, alan, gra, person{"00u4", "STAGED", "New", "Hire", "new@acme.com"})
	r := b.run()
	if r.Status != dirsync.RunApplied {
		t.Fatalf("status %s (%s)", r.Status, r.Error)
	}
	wantCounts(t, r, map[string]int{"invite": 3, "skipped": 1, "failed": 0})
	_, pending := b.accounts()
	inv := pending["ada@acme.com"]
	if inv.Source != org.SourceSync || inv.ExternalID != "00u1" || inv.Name != "Ada Lovelace" || inv.InvitedBy.Type != "sync" {
		t.Errorf("invitation = %+v", inv)
	}
	if inv.SendEmail {
		t.Error("the configuration said not to email")
	}

	b.env.Requests.Reset()
	again := b.run()
	if again.Status != dirsync.RunUnchanged || again.ID != "" {
		t.Errorf("re-run: status %s id %q, want unchanged and unstored", again.Status, again.ID)
	}
	if w := b.env.Requests.Writes(); w != 0 {
		t.Errorf("re-run with an unchanged export made %d writes (%s), want 0", w, b.env.Requests)
	}
	page, err := b.sync.Runs(context.Background(), b.admin, org.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != r.ID {
		t.Errorf("stored runs = %d, want the first only", len(page.Items))
	}
}

func TestRenameRemoveAndReAdd(t *testing.T) {
	b := newBench(t)
	b.export(ada, alan, gra)
	b.run()
	b.accept("ada@acme.com")

	// Ada changes address and name at the identity provider: same id, so her member is updated.
	renamed := person{"00u1", "ACTIVE", "Ada", "King", "ada.king@acme.com"}
	r := b.run2(renamed, alan, gra)
	wantCounts(t, r, map[string]int{"update": 1, "invite": 0, "deactivate": 0})
	members, _ := b.accounts()
	if m, ok := members["ada.king@acme.com"]; !ok || m.Name != "Ada King" || m.Status != org.MemberActive {
		t.Fatalf("renamed member = %+v (found %v)", m, ok)
	}

	// Ada and Alan leave: Ada is deactivated, Alan's invitation revoked.
	r = b.run2(gra)
	wantCounts(t, r, map[string]int{"deactivate": 1, "revoke": 1})
	members, pending := b.accounts()
	if m := members["ada.king@acme.com"]; m.Status != org.MemberDeactivated || m.DeactivatedVia != org.SourceSync {
		t.Errorf("Ada after leaving = %+v", m)
	}
	if _, ok := pending["alan@acme.com"]; ok {
		t.Error("Alan's invitation is still pending")
	}

	// Ada comes back: reactivated, not invited again.
	r = b.run2(renamed, gra)
	wantCounts(t, r, map[string]int{"reactivate": 1, "invite": 0})
	members, _ = b.accounts()
	if m := members["ada.king@acme.com"]; m.Status != org.MemberActive {
		t.Errorf("Ada after coming back = %+v", m)
	}
}

// run2 writes the export and runs.
func (b *bench) run2(people ...person) dirsync.Run {
	b.t.Helper()
	b.export(people...)
	return b.run()
}

func TestSyncLeavesOthersAlone(t *testing.T) {
	b := newBench(t)
	ctx := context.Background()
	if _, err := b.svc.Invite(ctx, b.admin, org.InviteRequest{Email: "alan@acme.com"}); err != nil {
		t.Fatal(err)
	}
	b.export(ada, alan)
	r := b.run()
	wantCounts(t, r, map[string]int{"invite": 1, "unmanaged": 1})
	// Alan leaves the group, but his invitation is the admin's: sync does not revoke it.
	r = b.run2(ada)
	wantCounts(t, r, map[string]int{"revoke": 0})
	if _, pending := b.accounts(); pending["alan@acme.com"].ID == "" {
		t.Error("sync revoked an invitation it did not create")
	}
}

func TestMassRemovalIsHeldUntilApproved(t *testing.T) {
	b := newBench(t)
	var everyone []person
	for i := range 20 {
		everyone = append(everyone, person{fmt.Sprintf("00u%02d", i), "ACTIVE", "P", fmt.Sprint(i), fmt.Sprintf("p%02d@acme.com", i)})
	}
	b.run2(everyone...)
	r := b.run2(everyone[:12]...) // 8 of 20 gone: more than 5 and more than 10%
	if r.Status != dirsync.RunHeld || r.HeldReason == "" || r.ID == "" {
		t.Fatalf("status %s reason %q id %q, want a stored held run", r.Status, r.HeldReason, r.ID)
	}
	if _, pending := b.accounts(); len(pending) != 20 {
		t.Fatalf("a held plan changed something: %d pending", len(pending))
	}

	// The export changes again before approval: the held plan is not applied, and the run
	// stays held for when the export is back.
	b.export(everyone[:11]...)
	if _, err := b.sync.Approve(context.Background(), b.admin, r.ID); !errors.Is(err, dirsync.ErrPlanChanged) {
		t.Fatalf("approve a stale plan: %v, want ErrPlanChanged", err)
	}
	if got, _ := b.sync.Run(context.Background(), b.admin, r.ID); got.Status != dirsync.RunHeld {
		t.Fatalf("after a refused approval the run is %s, want still held", got.Status)
	}

	b.export(everyone[:12]...)
	held := r
	applied, err := b.sync.Approve(context.Background(), b.admin, held.ID)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if applied.Status != dirsync.RunApplied || applied.Counts["revoke"] != 8 || applied.Trigger != dirsync.TriggerApproval ||
		applied.ApprovedRun != held.ID || applied.ApprovedBy.ID != b.admin.Actor.ID {
		t.Errorf("approved run = %s %v, approving %q by %+v", applied.Status, applied.Counts, applied.ApprovedRun, applied.ApprovedBy)
	}
	if _, pending := b.accounts(); len(pending) != 12 {
		t.Errorf("pending after approval = %d, want 12", len(pending))
	}
	if _, err := b.sync.Approve(context.Background(), b.admin, held.ID); !errors.Is(err, dirsync.ErrNotHeld) {
		t.Errorf("approving twice: %v, want ErrNotHeld", err)
	}
	got, err := b.sync.Run(context.Background(), b.admin, held.ID)
	if err != nil || got.Status != dirsync.RunApproved || got.ApprovedBy.ID == "" {
		t.Errorf("held run after approval = %+v, %v", got, err)
	}
}

func TestBrokenExportsApplyNothing(t *testing.T) {
	b := newBench(t)
	b.run2(ada, alan, gra)
	for name, content := range map[string]string{
		"empty":     "",
		"truncated": "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada",
		"header":    "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(b.path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := b.sync.SyncNow(context.Background(), b.admin)
			if err == nil || r.Status != dirsync.RunFailed || r.Error == "" {
				t.Fatalf("run = %s %q, err %v; want a failed run", r.Status, r.Error, err)
			}
			if _, pending := b.accounts(); len(pending) != 3 {
				t.Errorf("pending = %d, want 3 untouched", len(pending))
			}
		})
	}
	if err := os.Remove(b.path); err != nil {
		t.Fatal(err)
	}
	if r, err := b.sync.SyncNow(context.Background(), b.admin); !errors.Is(err, blob.ErrNotFound) || r.Status != dirsync.RunFailed {
		t.Errorf("missing export: %s, %v", r.Status, err)
	}
}

func TestConfigurationIsValidated(t *testing.T) {
	b := newBench(t)
	share := 1.5
	_, err := b.sync.Configure(context.Background(), b.admin, dirsync.ConfigRequest{
		Sources: dirsync.SourcesOf("http://example.com/a.csv", "s3://bucket-only", "file://relative/path", "s3://exports/globex/okta.csv", "s3://exports/acme/../globex/okta.csv"),
		Format:  "ldif", Role: "owner", RemovalShare: &share,
	})
	var verr *org.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	fields := map[string]bool{}
	for _, f := range verr.Fields {
		fields[f.Field] = true
	}
	// sources[3] and [4] belong to another organization: one admin may not read another's export.
	for _, f := range []string{"sources[0]", "sources[1]", "sources[2]", "sources[3]", "sources[4]", "format", "role", "removalShare"} {
		if !fields[f] {
			t.Errorf("no problem named for %s: %v", f, verr.Fields)
		}
	}
	member := b.admin
	member.Role = org.RoleMember
	if _, err := b.sync.Config(context.Background(), member); !errors.Is(err, org.ErrForbidden) {
		t.Errorf("member reads sync config: %v, want ErrForbidden", err)
	}
}

// failingAccounts is the organization service with a store that fails to list accounts.
type failingAccounts struct{ dirsync.Members }

func (failingAccounts) Accounts(context.Context, org.Principal) ([]org.Member, []org.Invitation, error) {
	return nil, nil, fmt.Errorf("query ORG#acme: operation error DynamoDB: Query, ProvisionedThroughputExceededException: %w", org.ErrUnavailable)
}

func TestStoreFailuresAreNotFailedRuns(t *testing.T) {
	b := newBench(t)
	b.export(ada)
	exports := filepath.Dir(b.path)
	broken := dirsync.New(b.env.Store.Sync, failingAccounts{b.svc}, blob.Opener{FilesDir: exports}, slog.New(slog.DiscardHandler), dirsync.WithExportsDir(exports))
	r, err := broken.SyncNow(context.Background(), b.admin)
	if !errors.Is(err, org.ErrUnavailable) || r.ID != "" {
		t.Fatalf("run %+v, err %v; want ErrUnavailable and no run", r, err)
	}
	page, err := b.sync.Runs(context.Background(), b.admin, org.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("stored runs = %d (%v), want none: a store failure is not the export's", len(page.Items), err)
	}
}

func TestAMemberMayMoveToAnAddressOfAnExpiredInvitation(t *testing.T) {
	b := newBench(t)
	b.run2(ada)
	b.accept("ada@acme.com")
	if _, err := b.svc.Invite(context.Background(), b.admin, org.InviteRequest{Email: "ada.king@acme.com"}); err != nil {
		t.Fatal(err)
	}
	b.clock.Add(8 * 24 * time.Hour) // the admin's invitation expires
	r := b.run2(person{"00u1", "ACTIVE", "Ada", "King", "ada.king@acme.com"})
	wantCounts(t, r, map[string]int{"update": 1, "failed": 0})
	members, _ := b.accounts()
	if m, ok := members["ada.king@acme.com"]; !ok || m.ExternalID != "00u1" {
		t.Errorf("moved member = %+v (found %v)", m, ok)
	}
	log, err := b.svc.AuditLog(context.Background(), b.admin, org.AuditQuery{PageRequest: org.PageRequest{Limit: 5}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range log.Items {
		if a.Action == org.ActionMemberUpdated && a.Details["fromEmail"] == "ada@acme.com" && a.Source == org.SourceSync {
			found = true
		}
	}
	if !found {
		t.Errorf("no member.updated audit entry naming the old address: %+v", log.Items)
	}
}

func TestAnUnreadableRowStopsRemovalsAndSaysWhy(t *testing.T) {
	b := newBench(t)
	b.run2(ada, alan, gra)
	// Alan's row lost its fields: he might still be there, so nobody absent is removed.
	body := "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n" +
		"\"00u1\",\"ACTIVE\",\"ada@acme.com\",\"Ada\",\"Lovelace\",\"ada@acme.com\"\r\n" +
		"\"00u9\",\"ACTIVE\"\r\n" +
		"\"00u3\",\"PROVISIONED\",\"grace@acme.com\",\"Grace\",\"Hopper\",\"grace@acme.com\"\r\n"
	if err := os.WriteFile(b.path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r := b.run()
	if r.RemovalsSuppressed == "" || r.Counts["revoke"] != 0 || r.Counts["deactivate"] != 0 {
		t.Errorf("run %s: removals suppressed %q, counts %v; want no removal and the reason", r.Status, r.RemovalsSuppressed, r.Counts)
	}
	if _, pending := b.accounts(); pending["alan@acme.com"].ID == "" {
		t.Error("Alan's invitation was revoked although his row could not be read")
	}
}

func TestFileSourcesStayInTheLocalExportsFolder(t *testing.T) {
	b := newBench(t)
	outside := filepath.Join(t.TempDir(), "okta.csv")
	for _, src := range []string{"file://" + outside, "file:///proc/self/environ", "file://" + filepath.Dir(b.path) + "/../x.csv"} {
		_, err := b.sync.Configure(context.Background(), b.admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf(src)})
		var verr *org.ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Code != "invalid_source" || !strings.Contains(verr.Fields[0].Message, "inside the exports folder") {
			t.Errorf("configure %s: err = %v, want invalid_source inside the exports folder", src, err)
		}
	}
	// Where no exports folder is set (in AWS), file:// is refused at configuration time.
	aws := dirsync.New(b.env.Store.Sync, b.svc, blob.Opener{}, slog.New(slog.DiscardHandler))
	_, err := aws.Configure(context.Background(), b.admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("file://" + b.path)})
	var verr *org.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Fields[0].Message, "only in the local stack") {
		t.Errorf("configure file:// without an exports folder: err = %v", err)
	}
	// A run never shows what a file it cannot use holds.
	if err := os.WriteFile(b.path, []byte("SECRET=hunter2\nPATH=/usr/bin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run, err := b.sync.SyncNow(context.Background(), b.admin)
	if run.Status != dirsync.RunFailed || strings.Contains(run.Error, "hunter2") || strings.Contains(run.Error, "SECRET") {
		t.Errorf("run of a non-export: %+v, %v; its reason must not echo the file", run, err)
	}
}

func TestOneHeldRunPerPlan(t *testing.T) {
	b := newBench(t)
	var everyone []person
	for i := range 20 {
		everyone = append(everyone, person{fmt.Sprintf("00u%02d", i), "ACTIVE", "P", fmt.Sprint(i), fmt.Sprintf("p%02d@acme.com", i)})
	}
	b.run2(everyone...)
	first := b.run2(everyone[:12]...)
	// The scheduler runs again, and again: the same plan is the same held run.
	for range 3 {
		b.clock.Add(time.Minute)
		if again := b.run2(everyone[:12]...); again.ID != first.ID || again.Status != dirsync.RunHeld {
			t.Fatalf("the same plan again: run %s (%s), want the held run %s", again.ID, again.Status, first.ID)
		}
	}
	if held := b.heldRuns(); len(held) != 1 {
		t.Fatalf("held runs = %v, want one", held)
	}
	// A newer plan supersedes it, and says so.
	newer := b.run2(everyone[:11]...)
	if newer.ID == first.ID || newer.Status != dirsync.RunHeld {
		t.Fatalf("a newer plan: %s %s, want a new held run", newer.ID, newer.Status)
	}
	old, err := b.sync.Run(context.Background(), b.admin, first.ID)
	if err != nil || old.Status != dirsync.RunSuperseded || old.SupersededBy != newer.ID {
		t.Errorf("the older held run = %s superseded by %q, %v; want superseded by %s", old.Status, old.SupersededBy, err, newer.ID)
	}
	if _, err := b.sync.Approve(context.Background(), b.admin, first.ID); !errors.Is(err, dirsync.ErrNotHeld) {
		t.Errorf("approving the superseded run: %v, want ErrNotHeld", err)
	}
	if held := b.heldRuns(); len(held) != 1 || held[0] != newer.ID {
		t.Errorf("held runs = %v, want only %s", held, newer.ID)
	}
	if r, err := b.sync.Approve(context.Background(), b.admin, newer.ID); err != nil || r.Status != dirsync.RunApplied {
		t.Fatalf("approve the newest: %v %v", r.Status, err)
	}
	// Approved, the hold is gone: the next dangerous plan is held afresh.
	if next := b.run2(everyone[:3]...); next.Status != dirsync.RunHeld || next.ID == newer.ID {
		t.Errorf("the next dangerous plan: %s %s", next.ID, next.Status)
	}
}

// heldRuns lists the ids of the runs waiting for approval.
func (b *bench) heldRuns() []string {
	b.t.Helper()
	page, err := b.sync.Runs(context.Background(), b.admin, org.PageRequest{Limit: 100})
	if err != nil {
		b.t.Fatal(err)
	}
	var held []string
	for _, r := range page.Items {
		if r.StatusAt(b.clock.Now()) == dirsync.RunHeld {
			held = append(held, r.ID)
		}
	}
	return held
}

// stallingExports serves each organization's export from memory, except that the export of
// the organization stall never arrives: its read waits until the run's time is up.
type stallingExports struct {
	stall  string
	export string
}

func (e stallingExports) Open(ctx context.Context, location string) (io.ReadCloser, error) {
	if strings.Contains(location, "/"+e.stall+"/") {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return io.NopCloser(strings.NewReader(e.export)), nil
}

func TestOneOrganizationCannotStarveTheOthers(t *testing.T) {
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	export := "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n\"00u1\",\"ACTIVE\",\"a@x.io\",\"A\",\"B\",\"a@x.io\"\r\n"
	s := dirsync.New(env.Store.Sync, svc, stallingExports{stall: "aaa-slow", export: export}, slog.New(slog.DiscardHandler))
	dirsync.SetMinTimeLeft(s, 50*time.Millisecond)
	no := false
	for _, id := range []string{"aaa-slow", "zzz-fast"} {
		admin, _ := orgtest.Seed(t, svc, id, id)
		if _, err := s.Configure(context.Background(), admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("s3://exports/" + id + "/okta.csv"), SendEmail: &no}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	sum, err := s.SyncAll(ctx, dirsync.TriggerSchedule)
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	if sum.Runs[string(dirsync.RunApplied)] != 1 || len(sum.Failed) != 1 || sum.Failed[0] != "aaa-slow" {
		t.Errorf("summary = %+v; want the stalled organization failed and the other applied", sum)
	}
}

// A stored configuration that cannot be read fails its own organization's sync, never the
// pass: the others sync as usual.
func TestOneUnreadableConfigurationDoesNotStopThePass(t *testing.T) {
	env := dynamotest.New(t)
	svc := org.NewService(env.Store.Org())
	export := "\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n\"00u1\",\"ACTIVE\",\"a@x.io\",\"A\",\"B\",\"a@x.io\"\r\n"
	s := dirsync.New(env.Store.Sync, svc, stallingExports{stall: "none", export: export}, slog.New(slog.DiscardHandler))
	no := false
	for _, id := range []string{"broken", "fine"} {
		admin, _ := orgtest.Seed(t, svc, id, id)
		if _, err := s.Configure(context.Background(), admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("s3://exports/" + id + "/okta.csv"), SendEmail: &no}); err != nil {
			t.Fatal(err)
		}
	}
	// The schedule's copy of one configuration names a directory whose settings are not JSON.
	table := env.Store.Table()
	if _, err := env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:        &table,
		Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "SYNCCONFIG"}, "sk": &types.AttributeValueMemberS{Value: "broken"}},
		UpdateExpression: aws.String("SET directoryProvider = :p, directorySettings = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": &types.AttributeValueMemberS{Value: "okta"}, ":s": &types.AttributeValueMemberS{Value: "{not json"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	sum, err := s.SyncAll(context.Background(), dirsync.TriggerSchedule)
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	if sum.Organizations != 2 || sum.Runs[string(dirsync.RunApplied)] != 1 || sum.Runs[string(dirsync.RunFailed)] != 1 ||
		len(sum.Failed) != 1 || sum.Failed[0] != "broken" {
		t.Errorf("summary = %+v; want the unreadable organization failed and the other applied", sum)
	}
	// Its admins see a failed run saying what to do.
	admin := org.Principal{OrgID: "broken", Role: org.RoleAdmin, Actor: org.Actor{Type: "token", ID: "t"}, Source: org.SourceAPI}
	runs, err := s.Runs(context.Background(), admin, org.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.Items) != 1 || runs.Items[0].Status != dirsync.RunFailed || !strings.Contains(runs.Items[0].Error, "could not be read") {
		t.Errorf("the unreadable organization's runs: %+v", runs.Items)
	}
	// A disabled configuration that cannot be read fails nothing: it is not synced anyway.
	if _, err := env.Client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:                 &table,
		Key:                       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "SYNCCONFIG"}, "sk": &types.AttributeValueMemberS{Value: "broken"}},
		UpdateExpression:          aws.String("SET enabled = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":f": &types.AttributeValueMemberBOOL{Value: false}},
	}); err != nil {
		t.Fatal(err)
	}
	if sum, err := s.SyncAll(context.Background(), dirsync.TriggerSchedule); err != nil || len(sum.Failed) != 0 || sum.Organizations != 1 {
		t.Errorf("pass with the unreadable configuration disabled: %+v, %v", sum, err)
	}
}
