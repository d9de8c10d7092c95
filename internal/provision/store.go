package provision

import (
	"context"
	"time"

	"gatehouse/internal/dirsync"
	"gatehouse/internal/org"
)

// Store keeps what SCIM provisioning knows beyond the organization's own items: its
// configuration and token, each SCIM person's profile (the attributes the identity provider
// sent, kept as given), the groups and their members, and the window of deactivations. A
// write refused because its condition failed is an *org.ConflictError naming its part:
// org.PartRecord for the item written, org.PartAddress for a userName or externalId already
// taken by someone else.
type Store interface {
	GetConfig(ctx context.Context, orgID string) (Config, error)
	// ConfigByTokenHash finds the configuration whose token hashes to hash.
	ConfigByTokenHash(ctx context.Context, hash string) (Config, error)
	// PutConfig stores c in place of prev (nil: there was none), moving the token lookup
	// from prev's hash to c's when they differ.
	PutConfig(ctx context.Context, prev *Config, c Config, audit org.AuditEntry) error
	// DeleteConfig removes c and its token lookup.
	DeleteConfig(ctx context.Context, c Config, audit org.AuditEntry) error
	// TouchConfig records a request's time, and when asked the count of people under SCIM
	// raised by delta, without a condition: it is a status, not a rule.
	TouchConfig(ctx context.Context, orgID string, at time.Time, delta int) error

	GetProfile(ctx context.Context, orgID, id string) (Profile, error)
	// ProfileByUserName and ProfileByExternalID find a profile by its unique attributes.
	ProfileByUserName(ctx context.Context, orgID, userName string) (Profile, error)
	ProfileByExternalID(ctx context.Context, orgID, externalID string) (Profile, error)
	// ProfileByRef finds the profile whose Ref is or was account (an invitation's or a
	// member's id), other than the one it is named after.
	ProfileByRef(ctx context.Context, orgID, account string) (Profile, error)
	// PutProfile stores p in place of prev (nil: a new profile), holding p's userName and
	// externalId for it (org.PartAddress when another profile holds either).
	PutProfile(ctx context.Context, prev *Profile, p Profile) error
	ListProfiles(ctx context.Context, orgID string) ([]Profile, error)

	GetGroup(ctx context.Context, orgID, id string) (Group, error)
	GroupByName(ctx context.Context, orgID, displayName string) (Group, error)
	// PutGroup stores g in place of prev (nil: a new group), holding its display name.
	PutGroup(ctx context.Context, prev *Group, g Group) error
	// DeleteGroup removes g and every membership of it.
	DeleteGroup(ctx context.Context, g Group) error
	ListGroups(ctx context.Context, orgID string) ([]Group, error)
	// Members lists the ids of the people in a group.
	Members(ctx context.Context, orgID, groupID string) ([]string, error)
	// MemberOf says which of groupIDs each of people is in.
	MemberOf(ctx context.Context, orgID string, groupIDs, people []string) (map[string][]string, error)
	// SetMembers adds and removes memberships of one group.
	SetMembers(ctx context.Context, orgID, groupID string, add, remove []string) error

	// SetHeldRun makes next the run collecting the organization's held deactivations, if
	// the configuration still names prev (org.PartRecord otherwise).
	SetHeldRun(ctx context.Context, orgID, prev, next string) error
	// HoldRun stores next, a new held run, as the one collecting the organization's held
	// deactivations, in one transaction: if the configuration still names named ("": none),
	// and superseding superseded (nil: none) if that is still held, marking it
	// dirsync.RunSuperseded by next. Either condition failed is org.PartRecord.
	HoldRun(ctx context.Context, named string, superseded *dirsync.Run, next dirsync.Run, audit org.AuditEntry) error

	// CountDeactivation counts one deactivation at now, unless the window's length up to
	// now holds limit already (false: nothing counted). The window slides: a burst across
	// any boundary never lets more than limit through within one window's length.
	CountDeactivation(ctx context.Context, orgID string, now time.Time, window time.Duration, limit int) (bool, error)
	// UncountDeactivation gives back the deactivation counted at at, which was refused or
	// found done already: only deactivations applied use up the window.
	UncountDeactivation(ctx context.Context, orgID string, at time.Time) error
}

// Profile is one SCIM person: the attributes their identity provider sent, kept as given,
// and the account they stand for now (Ref: an invitation, which names the member once
// accepted, or a member). Its ID is the SCIM id: the account's id when it was made, and it
// stays when the account changes (a re-invitation after a withdrawal).
type Profile struct {
	OrgID       string
	ID          string
	Ref         string
	UserName    string
	ExternalID  string
	GivenName   string
	FamilyName  string
	DisplayName string
	// Email is the address the identity provider asked for while the person had no live
	// invitation (withdrawn, or past its expiry): SCIM shows it, and it is the address
	// invited when the person is asked for again. Empty when the account has the address.
	Email string
	// HeldInactive marks a person whose deactivation is held for an admin: SCIM shows them
	// inactive, as the identity provider asked, while the account is still active.
	HeldInactive bool
	// Withdrawn marks a person whose invitation (Ref) SCIM withdrew itself: SCIM invites
	// them again when asked, but never someone whose invitation an admin withdrew.
	Withdrawn    bool
	Created      time.Time
	LastModified time.Time
}

// Group is one group the identity provider pushed.
type Group struct {
	OrgID        string
	ID           string
	DisplayName  string
	ExternalID   string
	Created      time.Time
	LastModified time.Time
}
