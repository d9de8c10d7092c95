package markup

import (
	"html/template"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inputs are values as hostile as people and configuration can make them.
var inputs = []string{
	"", "Acme", "Zoë Ångström", "日本語の名前", `<script>alert('x')</script>`, `Acme & "Sons" <b>`, "1+1", "\x00nul\x00",
	"bad \xff\xfe UTF-8", "\uFDD0\uFFFE\uFFFF", "a\nb\r\nc\td", "&amp; already escaped", "&#34;",
	"https://app.example.com/invitations/accept?token=a&org=b+c", "HTTPS://EX.com/ü path", "http:x", "/relative path?x=ü'\"<>",
	"//evil.example/x", "#frag", "mailto:a@b.example", "MailTo:a@b.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
	" javascript:alert(1)", "data:text/html,<b>", "vbscript:x", "ftp://x", "%41%zz%4", "%", "a%2", "50%", "x:y/z", "a/b:c",
	"[::1]:80", "!#$&*+,/:;=?@[]-._~", "(){}|\\^`",
}

// allBytes is every single byte as a value.
func allBytes() []string {
	out := make([]string, 256)
	for i := range out {
		out[i] = string([]byte{byte(i)})
	}
	return out
}

// TestEscapingIsHTMLTemplates checks every input in every place against what html/template
// writes there.
func TestEscapingIsHTMLTemplates(t *testing.T) {
	places := []struct {
		name     string
		template string
		write    func(b *Builder, s string)
	}{
		{"text", `<p>{{.}}</p>`, func(b *Builder, s string) { b.Raw(`<p>`).Text(s).Raw(`</p>`) }},
		{"title", `<title>{{.}} · Gatehouse</title>`, func(b *Builder, s string) { b.Raw(`<title>`).Text(s).Raw(` · Gatehouse</title>`) }},
		{"attribute", `<input value="{{.}}">`, func(b *Builder, s string) { b.Raw(`<input value="`).Text(s).Raw(`">`) }},
		{"href", `<a href="{{.}}">x</a>`, func(b *Builder, s string) { b.Raw(`<a href="`).URL(s).Raw(`">x</a>`) }},
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			tmpl := template.Must(template.New(p.name).Parse(p.template))
			for _, in := range append(allBytes(), inputs...) {
				var want strings.Builder
				if err := tmpl.Execute(&want, in); err != nil {
					t.Fatal(err)
				}
				var got Builder
				p.write(&got, in)
				if diff := cmp.Diff(want.String(), got.String()); diff != "" {
					t.Errorf("%q: mismatch (-html/template +markup):\n%s", in, diff)
				}
			}
		})
	}
}

func TestUnsafeURLsCannotRunScript(t *testing.T) {
	for _, in := range []string{"javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>", "vbscript:x"} {
		var b Builder
		if got := b.URL(in).String(); got != "#ZgotmplZ" {
			t.Errorf("URL(%q) = %q, want #ZgotmplZ", in, got)
		}
	}
}
