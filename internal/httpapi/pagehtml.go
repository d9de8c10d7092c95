package httpapi

import "gatehouse/internal/markup"

// The HTML of the accept pages. Each page writes its content into the layout every page
// shares; markup.Builder escapes each value as html/template would (see package markup for
// why these are not templates).

// pageContent writes the part of a page inside its layout.
type pageContent func(h *markup.Builder, v pageView)

// layout is the whole document: head, stylesheet and the card that holds the content.
func layout(content pageContent, v pageView) string {
	var h markup.Builder
	h.Raw(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>`).Text(v.Title).Raw(` · Gatehouse</title>
<link rel="stylesheet" href="../assets/gatehouse.css">
</head>
<body>
<main class="card" aria-labelledby="title">
`)
	content(&h, v)
	h.Raw(`
</main>
</body>
</html>`)
	return h.String()
}

// acceptContent shows the invitation and the form that accepts it, with the name's problem
// next to the field when the form came back refused.
func acceptContent(h *markup.Builder, v pageView) {
	h.Raw(`
<p class="eyebrow">Invitation</p>
<h1 id="title">Join `).Text(v.OrgName).Raw(`</h1>
<p>`)
	if v.Inviter != "" {
		h.Raw(`<strong>`).Text(v.Inviter).Raw(`</strong> invited you`)
	} else {
		h.Raw(`You have been invited`)
	}
	h.Raw(` to join <strong>`).Text(v.OrgName).Raw(`</strong> as `).Text(v.RoleArticle).Raw(` <strong>`).Text(v.Role).Raw(`</strong>.</p>
<dl class="facts">
  <dt>Invited address</dt><dd>`).Text(v.Email).Raw(`</dd>
  <dt>Role</dt><dd>`).Text(v.Role).Raw(`</dd>
  <dt>Link expires</dt><dd><time datetime="`).Text(v.ExpiresISO).Raw(`">`).Text(v.Expires).Raw(`</time></dd>
</dl>
<form method="post" action="accept">
  <input type="hidden" name="token" value="`).Text(v.Token).Raw(`">
  <label for="name">Your name <span class="hint">(as your colleagues will see it)</span></label>
  <input id="name" name="name" type="text" maxlength="200" autocomplete="name" value="`).Text(v.Name).Raw(`"`)
	if v.Error != "" {
		h.Raw(` aria-invalid="true" aria-describedby="name-error"`)
	}
	h.Raw(`>
  `)
	if v.Error != "" {
		h.Raw(`<p id="name-error" class="error" role="alert">`).Text(v.Error).Raw(`</p>`)
	}
	h.Raw(`
  <button type="submit">Accept and join `).Text(v.OrgName).Raw(`</button>
</form>
<p class="fine">Not expecting this? You can close this page; nothing happens until you accept.</p>
`)
}

// doneContent welcomes the new member, with a link to the app when there is one.
func doneContent(h *markup.Builder, v pageView) {
	h.Raw(`
<p class="eyebrow">You're in</p>
<h1 id="title">Welcome to `).Text(v.OrgName).Raw(`</h1>
<p>You joined <strong>`).Text(v.OrgName).Raw(`</strong> as `).Text(v.RoleArticle).Raw(` <strong>`).Text(v.Role).Raw(`</strong> with `).Text(v.Email).Raw(`.</p>
`)
	if v.AppURL != "" {
		h.Raw(`<p><a class="button" href="`).URL(v.AppURL).Raw(`">Continue to `).Text(v.OrgName).Raw(`</a></p>`)
	} else {
		h.Raw(`<p>You can close this page.</p>`)
	}
	h.Raw(`
`)
}

// problemContent says why an invitation link cannot be used and what to do.
func problemContent(h *markup.Builder, v pageView) {
	v.Eyebrow = "Invitation"
	noticeContent(h, v)
}

// noticeContent is a message with a heading and what to do next.
func noticeContent(h *markup.Builder, v pageView) {
	h.Raw(`
<p class="eyebrow">`).Text(v.Eyebrow).Raw(`</p>
<h1 id="title">`).Text(v.Title).Raw(`</h1>
<p>`).Text(v.Message).Raw(`</p>
<p><strong>What to do next:</strong> `).Text(v.Next).Raw(`</p>
`)
}
