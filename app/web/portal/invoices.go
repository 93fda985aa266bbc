package portal

import (
	"context"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/web"
)

const invoicesPath = "/portal/invoices"

// invoiceListPage is the view model of the client's invoices.
type invoiceListPage struct {
	web.Page
	Invoices []*billing.Invoice
	Owed     billing.Owed
	Today    time.Time
	NextURL  string
	FirstURL string
}

// handleInvoiceIndex handles the "GET /portal/invoices" route: the client's issued invoices and
// credit notes, newest first, by keyset pages, with what it owes.
func (h *handler) handleInvoiceIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	after := c.Query("after")
	page, err := billing.ListInvoicesForClient(ctx, h.DB.Bun, web.ClientID(c), billing.InvoiceFilter{Cursor: after})
	if err != nil {
		return err
	}
	p := &invoiceListPage{Page: h.NewPage(c, "portal_invoices.title"), Invoices: page.Invoices, Today: h.Today()}
	if p.Owed, err = billing.OwedBy(ctx, h.DB.Bun, web.ClientID(c), h.Today()); err != nil {
		return err
	}
	if page.Next != "" {
		p.NextURL = invoicesPath + "?after=" + url.QueryEscape(page.Next)
	}
	if after != "" {
		p.FirstURL = invoicesPath
	}
	return h.Render(c, fiber.StatusOK, "portal/invoices/index", p)
}

// invoiceShowPage is the view model of one invoice in the portal.
type invoiceShowPage struct {
	web.Page
	I        *billing.Invoice
	Totals   billing.Totals
	Payments []*billing.Payment
	Pct      map[int]string
	MayPay   bool
	Overdue  bool
	TestMode bool
}

// invoiceOfClient reads an issued invoice of the session's client (404 for a draft, another
// client's or a missing one).
func (h *handler) invoiceOfClient(c *fiber.Ctx) (*billing.Invoice, error) {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return nil, err
	}
	return billing.GetInvoiceForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
}

func (h *handler) invoiceShowData(c *fiber.Ctx, inv *billing.Invoice) (*invoiceShowPage, error) {
	p := &invoiceShowPage{Page: h.NewPage(c, "portal_invoices.show.title"), I: inv, Totals: inv.Totals(), Pct: map[int]string{},
		MayPay: web.CurrentUser(c).MayApproveAndPay(), Overdue: inv.IsOverdue(h.Today()), TestMode: h.TestCheckout()}
	p.Title = inv.Reference() + " · " + inv.Title
	for _, r := range billing.VATRates {
		p.Pct[r] = web.Percent(r)
	}
	var err error
	if p.Payments, err = billing.PaymentsOf(c.UserContext(), h.DB.Bun, inv.ID); err != nil {
		return nil, err
	}
	return p, nil
}

// handleInvoiceShow handles the "GET /portal/invoices/:id" route.
func (h *handler) handleInvoiceShow(c *fiber.Ctx) error {
	inv, err := h.invoiceOfClient(c)
	if err != nil {
		return err
	}
	p, err := h.invoiceShowData(c, inv)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/invoices/show", p)
}

// handleInvoicePDF handles the "GET /portal/invoices/:id.pdf" route.
func (h *handler) handleInvoicePDF(c *fiber.Ctx) error {
	inv, err := h.invoiceOfClient(c)
	if err != nil {
		return err
	}
	return h.SendInvoicePDF(c, inv)
}

// handleInvoicePay handles the "POST /portal/invoices/:id/pay" route: opens an attempt for the
// amount due taken from the database (never from the request) and sends the client to Stripe
// Checkout, or to the built-in test checkout without Stripe keys. Only admins and users allowed to
// pay may (404 for others, like another client's invoice); a paid or cancelled invoice is 409.
func (h *handler) handleInvoicePay(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	if !u.MayApproveAndPay() {
		return apperr.NotFoundf("invoice")
	}
	var inv *billing.Invoice
	var a *billing.Attempt
	var redirect string
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if inv, a, err = billing.StartAttempt(ctx, tx, web.ClientID(c), id, web.Actor(c), h.Now()); err != nil {
			return err
		}
		if h.TestCheckout() {
			redirect = invoicesPath + "/" + inv.ID.String() + "/checkout/" + a.ID.String()
			return billing.SetAttemptSession(ctx, tx, a.ID, "cs_test_"+a.ID.String(), h.Now())
		}
		sid, url, err := h.CreateCheckoutSession(inv, a, u.Email)
		if err != nil {
			return err
		}
		redirect = url
		return billing.SetAttemptSession(ctx, tx, a.ID, sid, h.Now())
	})
	if err != nil {
		if e, ok := web.Refused(err); ok && inv == nil {
			cur, gerr := h.invoiceOfClient(c)
			if gerr != nil {
				return gerr
			}
			p, perr := h.invoiceShowData(c, cur)
			if perr != nil {
				return perr
			}
			status := web.ShowRefusal(&p.Page, e, nil)
			return h.Render(c, status, "portal/invoices/show", p)
		}
		return err
	}
	if h.TestCheckout() {
		return h.Redirect(c, redirect)
	}
	return c.Redirect(redirect, fiber.StatusSeeOther)
}

