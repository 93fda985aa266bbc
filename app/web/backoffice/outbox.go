package backoffice

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/mail"
	"maintenant/app/web"
)

// outboxPage is the view model of the outbox list.
type outboxPage struct {
	web.Page
	To       string
	Messages []mail.Message
	NextURL  string
	FirstURL string
}

// handleOutboxIndex handles the "GET /admin/outbox" route: every mail the application wrote, newest
// first, filtered by recipient.
func (h *handler) handleOutboxIndex(c *fiber.Ctx) error {
	to := c.Query("to")
	if len(to) > 254 {
		to = to[:254]
	}
	page, err := mail.List(c.UserContext(), h.DB.Bun, to, c.Query("after"), 30)
	if err != nil {
		return err
	}
	p := &outboxPage{Page: h.NewPage(c, "outbox.title"), To: to, Messages: page.Messages}
	q := url.Values{}
	if to != "" {
		q.Set("to", to)
	}
	if page.Next != "" {
		q.Set("after", page.Next)
		p.NextURL = "/admin/outbox?" + q.Encode()
	}
	if c.Query("after") != "" {
		q.Del("after")
		p.FirstURL = "/admin/outbox?" + q.Encode()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/outbox/index", p)
}

// outboxMessagePage is the view model of one mail.
type outboxMessagePage struct {
	web.Page
	Mail *mail.Message
}

// handleOutboxShow handles the "GET /admin/outbox/:id" route.
func (h *handler) handleOutboxShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	m, err := mail.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p := &outboxMessagePage{Page: h.NewPage(c, "outbox.title"), Mail: m}
	p.Title = m.Subject
	return h.Render(c, fiber.StatusOK, "backoffice/outbox/show", p)
}

// handleOutboxHTML handles the "GET /admin/outbox/:id/html" route: the HTML part alone, in a
// sandboxed frame of the message page, with no script and no remote content.
func (h *handler) handleOutboxHTML(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	m, err := mail.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.SendString(m.HTMLBody)
}
