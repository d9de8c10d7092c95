package dirsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/internal/connector"
	"gatehouse/internal/egress"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// Directory is an identity provider whose API sync reads the configured groups from, in
// place of export files (see package connector).
type Directory struct {
	// Settings are the provider's, with each group's role, and without the credentials.
	Settings connector.Config
	// Sealed holds the credentials, sealed for the organization by the Service's Sealer;
	// only the API and sync functions can open it.
	Sealed []byte
}

// Sealer encrypts an organization's credentials for storage, and decrypts them.
type Sealer interface {
	Seal(ctx context.Context, orgID string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, orgID string, sealed []byte) ([]byte, error)
}

// DirectoryState is what the last full read of an organization's directory left for the
// next run: Graph's delta links, by group id, and when and with which settings it read.
type DirectoryState struct {
	Settings   string // settingsHash of the configuration read
	FullReadAt time.Time
	DeltaLinks map[string]string
}

// FullReadEvery bounds how long a directory goes without being read in full: the delta
// query tracks membership, not the members' own attributes.
const FullReadEvery = 24 * time.Hour

// DirectoryRequest is the identity provider's settings an admin sends: "provider"
// (microsoft-graph, okta, google-workspace, scim), the provider's own fields, and "groups"
// with each group's "id" and "role". Credentials left out, or sent back as "set", keep the
// stored ones while the provider's address and account stay the same.
type DirectoryRequest struct {
	Provider string
	fields   map[string]json.RawMessage // the rest, as sent
}

// UnmarshalJSON reads the object, keeping the provider's fields for connector.Decode.
func (d *DirectoryRequest) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return org.Invalid("directory", "invalid_type", `directory must be an object such as {"provider": "okta", "domain": "https://acme.okta.com", ...}`)
	}
	if raw, ok := fields["provider"]; ok {
		if err := json.Unmarshal(raw, &d.Provider); err != nil {
			return org.Invalid("directory.provider", "invalid_type", "directory.provider must be a string such as okta")
		}
		delete(fields, "provider")
	}
	d.fields = fields
	return nil
}

// String names the provider alone: the fields may hold credentials.
func (d DirectoryRequest) String() string { return "directory request for " + d.Provider }

// provider is the named provider.
func (d *DirectoryRequest) provider() connector.Provider {
	return connector.Provider(strings.TrimSpace(d.Provider))
}

// directory checks and seals the directory settings of a configuration request, adding its
// problems to verr (which may hold the rest of the request's). A credential the request
// leaves out is taken from the stored configuration, if the provider's endpoint is the same.
func (s *Service) directory(ctx context.Context, orgID string, req *DirectoryRequest, verr *org.ValidationError) (*Directory, error) {
	if verr == nil {
		verr = &org.ValidationError{}
	}
	raw, err := json.Marshal(req.fields)
	if err != nil {
		return nil, fmt.Errorf("encode directory settings: %w", err)
	}
	cfg, err := connector.Decode(req.Provider, raw)
	if err != nil {
		mergePrefixed(verr, "directory.", err)
		return nil, verr
	}
	if s.sealer == nil {
		verr.Add("directory", "not_available", "this deployment has no key to keep identity-provider credentials with; sync from export files instead")
		return nil, verr
	}
	secrets := connector.SecretsOf(cfg)
	missing := false
	for _, sec := range secrets {
		missing = missing || sec.IsZero() || strings.TrimSpace(sec.Reveal()) == connector.Set
	}
	if missing {
		kept, err := s.storedSecrets(ctx, orgID, cfg)
		if err != nil {
			return nil, err
		}
		for name, sec := range secrets {
			if (sec.IsZero() || strings.TrimSpace(sec.Reveal()) == connector.Set) && !kept[name].IsZero() {
				secrets[name] = kept[name]
			}
		}
		cfg = connector.WithSecrets(cfg, secrets)
	}
	mergePrefixed(verr, "directory.", cfg.Validate())
	for i, g := range connector.GroupsOf(cfg) {
		if r := org.Role(g.Role); r != "" && !r.Valid() {
			verr.Add(fmt.Sprintf("directory.groups[%d].role", i), "invalid_role", "role must be one of admin, member, viewer")
		}
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	plain := map[string]string{}
	for name, sec := range secrets {
		plain[name] = sec.Reveal()
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return nil, fmt.Errorf("encode directory credentials: %w", err)
	}
	sealed, err := s.sealer.Seal(ctx, orgID, b)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("seal directory credentials: %w", err)
	}
	return &Directory{Settings: connector.WithoutSecrets(cfg), Sealed: sealed}, nil
}

