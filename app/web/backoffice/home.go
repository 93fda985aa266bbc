package backoffice

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/web"
)

// homePage is the view model of the backoffice home.
type homePage struct {
	web.Page
	Clients     int
	ClientUsers int
	MailsToday  int
}

// handleHome handles the "GET /admin" route.
func (h *handler) handleHome(c *fiber.Ctx) error {
	p := &homePage{Page: h.NewPage(c, "admin.home.title")}
	if err := counts(c.UserContext(), h.DB.Bun, h.Now(), p); err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/home", p)
}

func counts(ctx context.Context, db bun.IDB, now time.Time, p *homePage) error {
	return db.NewRaw(`SELECT
		(SELECT count(*) FROM clients WHERE NOT archived),
		(SELECT count(*) FROM users WHERE kind = 'client' AND active),
		(SELECT count(*) FROM outbox_messages WHERE created_at > ?)`, now.Add(-24*time.Hour).UTC()).
		Scan(ctx, &p.Clients, &p.ClientUsers, &p.MailsToday)
}
