package scim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gatehouse/internal/scim"
)

// fakeBackend is an in-memory scim.Backend with the contract a real one must keep:
// uniqueness of userName, address and externalId (active or not), a stable order (creation
// order), member ids that must name users, and one call per group change.
type fakeBackend struct {
	mu    sync.Mutex
	now   time.Time
	ids   []string // ids to hand out first, in order, as the fixtures expect
	next  int
	users []scim.User
	byID  map[string]int // index into users; users are never removed
	// holders maps each held userName, address and externalId to its user's id.
	holders map[string]string
	groups  []fakeGroup
	calls   map[string]int
	// fail, when set, is returned by every call: a backend failure.
	fail error
}

type fakeGroup struct {
	scim.Group
	members []string
}

func newFake(ids ...string) *fakeBackend {
	return &fakeBackend{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), ids: ids, calls: map[string]int{}, byID: map[string]int{}, holders: map[string]string{}}
}

// newID hands out the fixture's ids, then generated ones.
func (f *fakeBackend) newID() string {
	f.next++
	if f.next <= len(f.ids) {
		return f.ids[f.next-1]
	}
	return fmt.Sprintf("id-%06d", f.next)
}

// enter counts a call and returns the injected failure; the caller holds f.mu.
func (f *fakeBackend) enter(name string) error {
	f.calls[name]++
	return f.fail
}

// setNow sets the clock that stamps created and lastModified.
func (f *fakeBackend) setNow(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *fakeBackend) callCount(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *fakeBackend) ListUsers(_ context.Context, q scim.UserQuery) ([]scim.User, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("ListUsers"); err != nil {
		return nil, 0, err
	}
	candidates := f.users
	if q.Filter.UserName != "" {
		// The lookup every client makes before a create is by userName: answer it from the
		// index, as a real store would.
		candidates = nil
		if id, ok := f.holders["userName:"+strings.ToLower(q.Filter.UserName)]; ok {
			candidates = f.users[f.byID[id] : f.byID[id]+1]
		}
	}
	var match []scim.User
	for _, u := range candidates {
		if q.Filter.Matches(u) {
			match = append(match, u)
		}
	}
	return window(match, q.Page), len(match), nil
}

func window[T any](all []T, p scim.Page) []T {
	if p.Offset >= len(all) {
		return nil
	}
	return slices.Clone(all[p.Offset:min(len(all), p.Offset+p.Count)])
}

func (f *fakeBackend) GetUser(_ context.Context, id string) (scim.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GetUser"); err != nil {
		return scim.User{}, err
	}
	i := f.user(id)
	if i < 0 {
		return scim.User{}, fmt.Errorf("get user %s: %w", id, scim.ErrNotFound)
	}
	return f.users[i], nil
}

func (f *fakeBackend) user(id string) int {
	if i, ok := f.byID[id]; ok {
		return i
	}
	return -1
}

// holdings are the unique keys u holds.
func holdings(u scim.User) []string {
	keys := []string{"userName:" + strings.ToLower(u.UserName), "email:" + strings.ToLower(u.Email)}
	if u.ExternalID != "" {
		keys = append(keys, "externalId:"+u.ExternalID)
	}
	return keys
}

// taken reports whether someone other than id holds u's userName, address or externalId.
func (f *fakeBackend) taken(u scim.User, id string) bool {
	for _, k := range holdings(u) {
		if h, ok := f.holders[k]; ok && h != id {
			return true
		}
	}
	return false
}

// hold moves the unique keys from before (when not nil) to after.
func (f *fakeBackend) hold(before *scim.User, after scim.User) {
	if before != nil {
		for _, k := range holdings(*before) {
			delete(f.holders, k)
		}
	}
	for _, k := range holdings(after) {
		f.holders[k] = after.ID
	}
}

func (f *fakeBackend) CreateUser(_ context.Context, u scim.User) (scim.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("CreateUser"); err != nil {
		return scim.User{}, err
	}
	if f.taken(u, "") {
		return scim.User{}, scim.WithDetail(fmt.Errorf("create user %s: %w", u.UserName, scim.ErrUniqueness), "User already exists in the database.")
	}
	u.ID, u.Created, u.LastModified = f.newID(), f.now, f.now
	u.Email = strings.ToLower(u.Email)
	f.hold(nil, u)
	f.byID[u.ID] = len(f.users)
	f.users = append(f.users, u)
	return u, nil
}

func (f *fakeBackend) UpdateUser(_ context.Context, id string, c scim.UserChange) (scim.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("UpdateUser"); err != nil {
		return scim.User{}, err
	}
	i := f.user(id)
	if i < 0 {
		return scim.User{}, fmt.Errorf("update user %s: %w", id, scim.ErrNotFound)
	}
	u := c.Apply(f.users[i])
	u.Email = strings.ToLower(u.Email)
	if f.taken(u, id) {
		return scim.User{}, fmt.Errorf("update user %s: %w", id, scim.ErrUniqueness)
	}
	u.LastModified = f.now
	f.hold(&f.users[i], u)
	f.users[i] = u
	return u, nil
}
