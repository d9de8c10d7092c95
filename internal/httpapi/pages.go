package httpapi

import (
	"embed"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"gatehouse/internal/org"
)

//go:embed pages/gatehouse.css
var pageFiles embed.FS

// pageSecurity are the headers of every HTML page: nothing from other hosts, no framing, no
// referrer (the URL holds the invitation token).
var pageSecurity = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Referrer-Policy":         "no-referrer",
	"X-Frame-Options":         "DENY",
	"Cache-Control":           "no-store",
}

// pages renders the HTML pages of the accept flow. Their links are relative: behind API
// Gateway the browser sees /<stage>/invitations/accept while the router sees
// /invitations/accept.
type pages struct {
	accept, done, problem, notice pageContent
	css                           []byte
	appURL                        string
}

// newPages reads the embedded stylesheet.
func newPages(appURL string) (*pages, error) {
	p := &pages{accept: acceptContent, done: doneContent, problem: problemContent, notice: noticeContent, appURL: appURL}
	var err error
	if p.css, err = pageFiles.ReadFile("pages/gatehouse.css"); err != nil {
		return nil, err
	}
	return p, nil
}

// pageView is what the accept pages show.
type pageView struct {
	Title, OrgName, Inviter, Email, Role, RoleArticle string
	Expires, ExpiresISO, Token, Name, Error           string
	Message, Next, Eyebrow                            string
	AppURL                                            string
}

func (p *pages) render(w http.ResponseWriter, status int, content pageContent, v pageView) {
	page := layout(content, v)
	for k, val := range pageSecurity {
		w.Header().Set(k, val)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, page)
}

// article is "an" before a vowel sound, else "a".
func article(word string) string {
	if strings.IndexByte("aeiou", strings.ToLower(word + "x")[0]) >= 0 {
		return "an"
	}
	return "a"
}

// previewView fills a page from an invitation.
func previewView(pv org.Preview, token string) pageView {
	inv := pv.Invitation
	return pageView{
		Title: "Join " + pv.OrgName, OrgName: pv.OrgName, Inviter: inv.InvitedBy.Name, Email: inv.Email,
		Role: string(inv.Role), RoleArticle: article(string(inv.Role)),
		Expires: inv.ExpiresAt.UTC().Format("Monday, 2 January 2006 at 15:04 UTC"), ExpiresISO: inv.ExpiresAt.UTC().Format(time.RFC3339),
		Token: token, Name: inv.Name,
	}
}

// problemPage explains why a link cannot be used and what to do.
func (p *pages) problemPage(w http.ResponseWriter, err error) {
	v := pageView{Next: "ask the person who invited you to send the invitation again."}
	status := http.StatusNotFound
	switch {
	case errors.Is(err, org.ErrInvitationExpired):
		v.Title, v.Message, status = "This invitation has expired", "Invitation links work for a limited time, and this one has run out.", http.StatusGone
	case errors.Is(err, org.ErrInvitationRevoked):
		v.Title, v.Message, status = "This invitation was withdrawn", "The organization withdrew this invitation, so it can no longer be accepted.", http.StatusGone
		v.Next = "if you think this is a mistake, ask the person who invited you for a new invitation."
	case errors.Is(err, org.ErrInvitationAccepted):
		v.Title, v.Message, status = "This invitation was already accepted", "Each invitation link can be used once, and this one has been.", http.StatusConflict
		v.Next = "sign in as usual; if you did not accept it yourself, tell the person who invited you."
	case errors.Is(err, org.ErrDomainNotAllowed):
		v.Title, v.Message, status = "This invitation can no longer be accepted", "The organization now accepts only addresses of certain domains, and this invitation's address is not one of them.", http.StatusForbidden
		v.Next = "ask the person who invited you to invite your address at the organization's domain."
	case errors.Is(err, org.ErrInvalidToken):
		v.Title, v.Message = "This link does not work", "The link is incomplete, or a newer invitation email has replaced it."
		v.Next = "open the most recent invitation email, or ask the person who invited you to send it again."
	default:
		v.Title, v.Message, status = "Something went wrong", "We could not load this invitation just now.", http.StatusServiceUnavailable
		v.Next = "try the link again in a minute."
	}
	p.render(w, status, p.problem, v)
}

// acceptPage serves GET /invitations/accept?token=…: the invitation, never consumed by being
// opened.
func (a *api) acceptPage(p *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("token")
		pv, err := a.invitations.PreviewLink(r.Context(), token)
		if err != nil {
			a.logPageError(r, err)
			p.problemPage(w, err)
			return
		}
		p.render(w, http.StatusOK, p.accept, previewView(pv, token))
	})
}

// maxFormBytes bounds the accept form.
const maxFormBytes = 16 << 10

// acceptForm serves the page's POST /invitations/accept: the person accepts.
func (a *api) acceptForm(p *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			p.problemPage(w, org.ErrInvalidToken)
			return
		}
		token, name := r.PostForm.Get("token"), r.PostForm.Get("name")
		m, err := a.invitations.Accept(r.Context(), org.SourceWeb, token, name)
		var verr *org.ValidationError
		if errors.As(err, &verr) {
			pv, perr := a.invitations.PreviewLink(r.Context(), token)
			if perr != nil {
				p.problemPage(w, perr)
				return
			}
			v := previewView(pv, token)
			v.Name, v.Error = name, verr.Fields[0].Message
			p.render(w, http.StatusBadRequest, p.accept, v)
			return
		}
		if err != nil {
			a.logPageError(r, err)
			p.problemPage(w, err)
			return
		}
		pv := org.Preview{}
		if o, err := a.invitations.OrgName(r.Context(), m.OrgID); err == nil {
			pv.OrgName = o
		}
		p.render(w, http.StatusOK, p.done, pageView{
			Title: "Welcome to " + pv.OrgName, OrgName: pv.OrgName, Email: m.Email, Role: string(m.Role),
			RoleArticle: article(string(m.Role)), AppURL: p.appURL,
		})
	})
}

// logPageError logs failures that are not the person's doing.
func (a *api) logPageError(r *http.Request, err error) {
	for _, known := range []error{org.ErrInvalidToken, org.ErrInvitationExpired, org.ErrInvitationRevoked, org.ErrInvitationAccepted, org.ErrDomainNotAllowed} {
		if errors.Is(err, known) {
			return
		}
	}
	a.log.ErrorContext(r.Context(), "accept page", "requestId", requestIDFrom(r.Context()), "err", err)
}

// stylesheet serves the pages' CSS, cacheable for a day.
func stylesheet(p *pages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(p.css)
	})
}
