package backoffice

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/tickets"
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
	// TicketStates count the open tickets by SLA state (the most worrying first); OpenTickets is
	// their total.
	TicketStates []homeTicketState
	OpenTickets  int
}

// homeTicketState is one SLA state of the open tickets card, linking to the queue filtered on it.
type homeTicketState struct {
	State tickets.SLAState
	Count int
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

// handleHome handles the "GET /admin" route: key figures, the open tickets by SLA state and the
// upcoming contract deadlines.
func (h *handler) handleHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := &homePage{Page: h.NewPage(c, "admin.home.title")}
	if err := counts(ctx, h.DB.Bun, h.Now(), p); err != nil {
		return err
	}
	if err := h.homeTickets(ctx, p); err != nil {
		return err
	}
	today := h.Today()
	ups, err := contracts.UpcomingDeadlines(ctx, h.DB.Bun, today, homeDeadlineDays, homeDeadlineCount)
	if err != nil {
		return err
	}
	for _, u := range ups {
		p.Deadlines = append(p.Deadlines, homeDeadline{
			ID: u.Contract.ID, Reference: u.Contract.Reference, Title: u.Contract.Terms.Title, Client: u.Contract.ClientName,
			Status: u.Contract.Status, Label: u.Deadline.Label(), When: h.CivilDate(u.Deadline.On, today),
		})
	}
	if err := h.homeReviews(c, p, today); err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/home", p)
}

// homeTickets counts the open tickets of every client by SLA state, in one query.
func (h *handler) homeTickets(ctx context.Context, p *homePage) error {
	byState, err := tickets.OpenCountsBySLA(ctx, h.DB.Bun, uuid.Nil, h.Now())
	if err != nil {
		return err
	}
	for _, st := range tickets.SLAStates() {
		if st == tickets.SLAMet {
			continue // an open ticket always has a clock running or paused
		}
		p.TicketStates = append(p.TicketStates, homeTicketState{State: st, Count: byState[st]})
		p.OpenTickets += byState[st]
	}
	return nil
}

func counts(ctx context.Context, db bun.IDB, now time.Time, p *homePage) error {
	return db.NewRaw(`SELECT
		(SELECT count(*) FROM clients WHERE NOT archived),
		(SELECT count(*) FROM users WHERE kind = 'client' AND active),
		(SELECT count(*) FROM outbox_messages WHERE created_at > ?)`, now.Add(-24*time.Hour).UTC()).
		Scan(ctx, &p.Clients, &p.ClientUsers, &p.MailsToday)
}
