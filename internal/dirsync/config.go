package dirsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"gatehouse/internal/connector"
	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// Defaults of a sync configuration.
const (
	DefaultRemovalShare = 0.10
	DefaultRemovalFloor = 5
	// MaxSources bounds the page files of one export.
	MaxSources = 100
)

// Config is how an organization syncs: where its export is (files, or an identity
// provider's API), how to read it, and what the people it brings in get.
type Config struct {
	OrgID string
	// Sources are the export's files: s3://bucket/key or file:///path; several for a paged
	// export. Empty when Directory is set.
	Sources []Source
	// Directory is the identity provider whose API sync reads instead; nil for files.
	Directory    *Directory
	Format       idp.Format
	Role         org.Role // of invited people whose groups or sources give none
	SendEmail    bool     // whether invitations are emailed
	RemovalShare float64  // a plan removing more than this share of synced people is held...
	RemovalFloor int      // ...unless it removes no more than this many
	Enabled      bool     // whether the schedule runs it
	// UseUPNWhenNoMail reads a Microsoft Entra user without mail at their user principal
	// name (idp.ParseOptions); off, such users are skipped, never guessed.
	UseUPNWhenNoMail bool
	UpdatedAt        time.Time
	UpdatedBy        org.Actor
}

// Source is one file of an export, and the role its people get.
type Source struct {
	URI string
	// Role is the role of the people in this file (the highest of their files wins); ""
	// leaves roles alone and invites with the configuration's Role.
	Role org.Role
}

// MarshalJSON writes a source without a role as its URI alone, as configurations were
// written before sources had roles, and one with a role as {"uri", "role"}.
func (s Source) MarshalJSON() ([]byte, error) {
	if s.Role == "" {
		return json.Marshal(s.URI)
	}
	return json.Marshal(struct {
		URI  string `json:"uri"`
		Role string `json:"role"`
	}{s.URI, string(s.Role)})
}

// UnmarshalJSON reads a URI, or an object {"uri", "role"}; the role is checked with the
// rest of the configuration.
func (s *Source) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(data, &s.URI); err == nil {
		s.Role = ""
		return nil
	}
	var obj struct {
		URI  string `json:"uri"`
		Role string `json:"role"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return errors.New(`a source is an s3:// or file:// URI, or {"uri": "...", "role": "admin"}`)
	}
	s.URI, s.Role = obj.URI, org.Role(obj.Role)
	return nil
}

// SourcesOf is a list of sources without roles, one per URI.
func SourcesOf(uris ...string) []Source {
	out := make([]Source, len(uris))
	for i, u := range uris {
		out[i] = Source{URI: u}
	}
	return out
}

// ConfigRequest is what an admin sends to configure sync; absent fields take the defaults.
// Sources and Directory are one or the other.
type ConfigRequest struct {
	Sources []Source `json:"sources"`
	// Directory is the identity provider's settings: {"provider": "okta", ...} with the
	// provider's fields and "groups"; see DirectoryRequest.
	Directory    *DirectoryRequest `json:"directory"`
	Format       string            `json:"format"`
	Role         string            `json:"role"`
	SendEmail    *bool             `json:"sendEmail"`
	RemovalShare *float64          `json:"removalShare"`
	RemovalFloor *int              `json:"removalFloor"`
	Enabled      *bool             `json:"enabled"`
	// UseUPNWhenNoMail: see Config.
	UseUPNWhenNoMail *bool `json:"useUpnWhenNoMail"`
}

