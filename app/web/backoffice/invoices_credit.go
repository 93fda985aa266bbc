package backoffice

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// creditPage is the view model of the page drafting a credit note on an issued invoice: amounts
// per line, or the SLA penalty of a month.
type creditPage struct {
	web.Page
	I          *billing.Invoice
	Creditable int64
	Pct        map[int]string
	// MaxMonth is the last month over (the month input's max).
	MaxMonth string
	// Penalty is the penalty of the month chosen, when computed.
	Penalty *billing.PenaltyCredit
}

func (h *handler) creditData(c *fiber.Ctx, id uuid.UUID) (*creditPage, error) {
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &creditPage{Page: h.NewPage(c, "credit.title"), I: inv, Creditable: inv.Creditable(), Pct: map[int]string{}}
	p.Title = h.T(c, "credit.title_for", "Reference", inv.Reference())
	for _, r := range billing.VATRates {
		p.Pct[r] = web.Percent(r)
	}
	prev := tickets.MonthOf(h.Now(), h.Config.Location).Add(-1)
	p.MaxMonth = prev.String()
	p.Form = map[string]string{"title": "Avoir sur la facture " + inv.Reference(), "month": prev.String()}
	return p, nil
}

// creditable tells whether the invoice may receive a credit note now (else 409 with the reason).
func creditable(inv *billing.Invoice) error {
	if inv.Kind != billing.KindInvoice || inv.IsDraft() || inv.Status == billing.InvoiceCancelled {
		return apperr.Conflictf(billing.ErrInvoiceNotIssued)
	}
	if inv.Creditable() == 0 {
		return apperr.Conflictf(billing.ErrPaidCannotCancel)
	}
	return nil
}

// handleInvoiceCreditNew handles the "GET /admin/invoices/:id/credit" route: choose the amounts to
// credit per line, or the SLA penalty of a month (?month=2026-10 shows it before drafting).
func (h *handler) handleInvoiceCreditNew(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	p, err := h.creditData(c, id)
	if err != nil {
		return err
	}
	if err := creditable(p.I); err != nil {
		return h.invoiceRefused(c, id, err, nil)
	}
	if raw := c.Query("month"); raw != "" && p.I.ContractID.Valid {
		p.Form["month"] = raw
		m, ok := tickets.ParseMonth(raw)
		if !ok {
			p.Errors = map[string]string{"month": "credit.error.month"}
		} else if pc, err := billing.SLAPenaltyCredit(c.UserContext(), h.DB.Bun, p.I.ContractID.UUID, m, h.Now(), h.Config.Location); err != nil {
			e, ok := web.Refused(err)
			if !ok {
				return err
			}
			web.ShowRefusal(&p.Page, e, nil)
		} else {
			p.Penalty = pc
		}
	}
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/credit", p)
}

// handleInvoiceCreditCreate handles the "POST /admin/invoices/:id/credit" route: drafts a credit
// note of the amounts typed per line (never more than a line, nor in all than the invoice may
// still be credited: 422 under the fields).
func (h *handler) handleInvoiceCreditCreate(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	form := map[string]string{"title": c.FormValue("title")}
	bad := apperr.Fields{}
	var picks []billing.CreditPick
	for _, l := range inv.Lines {
		key := fmt.Sprintf("lines.%d.amount", l.Position)
		v := strings.TrimSpace(c.FormValue(key))
		form[key] = v
		if v == "" {
			continue
		}
		cents, problem := parseContractDecimal(v, 2)
		if problem != "" {
			bad.Add(key, "credit.error.amount")
			continue
		}
		picks = append(picks, billing.CreditPick{LineID: l.ID, AmountCents: cents})
	}
	var cn *billing.Invoice
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		cn, err = billing.DraftPartialCreditNote(ctx, tx, id, strings.TrimSpace(form["title"]), picks, web.Actor(c), h.Now())
		if len(bad) == 0 {
			return err
		}
		if err == nil || apperr.KindOf(err) == apperr.Invalid {
			return mergeFields(err, bad)
		}
		return err
	})
	if err != nil {
		return h.creditRefused(c, id, err, form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "credit.flash.drafted", "Reference", inv.Reference()))
	return h.Redirect(c, invoicesPath+"/"+cn.ID.String())
}

// creditRefused shows the credit page again with a refusal and the input kept.
func (h *handler) creditRefused(c *fiber.Ctx, id uuid.UUID, err error, form map[string]string) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.creditData(c, id)
	if perr != nil {
		return perr
	}
	if cerr := creditable(p.I); cerr != nil {
		return h.invoiceRefused(c, id, cerr, nil)
	}
	for k, v := range form {
		p.Form[k] = v
	}
	status := web.ShowRefusal(&p.Page, e, nil)
	return h.Render(c, status, "backoffice/invoices/credit", p)
}

// handleInvoicePenaltyCredit handles the "POST /admin/invoices/:id/penalty-credit" route: drafts
// the credit note of the SLA penalty of the invoice's contract for the month chosen.
func (h *handler) handleInvoicePenaltyCredit(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	form := map[string]string{"month": c.FormValue("month")}
	m, ok := tickets.ParseMonth(strings.TrimSpace(form["month"]))
	switch {
	case !inv.ContractID.Valid:
		return h.creditRefused(c, id, apperr.Conflictf("credit.error.no_contract"), form)
	case !ok:
		return h.creditRefused(c, id, apperr.Fields{"month": "credit.error.month"}.Err(), form)
	}
	var cn *billing.Invoice
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		cn, err = billing.DraftPenaltyCreditNote(ctx, tx, inv.ContractID.UUID, m, inv.ID, web.Actor(c), h.Now(), h.Config.Location)
		return err
	})
	if err != nil {
		return h.creditRefused(c, id, err, form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "credit.flash.penalty", "Month", m.String()))
	return h.Redirect(c, invoicesPath+"/"+cn.ID.String())
}

// handleReportPenaltyCredit handles the "POST /admin/reports/sla/credit" route: from the SLA
// report, drafts the credit note of a contract's penalty for a month on its latest invoice that
// still owes enough (409 with the reason when none can carry it).
func (h *handler) handleReportPenaltyCredit(c *fiber.Ctx) error {
	contractID, err := web.ParseUUID(c.FormValue("contract"))
	if err != nil {
		return err
	}
	m, ok := tickets.ParseMonth(strings.TrimSpace(c.FormValue("month")))
	if !ok {
		return apperr.Invalidf("credit.error.month")
	}
	var cn *billing.Invoice
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		cn, err = billing.DraftPenaltyCreditNote(ctx, tx, contractID, m, uuid.Nil, web.Actor(c), h.Now(), h.Config.Location)
		return err
	})
	if err != nil {
		return err // 409 or 422 with its message, on the error page
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "credit.flash.penalty", "Month", m.String()))
	return h.Redirect(c, invoicesPath+"/"+cn.ID.String())
}
