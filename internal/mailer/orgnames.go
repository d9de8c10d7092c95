package mailer

import (
	"context"
	"sync"
	"time"
)

// orgNames caches organization names for a few minutes: every email shows one, and they
// rarely change.
type orgNames struct {
	mu    sync.Mutex
	names map[string]orgName
}

type orgName struct {
	name    string
	fetched time.Time
}

// orgNameTTL is how long a cached organization name is used.
const orgNameTTL = 5 * time.Minute

// orgName is an organization's name, from the cache when fresh.
func (m *Mailer) orgName(ctx context.Context, orgID string, now time.Time) (string, error) {
	m.orgs.mu.Lock()
	c, ok := m.orgs.names[orgID]
	m.orgs.mu.Unlock()
	if ok && now.Sub(c.fetched) < orgNameTTL {
		return c.name, nil
	}
	o, err := m.store.GetOrg(ctx, orgID)
	if err != nil {
		return "", err
	}
	m.orgs.mu.Lock()
	m.orgs.names[orgID] = orgName{name: o.Name, fetched: now}
	m.orgs.mu.Unlock()
	return o.Name, nil
}
