package connector

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"

	"gatehouse/internal/idp"
)

// Result is one finished read: every page of every configured group, as the provider
// sent it.
type Result struct {
	Provider Provider
	// Format is what idp.Parse reads the pages as.
	Format idp.Format
	// Groups are in the order of the configuration. A SCIM connector without groups has
	// one, with ID "", holding every user.
	Groups []GroupPages
	// Requests counts the HTTP requests made, sign-in and retries included.
	Requests int
}

// Snapshot parses the pages of group i with opts, the way a file export of it would be
// parsed.
func (r *Result) Snapshot(i int, opts idp.ParseOptions) (*idp.Snapshot, error) {
	if i < 0 || i >= len(r.Groups) {
		return nil, fmt.Errorf("connector: no group %d in a result of %d", i, len(r.Groups))
	}
	return idp.ParseWith(opts, r.Format, r.Groups[i].Readers()...)
}

// GroupPages are the pages of one group.
type GroupPages struct {
	ID    string
	Pages []Page
	// DeltaLink is, for a Graph group read without nesting, where to ask later whether its
	// membership changed (see Graph.CheckDelta); "" otherwise. It was taken before the
	// first page, so a change during the read shows at the next check.
	DeltaLink string
}

// Readers opens every page, in order, for idp.Parse. Each decompresses only when the
// parser reaches it.
func (g GroupPages) Readers() []io.Reader {
	rs := make([]io.Reader, len(g.Pages))
	for i, p := range g.Pages {
		rs[i] = p.Open()
	}
	return rs
}

// Page is one response body, byte for byte as the provider sent it, kept deflated: a
// 100,000-person Okta group is over 100 MB of JSON, a tenth of that deflated.
type Page struct {
	deflated []byte
	size     int
}

// Size is the length of the body.
func (p Page) Size() int { return p.size }

// Open returns a reader of the body.
func (p Page) Open() io.Reader { return &pageReader{deflated: p.deflated} }

// Bytes returns the body.
func (p Page) Bytes() ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, p.size))
	if _, err := buf.ReadFrom(p.Open()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pageReader inflates a page on the first read and lets go of the inflater at the end.
type pageReader struct {
	deflated []byte
	r        io.ReadCloser
	done     bool
}

// Read inflates the page.
func (p *pageReader) Read(b []byte) (int, error) {
	if p.done {
		return 0, io.EOF
	}
	if p.r == nil {
		p.r = flate.NewReader(bytes.NewReader(p.deflated))
	}
	n, err := p.r.Read(b)
	if err == io.EOF {
		p.r.Close()
		p.r, p.done = nil, true
	}
	return n, err
}

// deflater packs the pages of one group, reusing its compressor.
type deflater struct {
	w   *flate.Writer
	buf bytes.Buffer
}

// page packs body, which the caller may reuse afterwards.
func (d *deflater) page(body []byte) (Page, error) {
	d.buf.Reset()
	if d.w == nil {
		w, err := flate.NewWriter(&d.buf, flate.BestSpeed)
		if err != nil {
			return Page{}, err
		}
		d.w = w
	} else {
		d.w.Reset(&d.buf)
	}
	if _, err := d.w.Write(body); err != nil {
		return Page{}, err
	}
	if err := d.w.Close(); err != nil {
		return Page{}, err
	}
	return Page{deflated: bytes.Clone(d.buf.Bytes()), size: len(body)}, nil
}
