package backoffice

import (
	"context"
	"strconv"
	"strings"

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
	p.Form = settingsForm(org)
	return h.Render(c, fiber.StatusOK, "backoffice/settings/show", p)
}

// settingsForm gives the form's values from the saved settings.
func settingsForm(o *provider.Organisation) map[string]string {
	days := make([]string, len(o.ReminderLeadDays))
	for i, d := range o.ReminderLeadDays {
		days[i] = strconv.Itoa(d)
	}
	return map[string]string{
		"name": o.Name, "legal_form": o.LegalForm, "siren": o.SIREN, "vat_number": o.VATNumber,
		"address_line1": o.AddressLine1, "address_line2": o.AddressLine2, "postal_code": o.PostalCode,
		"city": o.City, "email": o.Email, "phone": o.Phone, "reminder_lead_days": strings.Join(days, ", "),
	}
}

// handleSettingsUpdate handles the "POST /admin/settings" route. The form carries the version it was
// read at: a save over someone else's change gets 409 and the form again.
func (h *handler) handleSettingsUpdate(c *fiber.Ctx) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	org := &provider.Organisation{
		ID: 1, Name: c.FormValue("name"), LegalForm: c.FormValue("legal_form"), SIREN: c.FormValue("siren"),
		VATNumber: c.FormValue("vat_number"), AddressLine1: c.FormValue("address_line1"),
		AddressLine2: c.FormValue("address_line2"), PostalCode: c.FormValue("postal_code"), City: c.FormValue("city"),
		Email: c.FormValue("email"), Phone: c.FormValue("phone"),
		RequireStaffTOTP: c.FormValue("require_staff_totp") == "on", Version: version,
	}
	form := settingsForm(org)
	form["reminder_lead_days"] = c.FormValue("reminder_lead_days")
	var leadOK bool
	org.ReminderLeadDays, leadOK = provider.ParseLeadDays(form["reminder_lead_days"])
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if !leadOK {
			return org.Validate() // reports the lead days with every other problem
		}
		if err := provider.Update(ctx, tx, org, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.SettingsChange, TargetType: "organisation", TargetID: "1",
			Details: map[string]any{"name": org.Name, "siren": org.SIREN, "require_staff_totp": org.RequireStaffTOTP,
				"reminder_lead_days": org.ReminderLeadDays},
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
		p.Form = form
		return h.Render(c, status, "backoffice/settings/show", p)
	default:
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "flash.settings_saved"))
	return h.Redirect(c, "/admin/settings")
}
