package dirsync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"gatehouse/internal/idp"
	"gatehouse/internal/org"
)

// ExportError is a problem with the export itself (missing, unreadable, malformed, empty),
// which a run reports as failed. Reason is fit to show an admin; the cause stays wrapped.
type ExportError struct {
	Reason string
	err    error
}

func (e *ExportError) Error() string { return e.Reason }

// Unwrap gives the cause, such as an *idp.ParseError or fs.ErrNotExist.
func (e *ExportError) Unwrap() error { return e.err }

// readAndPlan reads the export and plans it against the organization's accounts.
func (s *Service) readAndPlan(ctx context.Context, p org.Principal, c Config) (*idp.Snapshot, idp.Plan, map[string]idp.AccountKind, error) {
	snap, _, err := s.read(ctx, c)
	if err != nil {
		return nil, idp.Plan{}, nil, err
	}
	plan, kinds, err := s.planSnapshot(ctx, p, c, snap)
	return snap, plan, kinds, err
}

// planSnapshot plans snap against the organization's accounts, putting a snapshot that
// cannot be planned in words.
func (s *Service) planSnapshot(ctx context.Context, p org.Principal, c Config, snap *idp.Snapshot) (idp.Plan, map[string]idp.AccountKind, error) {
	plan, kinds, err := s.plan(ctx, p, c, snap)
	var perr *idp.ParseError
	switch {
	case errors.Is(err, idp.ErrNobodyPresent):
		err = &ExportError{Reason: "the export lists nobody who is present, so nothing was applied", err: err}
	case errors.As(err, &perr):
		// The planner tells an export cut off in a way only the accounts show.
		err = &ExportError{Reason: perr.Error(), err: err}
	}
	return plan, kinds, err
}

// read reads the organization's people: from its directory, or from its export files.
// Files without roles are one export; files with roles are one export per role, merged, and
// each person has the highest role of the files they are in.
func (s *Service) read(ctx context.Context, c Config) (*idp.Snapshot, fetched, error) {
	if c.Directory != nil {
		return s.readDirectory(ctx, c)
	}
	if !slices.ContainsFunc(c.Sources, func(src Source) bool { return src.Role != "" }) {
		snap, err := s.readFiles(ctx, c, c.Sources)
		return snap, fetched{}, err
	}
	var roles []org.Role
	byRole := map[org.Role][]Source{}
	for _, src := range c.Sources {
		role := cmp.Or(src.Role, c.Role)
		if _, ok := byRole[role]; !ok {
			roles = append(roles, role)
		}
		byRole[role] = append(byRole[role], src)
	}
	parts := make([]idp.Part, len(roles))
	mappings := make([]org.RoleMapping, len(roles))
	for i, role := range roles {
		label := "the " + string(role) + " export"
		snap, err := s.readFiles(ctx, c, byRole[role])
		var bad *ExportError
		if errors.As(err, &bad) && len(roles) > 1 {
			bad.Reason = label + ": " + bad.Reason
		}
		if err != nil {
			return nil, fetched{}, err
		}
		parts[i], mappings[i] = idp.Part{Group: label, Snapshot: snap}, org.RoleMapping{Group: label, Role: role}
	}
	snap, err := idp.Merge(parts)
	if err != nil {
		return nil, fetched{}, &ExportError{Reason: err.Error(), err: err}
	}
	giveRoles(snap, mappings, c.Role)
	return snap, fetched{}, nil
}

// readFiles parses every page of an export as one snapshot, opening each page only when
// the parser reaches it.
func (s *Service) readFiles(ctx context.Context, c Config, sources []Source) (*idp.Snapshot, error) {
	pages := make([]io.Reader, len(sources))
	opened := make([]*lazyPage, len(sources))
	for i, src := range sources {
		// Stored configurations are checked again: a rule may have tightened since.
		if err := checkSource(c.OrgID, src.URI, s.exportsDir); err != nil {
			return nil, &ExportError{Reason: err.Error(), err: err}
		}
		opened[i] = &lazyPage{ctx: ctx, open: s.open, location: src.URI}
		pages[i] = opened[i]
	}
	defer func() {
		for _, pg := range opened {
			pg.close()
		}
	}()
	snap, err := idp.ParseWith(c.parseOptions(), c.Format, pages...)
	for _, pg := range opened {
		if pg.err != nil {
			return nil, s.openError(ctx, pg.location, pg.err)
		}
	}
	var perr *idp.ParseError
	if errors.As(err, &perr) {
		return nil, &ExportError{Reason: perr.Error(), err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read export: %w", err)
	}
	return snap, nil
}

// openError says why an export could not be opened, without the storage service's details
// (request ids, account numbers), which go to the log.
func (s *Service) openError(ctx context.Context, location string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &ExportError{Reason: "the export " + location + " does not exist", err: err}
	}
	s.log.WarnContext(ctx, "export not readable", "location", location, "err", err)
	return &ExportError{Reason: "the export " + location + " could not be read; check that it is in the stack's exports bucket and readable", err: err}
}

// lazyPage opens its export page on the first read, so a paged export holds one page's
// connection open at a time while the one before is parsed. It lives only for the read call
// that made it, whose context it carries.
type lazyPage struct {
	ctx      context.Context
	open     Opener
	location string
	rc       io.ReadCloser
	err      error
}

func (l *lazyPage) Read(p []byte) (int, error) {
	if l.rc == nil && l.err == nil {
		l.rc, l.err = l.open.Open(l.ctx, l.location)
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.rc.Read(p)
}

func (l *lazyPage) close() {
	if l.rc != nil {
		_ = l.rc.Close()
	}
}