// storedSecrets are the credentials of the organization's stored directory, when it is of
// cfg's provider and endpoint; none otherwise.
func (s *Service) storedSecrets(ctx context.Context, orgID string, cfg connector.Config) (map[string]connector.Secret, error) {
	prev, err := s.store.GetSyncConfig(ctx, orgID)
	switch {
	case errors.Is(err, org.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read sync configuration: %w", err)
	case prev.Directory == nil || connector.Endpoint(prev.Directory.Settings) != connector.Endpoint(cfg):
		return nil, nil
	}
	full, err := s.unseal(ctx, orgID, prev.Directory)
	switch {
	case errors.Is(err, org.ErrUnavailable):
		return nil, err
	case err != nil:
		// Sealed under another key (a new key file, a table restored into another stack):
		// nothing usable is stored, so the credentials must be sent again.
		s.log.WarnContext(ctx, "stored directory credentials cannot be opened; they must be sent again", "org", orgID, "err", err)
		return nil, nil
	}
	return connector.SecretsOf(full), nil
}

// unseal is d's settings with their credentials.
func (s *Service) unseal(ctx context.Context, orgID string, d *Directory) (connector.Config, error) {
	if s.sealer == nil {
		return nil, fmt.Errorf("open directory credentials of %s: no key is configured: %w", orgID, org.ErrUnavailable)
	}
	b, err := s.sealer.Open(ctx, orgID, d.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open directory credentials of %s: %w", orgID, err)
	}
	defer clear(b)
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, fmt.Errorf("decode directory credentials of %s: %w", orgID, err)
	}
	secrets := make(map[string]connector.Secret, len(plain))
	for name, v := range plain {
		secrets[name] = connector.NewSecret(v)
	}
	return connector.WithSecrets(d.Settings, secrets), nil
}

// mergePrefixed adds err's field problems to verr with prefix before each field name.
func mergePrefixed(verr *org.ValidationError, prefix string, err error) {
	var v *org.ValidationError
	if !errors.As(err, &v) {
		verr.Merge(err)
		return
	}
	for _, f := range v.Fields {
		verr.Add(prefix+f.Field, f.Code, f.Message)
	}
}

// settingsHash identifies a configuration for DirectoryState: what it says (its directory's
// settings without credentials, the default role, the guardrail) and when it was saved, so
// that any change to it, a move to files and back included, is followed by a full read.
func settingsHash(c Config) string {
	settings, _ := json.Marshal(c.Directory.Settings)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%v\x00%d\x00%v\x00%v\x00%s", c.Directory.Settings.Provider(), settings, c.Role,
		c.RemovalShare, c.RemovalFloor, c.SendEmail, c.UseUPNWhenNoMail, c.UpdatedAt.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}

// connect opens the connector of c's directory.
func (s *Service) connect(ctx context.Context, c Config) (connector.Connector, error) {
	cfg, err := s.unseal(ctx, c.OrgID, c.Directory)
	if err != nil {
		return nil, err
	}
	client := s.http
	if client == nil {
		return nil, fmt.Errorf("read directory of %s: no HTTP client for identity providers is configured: %w", c.OrgID, org.ErrUnavailable)
	}
	return connector.New(cfg, connector.Options{HTTPClient: client, Logger: s.log, Now: s.now})
}

// fetched is what a full read of a directory gave besides its people.
type fetched struct {
	deltaLinks map[string]string
}

// readDirectory reads every page of every configured group, then merges them into one
// snapshot in which each person has the role their groups give.
func (s *Service) readDirectory(ctx context.Context, c Config) (*idp.Snapshot, fetched, error) {
	conn, err := s.connect(ctx, c)
	if err != nil {
		return nil, fetched{}, err
	}
	res, err := conn.Fetch(ctx)
	if err != nil {
		return nil, fetched{}, directoryError(err)
	}
	groups := connector.GroupsOf(c.Directory.Settings)
	parts := make([]idp.Part, len(res.Groups))
	var mappings []org.RoleMapping
	info := fetched{deltaLinks: map[string]string{}}
	for i, g := range res.Groups {
		snap, err := res.Snapshot(i, c.parseOptions())
		label := "group " + g.ID
		if g.ID == "" {
			label = "the users"
		}
		if err != nil {
			var perr *idp.ParseError
			if errors.As(err, &perr) {
				return nil, fetched{}, &ExportError{Reason: string(res.Provider) + " " + label + ": " + perr.Error(), err: err}
			}
			return nil, fetched{}, fmt.Errorf("read %s %s: %w", res.Provider, label, err)
		}
		parts[i] = idp.Part{Group: label, Snapshot: snap}
		if g.DeltaLink != "" {
			info.deltaLinks[g.ID] = g.DeltaLink
		}
		if i < len(groups) && groups[i].Role != "" {
			mappings = append(mappings, org.RoleMapping{Group: label, Role: org.Role(groups[i].Role)})
		}
	}
	snap, err := idp.Merge(parts)
	if err != nil {
		return nil, fetched{}, fmt.Errorf("merge the groups of %s: %w", res.Provider, err)
	}
	if len(mappings) > 0 {
		// Only groups with roles manage roles; without any, roles are left alone, as for
		// files without roles.
		giveRoles(snap, mappings, c.Role)
	}
	return snap, info, nil
}

