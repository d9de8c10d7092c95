package dirsync_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// memStore keeps configurations in memory and counts every write.
type memStore struct {
	cfg    dirsync.Config
	writes atomic.Int64
}

func (m *memStore) GetSyncConfig(context.Context, string) (dirsync.Config, error) { return m.cfg, nil }
func (m *memStore) PutSyncConfig(_ context.Context, c dirsync.Config, _ org.AuditEntry) error {
	m.writes.Add(1)
	m.cfg = c
	return nil
}
func (m *memStore) SyncConfigs(context.Context) ([]dirsync.Config, []dirsync.Unreadable, error) {
	return []dirsync.Config{m.cfg}, nil, nil
}
func (m *memStore) PutRun(context.Context, dirsync.Run, org.AuditEntry) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) ApproveRun(context.Context, dirsync.Run, org.AuditEntry) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) DiscardRun(context.Context, dirsync.Run, org.AuditEntry) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) CurrentHold(context.Context, string) (dirsync.Hold, error) {
	return dirsync.Hold{}, org.ErrNotFound
}
func (m *memStore) PutHeldRun(context.Context, dirsync.Run, *dirsync.Hold, org.AuditEntry) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) GetRun(context.Context, string, string) (dirsync.Run, error) {
	return dirsync.Run{}, org.ErrNotFound
}
func (m *memStore) ListRuns(context.Context, string, org.PageRequest) (org.Page[dirsync.Run], error) {
	return org.Page[dirsync.Run]{}, nil
}
func (m *memStore) AcquireLease(context.Context, string, string, time.Time, time.Time) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) ReleaseLease(context.Context, string, string) error {
	m.writes.Add(1)
	return nil
}
func (m *memStore) GetDirectoryState(context.Context, string) (dirsync.DirectoryState, error) {
	return dirsync.DirectoryState{}, org.ErrNotFound
}
func (m *memStore) PutDirectoryState(context.Context, string, dirsync.DirectoryState) error {
	m.writes.Add(1)
	return nil
}

// memMembers is an organization held in memory; any change counts as a write.
type memMembers struct {
	members []org.Member
	writes  atomic.Int64
}

func (m *memMembers) Organization(_ context.Context, p org.Principal) (org.Org, error) {
	return org.Org{ID: p.OrgID, Name: p.OrgID}, nil
}

func (m *memMembers) Accounts(context.Context, org.Principal) ([]org.Member, []org.Invitation, error) {
	return m.members, nil, nil
}
func (m *memMembers) InviteMany(context.Context, org.Principal, []org.InviteRequest) ([]org.BulkResult, error) {
	m.writes.Add(1)
	return nil, nil
}
func (m *memMembers) UpdateProfile(context.Context, org.Principal, string, org.Profile) (org.Member, error) {
	m.writes.Add(1)
	return org.Member{}, nil
}
func (m *memMembers) RenameInvitation(context.Context, org.Principal, string, string, string) (org.Invitation, error) {
	m.writes.Add(1)
	return org.Invitation{}, nil
}
func (m *memMembers) Deactivate(context.Context, org.Principal, string) (org.Member, error) {
	m.writes.Add(1)
	return org.Member{}, nil
}
func (m *memMembers) Reactivate(context.Context, org.Principal, string) (org.Member, error) {
	m.writes.Add(1)
	return org.Member{}, nil
}
func (m *memMembers) Revoke(context.Context, org.Principal, string) (org.Invitation, error) {
	m.writes.Add(1)
	return org.Invitation{}, nil
}
func (m *memMembers) ChangeRole(context.Context, org.Principal, string, string) (org.Member, error) {
	m.writes.Add(1)
	return org.Member{}, nil
}
func (m *memMembers) SetInvitationRole(context.Context, org.Principal, string, org.Role) (org.Invitation, error) {
	m.writes.Add(1)
	return org.Invitation{}, nil
}

type memExport []byte

func (m memExport) Open(context.Context, string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m)), nil
}

// BenchmarkResyncUnchanged100k re-syncs 100,000 synced members with an export that agrees
// with them, the organization held in memory: parse, plan, and no write of any kind. The
// baseline parses and plans the same export with package idp alone, so the difference is
// what the sync service adds.
func BenchmarkResyncUnchanged100k(b *testing.B) {
	const n = 100_000
	var csv bytes.Buffer
	csv.WriteString("\"User Id\",\"Status\",\"Username\",\"First name\",\"Last name\",\"Primary email\"\r\n")
	members := make([]org.Member, n)
	for i := range members {
		email := fmt.Sprintf("person%06d@big.example", i)
		members[i] = org.Member{ID: fmt.Sprintf("usr_%06d", i), OrgID: "big", Email: email, Name: fmt.Sprintf("Person %d", i),
			Role: org.RoleMember, Status: org.MemberActive, Source: org.SourceSync, ExternalID: fmt.Sprintf("00u%06d", i)}
		fmt.Fprintf(&csv, "\"00u%06d\",\"ACTIVE\",%q,\"Person\",\"%d\",%q\r\n", i, email, i, email)
	}
	admin := org.Principal{OrgID: "big", Role: org.RoleAdmin, Actor: org.Actor{Type: "token", ID: "tok"}, Source: org.SourceAPI}

	b.Run("baseline=idp-parse+plan", func(b *testing.B) {
		accounts := make([]idp.Account, n)
		for i, m := range members {
			accounts[i] = idp.Account{Kind: idp.AccountMember, ID: m.ID, Email: m.Email, Name: m.Name, ExternalID: m.ExternalID, Active: true, Synced: true}
		}
		for b.Loop() {
			snap, err := idp.Parse(idp.FormatOktaCSV, bytes.NewReader(csv.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := idp.NewPlan(snap, accounts, idp.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resync", func(b *testing.B) {
		store := &memStore{}
		mem := &memMembers{members: members}
		s := dirsync.New(store, mem, memExport(csv.Bytes()), slog.New(slog.DiscardHandler))
		if _, err := s.Configure(context.Background(), admin, dirsync.ConfigRequest{Sources: dirsync.SourcesOf("s3://exports/big/export.csv")}); err != nil {
			b.Fatal(err)
		}
		store.writes.Store(0)
		var peak uint64
		for b.Loop() {
			run, err := s.SyncNow(context.Background(), admin)
			if err != nil || run.Status != dirsync.RunUnchanged || run.Counts["people"] != n {
				b.Fatalf("run %s %v %v", run.Status, run.Counts, err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		b.ReportMetric(float64(store.writes.Load()+mem.writes.Load())/float64(b.N), "writes/op")
		b.ReportMetric(float64(peak)/(1<<20), "heap-inuse-MB")
	})
}
