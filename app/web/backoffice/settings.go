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
	Org      *provider.Organisation
	VATRates []quoteVATChoice
}

// handleSettings handles the "GET /admin/settings" route.
func (h *handler) handleSettings(c *fiber.Ctx) error {
	org, err := provider.Get(c.UserContext(), h.DB.Bun)
	if err != nil {
		return err
	}
	p := &settingsPage{Page: h.NewPage(c, "settings.title"), Org: org, VATRates: quoteVATChoices()}
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
		"iban": o.IBAN, "bic": o.BIC, "invoice_footer": o.InvoiceFooter, "default_vat_bp": strconv.Itoa(o.DefaultVATBP),
		"late_penalty_bp": decimalString(o.LatePenaltyBP, 2), "internal_hourly_cost": decimalString(int(o.InternalHourlyCostCents), 2),
		"invoice_reminder_days": joinInts(o.InvoiceReminderDays), "einvoice_address": o.EInvoiceAddress,
	}
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ", ")
}

// decimalString writes n scaled by 10^decimals with a comma ("12,15"), without useless zeros.
func decimalString(n, decimals int) string {
	scale := 1
	for range decimals {
		scale *= 10
	}
	s := strconv.Itoa(n / scale)
	if frac := n % scale; frac != 0 {
		s += "," + strings.TrimRight(strconv.Itoa(scale + frac)[1:], "0")
	}
	return s
}

// readBillingSettings reads the billing part of the settings form into o and form; what cannot be
// read is a field error in f.
func readBillingSettings(c *fiber.Ctx, o *provider.Organisation, form map[string]string, f apperr.Fields) {
	for _, k := range []string{"iban", "bic", "invoice_footer", "default_vat_bp", "late_penalty_bp", "internal_hourly_cost", "invoice_reminder_days", "einvoice_address"} {
		form[k] = c.FormValue(k)
	}
	o.IBAN, o.BIC, o.InvoiceFooter, o.EInvoiceAddress = form["iban"], form["bic"], form["invoice_footer"], form["einvoice_address"]
	o.VATExempt = c.FormValue("vat_exempt") == "on"
	var err error
	if o.DefaultVATBP, err = strconv.Atoi(form["default_vat_bp"]); err != nil {
		f.Add("default_vat_bp", "settings.error.vat_rate")
	}
	if v, key := parseContractDecimal(form["late_penalty_bp"], 2); key != "" || v > provider.MaxLatePenaltyBP {
		f.Add("late_penalty_bp", "settings.error.late_penalty")
	} else {
		o.LatePenaltyBP = int(v)
	}
	if v, key := parseContractDecimal(form["internal_hourly_cost"], 2); key != "" || v > provider.MaxInternalHourlyCost {
		f.Add("internal_hourly_cost", "settings.error.hourly_cost")
	} else {
		o.InternalHourlyCostCents = v
	}
	var ok bool
	if o.InvoiceReminderDays, ok = provider.ParseReminderDays(form["invoice_reminder_days"]); !ok {
		f.Add("invoice_reminder_days", "settings.error.reminder_days")
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
	unread := apperr.Fields{}
	readBillingSettings(c, org, form, unread)
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if !leadOK || len(unread) > 0 {
			// Reports what could not be read with every other problem.
			verr := org.Validate()
			fs := apperr.Fields{}
			for k, v := range apperr.FieldsOf(verr) {
				fs.Add(k, v)
			}
			for k, v := range unread {
				fs[k] = v
			}
			if !leadOK {
				fs["reminder_lead_days"] = "settings.error.lead_days"
			}
			return fs.Err()
		}
		if err := provider.Update(ctx, tx, org, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.SettingsChange, TargetType: "organisation", TargetID: "1",
			Details: map[string]any{"name": org.Name, "siren": org.SIREN, "require_staff_totp": org.RequireStaffTOTP,
				"reminder_lead_days": org.ReminderLeadDays,
				"iban":               org.IBAN, "vat_exempt": org.VATExempt, "default_vat_bp": org.DefaultVATBP, "late_penalty_bp": org.LatePenaltyBP},
		})
	})
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			return err
		}
	case apperr.Invalid, apperr.Conflict:
		p := &settingsPage{Page: h.NewPage(c, "settings.title"), Org: org, VATRates: quoteVATChoices()}
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