// checkoutPage is the view model of the built-in test checkout.
type checkoutPage struct {
	web.Page
	I *billing.Invoice
	A *billing.Attempt
}

func (h *handler) attemptOfClient(c *fiber.Ctx) (*billing.Invoice, *billing.Attempt, error) {
	inv, err := h.invoiceOfClient(c)
	if err != nil {
		return nil, nil, err
	}
	aid, err := uuid.Parse(c.Params("attempt"))
	if err != nil {
		return nil, nil, apperr.NotFoundf("attempt")
	}
	a, err := billing.GetAttempt(c.UserContext(), h.DB.Bun, web.ClientID(c), aid)
	if err != nil {
		return nil, nil, err
	}
	if a.InvoiceID != inv.ID {
		return nil, nil, apperr.NotFoundf("attempt")
	}
	return inv, a, nil
}

// handleTestCheckout handles the "GET /portal/invoices/:id/checkout/:attempt" route: the built-in
// test checkout (only without Stripe keys), clearly marked as a test.
func (h *handler) handleTestCheckout(c *fiber.Ctx) error {
	if !h.TestCheckout() || !web.CurrentUser(c).MayApproveAndPay() {
		return apperr.NotFoundf("checkout")
	}
	inv, a, err := h.attemptOfClient(c)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/invoices/checkout", &checkoutPage{Page: h.NewPage(c, "portal_invoices.checkout.title"), I: inv, A: a})
}

// handleTestCheckoutSubmit handles the "POST /portal/invoices/:id/checkout/:attempt" route: "pay"
// or "fail" builds the event Stripe would send, signs it with this process's webhook secret and
// feeds it to the webhook's own processing, then goes where Stripe would send the browser.
func (h *handler) handleTestCheckoutSubmit(c *fiber.Ctx) error {
	if !h.TestCheckout() || !web.CurrentUser(c).MayApproveAndPay() {
		return apperr.NotFoundf("checkout")
	}
	inv, a, err := h.attemptOfClient(c)
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	if action != "pay" && action != "fail" {
		return apperr.Invalidf("error.invalid")
	}
	payload, header, err := h.TestEvent(a, action)
	if err != nil {
		return err
	}
	if _, err := h.ProcessStripePayload(c.UserContext(), payload, header); err != nil {
		return err
	}
	if action == "fail" {
		h.SetFlash(c, web.FlashWarning, h.T(c, "portal_invoices.flash.failed"))
		return h.Redirect(c, invoicesPath+"/"+inv.ID.String())
	}
	return h.Redirect(c, invoicesPath+"/"+inv.ID.String()+"/paid?attempt="+a.ID.String())
}

// paidPage is the view model of the page the client returns to after paying.
type paidPage struct {
	web.Page
	I         *billing.Invoice
	Confirmed bool
}

// handleInvoicePaid handles the "GET /portal/invoices/:id/paid" route: where Checkout sends the
// browser back. It books nothing (only the webhook does): it says the payment is being confirmed
// until the webhook has confirmed the attempt.
func (h *handler) handleInvoicePaid(c *fiber.Ctx) error {
	inv, err := h.invoiceOfClient(c)
	if err != nil {
		return err
	}
	p := &paidPage{Page: h.NewPage(c, "portal_invoices.paid.title"), I: inv}
	if aid, err := uuid.Parse(c.Query("attempt")); err == nil {
		if a, err := billing.GetAttempt(c.UserContext(), h.DB.Bun, web.ClientID(c), aid); err == nil && a.InvoiceID == inv.ID {
			p.Confirmed = a.Status == "paid"
		}
	}
	return h.Render(c, fiber.StatusOK, "portal/invoices/paid", p)
}