// validate checks the request, reporting every field problem at once. The directory's
// settings are checked by Configure, which knows the stored credentials.
func (r ConfigRequest) validate(orgID, exportsDir string) (Config, error) {
	var verr org.ValidationError
	c := Config{SendEmail: true, RemovalShare: DefaultRemovalShare, RemovalFloor: DefaultRemovalFloor, Enabled: true}
	switch {
	case r.Directory != nil && len(r.Sources) > 0:
		verr.Add("directory", "conflict", "give sources (export files) or directory (an identity provider's API), not both")
	case r.Directory != nil:
	case len(r.Sources) == 0:
		verr.Add("sources", "required", "sources must list the export's location, such as s3://exports/"+orgID+
			"/okta-group.csv, unless directory names an identity provider to read")
	case len(r.Sources) > MaxSources:
		verr.Add("sources", "too_many", fmt.Sprintf("sources may list at most %d files", MaxSources))
	}
	for i, src := range r.Sources {
		if err := checkSource(orgID, src.URI, exportsDir); err != nil {
			verr.Add(fmt.Sprintf("sources[%d]", i), "invalid_source", err.Error())
			continue
		}
		if src.Role != "" && !src.Role.Valid() {
			verr.Add(fmt.Sprintf("sources[%d].role", i), "invalid_role", "role must be one of admin, member, viewer")
			continue
		}
		c.Sources = append(c.Sources, src)
	}
	f, err := idp.ParseFormat(r.Format)
	switch {
	case err != nil:
		verr.Add("format", "invalid_format", err.Error())
	case r.Directory != nil && strings.TrimSpace(r.Format) != "" && f != r.Directory.provider().Format():
		verr.Add("format", "invalid_format", fmt.Sprintf("format must be left out with a directory: %s is read as %s",
			r.Directory.Provider, r.Directory.provider().Format()))
	}
	c.Format = f
	role, err := org.ParseRole("role", r.Role, org.RoleMember)
	verr.Merge(err)
	c.Role = role
	if r.SendEmail != nil {
		c.SendEmail = *r.SendEmail
	}
	if r.RemovalShare != nil {
		if v := *r.RemovalShare; v <= 0 || v > 1 {
			verr.Add("removalShare", "invalid_share", "removalShare must be more than 0 and at most 1, such as 0.1 for 10%")
		}
		c.RemovalShare = *r.RemovalShare
	}
	if r.RemovalFloor != nil {
		if v := *r.RemovalFloor; v < 1 || v > 100000 {
			verr.Add("removalFloor", "invalid_floor", "removalFloor must be between 1 and 100000")
		}
		c.RemovalFloor = *r.RemovalFloor
	}
	if r.Enabled != nil {
		c.Enabled = *r.Enabled
	}
	if r.UseUPNWhenNoMail != nil {
		c.UseUPNWhenNoMail = *r.UseUPNWhenNoMail
	}
	if err := verr.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkSource accepts s3://bucket/<orgID>/key and, in the local stack only, file:///path
// inside its exports folder (exportsDir; empty in AWS, where file:// is refused). An S3 export
// must sit under its organization's own prefix: the bucket is shared, and an admin of one
// organization must never be able to read another's export through sync. A file export must
// lie inside the exports folder, so no admin can make the local stack read any other file.
func checkSource(orgID, src, exportsDir string) error {
	u, err := url.Parse(src)
	if err != nil {
		return fmt.Errorf("%q is not a URL", src)
	}
	switch u.Scheme {
	case "s3":
		if u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("%q must name a bucket and a key, such as s3://exports/%s/okta-group.csv", src, orgID)
		}
		if !strings.HasPrefix(u.Path, "/"+orgID+"/") || strings.Contains(u.Path, "/../") {
			return fmt.Errorf("%q must be under the organization's own prefix, such as s3://%s/%s/okta-group.csv", src, u.Host, orgID)
		}
	case "file":
		switch {
		case exportsDir == "":
			return fmt.Errorf("%q: file:// sources work only in the local stack; upload the export to S3 and use s3://", src)
		case u.Host != "" || !filepath.IsAbs(u.Path):
			return fmt.Errorf("%q must be an absolute path inside the exports folder, such as file://%s", src, filepath.Join(exportsDir, "okta-group.csv"))
		case !inside(exportsDir, u.Path):
			return fmt.Errorf("%q must lie inside the exports folder %s", src, exportsDir)
		}
	default:
		return fmt.Errorf("%q must start with s3:// (in AWS) or file:// (locally)", src)
	}
	return nil
}

// inside reports whether path names something inside the folder dir (both absolute).
func inside(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Configure stores the caller's organization's sync configuration.
func (s *Service) Configure(ctx context.Context, p org.Principal, req ConfigRequest) (Config, error) {
	if err := p.Require(org.RoleAdmin, "configuring directory sync"); err != nil {
		return Config{}, err
	}
	c, err := req.validate(p.OrgID, s.exportsDir)
	var verr *org.ValidationError
	if err != nil && !errors.As(err, &verr) {
		return Config{}, err
	}
	if req.Directory != nil {
		var dir *Directory
		dir, err = s.directory(ctx, p.OrgID, req.Directory, verr)
		if err != nil {
			return Config{}, err
		}
		c.Directory, c.Format = dir, dir.Settings.Provider().Format()
	} else if err != nil {
		return Config{}, err
	}
	c.OrgID, c.UpdatedAt, c.UpdatedBy = p.OrgID, s.nowUTC(), p.Actor
	details := map[string]string{"sources": fmt.Sprint(len(c.Sources)), "format": string(c.Format)}
	if c.Directory != nil {
		details = map[string]string{"provider": string(c.Directory.Settings.Provider()), "groups": fmt.Sprint(len(connector.GroupsOf(c.Directory.Settings)))}
	}
	a := s.audit(p, c.UpdatedAt, ActionConfigured, "sync", p.OrgID, details)
	if err := s.store.PutSyncConfig(ctx, c, a); err != nil {
		if org.Refused(err, org.PartOrg) {
			err = fmt.Errorf("organization %s: %w", c.OrgID, org.ErrNotFound)
		}
		return Config{}, fmt.Errorf("store sync configuration: %w", err)
	}
	return c, nil
}

// Config returns the caller's organization's sync configuration, or ErrNotConfigured.
func (s *Service) Config(ctx context.Context, p org.Principal) (Config, error) {
	if err := p.Require(org.RoleAdmin, "reading the sync configuration"); err != nil {
		return Config{}, err
	}
	c, err := s.store.GetSyncConfig(ctx, p.OrgID)
	if errors.Is(err, org.ErrNotFound) {
		return Config{}, ErrNotConfigured
	}
	if err != nil {
		return Config{}, fmt.Errorf("read sync configuration: %w", err)
	}
	return c, nil
}

// parseOptions are how c's exports are read.
func (c Config) parseOptions() idp.ParseOptions {
	return idp.ParseOptions{UseUPNWhenNoMail: c.UseUPNWhenNoMail}
}
