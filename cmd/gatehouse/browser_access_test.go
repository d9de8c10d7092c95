package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// Behind API Gateway the page is /<stage>/settings/ and the API /<stage>/api/v1: the page
// finds the API from its own address. An address naming no section (even one every object
// has, such as constructor) shows the invitations.
func TestSettingsPageUnderAStagePath(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStack(t, browserToken)
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	// API Gateway strips the stage before the function sees the request.
	gateway := httptest.NewServer(http.StripPrefix("/prod", httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(gateway.Close)
	b := newTab(t)
	b.do("open the page under the stage", chromedp.Navigate(gateway.URL+"/prod/settings/#/constructor"))
	b.waitFor("the sign-in form", `document.querySelector('#signin-form') && !document.querySelector('#signin').hidden`)
	b.do("sign in", chromedp.SendKeys(chromedp.CSS("#token"), browserToken), chromedp.Click(chromedp.CSS("#signin-submit")))
	b.waitFor("signed in through the stage", `document.querySelector('#whoami').textContent.includes('admin') && document.querySelector('#inv-panel [data-state=empty]')`)
	if path := eval[string](b, "the address", `location.pathname`); path != "/prod/settings/" {
		t.Errorf("the page is at %s, want /prod/settings/", path)
	}
	b.do("open the members", chromedp.Evaluate[chromedp.Void](`location.hash = '#/members'`))
	b.waitFor("the members", `!document.querySelector('#members').hidden`)
	b.do("go to __proto__", chromedp.Evaluate[chromedp.Void](`location.hash = '#/__proto__'`))
	b.waitFor("the invitations again", `!document.querySelector('#invitations').hidden && document.querySelector('#members').hidden && document.activeElement.id === 'invitations-title'`)
	b.checkConsole()
}

// A member's token gets the page with what a member may do: invite members and viewers by
// email, resend, and read the rest; admin-only controls are not offered. Sending the invite
// form again reuses its Idempotency-Key only when the first answer never came.
func TestSettingsPageForAMemberToken(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStack(t, browserToken)
	status, created := browserAPI(t, api, "POST", "/api/v1/tokens", `{"name":"Team lead","role":"member"}`)
	if status != http.StatusCreated {
		t.Fatalf("create a member token: %d %v", status, created)
	}
	token, _ := created["token"].(string)
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	b.do("open the page", chromedp.Navigate(api+"/settings/"))
	b.waitFor("the sign-in form", `document.querySelector('#signin-form') && !document.querySelector('#signin').hidden`)
	b.do("sign in", chromedp.SendKeys(css("#token"), token), chromedp.Click(css("#signin-submit")))
	b.waitFor("signed in as a member", `document.querySelector('#whoami').textContent === 'Member or viewer token'`)
	if got := eval[[]string](b, "the roles offered", `[...document.querySelectorAll('#invite-role option')].map(o => o.value)`); len(got) != 2 || got[0] != "member" || got[1] != "viewer" {
		t.Errorf("roles offered to a member = %q, want member and viewer", got)
	}
	if hidden := eval[bool](b, "the email option", `document.querySelector('#invite-email-option').hidden`); !hidden {
		t.Error("a member is offered to invite without email, which only admins may")
	}
	// The page's fetch, wrapped to note the keys of invitations sent and to lose the next one
	// on the way, as a dropped connection would.
	b.do("watch the invitations sent", chromedp.Evaluate[chromedp.Void](`(() => {
		const send = window.fetch;
		window.sentKeys = [];
		window.dropNext = false;
		window.fetch = (url, opts = {}) => {
			if (opts.method === 'POST' && String(url).endsWith('/api/v1/invitations')) {
				window.sentKeys.push(opts.headers['Idempotency-Key']);
				if (window.dropNext) {
					window.dropNext = false;
					return Promise.reject(new TypeError('Failed to fetch'));
				}
			}
			return send(url, opts);
		};
	})()`))
	sentKeys := func() []string { return eval[[]string](b, "the keys sent", `window.sentKeys`) }
	b.do("invite Mia, losing the request", chromedp.Evaluate[chromedp.Void](`window.dropNext = true`),
		chromedp.SendKeys(css("#invite-email"), "mia@example.com"), chromedp.Click(css("#invite-submit")))
	b.waitFor("Gatehouse not reached", `document.querySelector('#invite-error').textContent.includes('could not be reached')`)
	b.do("send it again", chromedp.Click(css("#invite-submit")))
	row := `#inv-panel tr[data-email="mia@example.com"]`
	b.waitFor("Mia pending, resendable, not revocable", `document.querySelector('`+row+` [data-action=resend]') && !document.querySelector('`+row+` [data-action=revoke]')`)
	if keys := sentKeys(); len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("keys sent = %q, want the key of the lost request again", keys)
	}
	miaID := eval[string](b, "Mia's invitation", `document.querySelector('`+row+`').dataset.id`)
	b.do("invite Mia again", chromedp.SendKeys(css("#invite-email"), "mia@example.com"), chromedp.Click(css("#invite-submit")))
	b.waitFor("already invited, with a way to resend", `document.querySelector('#invite-email').getAttribute('aria-invalid') === 'true' && document.querySelector('#invite-error button')?.textContent === 'Resend that invitation'`)
	// An admin revokes Mia's invitation: the same form sent again now invites her, rather
	// than getting the answer kept for the earlier key.
	if status, body := browserAPI(t, api, "DELETE", "/api/v1/invitations/"+miaID, ""); status != http.StatusOK {
		t.Fatalf("revoke Mia's invitation: %d %v", status, body)
	}
	b.do("send the same form again", chromedp.Click(css("#invite-submit")))
	b.waitFor("Mia invited anew", `document.querySelector('`+row+`')?.dataset.id !== `+js(miaID)+` && document.querySelector('`+row+` [data-action=resend]')`)
	if keys := sentKeys(); len(keys) != 4 || keys[3] == keys[2] {
		t.Errorf("keys sent = %q, want a new key after the answer already invited", keys)
	}
	b.do("open members", chromedp.Click(css(`a[href="#/members"]`)))
	b.waitFor("members, read-only", `document.querySelector('#members-panel tr[data-email="admin@demo.example"]') && !document.querySelector('#members-panel button[data-action]') && !document.querySelector('#members-note').hidden`)
	b.do("open directory sync", chromedp.Click(css(`a[href="#/sync"]`)))
	b.waitFor("directory sync for admins only", `document.querySelector('#sync-panel').dataset.state === 'forbidden'`)
	b.do("open webhooks", chromedp.Click(css(`a[href="#/webhooks"]`)))
	b.waitFor("webhooks for admins only", `document.querySelector('#webhooks-panel').dataset.state === 'forbidden'`)
	b.do("open API tokens", chromedp.Click(css(`a[href="#/tokens"]`)))
	b.waitFor("API tokens for admins only", `document.querySelector('#tokens-panel').dataset.state === 'forbidden'`)
	b.do("open the audit log", chromedp.Click(css(`a[href="#/audit"]`)))
	b.waitFor("the audit log", `document.querySelector('#audit-panel tbody tr')`)
	b.checkConsole()
}
