package backoffice

import (
	"mime"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
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
	Mail        *mail.Message
	Attachments []outboxAttachment
}

// outboxAttachment is a file of a mail with its size in words.
type outboxAttachment struct {
	A    mail.Attachment
	Size string
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
	files, err := mail.Attachments(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	p := &outboxMessagePage{Page: h.NewPage(c, "outbox.title"), Mail: m}
	p.Title = m.Subject
	for _, a := range files {
		p.Attachments = append(p.Attachments, outboxAttachment{A: a, Size: h.fileSize(c, a.Size)})
	}
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

// fileSize writes a size in bytes for people: "812 octets", "12 Ko", "1,4 Mo".
func (h *handler) fileSize(c *fiber.Ctx, n int) string {
	switch {
	case n < 1024:
		return h.T(c, "outbox.size_bytes", "Count", n)
	case n < 1024*1024:
		return h.T(c, "outbox.size_kib", "Value", strconv.Itoa((n+512)/1024))
	}
	tenths := (n*10 + 512*1024) / (1024 * 1024)
	v := strconv.Itoa(tenths/10) + h.T(c, "documents.decimal_mark") + strconv.Itoa(tenths%10)
	return h.T(c, "outbox.size_mib", "Value", v)
}

// handleOutboxAttachment handles the "GET /admin/outbox/:id/attachments/:n" route: the n-th file of
// a mail (from 0), always downloaded, never shown inline.
func (h *handler) handleOutboxAttachment(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 0 || n >= mail.MaxAttachments {
		return apperr.NotFoundf("attachment")
	}
	a, err := mail.GetAttachment(c.UserContext(), h.DB.Bun, id, n)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(a.Content)
}
