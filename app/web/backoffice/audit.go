package backoffice

import (
	"net/url"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/web"
)

// auditPage is the view model of the audit log.
type auditPage struct {
	web.Page
	Action   string
	Actions  []string
	Entries  []audit.Entry
	NextURL  string
	FirstURL string
}

var actionPattern = regexp.MustCompile(`^[a-z_.]{1,40}$`)

// handleAuditIndex handles the "GET /admin/audit" route: who did what, newest first.
func (h *handler) handleAuditIndex(c *fiber.Ctx) error {
	action := c.Query("action")
	if !actionPattern.MatchString(action) {
		action = ""
	}
	f := audit.Filter{Action: action, Limit: 50}
	if at, id, ok := database.ParseCursor(c.Query("after")); ok {
		f.BeforeAt, f.BeforeID = at, id
	}
	entries, more, err := audit.List(c.UserContext(), h.DB.Bun, f)
	if err != nil {
		return err
	}
	p := &auditPage{Page: h.NewPage(c, "audit.title"), Action: action, Entries: entries, Actions: audit.KnownActions}
	q := url.Values{}
	if action != "" {
		q.Set("action", action)
	}
	if more {
		last := entries[len(entries)-1]
		q.Set("after", database.Cursor(last.At, last.ID))
		p.NextURL = "/admin/audit?" + q.Encode()
	}
	if c.Query("after") != "" {
		q.Del("after")
		p.FirstURL = "/admin/audit?" + q.Encode()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/audit/index", p)
}
