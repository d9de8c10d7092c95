package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The identity provider panel in headless Chromium: create the SCIM token (shown once, with
// the URL to paste), set role mappings and the guardrail, and decide on deactivations SCIM
// pushed beyond it.
func TestIdentityProviderPanelInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStackWith(t, browserToken, nil)
	b := newTab(t)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	shown := func(sel string) string {
		return `(e => e && !e.closest('[hidden]') && e.getClientRects().length > 0)(document.querySelector(` + js(sel) + `))`
	}
	b.do("open the page", chromedp.Navigate(api+"/settings#/identity"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("the unconfigured panel", shown("#scim-create"))
	b.do("create the token", chromedp.Click(css("#scim-create")))
	b.waitFor("the token dialog", `document.querySelector('#dialog').open && document.querySelector('#scim-new-token')`)
	token := eval[string](b, "the token", `document.querySelector('#scim-new-token').value`)
	url := eval[string](b, "the URL", `document.querySelector('#scim-new-url').value`)
	if !strings.HasPrefix(token, "ghs_") || url != api+"/scim/v2" {
		t.Fatalf("token %q, URL %q", token, url)
	}
	b.do("close the dialog", chromedp.Click(css("#dialog-ok")))
	b.waitFor("the configured panel", shown("#scim-facts")+` && document.querySelector('#scim-facts').textContent.includes('…'+`+js(token[len(token)-4:])+`)`)
	if strings.Contains(eval[string](b, "the page", `document.body.innerText`), token) {
		t.Error("the token is still on the page after its dialog closed")
	}

	// A bad mapping is named at its field; a good one is saved.
	b.do("map a group to a role that does not exist", chromedp.SendKeys(css("#scim-mappings"), "Portal Admins = root"), chromedp.Click(css("#scim-form button[type=submit]")))
	b.waitFor("the mapping refused", `document.querySelector('#scim-mappings').getAttribute('aria-invalid') === 'true'`)
	b.do("fix the mapping and tighten the guardrail",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#scim-mappings').value = 'Portal Admins = admin'`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#scim-floor').value = '1'`),
		chromedp.Click(css("#scim-form button[type=submit]")))
	b.waitFor("saved", `document.querySelector('#scim-mappings') && document.querySelector('#scim-mappings').value.includes('Portal Admins = admin') && document.querySelector('#scim-floor').value === '1'`)

	// SCIM pushes two people and deactivates both: the second waits for a decision here.
	scim := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		status, raw := apiCall(t, api, token, method, path, body)
		var out map[string]any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, raw)
			}
		}
		return status, out
	}
	var ids []string
	for _, who := range []string{"ada", "bob"} {
		status, u := scim("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+who+`@example.com","emails":[{"value":"`+who+`@example.com","primary":true}]}`)
		if status != http.StatusCreated {
			t.Fatalf("create %s over SCIM: %d %v", who, status, u)
		}
		ids = append(ids, u["id"].(string))
	}
	off := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	for _, id := range ids {
		if status, u := scim("PATCH", "/scim/v2/Users/"+id, off); status != http.StatusOK || u["active"] != false {
			t.Fatalf("deactivate %s: %d %v", id, status, u)
		}
	}
	b.do("reload the panel", chromedp.Reload())
	b.do("sign in again", chromedp.Evaluate[chromedp.Void](`1`))
	b.waitFor("the held deactivation", shown("#scim-approve")+` && document.querySelector('#scim-held').textContent.includes('bob@example.com')`)
	b.do("keep Bob", chromedp.Click(css("#scim-discard")))
	b.waitFor("nothing held", shown("#scim-held")+` && !document.querySelector('#scim-approve')`)
	if status, inv := browserAPI(t, api, "GET", "/api/v1/invitations/"+ids[1], ""); status != http.StatusOK || inv["status"] != "pending" {
		t.Errorf("Bob after keeping him: %d %v", status, inv)
	}
}
