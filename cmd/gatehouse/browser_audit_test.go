package main

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The audit log's filters and export in headless Chromium against `gatehouse dev`: by kind
// of action, by source, by actor (through the API, with the actors seen offered), and the
// filtered view exported as CSV, every page of it, in a file named after the filters.
func TestAuditLogFiltersAndExportInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStackWith(t, browserToken, nil)
	status, lead := browserAPI(t, api, "POST", "/api/v1/tokens", `{"name":"Team lead","role":"member"}`)
	if status != http.StatusCreated {
		t.Fatalf("create a member token: %d %v", status, lead)
	}
	if status, _ := apiCall(t, api, lead["token"].(string), "POST", "/api/v1/invitations", `{"email":"lead-invite@example.com"}`); status != http.StatusCreated {
		t.Fatalf("invite as the team lead: %d", status)
	}
	// More invitations than one page of the export holds.
	var rows []string
	for i := range 130 {
		rows = append(rows, fmt.Sprintf(`{"email":"p%03d@example.com"}`, i))
	}
	if status, body := browserAPI(t, api, "POST", "/api/v1/invitations/bulk", `{"invitations":[`+strings.Join(rows, ",")+`]}`); status != http.StatusOK {
		t.Fatalf("bulk invite: %d %v", status, body)
	}
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	click := func(step, sel string) { b.do(step, chromedp.Click(css(sel))) }
	actions := func() []string {
		return eval[[]string](b, "the rows", `[...document.querySelectorAll('#audit-panel tbody tr')].map(r => r.dataset.action + ' ' + r.dataset.source)`)
	}
	// Invite through the page, so one change has the source web.
	b.do("open the page", chromedp.Navigate(api+"/settings/"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.do("invite through the page", chromedp.SendKeys(css("#invite-email"), "web@example.com"), chromedp.Click(css("#invite-submit")))
	b.waitFor("invited", `document.querySelector('#inv-panel tr[data-email="web@example.com"]')`)
	click("open the audit log", `a[href="#/audit"]`)
	b.waitFor("a full first page", `document.querySelectorAll('#audit-panel tbody tr').length === 20`)

	b.do("the page's changes", chromedp.SetValue(css("#audit-source"), "web"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#audit-source').dispatchEvent(new Event('change'))`))
	b.waitFor("only the page's invitation", `document.querySelectorAll('#audit-panel tbody tr').length === 1`)
	if got := actions(); len(got) != 1 || got[0] != "invitation.created web" {
		t.Errorf("source web lists %q, want the page's invitation", got)
	}
	click("clear the filters", "#audit-clear")
	b.waitFor("every entry again, Action in focus", `document.querySelectorAll('#audit-panel tbody tr').length === 20 && document.activeElement.id === 'audit-action'`)
	b.do("by the team lead", chromedp.SendKeys(css("#audit-actor"), "Team lead\r"))
	b.waitFor("only the team lead's", `document.querySelectorAll('#audit-panel tbody tr').length === 1 && document.querySelector('#audit-panel').textContent.includes('Team lead')`)
	if n := eval[int](b, "the actors offered", `[...document.querySelectorAll('#audit-actors option')].filter(o => ['Team lead', 'Demo Admin'].includes(o.value)).length`); n != 2 {
		t.Errorf("the actor filter offers %d of the actors seen, want both", n)
	}
	b.do("every kind of token change, by anyone", chromedp.Evaluate[chromedp.Void](`document.querySelector('#audit-actor').value = ''`),
		chromedp.SetValue(css("#audit-action"), "token.*"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#audit-action').dispatchEvent(new Event('change'))`))
	// The demo admin's token, made at start, and the team lead's.
	b.waitFor("the tokens' creations", `document.querySelectorAll('#audit-panel tbody tr').length === 2 && [...document.querySelectorAll('#audit-panel tbody tr')].every(r => r.dataset.action === 'token.created')`)
	b.shot("audit-filtered")

	// The export walks every page of what the filters keep.
	b.do("invitations made", chromedp.SetValue(css("#audit-action"), "invitation.created"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#audit-action').dispatchEvent(new Event('change'))`))
	b.waitFor("a full first page of invitations", `document.querySelectorAll('#audit-panel tbody tr').length === 20 && [...document.querySelectorAll('#audit-panel tbody tr')].every(r => r.dataset.action === 'invitation.created')`)
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	click("export", "#audit-export")
	name := "audit-log-invitation-created-" + time.Now().UTC().Format("2006-01-02") + ".csv"
	b.waitFor("the export said", `document.querySelector('#audit-export-status').textContent.includes(`+js("132 entries saved as "+name)+`)`)
	records, err := csv.NewReader(strings.NewReader(waitForFile(t, filepath.Join(downloads, name)))).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if len(records) != 133 || strings.Join(records[0], ",") != "at,action,actor_type,actor_id,actor_name,source,target_type,target_id,details" {
		t.Fatalf("the export has %d records, want the header and 132 invitations; header %q", len(records), records[0])
	}
	ids := map[string]bool{}
	for _, r := range records[1:] {
		if r[1] != "invitation.created" {
			t.Errorf("exported %q, which the filter leaves out", r)
		}
		ids[r[7]] = true
	}
	if len(ids) != 132 {
		t.Errorf("the export holds %d distinct invitations, want 132", len(ids))
	}
	b.checkConsole()
}
