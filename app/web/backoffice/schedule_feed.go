package backoffice

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/scheduling"
	"maintenant/app/web"
)

// feedPage is the view model of the user's calendar feed page.
type feedPage struct {
	web.Page
	Feed *scheduling.Feed
	// URL is the feed's address, shown once right after it is made.
	URL string
}

func (h *handler) feedPage(c *fiber.Ctx) (*feedPage, error) {
	f, err := scheduling.GetFeed(c.UserContext(), h.DB.Bun, web.CurrentUser(c).ID)
	if err != nil {
		return nil, err
	}
	return &feedPage{Page: h.NewPage(c, "schedule.feed.title"), Feed: f}, nil
}

// handleCalendarFeed handles "GET /admin/account/calendar": whether the user has a calendar feed,
// to make, renew or revoke it.
func (h *handler) handleCalendarFeed(c *fiber.Ctx) error {
	p, err := h.feedPage(c)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/schedule/feed", p)
}

// handleCalendarFeedRenew handles "POST /admin/account/calendar": a new secret address (the old
// one stops working), shown once.
func (h *handler) handleCalendarFeedRenew(c *fiber.Ctx) error {
	token, err := scheduling.RenewFeed(c.UserContext(), h.DB.Bun, web.CurrentUser(c).ID, h.Now())
	if err != nil {
		return err
	}
	p, err := h.feedPage(c)
	if err != nil {
		return err
	}
	p.URL = h.Config.URL("/ical/" + token + ".ics")
	return h.Render(c, fiber.StatusOK, "backoffice/schedule/feed", p)
}

// handleCalendarFeedRevoke handles "POST /admin/account/calendar/revoke".
func (h *handler) handleCalendarFeedRevoke(c *fiber.Ctx) error {
	if err := scheduling.RevokeFeed(c.UserContext(), h.DB.Bun, web.CurrentUser(c).ID); err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "schedule.feed.revoked"))
	return h.Redirect(c, "/admin/account/calendar")
}

// handleICal handles the public "GET /ical/:token.ics" route: the technician's interventions as an
// iCalendar feed; a wrong or revoked token is 404.
func (h *handler) handleICal(c *fiber.Ctx) error {
	ctx := c.UserContext()
	userID, name, err := scheduling.FeedOwner(ctx, h.DB.Bun, c.Params("token"))
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return fiber.ErrNotFound
		}
		return err
	}
	now := h.Now()
	entries, err := scheduling.FeedEntries(ctx, h.DB.Bun, userID, now)
	if err != nil {
		return err
	}
	var b strings.Builder
	scheduling.WriteICS(&b, h.T(c, "schedule.feed.calname", "Name", name), entries, now, func(e *scheduling.Entry) string {
		return h.Config.URL("/admin/interventions/" + e.ID.String())
	})
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return c.SendString(b.String())
}
