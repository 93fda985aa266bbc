package web

import (
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/i18n"
	"maintenant/app/provider"
)

// Page is what every page's view model embeds: the frame around the content.
type Page struct {
	Title    string
	Lang     i18n.Lang
	User     *accounts.User
	CSRF     string
	Flash    *Flash
	Path     string
	OrgName  string
	Area     string // "portal", "admin" or "" (bare pages)
	Errors   map[string]string
	Form     map[string]string
	Message  string // a general error above a form
	NextPath string
	DevMode  bool
}

// Err returns the message key of a field's error, for templates.
func (p *Page) Err(field string) string { return p.Errors[field] }

// Val returns the submitted value of a field, so a form comes back as the user left it.
func (p *Page) Val(field string) string { return p.Form[field] }

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind string
	Text string
}

// Flash kinds.
const (
	FlashSuccess = "success"
	FlashWarning = "warning"
	FlashError   = "error"
)

// SetFlash stores a message for the next page shown to this browser.
func (s *Server) SetFlash(c *fiber.Ctx, kind, text string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + text))
	s.setCookie(c, "mt_flash", v, 120)
}

func (s *Server) takeFlash(c *fiber.Ctx) *Flash {
	raw := c.Cookies(s.cookieName("mt_flash"))
	if raw == "" {
		return nil
	}
	s.clearCookie(c, "mt_flash")
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), "\x00")
	if !ok || (kind != FlashSuccess && kind != FlashWarning && kind != FlashError) || len(text) > 500 {
		return nil
	}
	return &Flash{Kind: kind, Text: text}
}

// T translates a message id in the request's language.
func (s *Server) T(c *fiber.Ctx, id string, args ...any) string {
	return s.Catalogue.T(Lang(c), id, args...)
}

// NewPage fills the frame of a page for this request.
func (s *Server) NewPage(c *fiber.Ctx, titleID string) Page {
	p := Page{
		Title: s.T(c, titleID), Lang: Lang(c), User: CurrentUser(c), CSRF: CSRF(c),
		Flash: s.takeFlash(c), Path: c.Path(), DevMode: !s.Config.StripeConfigured(),
	}
	switch {
	case strings.HasPrefix(p.Path, "/portal"):
		p.Area = "portal"
	case strings.HasPrefix(p.Path, "/admin"):
		p.Area = "admin"
	}
	return p
}

func (s *Server) org(c *fiber.Ctx) (*provider.Organisation, error) {
	if o, ok := c.Locals("org").(*provider.Organisation); ok {
		return o, nil
	}
	o, err := provider.Get(c.UserContext(), s.DB.Bun)
	if err != nil {
		return nil, err
	}
	c.Locals("org", o)
	return o, nil
}

// Render writes a page: the whole page in its layout, or only its "content" block when htmx asks for
// a fragment (HX-Request without HX-Boosted). status is the HTTP status (200, or 422 for a form
// with errors).
func (s *Server) Render(c *fiber.Ctx, status int, page string, data any) error {
	c.Vary("HX-Request")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	c.Status(status)
	block := "layouts/bare"
	if p := pageOf(data); p != nil {
		if p.OrgName == "" {
			p.OrgName = currentSession(c).OrgName
		}
		if p.OrgName == "" {
			if o, err := s.org(c); err == nil {
				p.OrgName = o.Name
			}
		}
		switch p.Area {
		case "portal":
			block = "layouts/portal"
		case "admin":
			block = "layouts/backoffice"
		}
	}
	if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" && c.Get("HX-Target") != "" {
		block = "content"
	}
	return s.Views.Render(c.Response().BodyWriter(), Lang(c), page, block, data)
}

// pageOf finds the embedded Page of a view model.
func pageOf(data any) *Page {
	type pager interface{ page() *Page }
	if p, ok := data.(pager); ok {
		return p.page()
	}
	return nil
}

func (p *Page) page() *Page { return p }

// FormError fills a page with the problems of an Invalid error and the user's input; other errors
// are returned for the error handler.
func FormError(p *Page, err error, form map[string]string) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		return err
	}
	p.Errors = e.Fields
	if len(p.Errors) == 0 {
		p.Message = e.Message
	}
	p.Form = form
	return nil
}

func writeAudit(c *fiber.Ctx, s *Server, ev audit.Event) error {
	return audit.Write(c.UserContext(), s.DB.Bun, s.Now(), Actor(c), ev)
}

// Refused tells whether err is a refusal a page shows again with the user's input: Invalid (422)
// or Conflict (409).
func Refused(err error) (*apperr.Error, bool) {
	e, ok := apperr.As(err)
	return e, ok && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict)
}

// ShowRefusal puts a refusal on a page and returns its status: an Invalid error's problems under
// their fields (rename maps a store's field name to the form's), or the message of a Conflict.
func ShowRefusal(p *Page, e *apperr.Error, rename map[string]string) int {
	if e.Kind != apperr.Invalid {
		p.Message = e.Message
		return fiber.StatusConflict
	}
	p.Errors = map[string]string{}
	for k, v := range e.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		p.Errors[k] = v
	}
	if len(p.Errors) == 0 {
		p.Message = e.Message
	}
	return fiber.StatusUnprocessableEntity
}
