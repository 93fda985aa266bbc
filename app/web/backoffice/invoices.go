package backoffice

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/web"
)

const invoicesPath = "/admin/invoices"

// invoiceListQuery is the state of the list in its URL.
type invoiceListQuery struct {
	Status, Client, Overdue, After string
}

func (q invoiceListQuery) url() string {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", q.Status}, {"client", q.Client}, {"overdue", q.Overdue}, {"after", q.After}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return invoicesPath
	}
	return invoicesPath + "?" + v.Encode()
}

// invoiceListPage is the view model of the list of invoices.
type invoiceListPage struct {
	web.Page
	Q        invoiceListQuery
	Filtered bool
	Statuses []billing.InvoiceStatus
	Clients  []contracts.ClientChoice
	Invoices []*billing.Invoice
	Today    time.Time
	NextURL  string
	FirstURL string
}

// handleInvoiceIndex handles the "GET /admin/invoices" route: invoices and credit notes, newest
// first, filtered by status, client and overdue, by keyset pages.
func (h *handler) handleInvoiceIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q := invoiceListQuery{After: c.Query("after")}
	f := billing.InvoiceFilter{Cursor: q.After, Today: h.Today()}
	if st, ok := billing.ParseInvoiceStatus(c.Query("status")); ok {
		f.Status, q.Status = st, string(st)
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	if c.Query("overdue") == "1" {
		f.Overdue, q.Overdue = true, "1"
	}
	page, err := billing.ListInvoices(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clients, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	p := &invoiceListPage{
		Page: h.NewPage(c, "admin_invoices.title"), Q: q, Filtered: q.Status != "" || q.Client != "" || q.Overdue != "",
		Statuses: billing.InvoiceStatuses(), Clients: clients, Invoices: page.Invoices, Today: h.Today(),
	}
	if page.Next != "" {
		n := q
		n.After = page.Next
		p.NextURL = n.url()
	}
	if q.After != "" {
		first := q
		first.After = ""
		p.FirstURL = first.url()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/index", p)
}

// invoiceNewPage is the view model of "create from sources": a client, then what it can be billed.
type invoiceNewPage struct {
	web.Page
	Clients    []contracts.ClientChoice
	ClientID   string
	ClientName string
	Candidates []billing.Candidate
	Checked    map[string]bool
}

func (h *handler) invoiceNewData(c *fiber.Ctx, clientID uuid.UUID) (*invoiceNewPage, error) {
	ctx := c.UserContext()
	clients, err := contracts.ClientChoices(ctx, h.DB.Bun, clientID)
	if err != nil {
		return nil, err
	}
	p := &invoiceNewPage{Page: h.NewPage(c, "admin_invoices.new.title"), Clients: clients, Checked: map[string]bool{}}
	if clientID != uuid.Nil {
		for _, cl := range clients {
			if cl.ID == clientID {
				p.ClientID, p.ClientName = cl.ID.String(), cl.Name
			}
		}
		if p.ClientID != "" {
			if p.Candidates, err = billing.Candidates(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// handleInvoiceNew handles the "GET /admin/invoices/new" route: choose a client, then tick what to
// bill among what it can be billed now and is not yet.
func (h *handler) handleInvoiceNew(c *fiber.Ctx) error {
	id, _ := uuid.Parse(c.Query("client"))
	p, err := h.invoiceNewData(c, id)
	if err != nil {
		return err
	}
	p.Form = map[string]string{"title": h.T(c, "admin_invoices.new.default_title")}
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/new", p)
}

// handleInvoiceCreate handles the "POST /admin/invoices" route: drafts an invoice with the lines of
// the sources ticked.
func (h *handler) handleInvoiceCreate(c *fiber.Ctx) error {
	clientID, _ := uuid.Parse(c.FormValue("client_id"))
	title := c.FormValue("title")
	var srcs []billing.SourceRef
	var contractID uuid.UUID
	checked := map[string]bool{}
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("sources") {
		if r, ok := billing.ParseSourceRef(string(v)); ok {
			srcs = append(srcs, r)
			checked[r.String()] = true
		}
	}
	if id, err := uuid.Parse(c.FormValue("contract_id")); err == nil {
		contractID = id
	}
	var inv *billing.Invoice
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		inv, err = billing.CreateFromSources(ctx, tx, clientID, contractID, title, srcs, web.Actor(c), h.Now(), h.Config.Location)
		return err
	})
	if err != nil {
		e, ok := web.Refused(err)
		if !ok {
			return err
		}
		p, perr := h.invoiceNewData(c, clientID)
		if perr != nil {
			return perr
		}
		p.Checked = checked
		p.Form = map[string]string{"title": title}
		status := web.ShowRefusal(&p.Page, e, nil)
		return h.Render(c, status, "backoffice/invoices/new", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.drafted"))
	return h.Redirect(c, invoicesPath+"/"+inv.ID.String())
}

// invoiceShowPage is the view model of one invoice.
type invoiceShowPage struct {
	web.Page
	I          *billing.Invoice
	Totals     billing.Totals
	Payments   []*billing.Payment
	Reminders  []billing.Reminder
	CreditNote []*billing.Invoice
	Recipients []accounts.User
	Methods    []billing.PaymentMethod
	Overdue    bool
	// Pct writes each VAT rate; PaidNeg and CreditedNeg are the deductions as printed.
	Pct                  map[int]string
	PaidNeg, CreditedNeg int64
}

func invoiceID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

func invoiceVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

func (h *handler) invoiceShowData(c *fiber.Ctx, id uuid.UUID) (*invoiceShowPage, error) {
	ctx := c.UserContext()
	inv, err := billing.GetInvoice(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &invoiceShowPage{Page: h.NewPage(c, "admin_invoices.show.title"), I: inv, Totals: inv.Totals(),
		Methods: billing.StaffMethods(), Overdue: inv.IsOverdue(h.Today()), Pct: map[int]string{},
		PaidNeg: -inv.PaidCents, CreditedNeg: -inv.CreditedCents}
	for _, r := range billing.VATRates {
		p.Pct[r] = web.Percent(r)
	}
	if ref := inv.Reference(); ref != "" {
		p.Title = ref + " · " + inv.Title
	}
	if p.Payments, err = billing.PaymentsOf(ctx, h.DB.Bun, inv.ID); err != nil {
		return nil, err
	}
	if p.Reminders, err = billing.RemindersOf(ctx, h.DB.Bun, inv.ID); err != nil {
		return nil, err
	}
	if inv.IsDraft() {
		users, err := accounts.ListClientUsers(ctx, h.DB.Bun, inv.ClientID)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Active && u.MayApproveAndPay() {
				p.Recipients = append(p.Recipients, u)
			}
		}
	}
	p.Form = map[string]string{"paid_on": h.Today().Format(time.DateOnly), "method": string(billing.MethodTransfer)}
	return p, nil
}

// handleInvoiceShow handles the "GET /admin/invoices/:id" route.
func (h *handler) handleInvoiceShow(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	p, err := h.invoiceShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/show", p)
}

// invoiceRefused shows the invoice again with a refusal (422 under the fields, 409 with its
// message), keeping what was typed.
func (h *handler) invoiceRefused(c *fiber.Ctx, id uuid.UUID, err error, form map[string]string) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.invoiceShowData(c, id)
	if perr != nil {
		return perr
	}
	for k, v := range form {
		p.Form[k] = v
	}
	status := web.ShowRefusal(&p.Page, e, nil)
	return h.Render(c, status, "backoffice/invoices/show", p)
}

// handleInvoicePDF handles the "GET /admin/invoices/:id.pdf" route.
func (h *handler) handleInvoicePDF(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendInvoicePDF(c, inv)
}

// handleInvoiceIssue handles the "POST /admin/invoices/:id/issue" route: once confirmed, numbers
// and freezes the draft and mails it with its PDF to the client's billing contacts, in the same
// transaction.
func (h *handler) handleInvoiceIssue(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "on" {
		return h.invoiceRefused(c, id, apperr.Fields{"confirm": "admin_invoices.error.confirm"}.Err(), nil)
	}
	var inv *billing.Invoice
	var mailed int
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if inv, err = billing.IssueInvoice(ctx, tx, id, invoiceVersion(c), web.Actor(c), h.Now(), h.Config.Location); err != nil {
			return err
		}
		mailed, err = h.MailInvoiceIssued(ctx, tx, inv)
		return err
	})
	if err != nil {
		return h.invoiceRefused(c, id, err, nil)
	}
	if mailed == 0 {
		h.SetFlash(c, web.FlashWarning, h.T(c, "admin_invoices.flash.issued_nobody", "Reference", inv.Reference()))
	} else {
		h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.issued", "Reference", inv.Reference(), "Count", mailed))
	}
	return h.Redirect(c, invoicesPath+"/"+inv.ID.String())
}

// handleInvoiceDelete handles the "POST /admin/invoices/:id/delete" route: discards a draft (its
// sources can be billed again).
func (h *handler) handleInvoiceDelete(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DeleteDraftInvoice(ctx, tx, id, invoiceVersion(c), web.Actor(c), h.Now())
		return err
	})
	if err != nil {
		return h.invoiceRefused(c, id, err, nil)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.deleted"))
	return h.Redirect(c, invoicesPath)
}

// handleInvoiceCancel handles the "POST /admin/invoices/:id/cancel" route: once confirmed, issues
// the credit note of the whole invoice and mails it like an invoice.
func (h *handler) handleInvoiceCancel(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm_cancel") != "on" {
		return h.invoiceRefused(c, id, apperr.Fields{"confirm_cancel": "admin_invoices.error.confirm"}.Err(), nil)
	}
	var cn *billing.Invoice
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if cn, err = billing.CancelInvoice(ctx, tx, id, invoiceVersion(c), web.Actor(c), h.Now(), h.Config.Location); err != nil {
			return err
		}
		_, err = h.MailInvoiceIssued(ctx, tx, cn)
		return err
	})
	if err != nil {
		return h.invoiceRefused(c, id, err, nil)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.cancelled", "Reference", cn.Reference()))
	return h.Redirect(c, invoicesPath+"/"+cn.ID.String())
}

