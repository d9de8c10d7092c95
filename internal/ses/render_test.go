package ses

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/mailer"
)

// acceptURL is the link every test invitation carries.
const acceptURL = "https://app.example.com/invitations/accept?token=abc123"

// expiry is noon UTC on Wednesday 2 December 2026.
var expiry = time.Date(2026, time.December, 2, 12, 0, 0, 0, time.UTC)

// message is a valid invitation; edit tweaks it.
func message(edit func(*mailer.Message)) mailer.Message {
	m := mailer.Message{
		To:          "grace@example.com",
		InviteeName: "Grace Hopper",
		InviterName: "Ada Lovelace",
		OrgName:     "Acme",
		Role:        "admin",
		AcceptURL:   acceptURL,
		ExpiresAt:   expiry,
	}
	if edit != nil {
		edit(&m)
	}
	return m
}

// render calls Render and fails the test if it errs.
func render(t *testing.T, m mailer.Message) (subject, htmlBody, textBody string) {
	t.Helper()
	subject, htmlBody, textBody, err := Render(m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return subject, htmlBody, textBody
}

func TestRenderSubject(t *testing.T) {
	long := strings.Repeat("x", 500)
	cut := strings.Repeat("x", maxNameRunes-1) + "…"
	tests := []struct {
		name    string
		inviter string
		org     string
		want    string
	}{
		{name: "inviter", inviter: "Ada Lovelace", org: "Acme", want: "Ada Lovelace invited you to join Acme"},
		{name: "no inviter", inviter: "", org: "Acme", want: "You're invited to join Acme"},
		{name: "blank inviter", inviter: " \t\r\n ", org: "Acme", want: "You're invited to join Acme"},
		{name: "header injection in inviter", inviter: "Ada\r\nBcc: evil@x.io", org: "Acme", want: "Ada Bcc: evil@x.io invited you to join Acme"},
		{name: "header injection in org", inviter: "Ada", org: "Acme\nBcc: evil@x.io\r\n", want: "Ada invited you to join Acme Bcc: evil@x.io"},
		{name: "unicode separators and tabs", inviter: "Ada\u2028Lovelace\u2029\tthe\u0085first\u000bprogrammer", org: "Acme\u00a0\u00a0Corp", want: "Ada Lovelace the first programmer invited you to join Acme Corp"},
		{name: "bidi override", inviter: "Ada\u202egnp.exe", org: "Acme", want: "Ada gnp.exe invited you to join Acme"},
		{name: "NUL and escape", inviter: "Ada\x00\x1b[31m", org: "Acme", want: "Ada [31m invited you to join Acme"},
		{name: "spaces collapse", inviter: "  Ada    Lovelace  ", org: " Acme ", want: "Ada Lovelace invited you to join Acme"},
		{name: "long names are cut", inviter: long, org: long, want: cut + " invited you to join " + cut},
		{name: "unicode names", inviter: "Zoë Ångström", org: "Société Générale", want: "Zoë Ångström invited you to join Société Générale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _ := render(t, message(func(m *mailer.Message) { m.InviterName, m.OrgName = tt.inviter, tt.org }))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("subject mismatch (-want +got):\n%s", diff)
			}
			if i := strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || isBreaking(r) && r != ' ' }); i >= 0 {
				t.Errorf("subject %q has a breaking character at byte %d", got, i)
			}
			if n := utf8.RuneCountInString(got); n > maxSubjectRunes {
				t.Errorf("subject has %d runes, want at most %d", n, maxSubjectRunes)
			}
		})
	}
}

