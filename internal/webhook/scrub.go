package webhook

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxBody bounds Result.Body, in bytes.
const MaxBody = 200

// redacted stands in for a secret or signature that a receiver echoed back.
const redacted = "[redacted]"

// scrubber removes the signing secrets and signatures of one request from what its
// receiver answered. It guards against receivers that echo the request back (debugging
// endpoints, request bins): a receiver that knows a secret could disclose it in any form.
type scrubber struct {
	hidden []string // longest first, so that a secret goes before its own key
}

// newScrubber hides each secret, its base64 key alone, and each signature of the
// webhook-signature header, as written and with "/" escaped as JSON encoders may write it.
func newScrubber(secrets []string, signature string) scrubber {
	var hidden []string
	add := func(s string) {
		if len(s) >= 8 { // secrets and signatures are 32 characters or more; never hide "v1"
			hidden = append(hidden, s, strings.ReplaceAll(s, "/", `\/`))
		}
	}
	for _, s := range secrets {
		add(s)
		add(strings.TrimPrefix(s, SecretPrefix))
	}
	for sig := range strings.FieldsSeq(signature) {
		add(sig)
		_, b64, _ := strings.Cut(sig, ",")
		add(b64)
	}
	slices.SortFunc(hidden, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return scrubber{hidden: slices.Compact(hidden)}
}

// scrub replaces every hidden string in s.
func (sc scrubber) scrub(s string) string {
	for _, h := range sc.hidden {
		s = strings.ReplaceAll(s, h, redacted)
	}
	return s
}

// clean makes b fit to show: the hidden strings replaced, invalid UTF-8 replaced by U+FFFD,
// tabs and line breaks turned into spaces, other control and bidirectional formatting
// characters removed, and the result cut to at most limit bytes without splitting a rune.
// Hiding comes first, so that a cut can never leave part of a secret behind.
func (sc scrubber) clean(b []byte, limit int) string {
	s := sc.scrub(string(b))
	var out strings.Builder
	for _, r := range s { // ranging over a string yields U+FFFD for each invalid byte
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			r = ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			continue
		}
		if out.Len()+utf8.RuneLen(r) > limit {
			break
		}
		out.WriteRune(r)
	}
	return out.String()
}
