package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// The Slack tab in headless Chromium against `gatehouse dev`, whose demo workspace is
// connected: change who may invite, disconnect, and connect again by team id (the local stack
// has no Slack app to install); an install coming back from Slack is finished, or refused
// with a reason, and its code leaves the address.
func TestSlackTabInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStackWith(t, browserToken, nil)
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	shown := func(sel string) string {
		return `(e => e && !e.closest('[hidden]') && e.getClientRects().length > 0)(document.querySelector(` + js(sel) + `))`
	}
	toast := func(text string) string {
		return `[...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes(` + js(text) + `))`
	}
	b.do("open the page", chromedp.Navigate(api+"/settings#/slack"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("the demo workspace", shown("#slack-facts")+` && document.querySelector('#slack-facts').textContent.includes('T0DEMO')`)
	b.do("allow another user and make invitations viewers",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#slack-allowedUserIds').value = 'U0DEMO\nU0SECOND'`),
		chromedp.SetValue(css("#slack-role"), "viewer"), chromedp.Click(css("#slack-form button[type=submit]")))
	b.waitFor("saved", toast("Saved"))
	if status, c := browserAPI(t, api, "GET", "/api/v1/integrations/slack", ""); status != http.StatusOK || c["role"] != "viewer" || len(c["allowedUserIds"].([]any)) != 2 {
		t.Errorf("after saving: %d %v", status, c)
	}
	b.do("a bad user id", chromedp.Evaluate[chromedp.Void](`document.querySelector('#slack-allowedUserIds').value = 'jdoe'`), chromedp.Click(css("#slack-form button[type=submit]")))
	b.waitFor("the users field refused", `document.querySelector('#slack-allowedUserIds').getAttribute('aria-invalid') === 'true'`)

	b.do("disconnect", chromedp.Click(css("#slack-disconnect")))
	b.waitFor("the confirmation", `document.querySelector('#dialog').open`)
	b.do("confirm", chromedp.Click(css("#dialog-ok")))
	b.waitFor("not connected", shown("#slack-install"))
	b.do("add to Slack", chromedp.Click(css("#slack-install")))
	b.waitFor("the team id form", shown("#slack-teamId"))
	b.do("connect by team id", chromedp.SendKeys(css("#slack-teamId"), "T0LOCAL"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#slack-allowedUserIds').value = 'U0DEMO'`),
		chromedp.Click(css("#slack-form button[type=submit]")))
	b.waitFor("connected again", shown("#slack-facts")+` && document.querySelector('#slack-facts').textContent.includes('T0LOCAL')`)

	// An install Slack sent back cannot finish here (no app): it is refused with a reason,
	// and its code is gone from the address.
	b.do("come back from Slack", chromedp.Navigate(api+"/settings/#/slack?code=fake&state=fake.state"))
	b.do("sign in", chromedp.Evaluate[chromedp.Void](`1`))
	b.waitFor("the refusal, as an error", `document.querySelector('#toasts .toast[data-kind=error]') && location.hash === '#/slack' && document.querySelector('#alert').textContent !== ''`)
}
