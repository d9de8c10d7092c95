// Package markup writes HTML from Go code: markup given as constants, values escaped exactly
// as html/template escapes them in element text, double-quoted attributes and URL attributes.
//
// It exists for binary size. Executing an html/template looks fields and methods up by name
// through reflection, and a binary that can do that keeps every exported method of every type
// it converts to an interface; the AWS SDK's clients are such types, so an html/template in a
// Lambda function kept every operation of every SDK client it links (about 9 MB of the API's
// binary). Gatehouse's pages and emails put values in just these three places, where the
// escaping html/template chooses is known in advance and written out here.
package markup

import "strings"

// Builder accumulates a document. The zero value is an empty document.
type Builder struct {
	b strings.Builder
}

// constant is the type of markup: only a constant converts to it implicitly, so markup cannot
// be built from a variable (such as something a person typed) by mistake.
type constant string

// Raw writes markup as it is. It takes constants only; values go through Text or URL.
func (b *Builder) Raw(markup constant) *Builder {
	b.b.WriteString(string(markup))
	return b
}

// Text writes s escaped for element text, the text of a title element or a double-quoted
// attribute value: &, <, >, quotes and + become character references and NUL becomes U+FFFD,
// as html/template writes them.
func (b *Builder) Text(s string) *Builder {
	escapeText(&b.b, s)
	return b
}

// URL writes s as the value of a double-quoted URL attribute such as href, as html/template
// does: a URL whose scheme is not http, https or mailto becomes "#ZgotmplZ", so it cannot run
// script; what a URL may not hold is percent-encoded (valid escapes are kept); the result is
// escaped as Text escapes it.
func (b *Builder) URL(s string) *Builder {
	if !safeURL(s) {
		s = "#ZgotmplZ"
	}
	escapeText(&b.b, normalizeURL(s))
	return b
}

// String is the document written so far.
func (b *Builder) String() string { return b.b.String() }

// escapeText writes s to b with html/template's replacements for HTML text and attributes.
// Every byte it replaces is ASCII, so a byte loop finds exactly the runes html/template's
// does, and leaves other bytes (even invalid UTF-8) as they are, as it does.
func escapeText(b *strings.Builder, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	b.WriteString(s[written:])
}

// safeURL reports whether s is relative or has the scheme http, https or mailto (in any case).
func safeURL(s string) bool {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(scheme, "/") {
		return true
	}
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
}

// normalizeURL percent-encodes every byte of s that is neither reserved nor unreserved in a
// URL (RFC 3986), keeping existing escapes, as html/template's URL normaliser does.
func normalizeURL(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte("0123456789abcdef"[c>>4])
		b.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
