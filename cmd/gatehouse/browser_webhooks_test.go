package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// hookReceiver is a webhook endpoint on 127.0.0.1 that checks each request's signature
// against every secret it was told, as the Standard Webhooks specification says.
type hookReceiver struct {
	url     string
	mu      sync.Mutex
	secrets []string
	status  int
	got     []hookRequest
}

// hookRequest is one request the receiver got: its event and the secrets that signed it.
type hookRequest struct {
	id, body string
	signedBy []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	rv := &hookReceiver{status: http.StatusNoContent}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		defer rv.mu.Unlock()
		req := hookRequest{id: r.Header.Get("webhook-id"), body: string(body)}
		for _, secret := range rv.secrets {
			if wh, err := standardwebhooks.NewWebhook(secret); err == nil && wh.Verify(body, r.Header) == nil {
				req.signedBy = append(req.signedBy, secret)
			}
		}
		rv.got = append(rv.got, req)
		w.WriteHeader(rv.status)
	}))
	t.Cleanup(srv.Close)
	rv.url = srv.URL
	return rv
}

func (rv *hookReceiver) trust(secret string) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.secrets = append(rv.secrets, secret)
}

func (rv *hookReceiver) answer(status int) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.status = status
}

// last is the latest request whose body mentions eventType.
func (rv *hookReceiver) last(eventType string) (hookRequest, bool) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	for i := len(rv.got) - 1; i >= 0; i-- {
		if strings.Contains(rv.got[i].body, `"type":"`+eventType+`"`) {
			return rv.got[i], true
		}
	}
	return hookRequest{}, false
}

