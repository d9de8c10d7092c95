package scim

import (
	"context"
	"strings"
	"time"
)

// Backend is what the SCIM handler needs from the organization behind it. Every call is
// scoped to the organization the caller authenticated for; the backend reads it from ctx.
//
// Errors: return (wrapped) ErrNotFound, ErrUniqueness, ErrMutability, ErrInvalidValue,
// ErrTooMany or ErrUnavailable, optionally through WithDetail to give the client a sentence;
// anything else is answered as a generic 500 and logged.
type Backend interface {
	// ListUsers returns the page of users that match q.Filter, in a stable order (the same
	// for every call while nothing changes), and how many match in all.
	ListUsers(ctx context.Context, q UserQuery) ([]User, int, error)
	// GetUser returns one user, pending or member, active or not; ErrNotFound if unknown.
	GetUser(ctx context.Context, id string) (User, error)
	// CreateUser adds a person (u.ID is empty) and returns them with their new ID and
	// timestamps. It must refuse with ErrUniqueness when u.UserName, u.Email or a non-empty
	// u.ExternalID is already held by someone, active or not: that 409 is how a client's
	// retried POST is kept from creating a second person.
	CreateUser(ctx context.Context, u User) (User, error)
	// UpdateUser changes what c names (and nothing else) and returns the user as they now
	// are. A change to what the user already is must succeed. Active false deactivates (a
	// pending invitation stops being usable); active true reactivates.
	UpdateUser(ctx context.Context, id string, c UserChange) (User, error)

	// ListGroups returns the page of groups that match q.Filter, in a stable order, and
	// how many match in all; members only when q.WithMembers.
	ListGroups(ctx context.Context, q GroupQuery) ([]Group, int, error)
	// GetGroup returns one group, with its members only when withMembers.
	GetGroup(ctx context.Context, id string, withMembers bool) (Group, error)
	// CreateGroup adds a group (g.ID is empty) with the members g lists by user ID.
	CreateGroup(ctx context.Context, g Group) (Group, error)
	// UpdateGroup applies c in one call: however many members one request adds or removes,
	// they arrive here together. c may restate what the group already is (a PUT's display
	// name); removing a user who is not a member is not an error; a member ID that names no
	// user is ErrInvalidValue; an unknown group is ErrNotFound.
	UpdateGroup(ctx context.Context, id string, c GroupChange) error
	// DeleteGroup removes a group (not its members' accounts).
	DeleteGroup(ctx context.Context, id string) error
}

// User is a person of the organization as SCIM sees them: a pending invitation or a member,
// with one stable ID. The backend keeps UserName, ExternalID and the name parts exactly as
// given, since clients compare them with what they sent.
type User struct {
	ID          string
	UserName    string
	ExternalID  string
	GivenName   string
	FamilyName  string
	DisplayName string
	// Email is the person's address: the one the organization invites and knows them by.
	// It is answered as the user's only email, of type "work" and primary.
	Email        string
	Active       bool
	Created      time.Time
	LastModified time.Time
}

// UserQuery selects a page of users.
type UserQuery struct {
	Filter UserFilter
	Page   Page
}

// UserFilter selects users by equality; an empty field selects everyone. UserName and
// Email compare case-insensitively, ID and ExternalID exactly. The handler never sends a
// field that must equal "" (it answers such filters itself with no results).
type UserFilter struct {
	ID         string
	UserName   string
	ExternalID string
	Email      string
}

// Matches reports whether u passes f, the meaning every backend must give a filter.
func (f UserFilter) Matches(u User) bool {
	return (f.ID == "" || f.ID == u.ID) &&
		(f.UserName == "" || strings.EqualFold(f.UserName, u.UserName)) &&
		(f.ExternalID == "" || f.ExternalID == u.ExternalID) &&
		(f.Email == "" || strings.EqualFold(f.Email, u.Email))
}

// UserChange is what one request changes about a user; nil fields stay as they are. The
// handler computes it against the user it read, so each non-nil field differs from that.
type UserChange struct {
	Active      *bool
	Email       *string
	UserName    *string
	ExternalID  *string
	GivenName   *string
	FamilyName  *string
	DisplayName *string
}

// IsZero reports whether c changes nothing.
func (c UserChange) IsZero() bool { return c == UserChange{} }

// Apply returns u with c applied, for backends (and fakes) that store whole users.
func (c UserChange) Apply(u User) User {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if c.Active != nil {
		u.Active = *c.Active
	}
	set(&u.Email, c.Email)
	set(&u.UserName, c.UserName)
	set(&u.ExternalID, c.ExternalID)
	set(&u.GivenName, c.GivenName)
	set(&u.FamilyName, c.FamilyName)
	set(&u.DisplayName, c.DisplayName)
	return u
}

// Page is the slice of a list a client asked for.
type Page struct {
	// Offset is the zero-based position of the first result (SCIM's startIndex minus one).
	Offset int
	// Count is the most results to return, at most MaxCount; 0 asks for the total only.
	Count int
}

// Group is a group of the organization's users; membership maps to roles in the domain.
type Group struct {
	ID          string
	DisplayName string
	ExternalID  string
	// Members are the users in the group; Display is the backend's name for each (its
	// display name or user name), since SCIM's member display is read-only.
	Members      []Member
	Created      time.Time
	LastModified time.Time
}

// Member is one user in a group.
type Member struct {
	Value   string // the user's ID
	Display string
}

// GroupQuery selects a page of groups.
type GroupQuery struct {
	Filter GroupFilter
	Page   Page
	// WithMembers asks for each group's members; clients that only look a group up by
	// name ask without them.
	WithMembers bool
}

// GroupFilter selects groups by equality; an empty field selects every group. DisplayName
// compares case-insensitively, the rest exactly; Member selects the groups that user is in.
type GroupFilter struct {
	ID          string
	DisplayName string
	ExternalID  string
	Member      string
}

// Matches reports whether g, with its members, passes f.
func (f GroupFilter) Matches(g Group) bool {
	if f.Member != "" && !hasMember(g.Members, f.Member) {
		return false
	}
	return (f.ID == "" || f.ID == g.ID) &&
		(f.DisplayName == "" || strings.EqualFold(f.DisplayName, g.DisplayName)) &&
		(f.ExternalID == "" || f.ExternalID == g.ExternalID)
}

func hasMember(members []Member, id string) bool {
	for _, m := range members {
		if m.Value == id {
			return true
		}
	}
	return false
}

// GroupChange is what one request changes about a group; nil fields stay as they are.
// When ReplaceMembers is set the members become exactly that list and Add and Remove are
// empty; otherwise Add joins and Remove leaves, and no ID is in both.
type GroupChange struct {
	DisplayName    *string
	ExternalID     *string
	Add            []string
	Remove         []string
	ReplaceMembers *[]string
}

// IsZero reports whether c changes nothing.
func (c GroupChange) IsZero() bool {
	return c.DisplayName == nil && c.ExternalID == nil && len(c.Add) == 0 && len(c.Remove) == 0 && c.ReplaceMembers == nil
}
