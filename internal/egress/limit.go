package egress

import (
	"bytes"
	"fmt"
	"io"
)

// ReadAll reads r to its end, at most limit bytes; a longer stream is a *LimitError
// (ErrTooLarge) rather than a silently cut document.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if err := ReadInto(&buf, r, limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadInto appends r to buf, at most limit bytes, so that a caller can reuse buffers.
func ReadInto(buf *bytes.Buffer, r io.Reader, limit int64) error {
	n, err := buf.ReadFrom(LimitReader(r, limit))
	if err != nil {
		return fmt.Errorf("read response after %d bytes: %w", n, err)
	}
	return nil
}

// LimitReader reads r until limit bytes, then fails with a *LimitError if r has more.
func LimitReader(r io.Reader, limit int64) io.Reader {
	return &limitReader{r: r, left: limit, limit: limit}
}

// limitReader is io.LimitReader that tells a long stream from one that ends at the limit.
type limitReader struct {
	r           io.Reader
	left, limit int64
}

// Read reads up to the limit, then fails if there is more.
func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// At the limit: one more byte means the stream is longer than allowed.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, &LimitError{Limit: l.limit}
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
