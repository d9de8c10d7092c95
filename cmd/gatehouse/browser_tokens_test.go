package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The API tokens tab in headless Chromium against `gatehouse dev`: the session's own token
// marked, a creation refused at its fields, a token created with a role and an expiry (its
// secret shown once) and one acting for a member, when each was last used, revoking one
// (confirmed, and it stops working), and revoking the session's own token, which signs out.
func TestTokensTabInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
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
	dialog := `document.querySelector('#dialog').open`
	row := func(name string) string { return `#tokens-panel tr[data-name=` + js(name) + `]` }

	b.do("open the page", chromedp.Navigate(api+"/settings#/tokens"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("the tokens", `document.querySelector('#tokens-panel')?.dataset.state === 'listed' && document.querySelector('#tokens-panel tbody tr')`)
	session := eval[string](b, "the session's row", `[...document.querySelectorAll('#tokens-panel tbody tr')].find(r => r.textContent.includes('This session'))?.dataset.name || ''`)
	if session == "" || !eval[bool](b, "the session's hint", has(row(session), "…"+browserToken[len(browserToken)-4:])) {
		t.Fatalf("the session's token is not marked (found %q)", session)
	}

	// Refused at the fields: no name, an expiry past a year.
	b.do("an expiry past a year, no name", chromedp.SendKeys(css("#token-expiresInDays"), "400"), chromedp.Click(css("#token-submit")))
	b.waitFor("the name and the expiry named", invalid("#token-name")+` && `+invalid("#token-expiresInDays")+` && `+has("#token-expiresInDays-error", "365")+` && `+focused("token-name"))

	// Created: the secret once, to copy; listed with its role and expiry, never used.
	b.do("a viewer token for 90 days", chromedp.SendKeys(css("#token-name"), "CI importer"), chromedp.SetValue(css("#token-role"), "viewer"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#token-expiresInDays').value = '90'`), chromedp.Click(css("#token-submit")))
	b.waitFor("the secret dialog", dialog+` && document.querySelector('#token-secret')?.value.startsWith('ghk_') && `+has("#dialog-body", "It works until"))
	secret := eval[string](b, "the secret", `document.querySelector('#token-secret').value`)
	click("close the dialog", "#dialog-ok")
	b.waitFor("listed, its Revoke in focus", `document.activeElement.matches(`+js(row("CI importer")+` [data-action=revoke]`)+`)`)
	for _, want := range []string{"viewer", "in 3 months", "Never"} {
		if !eval[bool](b, "the row", has(row("CI importer"), want)) {
			t.Errorf("the new token's row %q lacks %q", eval[string](b, "the row", text(row("CI importer"))), want)
		}
	}
	if strings.Contains(eval[string](b, "the page", `document.documentElement.outerHTML`), secret) {
		t.Error("the secret is still in the page after its dialog closed")
	}

	// Used: the list says when.
	if status, _ := apiCall(t, api, secret, "GET", "/api/v1/users", ""); status != http.StatusOK {
		t.Fatalf("the new token: %d", status)
	}
	pollUntil(t, "the token's use recorded", func() bool {
		_, list := browserAPI(t, api, "GET", "/api/v1/tokens", "")
		for _, it := range list["items"].([]any) {
			if tok := it.(map[string]any); tok["name"] == "CI importer" && tok["lastUsedAt"] != nil {
				return true
			}
		}
		return false
	})
	click("refresh", "#tokens-refresh")
	b.waitFor("last used just now", has(row("CI importer"), "just now")+` && !`+has(row("CI importer"), "Never"))

	// A token acting for a member names them.
	b.do("a token for the admin", chromedp.SendKeys(css("#token-name"), "Demo laptop"), chromedp.SetValue(css("#token-role"), "admin"),
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = [...s.options].find(o => o.text.includes('admin@demo.example')).value })(document.querySelector('#token-ownerId'))`),
		chromedp.Click(css("#token-submit")))
	b.waitFor("the secret dialog", dialog+` && document.querySelector('#token-secret')?.value.startsWith('ghk_')`)
	click("close the dialog", "#dialog-ok")
	b.waitFor("acting for the admin", has(row("Demo laptop"), "admin@demo.example"))
	b.shot("tokens")

	// Revoked after a confirmation: it no longer works.
	click("revoke", row("CI importer")+` [data-action=revoke]`)
	b.waitFor("the confirmation, Cancel in focus", dialog+` && `+focused("dialog-cancel"))
	click("confirm", "#dialog-ok")
	b.waitFor("gone from the list", `!document.querySelector(`+js(row("CI importer"))+`) && `+focused("tokens-list-title"))
	if status, _ := apiCall(t, api, secret, "GET", "/api/v1/users", ""); status != http.StatusUnauthorized {
		t.Errorf("the revoked token answers %d, want 401", status)
	}

	// Revoking the session's own token says so, and signs out.
	click("revoke the session's token", row(session)+` [data-action=revoke]`)
	b.waitFor("the warning", dialog+` && `+has("#dialog-body", "You are signed in with this token"))
	click("confirm", "#dialog-ok")
	b.waitFor("signed out", `!document.querySelector('#signin').hidden && sessionStorage.getItem('gatehouse.token') === null && `+has("#token-error", "no longer accepted"))
	b.checkConsole()
}
