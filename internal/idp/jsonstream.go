package idp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonStream walks one JSON page token by token, so that only one person at a time is
// decoded, and turns decoder errors into a *ParseError naming the record.
type jsonStream struct {
	b   *builder
	dec *json.Decoder
}

// newJSONStream starts reading a JSON page.
func newJSONStream(b *builder, r io.Reader) *jsonStream {
	return &jsonStream{b: b, dec: json.NewDecoder(r)}
}

// open reads the first token, which must be want ('{' or '['); what names the expected
// document for the error.
func (s *jsonStream) open(want json.Delim, what string) error {
	tok, err := s.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return s.b.fail(0, ErrEmpty, "the file is empty")
	case err != nil:
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return s.b.fail(0, ErrWrongFormat, "expected %s, found text that is not JSON", what)
		}
		return s.err(0, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return s.b.fail(0, ErrWrongFormat, "expected %s", what)
	}
	return nil
}

// object calls fn with each key of the object whose '{' was just read; fn must consume the
// key's value. It reads the closing '}'.
func (s *jsonStream) object(fn func(key string) error) error {
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.err(0, err)
		}
		key, _ := tok.(string)
		if err := fn(key); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.err(0, err)
	}
	return nil
}

// array reads an array value and calls fn for each element, with its index from 0; fn must
// consume the element. A null counts as an empty array.
func (s *jsonStream) array(what string, fn func(i int) error) error {
	tok, err := s.dec.Token()
	if err != nil {
		return s.err(0, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return s.b.fail(0, ErrWrongFormat, "%s is not an array", what)
	}
	for i := 0; s.dec.More(); i++ {
		if err := fn(i); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.err(0, err)
	}
	return nil
}

// decode decodes the next value into v; row names it in errors.
func (s *jsonStream) decode(row int, v any) error {
	if err := s.dec.Decode(v); err != nil {
		return s.err(row, err)
	}
	return nil
}

// str reads a string value; null and other types read as "".
func (s *jsonStream) str() (string, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return "", s.err(0, err)
	}
	if d, ok := tok.(json.Delim); ok {
		return "", s.b.fail(0, ErrMalformed, "expected a string, found %v", d)
	}
	v, _ := tok.(string)
	return v, nil
}

// skip reads past one value of any kind.
func (s *jsonStream) skip() error {
	for depth := 0; ; {
		tok, err := s.dec.Token()
		if err != nil {
			return s.err(0, err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// close checks that nothing but white space follows the document.
func (s *jsonStream) close() error {
	if _, err := s.dec.Token(); !errors.Is(err, io.EOF) {
		return s.b.fail(0, ErrMalformed, "unexpected data after the end of the document (byte %d)", s.dec.InputOffset())
	}
	return nil
}

// err turns a decoder error into a *ParseError: the end of the file inside the document is
// a truncation, a syntax or type error a malformed export, anything else the reader's.
func (s *jsonStream) err(row int, err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return s.b.fail(row, ErrTruncated, "the file ends inside the JSON document (byte %d)", s.dec.InputOffset())
	case errors.As(err, &syn):
		return s.b.fail(row, ErrMalformed, "byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return s.b.fail(row, ErrMalformed, "field %s: %s where %s belongs", typ.Field, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json:"):
		return s.b.fail(row, ErrMalformed, "%v", err)
	}
	return s.b.unreadable(row, fmt.Errorf("read json: %w", err))
}

// flexBool is a boolean that also reads the strings "true" and "false" in any case, as some
// SCIM servers send "True" and "False". A value it cannot read sets bad and keeps the
// text, so that the record is skipped with a reason instead of failing the export.
type flexBool struct {
	set, value, bad bool
	raw             string
}

// UnmarshalJSON reads true, false, "true", "false" (any case) or null.
func (f *flexBool) UnmarshalJSON(data []byte) error {
	f.read(string(data))
	return nil
}

// read sets f from the JSON text of its value.
func (f *flexBool) read(text string) {
	text = strings.TrimSpace(text)
	switch strings.ToLower(strings.Trim(text, `"`)) {
	case "true":
		*f = flexBool{set: true, value: true}
	case "false":
		*f = flexBool{set: true}
	case "null", "":
		*f = flexBool{}
	default:
		*f = flexBool{set: true, bad: true, raw: text}
	}
}

// status maps an "active"/"accountEnabled" flag to a Status: absent means present.
func (f flexBool) status() Status {
	switch {
	case f.bad:
		return ""
	case f.set && !f.value:
		return StatusGone
	}
	return StatusPresent
}