func TestRenderBodies(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*mailer.Message)
		wantHTML []string // substrings of the HTML body
		notHTML  []string
		wantText []string // substrings of the text body
		notText  []string
	}{
		{
			name: "full invitation",
			wantHTML: []string{
				`<html lang="en"`, "Hi Grace Hopper,", "<strong>Ada Lovelace</strong> invited you to join <strong>Acme</strong> as <strong>admin</strong>.",
				"Accept the invitation to join Acme</a>", ">" + acceptURL + "</a>",
				"This invitation expires on Wednesday, 2 December 2026 at 12:00 UTC.",
				"If you weren't expecting this invitation, you can ignore this email.",
			},
			notHTML: []string{"<img", "<link", "@import", "url("},
			wantText: []string{
				"Hi Grace Hopper,", "Ada Lovelace invited you to join Acme as admin.", "\n" + acceptURL + "\n",
				"This invitation expires on Wednesday, 2 December 2026 at 12:00 UTC.",
				"If you weren't expecting this invitation, you can ignore this email.",
			},
		},
		{
			name:     "unknown inviter and invitee, no role",
			edit:     func(m *mailer.Message) { m.InviterName, m.InviteeName, m.Role = "", "", "" },
			wantHTML: []string{"Hello,", "You have been invited to join <strong>Acme</strong>."},
			notHTML:  []string{"Hi ", " as <strong>"},
			wantText: []string{"Hello,", "You have been invited to join Acme."},
			notText:  []string{"Hi ", " as "},
		},
		{
			name: "expiry shown in UTC",
			edit: func(m *mailer.Message) {
				m.ExpiresAt = time.Date(2026, time.December, 3, 1, 30, 0, 0, time.FixedZone("AEDT", 11*3600))
			},
			wantHTML: []string{"Wednesday, 2 December 2026 at 14:30 UTC"},
			wantText: []string{"Wednesday, 2 December 2026 at 14:30 UTC"},
		},
		{
			name: "markup in names is escaped",
			edit: func(m *mailer.Message) {
				m.InviterName = "<script>alert(1)</script>"
				m.OrgName = `Acme & "Sons" <b>`
				m.InviteeName = `<img src=x onerror=alert(1)>`
				m.Role = "<i>admin</i>"
			},
			wantHTML: []string{
				"&lt;script&gt;alert(1)&lt;/script&gt;", "Acme &amp; &#34;Sons&#34; &lt;b&gt;",
				"&lt;img src=x onerror=alert(1)&gt;", "&lt;i&gt;admin&lt;/i&gt;",
			},
			notHTML:  []string{"<script", "<b>", "<img", "<i>"},
			wantText: []string{"<script>alert(1)</script> invited you to join Acme & \"Sons\" <b> as <i>admin</i>."},
		},
		{
			name:     "line breaks in names stay on one line",
			edit:     func(m *mailer.Message) { m.InviterName = "Ada\n\nClick https://evil.example\n" },
			wantText: []string{"Ada Click https://evil.example invited you to join Acme as admin."},
			notText:  []string{"\nClick"},
		},
		{
			name:     "query separators escaped in the HTML, kept in the text",
			edit:     func(m *mailer.Message) { m.AcceptURL = "https://app.example.com/accept?token=a&org=b" },
			wantHTML: []string{`href="https://app.example.com/accept?token=a&amp;org=b"`},
			wantText: []string{"\nhttps://app.example.com/accept?token=a&org=b\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, htmlBody, textBody := render(t, message(tt.edit))
			checkContains(t, "HTML", htmlBody, tt.wantHTML, tt.notHTML)
			checkContains(t, "text", textBody, tt.wantText, tt.notText)
		})
	}
}

// checkContains reports which of want body lacks and which of not it has.
func checkContains(t *testing.T, kind, body string, want, not []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("%s body lacks %q:\n%s", kind, s, body)
		}
	}
	for _, s := range not {
		if strings.Contains(body, s) {
			t.Errorf("%s body has %q:\n%s", kind, s, body)
		}
	}
}

// hrefPattern finds the links of a rendered body.
var hrefPattern = regexp.MustCompile(`(?i)\bhref\s*=\s*"([^"]*)"`)

// hrefs are the unescaped targets of every link in body.
func hrefs(body string) []string {
	var out []string
	for _, m := range hrefPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestRenderLinksOnlyToAcceptURL(t *testing.T) {
	_, htmlBody, _ := render(t, message(nil))
	if diff := cmp.Diff([]string{acceptURL, acceptURL}, hrefs(htmlBody)); diff != "" {
		t.Errorf("links mismatch (-want +got):\n%s", diff)
	}
	if n := strings.Count(strings.ToLower(htmlBody), "href"); n != 2 {
		t.Errorf("HTML body has %d hrefs, want 2", n)
	}
}

func TestRenderRejectsInvalidMessages(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mailer.Message)
		want string // in the error
	}{
		{name: "no organization", edit: func(m *mailer.Message) { m.OrgName = " \n " }, want: "organization name is empty"},
		{name: "no accept URL", edit: func(m *mailer.Message) { m.AcceptURL = "" }, want: "accept URL is empty"},
		{name: "javascript URL", edit: func(m *mailer.Message) { m.AcceptURL = "javascript:alert(1)" }, want: "not an absolute http(s) URL"},
		{name: "data URL", edit: func(m *mailer.Message) { m.AcceptURL = "data:text/html,<script>alert(1)</script>" }, want: "not an absolute http(s) URL"},
		{name: "relative URL", edit: func(m *mailer.Message) { m.AcceptURL = "/invitations/accept" }, want: "not an absolute http(s) URL"},
		{name: "no expiry", edit: func(m *mailer.Message) { m.ExpiresAt = time.Time{} }, want: "expiry is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, htmlBody, textBody, err := Render(message(tt.edit))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Render error = %v, want one saying %q", err, tt.want)
			}
			if subject != "" || htmlBody != "" || textBody != "" {
				t.Errorf("Render returned content with its error: %q, %q, %q", subject, htmlBody, textBody)
			}
		})
	}
}

// TestHTMLNeutralizesUnsafeURL checks the second line of defence: were an unsafe link to get
// past Render's check, the HTML body would still not make it a live href.
func TestHTMLNeutralizesUnsafeURL(t *testing.T) {
	for _, unsafe := range []string{"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,x"} {
		t.Run(unsafe, func(t *testing.T) {
			htmlBody := invitationHTML(view{Org: "Acme", AcceptURL: unsafe, ExpiresAt: "soon"})
			links := hrefs(htmlBody)
			if len(links) != 2 {
				t.Fatalf("HTML body has %d links, want 2:\n%s", len(links), htmlBody)
			}
			for _, l := range links {
				scheme := strings.ToLower(strings.TrimSpace(l))
				if strings.Contains(scheme, ":") {
					t.Errorf("href %q keeps the unsafe scheme of %q", l, unsafe)
				}
			}
		})
	}
}
