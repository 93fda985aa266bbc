package portal

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/scheduling"
	"maintenant/app/web"
)

// homePage is the view model of the portal home.
type homePage struct {
	web.Page
	Client *clients.Client
	// Contracts are the client's running (active or suspended) contracts with their next deadline.
	Contracts []contractCard
	// Tickets are the client's open fault reports, the newest first (homeTicketCount at most);
	// MoreTickets says there are others.
	Tickets     []ticketRow
	MoreTickets bool
	// ToSign are the sheets waiting for the client's signature, Current the interventions in
	// progress or to come (homeInterventionCount at most each); MoreToSign and MoreCurrent say
	// there are others.
	ToSign, Current         []interventionRow
	MoreToSign, MoreCurrent bool
	// Quotes wait for the client's decision, the soonest to expire first (homeQuoteCount at most);
	// MoreQuotes says there are others.
	Quotes     []quoteRow
	MoreQuotes bool
	// Owed is what the client owes on its issued invoices, and the overdue part.
	Owed billing.Owed
	// Visits are the next preventive visits and the last ones done (visits.go).
	Visits *visitsBlock
}

// homeQuoteCount is the number of quotes waiting for a decision the home shows.
const homeQuoteCount = 5

// handleHome handles the "GET /portal" route.
func (h *handler) handleHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	// The client's and the provider's names in one statement: the home stays within the statement
	// budget of a page (TestQueryBudget, BENCHMARKS.md); the layout then needs no query of its own.
	cl := &clients.Client{ID: web.ClientID(c)}
	var orgName string
	if err := h.DB.Bun.NewRaw(`SELECT cl.name, o.name FROM clients AS cl, organisation AS o WHERE cl.id = ? AND o.id = 1`,
		cl.ID).Scan(ctx, &cl.Name, &orgName); err != nil {
		if database.NoRows(err) {
			return apperr.NotFoundf("client")
		}
		return fmt.Errorf("portal: home names: %w", err)
	}
	cards, err := h.runningContractCards(ctx, web.ClientID(c))
	if err != nil {
		return err
	}
	rows, more, err := h.openTicketRows(ctx, web.ClientID(c))
	if err != nil {
		return err
	}
	p := &homePage{Page: h.NewPage(c, "portal.home.title"), Client: cl, Contracts: cards, Tickets: rows, MoreTickets: more}
	p.OrgName = orgName
	if p.ToSign, p.Current, p.MoreToSign, p.MoreCurrent, err = h.homeInterventions(ctx, web.ClientID(c)); err != nil {
		return err
	}
	today := h.Today()
	quotes, err := billing.ListForClient(ctx, h.DB.Bun, web.ClientID(c), billing.Filter{
		Status: billing.StatusSent, Today: today, Sort: billing.SortValidity, Limit: homeQuoteCount})
	if err != nil {
		return err
	}
	for _, q := range quotes.Quotes {
		p.Quotes = append(p.Quotes, quoteRow{Q: q, Status: q.StatusOn(today), Valid: h.CivilDate(q.ValidUntil, today)})
	}
	p.MoreQuotes = quotes.Next != ""
	if p.Owed, err = billing.OwedBy(ctx, h.DB.Bun, web.ClientID(c), today); err != nil {
		return err
	}
	if p.Visits, err = h.visits(c, nil, "home-visits", scheduling.Cursor{}, scheduling.Cursor{}); err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/home", p)
}