// giveRoles sets each present person's role by the one rule (org.RoleFromGroups) from the
// groups they are in.
func giveRoles(snap *idp.Snapshot, mappings []org.RoleMapping, def org.Role) {
	for i := range snap.People {
		snap.People[i].Role = string(org.RoleFromGroups(snap.People[i].Groups, mappings, def))
	}
}

// directoryError makes a connector's failure a failed run's reason: the connector's error
// names the provider, group and page and says what the provider's answer means, never a
// credential.
func directoryError(err error) error {
	var cerr *connector.Error
	if errors.As(err, &cerr) {
		return &ExportError{Reason: cerr.Error() + "; nothing was applied", err: err}
	}
	return err
}

// unchanged asks Graph whether any configured group's membership changed since the last
// full read, for a scheduled run: true when none did and the last full read, with these
// settings, is less than FullReadEvery old. It stores the new delta links then. Any doubt
// (another provider, no links, an error) is false: read in full.
func (s *Service) unchanged(ctx context.Context, c Config) bool {
	if c.Directory == nil || c.Directory.Settings.Provider() != connector.ProviderGraph {
		return false
	}
	st, err := s.store.GetDirectoryState(ctx, c.OrgID)
	groups := connector.GroupsOf(c.Directory.Settings)
	if err != nil || st.Settings != settingsHash(c) || s.nowUTC().Sub(st.FullReadAt) >= FullReadEvery || len(st.DeltaLinks) != len(groups) {
		return false
	}
	conn, err := s.connect(ctx, c)
	if err != nil {
		return false
	}
	graph, ok := conn.(*connector.Graph)
	if !ok {
		return false
	}
	next := make(map[string]string, len(groups))
	for _, g := range groups {
		link := st.DeltaLinks[g.ID]
		d, err := graph.CheckDelta(ctx, g.ID, link)
		if err != nil {
			s.log.InfoContext(ctx, "graph delta check failed; reading in full", "org", c.OrgID, "group", g.ID, "err", err)
			return false
		}
		if d.Changed {
			return false
		}
		next[g.ID] = d.DeltaLink
	}
	st.DeltaLinks = next
	if err := s.store.PutDirectoryState(ctx, c.OrgID, st); err != nil {
		s.log.WarnContext(ctx, "graph delta links not stored", "org", c.OrgID, "err", err)
	}
	return true
}

// TestDirectory signs in to the organization's configured identity provider, or the one of
// req when given (with the stored credentials where it leaves them out), and reads the
// first page of each group, for an admin checking the settings. It stores nothing.
func (s *Service) TestDirectory(ctx context.Context, p org.Principal, req *DirectoryRequest) (*connector.Report, error) {
	if err := p.Require(org.RoleAdmin, "testing directory settings"); err != nil {
		return nil, err
	}
	var dir *Directory
	if req != nil {
		d, err := s.directory(ctx, p.OrgID, req, nil)
		if err != nil {
			return nil, err
		}
		dir = d
	} else {
		c, err := s.config(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		if c.Directory == nil {
			return nil, org.Invalid("directory", "required", "the sync configuration reads export files; send the directory settings to test")
		}
		dir = c.Directory
	}
	conn, err := s.connect(ctx, Config{OrgID: p.OrgID, Directory: dir})
	if err != nil {
		return nil, err
	}
	rep, err := conn.Test(ctx)
	if err != nil {
		return nil, directoryError(err)
	}
	return rep, nil
}

// WithDirectories lets organizations sync straight from their identity providers: their
// credentials are kept sealed by sealer (nil refuses directory configurations), and the
// providers are reached through an egress client, public https hosts only, or also
// http://127.0.0.1 fakes when local (the local stack and tests; never from input).
func WithDirectories(sealer Sealer, local bool) Option {
	return func(s *Service) {
		s.sealer = sealer
		s.http = egress.NewClient(egress.Options{LocalStack: local})
	}
}
