// Package dirsync keeps an organization's membership in step with its identity provider: it
// reads the organization's group export, plans against the members and invitations sync
// created, holds plans that would remove too many people, applies the rest through the
// organization service, and keeps a report of every run that changed something.
package dirsync

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse/internal/org"
)

// Store keeps sync configurations, run reports and the per-organization run lease. A write
// refused because its condition failed is an *org.ConflictError, whose parts the methods
// name.
type Store interface {
	GetSyncConfig(ctx context.Context, orgID string) (Config, error)
	// PutSyncConfig stores c and lists its organization among those the schedule syncs; the
	// organization must exist (org.PartOrg).
	PutSyncConfig(ctx context.Context, c Config, audit org.AuditEntry) error
	// SyncConfigs lists every organization's sync configuration, and apart those stored
	// that cannot be read: one bad item never hides the others.
	SyncConfigs(ctx context.Context) ([]Config, []Unreadable, error)

	// PutRun stores a new run report, with its audit entry (org.PartRecord: the id is new).
	PutRun(ctx context.Context, r Run, audit org.AuditEntry) error
	// ApproveRun marks a held run approved if it is still held (org.PartRecord), and lets go
	// of the organization's hold on it.
	ApproveRun(ctx context.Context, r Run, audit org.AuditEntry) error
	// DiscardRun marks a held run discarded if it is still held (org.PartRecord).
	DiscardRun(ctx context.Context, r Run, audit org.AuditEntry) error
	// CurrentHold reads the organization's hold: which run waits for approval
	// (org.ErrNotFound when none does).
	CurrentHold(ctx context.Context, orgID string) (Hold, error)
	// PutHeldRun stores the held run r, with its audit entry, and makes it the
	// organization's hold in place of prev (nil when there was none; org.PartRecord when the
	// hold is no longer prev); the run prev named, if still held, becomes superseded by r.
	PutHeldRun(ctx context.Context, r Run, prev *Hold, audit org.AuditEntry) error
	GetRun(ctx context.Context, orgID, id string) (Run, error)
	// ListRuns lists runs newest first.
	ListRuns(ctx context.Context, orgID string, p org.PageRequest) (org.Page[Run], error)

	// AcquireLease takes the organization's sync lease for owner until until, unless another
	// owner holds it past now (org.PartRecord).
	AcquireLease(ctx context.Context, orgID, owner string, now, until time.Time) error
	// ReleaseLease gives the lease back if owner still holds it.
	ReleaseLease(ctx context.Context, orgID, owner string) error

	// GetDirectoryState reads what the last full read of the organization's directory left
	// (org.ErrNotFound when nothing); PutDirectoryState replaces it.
	GetDirectoryState(ctx context.Context, orgID string) (DirectoryState, error)
	PutDirectoryState(ctx context.Context, orgID string, st DirectoryState) error
}

// Members is what sync needs of the organization service.
type Members interface {
	Organization(ctx context.Context, p org.Principal) (org.Org, error)
	Accounts(ctx context.Context, p org.Principal) ([]org.Member, []org.Invitation, error)
	InviteMany(ctx context.Context, p org.Principal, reqs []org.InviteRequest) ([]org.BulkResult, error)
	UpdateProfile(ctx context.Context, p org.Principal, id string, u org.Profile) (org.Member, error)
	RenameInvitation(ctx context.Context, p org.Principal, id, name, externalID string) (org.Invitation, error)
	Deactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
	Reactivate(ctx context.Context, p org.Principal, id string) (org.Member, error)
	Revoke(ctx context.Context, p org.Principal, id string) (org.Invitation, error)
	ChangeRole(ctx context.Context, p org.Principal, id, role string) (org.Member, error)
	SetInvitationRole(ctx context.Context, p org.Principal, id string, role org.Role) (org.Invitation, error)
}

// Opener opens an export by its location (s3://bucket/key, file:///path); an export that
// does not exist is an error wrapping fs.ErrNotExist.
type Opener interface {
	Open(ctx context.Context, location string) (io.ReadCloser, error)
}

// Service runs directory syncs.
type Service struct {
	store   Store
	members Members
	open    Opener
	log     *slog.Logger
	now     func() time.Time
	newID   func() string
	// exportsDir is the local stack's exports folder, the only place file:// sources may
	// name; empty in AWS, where they are refused.
	exportsDir string
	// minTimeLeft is the least time a scheduled run starts with (minTimeLeft, but for tests).
	minTimeLeft time.Duration
	// others apply and discard the runs other doors hold, by trigger (SCIM's deactivations).
	others map[string]HeldApplier
	// sealer keeps directory credentials; http reaches identity providers (egress).
	sealer Sealer
	http   *http.Client
	// metrics counts runs.
	metrics Metrics
}

// HeldApplier applies and discards the held runs of another door than the schedule, such as
// SCIM's deactivations beyond its window.
type HeldApplier interface {
	// ApplyHeld applies an approved run's actions, returning why each failed ("" when
	// applied), index-aligned with run.Actions.
	ApplyHeld(ctx context.Context, run Run) []string
	// DiscardHeld drops a discarded run's actions.
	DiscardHeld(ctx context.Context, run Run) error
}

// WithHeldApplier makes a applier of the held runs whose trigger is trigger.
func WithHeldApplier(trigger string, a HeldApplier) Option {
	return func(s *Service) {
		if s.others == nil {
			s.others = map[string]HeldApplier{}
		}
		s.others[trigger] = a
	}
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service read the time from now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithExportsDir lets file:// sources name files inside dir, an absolute folder: the local
// stack's exports folder. Without it file:// sources are refused.
func WithExportsDir(dir string) Option { return func(s *Service) { s.exportsDir = dir } }

// WithIDs makes the Service take sortable ids from newID.
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// New returns a Service.
func New(store Store, members Members, open Opener, log *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, members: members, open: open, log: log, now: time.Now,
		newID: func() string { return ulid.Make().String() }, minTimeLeft: minTimeLeft, metrics: nopMetrics{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// nowUTC is the current time in UTC, to the millisecond (what the store keeps).
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Unreadable is a stored sync configuration that could not be read, and why.
type Unreadable struct {
	OrgID string
	Err   error
}
