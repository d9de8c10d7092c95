package main

import (
	"net/http"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// Searching and acting on several invitations at once, in headless Chromium against
// `gatehouse dev`: the API searches addresses and names; the rows chosen are revoked or
// resent together, each with its own result (revoked, emailed too recently, skipped for
// having no email, failed), shown above the list.
func TestInvitationSearchAndBatchesInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStackWith(t, browserToken, nil)
	ids := map[string]string{}
	for _, inv := range []string{
		`{"email":"ada@example.com","name":"Ada Lovelace"}`, `{"email":"bob@lovelace.io","name":"Bob Byte"}`,
		`{"email":"cy@example.com","name":"Cy Young"}`, `{"email":"dee@example.com","name":"Dee Link","sendEmail":false}`,
		`{"email":"eve@example.com","name":"Eve Adams"}`, `{"email":"fay@example.com"}`,
	} {
		status, body := browserAPI(t, api, "POST", "/api/v1/invitations", inv)
		if status != http.StatusCreated {
			t.Fatalf("invite %s: %d %v", inv, status, body)
		}
		ids[body["email"].(string)] = body["id"].(string)
	}
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	click := func(step, sel string) { b.do(step, chromedp.Click(css(sel))) }
	text := func(sel string) string { return `(document.querySelector(` + js(sel) + `)?.textContent || '')` }
	has := func(sel, s string) string { return text(sel) + `.includes(` + js(s) + `)` }
	focused := func(id string) string { return `document.activeElement.id === ` + js(id) }
	dialog := `document.querySelector('#dialog').open`
	listed := func() []string {
		return eval[[]string](b, "the rows", `[...document.querySelectorAll('#inv-panel tbody tr')].map(r => r.dataset.email)`)
	}
	search := func(q string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(e => { e.value = ` + js(q) + `; e.dispatchEvent(new Event('input', {bubbles: true})) })(document.querySelector('#inv-search'))`)
	}
	results := func() []string {
		return eval[[]string](b, "the results", `[...document.querySelectorAll('#inv-batch tbody tr')].map(r => r.dataset.email + ' ' + r.dataset.result)`)
	}

	b.do("open the page", chromedp.Navigate(api+"/settings/"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("six pending", `document.querySelectorAll('#inv-panel tbody tr').length === 6`)

	// The API searches, in any case, addresses and names alike.
	b.do("search for lovelace", search("LoveLace"))
	b.waitFor("Ada and Bob", `document.querySelectorAll('#inv-panel tbody tr').length === 2 && `+has("#inv-count", "matching “LoveLace”"))
	if got := listed(); !cmp.Equal(got, []string{"bob@lovelace.io", "ada@example.com"}) {
		t.Errorf("lovelace finds %q, want Bob (address) and Ada (name), newest first", got)
	}
	if !eval[bool](b, "the request", `performance.getEntriesByType('resource').some(e => e.name.includes('/api/v1/invitations?') && e.name.includes('q=LoveLace'))`) {
		t.Error("the search was not sent to the API")
	}
	b.do("search for nobody", search("nobody"))
	b.waitFor("nobody matches", has("#inv-panel [data-state=empty]", "No pending invitations match “nobody”"))
	click("clear the search", "#inv-panel [data-state=empty] button")
	b.waitFor("everyone again, the search in focus", `document.querySelectorAll('#inv-panel tbody tr').length === 6 && `+focused("inv-search")+` && document.querySelector('#inv-search').value === ''`)

	// Revoke three together: confirmed, then a result for each.
	for _, email := range []string{"ada@example.com", "bob@lovelace.io", "cy@example.com"} {
		click("select "+email, "#inv-select-"+ids[email])
	}
	b.waitFor("three selected", has("#inv-selected-count", "3 selected")+` && document.querySelector('#inv-select-all').indeterminate`)
	click("revoke the selected", "#inv-revoke-selected")
	b.waitFor("the confirmation, Cancel in focus", dialog+` && `+has("#dialog-title", "Revoke 3 invitations")+` && `+focused("dialog-cancel"))
	click("confirm", "#dialog-ok")
	b.waitFor("a result for each, in focus", `document.querySelectorAll('#inv-batch tbody tr').length === 3 && `+focused("inv-batch-summary"))
	want := []string{"ada@example.com Revoked", "bob@lovelace.io Revoked", "cy@example.com Revoked"}
	if got := results(); !cmp.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("revoke results = %q, want %q", got, want)
	}
	b.waitFor("three left pending", `document.querySelectorAll('#inv-panel tbody tr').length === 3 && `+has("#inv-selected-count", "None selected"))
	for _, email := range []string{"ada@example.com", "bob@lovelace.io", "cy@example.com"} {
		if status, inv := browserAPI(t, api, "GET", "/api/v1/invitations/"+ids[email], ""); status != http.StatusOK || inv["status"] != "revoked" {
			t.Errorf("%s after the batch: %d %v", email, status, inv["status"])
		}
	}

	// Resend all three shown: one without email is skipped, one emailed seconds ago has to
	// wait (a notice, not a failure), and one revoked meanwhile fails.
	click("select all shown", "#inv-select-all")
	b.waitFor("three selected", has("#inv-selected-count", "3 selected"))
	if status, body := browserAPI(t, api, "DELETE", "/api/v1/invitations/"+ids["eve@example.com"], ""); status != http.StatusOK {
		t.Fatalf("revoke Eve meanwhile: %d %v", status, body)
	}
	click("resend the selected", "#inv-resend-selected")
	b.waitFor("the confirmation", dialog+` && `+has("#dialog-title", "Resend 3 invitations"))
	click("confirm", "#dialog-ok")
	b.waitFor("a result for each", `document.querySelectorAll('#inv-batch tbody tr').length === 3 && `+focused("inv-batch-summary"))
	want = []string{"dee@example.com Skipped", "eve@example.com Failed", "fay@example.com Not yet"}
	if got := results(); !cmp.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("resend results = %q, want %q", got, want)
	}
	for _, s := range []string{"None resent, 1 not yet (emailed too recently), 1 skipped, 1 failed.", "less than a minute", "Try again in"} {
		if !eval[bool](b, "the results", has("#inv-batch", s)) {
			t.Errorf("the results %q lack %q", eval[string](b, "the results", text("#inv-batch")), s)
		}
	}
	b.shot("invitations-batch")
	click("hide the results", "#inv-batch button")
	b.waitFor("hidden, Refresh in focus", `!document.querySelector('#inv-batch tbody') && `+focused("inv-refresh"))
	b.checkConsole()
}
