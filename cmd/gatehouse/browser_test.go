package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/ses/sestest"
)

// browserToken is the demo admin's token in the browser tests.
const browserToken = "ghk_YnJvd3Nlci10ZXN0LXRva2VuLWZvci10aGUtc3RhY2s"

// acceptLink finds an accept link in an email or on the page.
var acceptLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/invitations/accept\?token=[^\s"<]+`)

// The Settings page in headless Chromium against `gatehouse dev`: sign in, invite, bulk
// import, revoke, resend, accept from the email and the shared link, manage the new member,
// set up directory sync and approve a held run, page through the audit log, use a phone-sized
// screen and sign out. With GATEHOUSE_SCREENSHOTS=dir it saves screenshots of the main
// screens there.
func TestSettingsPageInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	start := time.Now()
	exports := t.TempDir()
	api, inbox := devStackWith(t, browserToken, map[string]string{"EXPORTS_DIR": exports})
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	click := func(step, sel string) { b.do(step, chromedp.Click(css(sel))) }
	// clear empties a field as a person selecting its text and deleting it would.
	clear := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(e => { e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})) })(document.querySelector(` + js(sel) + `))`)
	}
	row := func(panel, email string) string { return panel + ` tr[data-email=` + js(email) + `]` }
	present := func(sel string) string { return `document.querySelector(` + js(sel) + `)` }
	shown := func(sel string) string {
		return `(e => e && !e.closest('[hidden]') && e.getClientRects().length > 0)(document.querySelector(` + js(sel) + `))`
	}
	// focused and said check where the keyboard is and what screen readers last heard.
	focused := func(id string) string { return `document.activeElement.id === ` + js(id) }
	said := func(text string) string {
		return `document.querySelector('#live').textContent.includes(` + js(text) + `)`
	}
	toast := func(text string) string {
		return `[...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes(` + js(text) + `))`
	}

	// Sign in: a wrong token is refused beside the field; the right one opens the page.
	b.do("open the page", chromedp.Navigate(api+"/settings"))
	b.waitFor("the sign-in form", shown("#signin-form"))
	b.shot("sign-in")
	b.do("type a wrong token", chromedp.SendKeys(css("#token"), "ghk_"+strings.Repeat("A", 43)), chromedp.Click(css("#signin-submit")))
	b.waitFor("the wrong token refused", `document.querySelector('#token').getAttribute('aria-invalid') === 'true' && document.querySelector('#token-error').textContent.includes('not accepted')`)
	b.do("type the token", clear("#token"), chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("signed in", shown("#invite-form")+` && document.querySelector('#whoami').textContent.includes('admin')`)
	if got := eval[string](b, "the address", `location.href + ' ' + document.cookie`); strings.Contains(got, browserToken) || strings.Contains(got, "ghk_") {
		t.Errorf("the token shows in the address or a cookie: %s", got)
	}
	if got := eval[string](b, "session storage", `sessionStorage.getItem('gatehouse.token')`); got != browserToken {
		t.Errorf("sessionStorage token = %q", got)
	}
	b.waitFor("the empty pending list", shown("#inv-panel [data-state=empty]"))

	// Invite: the API's problem is shown at the field at fault, then a good invite is pending.
	b.do("invite a bad address", chromedp.SendKeys(css("#invite-email"), "not-an-email"), chromedp.Click(css("#invite-submit")))
	b.waitFor("the email field highlighted", `document.querySelector('#invite-email').getAttribute('aria-invalid') === 'true' && /email/i.test(document.querySelector('#invite-email-error').textContent)`)
	if focused := eval[string](b, "focus", `document.activeElement.id`); focused != "invite-email" {
		t.Errorf("focus after a refused invite is on %q, want the email field", focused)
	}
	b.shot("invite-error")
	b.do("invite Ada", clear("#invite-email"), chromedp.SendKeys(css("#invite-email"), "ada@example.com"),
		chromedp.SendKeys(css("#invite-name"), "Ada Lovelace"), chromedp.SetValue(css("#invite-role"), "member"), chromedp.Click(css("#invite-submit")))
	b.waitFor("Ada pending", present(row("#inv-panel", "ada@example.com")))
	b.waitFor("the invited toast", toast("ada@example.com"))
	b.waitFor("Ada's email sent", present(row("#inv-panel", "ada@example.com")+` [data-state=sent]`))

	// Invite without email: the link is shown once, to copy.
	click("more options", "#invite-more summary")
	b.do("invite Grace without email", chromedp.SendKeys(css("#invite-email"), "grace@example.com"), chromedp.SendKeys(css("#invite-name"), "Grace Hopper"),
		chromedp.Click(css("#invite-sendEmail")), chromedp.Click(css("#invite-submit")))
	b.waitFor("the link dialog", `document.querySelector('#dialog').open && document.querySelector('#link-value')`)
	firstLink := eval[string](b, "the link", `document.querySelector('#link-value').value`)
	if !acceptLink.MatchString(firstLink) {
		t.Fatalf("the shared link %q is not an accept link", firstLink)
	}
	click("close the dialog", "#dialog-ok")
	b.waitFor("Grace pending without email", present(row("#inv-panel", "grace@example.com")+` [data-state=disabled]`)+` && `+present(row("#inv-panel", "grace@example.com")+` [data-action=copy-link]`))
	b.shot("invitations")

	// Bulk import: a file with a quote never closed is refused, naming the line; the preview
	// of a good one marks the bad rows; the results say what happened to each. Max has had his
	// day's share of emails, so his row fails, and so does the row repeating his address.
	for range 5 {
		status, inv := browserAPI(t, api, "POST", "/api/v1/invitations", `{"email":"max@example.com"}`)
		if status != http.StatusCreated {
			t.Fatalf("invite Max through the API: %d %v", status, inv)
		}
		if status, body := browserAPI(t, api, "DELETE", fmt.Sprintf("/api/v1/invitations/%s", inv["id"]), ""); status != http.StatusOK {
			t.Fatalf("revoke Max through the API: %d %v", status, body)
		}
	}
	brokenFile := filepath.Join(t.TempDir(), "broken.csv")
	if err := os.WriteFile(brokenFile, []byte("email,name\r\nzoe@example.com,Zoe\r\nyan@example.com,\"Yan\r\nlin@example.com,Lin\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	click("open bulk import", `a[href="#/bulk"]`)
	b.do("choose a CSV with a quote never closed", chromedp.SetUploadFiles(css("#bulk-file"), []string{brokenFile}))
	b.waitFor("the file refused at the line of the quote", `document.querySelector('#bulk-file').getAttribute('aria-invalid') === 'true' && document.querySelector('#bulk-file-error').textContent.includes('Line 3 ') && document.querySelector('#bulk-preview').hidden`)
	csvFile := filepath.Join(t.TempDir(), "people.csv")
	csv := "email,name,role\r\nlin@example.com,Lin Chen,viewer\r\n\"bob@example.com\",\"Bob, Jr.\",member\r\nnot-an-address,Broken Row,\r\nada@example.com,Ada Again,\r\n" +
		"kit@example.com,Kit Owner,owner\r\nkit@example.com,Kit Chu,\r\nmax@example.com,Max Mustermann,\r\nmax@example.com,Max Again,\r\n"
	if err := os.WriteFile(csvFile, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("choose the CSV", chromedp.SetUploadFiles(css("#bulk-file"), []string{csvFile}))
	b.waitFor("the preview", shown("#bulk-send"))
	if got := eval[[]string](b, "the rows marked", `[...document.querySelectorAll('#bulk-preview tr.will-fail')].map(r => r.dataset.line)`); !slices.Equal(got, []string{"4", "6", "9"}) {
		t.Errorf("lines marked as failing = %q, want 4 (no address), 6 (no such role) and 9 (Max again)", got)
	}
	if got := eval[string](b, "the summary", `document.querySelector('#bulk-summary').textContent`); !strings.Contains(got, "8 rows") || !strings.Contains(got, "5 ready") || !strings.Contains(got, "3 will fail") {
		t.Errorf("preview summary = %q", got)
	}
	b.shot("bulk-preview")
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	b.do("dismiss the earlier messages", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#toasts .toast button').forEach(b => b.click())`))
	click("send the import", "#bulk-send")
	b.waitFor("the results", shown("#bulk-results table"))
	// The results say how it went above them: nothing pops up over them.
	if covered := eval[bool](b, "toasts over the results", `(() => {
		const r = document.querySelector('#bulk-results').getBoundingClientRect();
		return [...document.querySelectorAll('#toasts .toast')].some(t => { const o = t.getBoundingClientRect(); return o.left < r.right && o.right > r.left && o.top < r.bottom && o.bottom > r.top; });
	})()`); covered {
		t.Error("a toast covers the import's results")
	}
	results := eval[[]string](b, "the results", `[...document.querySelectorAll('#bulk-results tbody tr')].map(r => [r.dataset.line, r.dataset.email, r.dataset.result].join(' '))`)
	want := []string{
		"2 lin@example.com Invited", "3 bob@example.com Invited", "4 not-an-address Invalid", "5 ada@example.com Already invited",
		"6 kit@example.com Invalid", "7 kit@example.com Invited", "8 max@example.com Failed", "9 max@example.com Failed",
	}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("bulk results mismatch (-want +got):\n%s", diff)
	}
	b.shot("bulk-results")
	click("download the results", "#bulk-download")
	saved := waitForFile(t, filepath.Join(downloads, "people-results.csv"))
	for _, line := range []string{"line,email,name,role,result,detail,invitation_id\r\n", `3,bob@example.com,"Bob, Jr.",member,Invited,`, "4,not-an-address,Broken Row,member,Invalid,"} {
		if !strings.Contains(saved, line) {
			t.Errorf("the downloaded results lack %q:\n%s", line, saved)
		}
	}

	// Revoke Bob: confirmed in a dialog, then listed under Revoked.
	click("open invitations", `a[href="#/invitations"]`)
	b.waitFor("Bob pending", present(row("#inv-panel", "bob@example.com")))
	click("revoke Bob", row("#inv-panel", "bob@example.com")+` [data-action=revoke]`)
	b.waitFor("the confirmation", `document.querySelector('#dialog').open && document.activeElement.id === 'dialog-cancel'`)
	click("confirm", "#dialog-ok")
	b.waitFor("Bob no longer pending", `!`+present(row("#inv-panel", "bob@example.com"))+` && `+toast("revoked"))
	// While the message shows, the page keeps room for it: the end of the list scrolls clear.
	b.do("scroll to the end", chromedp.Evaluate[chromedp.Void](`scrollTo(0, document.documentElement.scrollHeight)`))
	b.waitFor("the end of the list above the message", `document.querySelector('#inv-count').closest('.card').getBoundingClientRect().bottom <= Math.min(...[...document.querySelectorAll('#toasts .toast')].map(t => t.getBoundingClientRect().top))`)
	click("the revoked tab", "#tab-revoked")
	b.waitFor("Bob revoked", present(row("#inv-panel", "bob@example.com")))
	click("the pending tab", "#tab-pending")

	// Resend: an email sent seconds ago is refused with when to try again; a link-only
	// invitation gets a new link at once (after a reload, which forgets the first one).
	b.waitFor("Ada pending", present(row("#inv-panel", "ada@example.com")))
	click("resend to Ada", row("#inv-panel", "ada@example.com")+` [data-action=resend]`)
	// Too soon is a notice, not an error: nothing went wrong, it only has to wait.
	b.waitFor("resending too soon explained", `[...document.querySelectorAll('#toasts .toast[data-kind=notice]')].some(t => /less than a minute/.test(t.textContent) && /Try again in \d+ seconds/.test(t.textContent)) && !document.querySelector('#toasts .toast[data-kind=error]')`)
	b.do("reload", chromedp.Reload())
	b.waitFor("still signed in after a reload", present(row("#inv-panel", "grace@example.com")))
	click("copy Grace's link", row("#inv-panel", "grace@example.com")+` [data-action=copy-link]`)
	b.waitFor("the offer of a new link", `document.querySelector('#dialog').open && document.querySelector('#dialog-title').textContent.includes('new link')`)
	click("make a new link", "#dialog-ok")
	b.waitFor("the new link", `document.querySelector('#dialog').open && document.querySelector('#link-value') && document.querySelector('#link-value').value !== `+js(firstLink))
	graceLink := eval[string](b, "the new link", `document.querySelector('#link-value').value`)
	click("close the dialog", "#dialog-ok")
	if res, err := http.Get(firstLink); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced link still answers: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	// Accept: Ada from her email, Grace from the shared link.
	adaLink := ""
	pollUntil(t, "an invitation email for ada@example.com", func() bool {
		for _, e := range sestest.Store(t, inbox) {
			if slices.Equal(e.To, []string{"ada@example.com"}) {
				adaLink = acceptLink.FindString(e.Text)
			}
		}
		return adaLink != ""
	})
	for _, link := range []string{adaLink, graceLink} {
		b.do("open the accept link", chromedp.Navigate(link))
		b.waitFor("the accept page", shown(`form[action="accept"] button[type=submit]`))
		click("accept", `form[action="accept"] button[type=submit]`)
		b.waitFor("welcomed", `document.body && document.body.innerText.includes('Welcome to Demo')`)
	}

	// Members: the new members are listed; the last admin cannot be demoted or deactivated;
	// Ada's role changes, and she is deactivated and reactivated, each confirmed.
	b.do("back to Settings", chromedp.Navigate(api+"/settings/#/members"))
	b.waitFor("Ada a member", present(row("#members-panel", "ada@example.com")+`[data-status=active]`)+` && `+present(row("#members-panel", "grace@example.com")))
	b.waitFor("the last admin locked", present(row("#members-panel", "admin@demo.example")+` [data-action=deactivate]:disabled`)+` && `+present(row("#members-panel", "admin@demo.example")+` [data-action=role]:disabled`)+` && !document.querySelector('#members-note').hidden`)
	b.shot("members")
	click("change Ada's role", row("#members-panel", "ada@example.com")+` [data-action=role]`)
	b.waitFor("the role dialog", `document.querySelector('#dialog').open && document.activeElement.id === 'role-choice'`)
	b.do("choose viewer", chromedp.SetValue(css("#role-choice"), "viewer"), chromedp.Click(css("#dialog-ok")))
	b.waitFor("Ada a viewer", `document.querySelector(`+js(row("#members-panel", "ada@example.com"))+`).children[1].textContent === 'viewer'`)
	click("deactivate Ada", row("#members-panel", "ada@example.com")+` [data-action=deactivate]`)
	b.waitFor("the confirmation", `document.querySelector('#dialog').open`)
	click("confirm", "#dialog-ok")
	b.waitFor("Ada deactivated", present(row("#members-panel", "ada@example.com")+`[data-status=deactivated]`))
	click("reactivate Ada", row("#members-panel", "ada@example.com")+` [data-action=reactivate]`)
	b.waitFor("the confirmation", `document.querySelector('#dialog').open`)
	click("confirm", "#dialog-ok")
	b.waitFor("Ada active again", present(row("#members-panel", "ada@example.com")+`[data-status=active]`))
	click("open invitations", `a[href="#/invitations"]`)
	click("the accepted tab", "#tab-accepted")
	b.waitFor("Ada's invitation accepted", present(row("#inv-panel", "ada@example.com")))

	// Directory sync: preview an export, configure it (a bad source is named at its field),
	// run it, and approve a run held because it removes too many people. Each of these
	// replaces the button used, so the keyboard goes to what it changed, and the result is
	// announced.
	export := filepath.Join(exports, "okta.csv")
	writeExport := func(rows ...string) {
		t.Helper()
		lines := append([]string{`"User Id","Status","Username","First name","Last name","Primary email"`}, rows...)
		if err := os.WriteFile(export, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Eight people, and one row without an address, which is skipped.
	people := []string{`"00u1","ACTIVE","kim","Kim","Lee","kim@example.com"`}
	for i := 2; i <= 8; i++ {
		people = append(people, fmt.Sprintf(`"00u%d","ACTIVE","user%d","User","%d","user%d@example.com"`, i, i, i, i))
	}
	writeExport(append(people, `"00u9","ACTIVE","pat","Pat","Doe",""`)...)
	click("open directory sync", `a[href="#/sync"]`)
	b.waitFor("sync not configured yet", `document.querySelector('#sync-panel').dataset.state === 'unconfigured'`)
	b.do("preview the export", chromedp.SetUploadFiles(css("#sync-preview-file"), []string{export}), chromedp.Click(css(`#sync-preview-form button[type=submit]`)))
	b.waitFor("the plan of the export", `document.querySelector('#sync-preview-result [data-count=invite] dd')?.textContent === '8' && document.querySelector('#sync-preview-result [data-count=skipped] dd').textContent === '1'`)
	b.do("configure a source that is not a file", chromedp.SendKeys(css("#sync-sources"), "ftp://exports/group.csv"), chromedp.Click(css(`#sync-config-form button[type=submit]`)))
	b.waitFor("the source named at its field", `document.querySelector('#sync-sources').getAttribute('aria-invalid') === 'true' && document.querySelector('#sync-sources-error').textContent.includes('s3://')`)
	b.shot("sync-setup")
	b.do("configure the export", clear("#sync-sources"), chromedp.SendKeys(css("#sync-sources"), "file://"+export),
		clear("#sync-floor"), chromedp.SendKeys(css("#sync-floor"), "1"), chromedp.Click(css("#sync-useUpnWhenNoMail")),
		chromedp.Click(css(`#sync-config-form button[type=submit]`)))
	b.waitFor("sync configured", `document.querySelector('#sync-panel').dataset.state === 'configured' && document.querySelector('#sync-config').textContent.includes(`+js(export)+`)`+
		` && document.querySelector('#sync-config').textContent.includes('Invited at their user principal name')`)
	b.waitFor("the configuration in focus, saved", focused("sync-config-title")+` && `+said("configuration saved"))
	click("edit the configuration", "#sync-edit")
	b.waitFor("the sources in focus", focused("sync-sources"))
	click("cancel", "#sync-cancel")
	b.waitFor("back on Edit, nothing changed", focused("sync-edit")+` && `+said("not changed"))
	click("run now", "#sync-run")
	b.waitFor("an applied run", `[...document.querySelectorAll('#sync-runs tbody tr[data-status=applied]')].some(r => r.textContent.includes('8 invited'))`)
	b.waitFor("the runs in focus, the run applied", focused("sync-runs-title")+` && `+said("Sync applied"))
	// A run's details open under it, as wide as the list of runs.
	click("show the run's details", `#sync-runs tr[data-status=applied] [data-action=details]`)
	b.waitFor("the details across the table", `(() => {
		const button = document.querySelector('#sync-runs tr[data-status=applied] [data-action=details]');
		const row = document.getElementById(button.getAttribute('aria-controls'));
		const table = row.closest('table').getBoundingClientRect().width;
		return button.getAttribute('aria-expanded') === 'true' && !row.hidden && row.firstElementChild.getBoundingClientRect().width >= table - 1 && row.textContent.includes('kim@example.com');
	})()`)
	click("hide them", `#sync-runs tr[data-status=applied] [data-action=details]`)
	// Seven of eight leave at once: more than the guardrail lets through without approval.
	writeExport(people[0])
	click("run now", "#sync-run")
	b.waitFor("a held run", present(`#sync-runs [data-held] [data-action=approve]`))
	b.waitFor("the runs in focus, the run held", focused("sync-runs-title")+` && `+said("waits for your approval"))
	b.shot("sync")
	click("approve", `#sync-runs [data-held] [data-action=approve]`)
	b.waitFor("the confirmation", `document.querySelector('#dialog').open`)
	click("confirm", "#dialog-ok")
	b.waitFor("the held run approved", present(`#sync-runs tbody tr[data-status=approved]`))
	b.waitFor("the runs in focus, the run applied", focused("sync-runs-title")+` && `+said("held run was applied"))

	// Audit log, a page at a time: more entries than one page holds.
	status, body := browserAPI(t, api, "POST", "/api/v1/invitations/bulk", `{"invitations":[{"email":"p1@example.com"},{"email":"p2@example.com"},{"email":"p3@example.com"},{"email":"p4@example.com"},{"email":"p5@example.com"}]}`)
	if status != http.StatusOK {
		t.Fatalf("bulk invite through the API: %d %s", status, body)
	}
	click("open the audit log", `a[href="#/audit"]`)
	b.waitFor("the first page", `document.querySelectorAll('#audit-panel tbody tr').length === 20 && !document.querySelector('#audit-older').disabled`)
	b.shot("audit")
	click("older entries", "#audit-older")
	b.waitFor("the second page", `document.querySelector('#audit-page').textContent.startsWith('Page 2') && document.querySelectorAll('#audit-panel tbody tr').length > 0 && !document.querySelector('#audit-newer').disabled`)
	click("newer entries", "#audit-newer")
	b.waitFor("the first page again", `document.querySelector('#audit-page').textContent.startsWith('Page 1') && document.querySelector('#audit-newer').disabled`)

	// A phone-sized screen: nothing wider than the screen.
	b.do("a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(api+"/settings/#/invitations"))
	click("the pending tab", "#tab-pending")
	b.waitFor("the invitations on a phone", present(row("#inv-panel", "lin@example.com")))
	if wide := eval[bool](b, "the width", `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the page scrolls sideways on a phone: %d > %d", eval[int](b, "width", `document.documentElement.scrollWidth`), eval[int](b, "width", `window.innerWidth`))
	}
	b.shotAt("phone", "#list-title")
	// The tab strip scrolls sideways, and says so with a fade at the end that has more.
	b.waitFor("more at the end, faded there", `(n => n.dataset.more === 'end' && getComputedStyle(n, '::before').opacity === '0' && getComputedStyle(n, '::after').opacity === '1')(document.querySelector('.sections'))`)
	if got := eval[string](b, "the tab strip", `getComputedStyle(document.querySelector('.sections ul')).overflowX`); got != "auto" {
		t.Errorf("the tab strip's overflow-x = %q, want it to scroll sideways", got)
	}
	b.do("open the audit log", chromedp.Evaluate[chromedp.Void](`location.hash = '#/audit'`))
	b.waitFor("its tab in sight", `(ul => { const a = ul.querySelector('[aria-current=page]').getBoundingClientRect(), s = ul.getBoundingClientRect(); return a.left >= s.left && a.right <= s.right })(document.querySelector('.sections ul'))`)
	b.waitFor("more at the start, faded there", `(n => n.dataset.more === 'start' && getComputedStyle(n, '::before').opacity === '1' && getComputedStyle(n, '::after').opacity === '0')(document.querySelector('.sections'))`)
	b.shotAt("phone-tabs", ".topbar")
	b.do("back to a desktop", chromedp.EmulateViewport(1280, 900))

	// Sign out forgets the token.
	click("sign out", "#sign-out")
	b.waitFor("signed out", shown("#signin-form")+` && sessionStorage.getItem('gatehouse.token') === null`)
	b.checkConsole()
	t.Logf("browser test took %s", time.Since(start).Round(100*time.Millisecond))
}