// The Webhooks tab in headless Chromium against `gatehouse dev` and a receiver on 127.0.0.1
// that checks every signature: an endpoint added (its fields checked, its secret shown once),
// a test event and its result, the deliveries, a rotation (both secrets signing), a failing
// delivery retried once the receiver is fixed, an endpoint turned off, and deleted.
func TestWebhooksTabInABrowser(t *testing.T) {
	t.Parallel() // its own dev stack and browser
	api, _ := devStackWith(t, browserToken, nil)
	rv := newHookReceiver(t)
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
	row := `#webhooks-panel tr[data-url=` + js(rv.url) + `]`
	html := func(step string) string { return eval[string](b, step, `document.documentElement.outerHTML`) }

	b.do("open the page", chromedp.Navigate(api+"/settings#/webhooks"))
	b.do("sign in", chromedp.SendKeys(css("#token"), browserToken), chromedp.Click(css("#signin-submit")))
	b.waitFor("no endpoints yet", `document.querySelector('#webhooks-panel')?.dataset.state === 'empty' && document.querySelector('#webhook-form')`)
	if n := eval[int](b, "the event boxes", `document.querySelectorAll('#webhook-form input[name=event]').length`); n < 14 {
		t.Errorf("the form offers %d event types, want every one the API lists", n)
	}

	// Nothing filled in: both fields named; an address that is not https: the API's words.
	click("add with nothing", "#webhook-submit")
	b.waitFor("the address and the events named", invalid("#webhook-url")+` && `+invalid("#webhook-events-all")+` && `+focused("webhook-url"))
	b.do("an http address", chromedp.SendKeys(css("#webhook-url"), "http://hooks.example.com/gatehouse"),
		chromedp.Click(css("#webhook-event-invitation-accepted")), chromedp.Click(css("#webhook-submit")))
	b.waitFor("the address refused by the API", invalid("#webhook-url")+` && `+has("#webhook-url-error", "https"))

	// Added: the secret is shown once, to copy, and then nowhere.
	b.do("the receiver's address", chromedp.Evaluate[chromedp.Void](`document.querySelector('#webhook-url').value = ''`),
		chromedp.SendKeys(css("#webhook-url"), rv.url), chromedp.SendKeys(css("#webhook-description"), "provisioning"),
		chromedp.Click(css("#webhook-event-member-deactivated")), chromedp.Click(css("#webhook-submit")))
	b.waitFor("the secret dialog", dialog+` && document.querySelector('#webhook-secret')?.value.startsWith('whsec_')`)
	first := eval[string](b, "the secret", `document.querySelector('#webhook-secret').value`)
	rv.trust(first)
	click("copy the secret", "#webhook-secret-copy")
	b.waitFor("copied, or selected to copy", `document.querySelector('#webhook-secret-status').textContent !== ''`)
	click("close the dialog", "#dialog-ok")
	b.waitFor("the endpoint listed, its test button in focus", `document.activeElement.matches(`+js(row+` [data-action=test]`)+`)`)
	for _, want := range []string{"provisioning", "invitation.accepted, member.deactivated", "Enabled", "…" + first[len(first)-4:]} {
		if !eval[bool](b, "the row", has(row, want)) {
			t.Errorf("the endpoint's row %q lacks %q", eval[string](b, "the row", text(row)), want)
		}
	}
	if strings.Contains(html("the page after the dialog"), first) {
		t.Error("the secret is still in the page after its dialog closed")
	}

	// A test event: its result beside the list, and in the deliveries.
	click("send a test", row+` [data-action=test]`)
	b.waitFor("the test delivered", `document.querySelector('#webhook-test-result')?.dataset.status === 'delivered' && `+has("#webhook-test-result", "204"))
	if got, ok := rv.last("webhook.test"); !ok || len(got.signedBy) != 1 {
		t.Errorf("the test event: %v %+v, want one signed with the secret", ok, got)
	}
	click("show the deliveries", row+` [data-action=deliveries]`)
	b.waitFor("the delivered test", focused("webhook-deliveries-title")+` && document.querySelector('#webhook-deliveries tr[data-status=delivered]') && `+has("#webhook-deliveries", "webhook.test"))

	// Rotate: the new secret is shown once; for a day both sign.
	click("rotate", row+` [data-action=rotate]`)
	b.waitFor("the confirmation", dialog+` && `+has("#dialog-body", "24 hours"))
	click("confirm", "#dialog-ok")
	b.waitFor("the new secret", dialog+` && document.querySelector('#webhook-secret')?.value.startsWith('whsec_') && document.querySelector('#webhook-secret').value !== `+js(first)+` && `+has("#dialog-body", "old secret stays valid for 24 hours"))
	second := eval[string](b, "the new secret", `document.querySelector('#webhook-secret').value`)
	rv.trust(second)
	click("close the dialog", "#dialog-ok")
	b.waitFor("the old secret's day shown", has(row, "old secret also signs; it expires in 24 hours")+` && `+has(row, "…"+second[len(second)-4:]))
	click("test again", row+` [data-action=test]`)
	b.waitFor("the second test delivered", `document.querySelector('#webhook-test-result')?.dataset.status === 'delivered'`)
	if got, _ := rv.last("webhook.test"); len(got.signedBy) != 2 {
		t.Errorf("after the rotation the test is signed by %d of the secrets, want both", len(got.signedBy))
	}

	// A delivery that fails is retried once the receiver is fixed, with the same id.
	click("edit", row+` [data-action=edit]`)
	b.waitFor("the form in focus", focused("webhook-url")+` && document.querySelector('#webhook-event-member-deactivated').checked`)
	click("also invitations made", "#webhook-event-invitation-created")
	click("save", "#webhook-submit")
	b.waitFor("saved, Edit in focus", has(row, "invitation.created")+` && document.activeElement.matches(`+js(row+` [data-action=edit]`)+`)`)
	rv.answer(http.StatusInternalServerError)
	if status, body := browserAPI(t, api, "POST", "/api/v1/invitations", `{"email":"hook@example.com","sendEmail":false}`); status != http.StatusCreated {
		t.Fatalf("invite: %d %v", status, body)
	}
	pollUntil(t, "the invitation's delivery to fail", func() bool { got, ok := rv.last("invitation.created"); return ok && got.id != "" })
	click("show the deliveries", row+` [data-action=deliveries]`)
	failing := `#webhook-deliveries tr[data-status=failing]`
	b.waitFor("the failing delivery", `document.querySelector(`+js(failing)+`) && `+has(failing, "invitation.created")+` && `+has(failing, "500"))
	b.shot("webhooks")
	failedID, _ := rv.last("invitation.created")
	rv.answer(http.StatusOK)
	click("retry", failing+` [data-action=retry]`)
	b.waitFor("delivered on the retry", `document.querySelector('#webhook-deliveries tr[data-id=`+js(failedID.id)+`][data-status=delivered]')`)
	if got, _ := rv.last("invitation.created"); got.id != failedID.id || len(got.signedBy) != 2 {
		t.Errorf("the retry came as %+v, want the id %s again, signed", got, failedID.id)
	}

	// Turned off, then deleted after a confirmation.
	click("edit", row+` [data-action=edit]`)
	click("turn it off", "#webhook-enabled")
	click("save", "#webhook-submit")
	b.waitFor("disabled", `document.querySelector(`+js(row+` [data-state=disabled]`)+`) && `+has(row, "Turned off by an admin"))
	click("delete", row+` [data-action=delete]`)
	b.waitFor("the confirmation, Cancel in focus", dialog+` && `+focused("dialog-cancel"))
	click("confirm", "#dialog-ok")
	b.waitFor("no endpoints", `document.querySelector('#webhooks-panel').dataset.state === 'empty' && `+focused("webhooks-list-title"))
	if status, list := browserAPI(t, api, "GET", "/api/v1/webhooks", ""); status != http.StatusOK || len(list["items"].([]any)) != 0 {
		t.Errorf("after deleting: %d %v", status, list)
	}
	b.checkConsole()
}
