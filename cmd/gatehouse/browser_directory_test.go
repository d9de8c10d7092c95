package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gatehouse/internal/connector/connectortest"
)

// Directory sync straight from Okta in headless Chromium against `gatehouse dev` and a fake
// Okta on 127.0.0.1: a test with a wrong token shows Okta's refusal, the right one the
// groups and their first people; saved, the token shows only as "set" and is never in the
// page; a run invites each person at their group's role; and an edit that leaves the token
// empty keeps it, so the next run changes roles.
func TestDirectorySyncFromOktaInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	const token = "00aBrowserOktaTokenNeverShown7"
	okta := connectortest.NewOkta(t, token)
	okta.SetGroup("00gadmins", "Portal Admins", connectortest.Person{ID: "00u1", Email: "ada@example.com", First: "Ada", Last: "Lovelace"})
	okta.SetGroup("00gstaff", "Everyone",
		connectortest.Person{ID: "00u2", Email: "bob@example.com", First: "Bob", Last: "Byte"},
		connectortest.Person{ID: "00u3", Email: "cy@example.com", First: "Cy", Last: "Young"})
	api, _ := devStackWith(t, browserToken, nil)
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	click := func(step, sel string) { b.do(step, chromedp.Click(css(sel))) }
	text := func(sel string) string { return `(document.querySelector(` + js(sel) + `)?.textContent || '')` }
	has := func(sel, s string) string { return text(sel) + `.includes(` + js(s) + `)` }
	invalid := func(sel string) string {
		return `document.querySelector(` + js(sel) + `)?.getAttribute('aria-invalid') === 'true'`
	}
	focused := func(id string) string { return `document.activeElement.id === ` + js(id) }
	html := func(step string) string { return eval[string](b, step, `document.documentElement.outerHTML`) }

	b.do("open the page", chromedp.Navigate(api+"/settings#/sync"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("sync not configured yet", `document.querySelector('#sync-panel')?.dataset.state === 'unconfigured'`)

	// Choose Okta: its fields replace the export's. Testing them empty names each field at fault.
	click("choose Okta", "#sync-kind-okta")
	b.waitFor("Okta's fields", `document.querySelector('#sync-dir-domain') && document.querySelector('#sync-sources').closest('[hidden]') && `+has("#sync-directory", "Security → API → Tokens"))
	click("test the empty form", "#sync-test")
	b.waitFor("the domain and the token named", invalid("#sync-dir-domain")+` && `+invalid("#sync-dir-apiToken")+` && `+has("#sync-dir-apiToken-error", "API token is required")+` && `+invalid("#sync-groups-add"))
	b.waitFor("the first field at fault in focus", focused("sync-dir-domain"))

	// A wrong token: Okta's own words, said at once to screen readers.
	b.do("fill in Okta with a wrong token", chromedp.SendKeys(css("#sync-dir-domain"), okta.URL), chromedp.SendKeys(css("#sync-dir-apiToken"), "00aWrongToken123"),
		chromedp.SendKeys(css("#sync-group-0-id"), "00gadmins"), chromedp.SetValue(css("#sync-group-0-role"), "admin"))
	click("add a group", "#sync-groups-add")
	b.waitFor("the new group's id in focus", focused("sync-group-1-id"))
	b.do("the second group", chromedp.SendKeys(css("#sync-group-1-id"), "00gstaff"), chromedp.SetValue(css("#sync-group-1-role"), "member"))
	click("add a third group", "#sync-groups-add")
	click("remove it", `#sync-group-rows li[data-index="2"] button`)
	b.waitFor("two groups, the last in focus", `document.querySelectorAll('#sync-group-rows li').length === 2 && `+focused("sync-group-1-id"))
	click("test the wrong token", "#sync-test")
	b.waitFor("Okta's refusal", `document.querySelector('#sync-test-result').dataset.ok === 'false' && `+has("#sync-test-result", "Invalid token provided"))
	b.waitFor("the refusal said", has("#alert", "Invalid token provided"))

	// The right token: each group's name, its count and its first people.
	b.do("the right token", chromedp.Evaluate[chromedp.Void](`document.querySelector('#sync-dir-apiToken').value = ''`), chromedp.SendKeys(css("#sync-dir-apiToken"), token))
	click("test again", "#sync-test")
	b.waitFor("the groups read", `document.querySelector('#sync-test-result').dataset.ok === 'true'`)
	for _, want := range [][2]string{{"00gadmins", "Portal Admins"}, {"00gadmins", "1 person"}, {"00gadmins", "Ada Lovelace"}, {"00gadmins", "ada@example.com"},
		{"00gstaff", "Everyone"}, {"00gstaff", "2 people"}, {"00gstaff", "Cy Young"}} {
		if got := eval[string](b, "a tested group", text(`#sync-test-result li[data-group=`+js(want[0])+`]`)); !strings.Contains(got, want[1]) {
			t.Errorf("the test of %s shows %q, want %q", want[0], got, want[1])
		}
	}
	b.shot("sync-directory")
	b.waitFor("the connection said to work", has("#live", "The connection works")+` && `+has("#live", "Portal Admins: 1 person"))
	if strings.Contains(html("the page after the test"), token) {
		t.Error("the token is in the page's markup while it is typed")
	}

	// Save: the facts show the provider, its domain, the groups with their roles, and the
	// token only as set; nowhere in the page, before or after a reload, nor in the API.
	click("save", `#sync-config-form button[type=submit]`)
	b.waitFor("configured", `document.querySelector('#sync-panel').dataset.state === 'configured' && `+focused("sync-config-title"))
	for _, want := range []string{"Okta", okta.URL, "set", "00gadmins", "Admin", "00gstaff", "Member"} {
		if got := eval[string](b, "the facts", text("#sync-config")); !strings.Contains(got, want) {
			t.Errorf("the facts %q lack %q", got, want)
		}
	}
	if !eval[bool](b, "the token's fact", `document.querySelector('#sync-config [data-secret=apiToken]')?.textContent.includes('set')`) {
		t.Error("the facts do not say the token is set")
	}
	if strings.Contains(html("the page after saving"), token) {
		t.Error("the token is in the page after saving")
	}
	b.shot("sync-directory-facts")
	b.do("reload", chromedp.Reload())
	b.waitFor("configured after a reload", `document.querySelector('#sync-panel')?.dataset.state === 'configured' && document.querySelector('#sync-config')`)
	if strings.Contains(html("the page after a reload"), token) {
		t.Error("the token is in the page after a reload")
	}
	status, raw := apiCall(t, api, browserToken, "GET", "/api/v1/sync/config", "")
	var cfg struct {
		Directory map[string]any `json:"directory"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil || status != http.StatusOK || cfg.Directory["provider"] != "okta" || cfg.Directory["apiToken"] != "set" || strings.Contains(string(raw), token) {
		t.Fatalf("the stored configuration: %d %s (%v)", status, raw, err)
	}

	// Run now: each person is invited at their group's role.
	click("run now", "#sync-run")
	b.waitFor("an applied run", `[...document.querySelectorAll('#sync-runs tbody tr[data-status=applied]')].some(r => r.textContent.includes('3 invited'))`)
	b.waitFor("Ada invited as admin on the page", `document.querySelector('#sync-runs tr[data-action=invite][data-email="ada@example.com"][data-role=admin]')`)
	wantRoles := func(want map[string]string) {
		t.Helper()
		status, list := browserAPI(t, api, "GET", "/api/v1/invitations?status=pending&limit=100", "")
		got := map[string]string{}
		items, _ := list["items"].([]any)
		for _, it := range items {
			inv := it.(map[string]any)
			if inv["source"] == "sync" {
				got[inv["email"].(string)] = inv["role"].(string)
			}
		}
		if status != http.StatusOK || len(got) != len(want) {
			t.Fatalf("pending sync invitations: %d %v, want %v", status, got, want)
		}
		for email, role := range want {
			if got[email] != role {
				t.Errorf("%s invited as %q, want %q", email, got[email], role)
			}
		}
	}
	wantRoles(map[string]string{"ada@example.com": "admin", "bob@example.com": "member", "cy@example.com": "member"})

	// Edit with the token left empty: it is kept, so the next run reads Okta again and
	// makes Everyone viewers.
	click("edit", "#sync-edit")
	b.waitFor("Okta's fields in focus", focused("sync-dir-domain")+` && document.querySelector('#sync-kind-okta').checked`)
	if got := eval[[]string](b, "the token field", `(e => [e.value, e.placeholder])(document.querySelector('#sync-dir-apiToken'))`); got[0] != "" || !strings.Contains(got[1], "leave empty to keep") {
		t.Errorf("the stored token's field holds %q with placeholder %q, want it empty, saying it is kept", got[0], got[1])
	}
	b.do("make Everyone viewers", chromedp.SetValue(css("#sync-group-1-role"), "viewer"))
	click("save", `#sync-config-form button[type=submit]`)
	b.waitFor("saved", `document.querySelector('#sync-panel').dataset.state === 'configured' && `+has("#sync-config", "Viewer"))
	click("run again", "#sync-run")
	b.waitFor("a second applied run", `[...document.querySelectorAll('#sync-runs tbody tr[data-status=applied]')].some(r => r.textContent.includes('2 roles changed'))`)
	b.waitFor("Bob's role change on the page", has(`#sync-runs tr[data-action=role][data-email="bob@example.com"]`, "member → viewer"))
	wantRoles(map[string]string{"ada@example.com": "admin", "bob@example.com": "viewer", "cy@example.com": "viewer"})
	if strings.Contains(html("the page at the end"), token) {
		t.Error("the token is in the page at the end")
	}
	b.checkConsole()
}

// Export files with a role each, in headless Chromium: a line's last word is its file's role,
// a role that does not exist is named with its line, and a run invites the people of each
// file at its role.
func TestSyncExportRolesInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	exports := t.TempDir()
	api, _ := devStackWith(t, browserToken, map[string]string{"EXPORTS_DIR": exports})
	header := `"User Id","Status","Username","First name","Last name","Primary email"`
	admins, staff := filepath.Join(exports, "admins.csv"), filepath.Join(exports, "staff.csv")
	for path, row := range map[string]string{admins: `"00u1","ACTIVE","ada","Ada","Lovelace","ada@example.com"`, staff: `"00u2","ACTIVE","bob","Bob","Byte","bob@example.com"`} {
		if err := os.WriteFile(path, []byte(header+"\n"+row+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	sources := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.querySelector('#sync-sources').value = ` + js(text))
	}
	b.do("open the page", chromedp.Navigate(api+"/settings#/sync"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("sync not configured yet", `document.querySelector('#sync-panel')?.dataset.state === 'unconfigured' && document.querySelector('#sync-kind-files').checked`)
	b.do("a role that does not exist", sources("file://"+admins+" admin\n\nfile://"+staff+" owner"), chromedp.Click(css(`#sync-config-form button[type=submit]`)))
	b.waitFor("the role named with its line", `document.querySelector('#sync-sources').getAttribute('aria-invalid') === 'true' && /Line 3: role must be one of admin, member, viewer/.test(document.querySelector('#sync-sources-error').textContent)`)
	b.do("the files with their roles", sources("file://"+admins+" admin\nfile://"+staff), chromedp.Click(css(`#sync-config-form button[type=submit]`)))
	b.waitFor("configured", `document.querySelector('#sync-panel').dataset.state === 'configured'`)
	if got := eval[string](b, "the facts", `document.querySelector('#sync-config [data-source=`+js("file://"+admins)+`]')?.textContent || ''`); !strings.Contains(got, "Admin") {
		t.Errorf("the admins' file reads %q, want its role", got)
	}
	b.do("edit", chromedp.Click(css("#sync-edit")))
	b.waitFor("the lines as they were saved", `document.querySelector('#sync-sources').value === `+js("file://"+admins+" admin\nfile://"+staff))
	b.do("cancel", chromedp.Click(css("#sync-cancel")))
	b.do("run now", chromedp.Click(css("#sync-run")))
	b.waitFor("an applied run", `document.querySelector('#sync-runs tr[data-action=invite][data-email="ada@example.com"][data-role=admin]') && document.querySelector('#sync-runs tr[data-action=invite][data-email="bob@example.com"][data-role=member]')`)
	b.checkConsole()
}
