package backoffice

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/provider"
	"maintenant/app/web"
)

// settingsPage is the view model of the provider settings.
type settingsPage struct {
	web.Page
	Org *provider.Organisation
}

// handleSettings handles the "GET /admin/settings" route.
func (h *handler) handleSettings(c *fiber.Ctx) error {
	org, err := provider.Get(c.UserContext(), h.DB.Bun)
	if err != nil {
		return err
	}
	p := &settingsPage{Page: h.NewPage(c, "settings.title"), Org: org}
	p.Form = map[string]string{"name": org.Name}
	return h.Render(c, fiber.StatusOK, "backoffice/settings/show", p)
}

// handleSettingsUpdate handles the "POST /admin/settings" route. The form carries the version it was
// read at: a save over someone else's change gets 409 and the form again.
func (h *handler) handleSettingsUpdate(c *fiber.Ctx) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	org := &provider.Organisation{
		ID: 1, Name: c.FormValue("name"), RequireStaffTOTP: c.FormValue("require_staff_totp") == "on", Version: version,
	}
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := provider.Update(ctx, tx, org, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.SettingsChange, TargetType: "organisation", TargetID: "1",
			Details: map[string]any{"name": org.Name, "require_staff_totp": org.RequireStaffTOTP},
		})
	})
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			return err
		}
	case apperr.Invalid, apperr.Conflict:
		p := &settingsPage{Page: h.NewPage(c, "settings.title"), Org: org}
		status := fiber.StatusUnprocessableEntity
		if apperr.KindOf(err) == apperr.Conflict {
			status = fiber.StatusConflict
			p.Message = "error.stale"
			if cur, gerr := provider.Get(c.UserContext(), h.DB.Bun); gerr == nil {
				org.Version = cur.Version
			}
		} else {
			_ = web.FormError(&p.Page, err, nil)
		}
		p.Form = map[string]string{"name": org.Name}
		return h.Render(c, status, "backoffice/settings/show", p)
	default:
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "flash.settings_saved"))
	return h.Redirect(c, "/admin/settings")
}
