package portal

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/scheduling"
	"maintenant/app/web"
)

// visitsBlock is the client's preventive visits as a page shows them: the next ones (date, what will
// be done), the ones done with their sheets, and, for one contract, its plan in plain words.
type visitsBlock struct {
	Contract *contracts.Contract
	Upcoming []*scheduling.Entry
	Past     []*scheduling.Entry
	// Plan is the contract's plan: each task and its recurrence in words.
	Plan []visitsPlanLine
	// Slot is the id of the section on the home or contract page ("" on the visits page).
	Slot string
	// NextUpURL and NextPastURL are the visits page after this page of each list ("" at the end);
	// FirstURL its start when paged.
	NextUpURL, NextPastURL, FirstURL string
}

// visitsPlanLine is one task of a contract's plan, for the client.
type visitsPlanLine struct {
	Title, Target, When string
	Checklist           []string
}

// visitsPage is the view model of the visits page.
type visitsPage struct {
	web.Page
	V *visitsBlock
	// Fragment: HTMX pages through the lists, the section alone is sent.
	Fragment bool
}

// Numbers of visits shown: on the home and contract pages, and per page of the visits page.
const (
	sectionVisits = 5
	pageVisits    = 10
)

// visits reads the session client's visits (one query), of one contract when contract is set, and
// the contract's plan; up and past are the cursors of the visits page.
func (h *handler) visits(c *fiber.Ctx, contract *contracts.Contract, slot string, up, past scheduling.Cursor) (*visitsBlock, error) {
	ctx := c.UserContext()
	b := &visitsBlock{Contract: contract, Slot: slot}
	var contractID uuid.UUID
	if contract != nil {
		contractID = contract.ID
	}
	limit := pageVisits
	if slot != "" {
		limit = sectionVisits
	}
	up0, past0 := up, past
	var moreUp, morePast bool
	var err error
	b.Upcoming, b.Past, moreUp, morePast, err = scheduling.ClientVisits(ctx, h.DB.Bun, web.ClientID(c), contractID,
		h.Now().Add(-12*time.Hour), up, past, limit)
	if err != nil {
		return nil, err
	}
	link := func(up, past scheduling.Cursor) string {
		q := url.Values{}
		if contract != nil {
			q.Set("contract", contract.ID.String())
		}
		if s := up.String(); s != "" {
			q.Set("up", s)
		}
		if s := past.String(); s != "" {
			q.Set("past", s)
		}
		if len(q) == 0 {
			return "/portal/visits"
		}
		return "/portal/visits?" + q.Encode()
	}
	if moreUp && len(b.Upcoming) > 0 {
		e := b.Upcoming[len(b.Upcoming)-1]
		b.NextUpURL = link(scheduling.Cursor{At: e.ScheduledAt, Number: e.Number}, past0)
	}
	if morePast && len(b.Past) > 0 {
		e := b.Past[len(b.Past)-1]
		b.NextPastURL = link(up0, scheduling.Cursor{At: e.ScheduledAt, Number: e.Number})
	}
	if !up0.IsZero() || !past0.IsZero() {
		b.FirstURL = link(scheduling.Cursor{}, scheduling.Cursor{})
	}
	if contract != nil {
		tasks, err := scheduling.ActiveTasks(ctx, h.DB.Bun, contract.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			b.Plan = append(b.Plan, visitsPlanLine{Title: t.Title, Target: t.Target, Checklist: t.Checklist,
				When: h.RecurrenceText(c, t.Rule, t.FirstOn) + ", " + h.T(c, "schedule.rec.at", "Time", t.AtClock())})
		}
	}
	return b, nil
}

// handleVisits handles "GET /portal/visits": the session client's upcoming preventive visits (date,
// what will be done) and the ones done with their sheets, a page of each (?up= and ?past= page on;
// HTMX swaps the section alone); ?contract= keeps one contract's (another client's contract is 404).
// The home page and each contract page show the first visits in their own section.
func (h *handler) handleVisits(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := &visitsPage{Page: h.NewPage(c, "portal.visits.title")}
	var contract *contracts.Contract
	if s := c.Query("contract"); s != "" {
		id, err := web.ParseUUID(s)
		if err != nil {
			return err
		}
		if contract, err = contracts.GetForClient(ctx, h.DB.Bun, web.ClientID(c), id); err != nil {
			return err
		}
	}
	up, ok1 := scheduling.ParseCursor(c.Query("up"))
	past, ok2 := scheduling.ParseCursor(c.Query("past"))
	if !ok1 || !ok2 {
		return apperr.Invalidf("error.bad_request")
	}
	var err error
	if p.V, err = h.visits(c, contract, "", up, past); err != nil {
		return err
	}
	p.Fragment = c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" && c.Get("HX-Target") == "visits-page"
	return h.Render(c, fiber.StatusOK, "portal/visits/index", p)
}