// handleInvoicePayment handles the "POST /admin/invoices/:id/payments" route: records a transfer or
// a cheque; bad input is 422 with the form as typed.
func (h *handler) handleInvoicePayment(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"amount", "paid_on", "method", "reference"} {
		form[k] = c.FormValue(k)
	}
	in := billing.PaymentInput{Method: billing.PaymentMethod(form["method"]), Reference: form["reference"]}
	bad := apperr.Fields{}
	if v, key := parseContractDecimal(form["amount"], 2); key != "" {
		bad.Add("amount", "payments.error.amount")
	} else {
		in.AmountCents = v
	}
	if strings.TrimSpace(form["paid_on"]) != "" {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(form["paid_on"]))
		if err != nil {
			bad.Add("paid_on", "payments.error.date")
		} else {
			in.PaidOn = d
		}
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.RecordPayment(ctx, tx, id, in, invoiceVersion(c), web.Actor(c), h.Now(), h.Config.Location)
		if len(bad) == 0 || (err != nil && apperr.KindOf(err) != apperr.Invalid) {
			return err
		}
		return mergeFields(err, bad)
	})
	if err != nil {
		return h.invoiceRefused(c, id, err, form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.paid"))
	return h.Redirect(c, invoicesPath+"/"+id.String())
}

// paymentListPage is the view model of the list of payments.
type paymentListPage struct {
	web.Page
	Recon    *reconciliationBlock
	Payments []*billing.Payment
	NextURL  string
	FirstURL string
}

// handlePaymentIndex handles the "GET /admin/payments" route: every payment, newest first, by
// keyset pages.
func (h *handler) handlePaymentIndex(c *fiber.Ctx) error {
	after := c.Query("after")
	page, err := billing.ListPayments(c.UserContext(), h.DB.Bun, billing.PaymentFilter{Cursor: after})
	if err != nil {
		return err
	}
	p := &paymentListPage{Page: h.NewPage(c, "admin_payments.title"), Payments: page.Payments}
	if p.Recon, err = h.reconciliationBlock(c); err != nil {
		return err
	}
	if page.Next != "" {
		p.NextURL = "/admin/payments?after=" + url.QueryEscape(page.Next)
	}
	if after != "" {
		p.FirstURL = "/admin/payments"
	}
	return h.Render(c, fiber.StatusOK, "backoffice/payments/index", p)
}
