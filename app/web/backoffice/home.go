package backoffice

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/web"
)

// homePage is the view model of the backoffice home.
type homePage struct {
	web.Page
	Clients     int
	ClientUsers int
	MailsToday  int
	// Deadlines are the next contract deadlines within homeDeadlineDays.
	Deadlines []homeDeadline
}

// homeDeadline is one upcoming contract deadline on the home card.
type homeDeadline struct {
	ID        uuid.UUID
	Reference string
	Title     string
	Client    string
	Status    contracts.Status
	Label     string
	When      *contractDate
}

// The home card lists at most homeDeadlineCount deadlines, within homeDeadlineDays.
const (
	homeDeadlineDays  = 120
	homeDeadlineCount = 10
)

// handleHome handles the "GET /admin" route: key figures and the upcoming contract deadlines.
func (h *handler) handleHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := &homePage{Page: h.NewPage(c, "admin.home.title")}
	if err := counts(ctx, h.DB.Bun, h.Now(), p); err != nil {
		return err
	}
	today := h.contractToday()
	ups, err := contracts.UpcomingDeadlines(ctx, h.DB.Bun, today, homeDeadlineDays, homeDeadlineCount)
	if err != nil {
		return err
	}
	for _, u := range ups {
		p.Deadlines = append(p.Deadlines, homeDeadline{
			ID: u.Contract.ID, Reference: u.Contract.Reference, Title: u.Contract.Terms.Title, Client: u.Contract.ClientName,
			Status: u.Contract.Status, Label: u.Deadline.Label(), When: h.contractDate(u.Deadline.On, today),
		})
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
