package backoffice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

// invoiceFormRows is the number of empty line rows a new manual invoice offers.
const invoiceFormRows = 3

// invoiceLineRow is one line of the invoice form as typed; ID is the line edited (its source, if
// it bills one, stays with it), Source the label of what it bills.
type invoiceLineRow struct {
	N                                                             int
	ID, Description, Quantity, Unit, UnitPrice, VATRate, Discount string
	Remove                                                        bool
	Source                                                        string
}

// invoiceFormPage is the view model of the form drafting or editing an invoice by hand.
type invoiceFormPage struct {
	web.Page
	// I is the draft edited (nil for a new one).
	I *billing.Invoice
	documentParties
	Rows     []invoiceLineRow
	VATRates []quoteVATChoice
	Totals   *billing.Totals
	Pct      map[int]string
	Action   string
	MaxLines int
}

var invoiceFormFields = []string{"client_id", "contract_id", "title", "notes", "service_from", "service_to", "payment_terms_days", "payment_terms"}

// invoiceForm is a submitted invoice form: the text as typed and what was parsed of it.
type invoiceForm struct {
	Values map[string]string
	Rows   []invoiceLineRow
	In     billing.InvoiceInput
	RowOf  []int
	Bad    apperr.Fields
}

// signedCents reads an amount that may be negative (a deduction): "-45,00".
func signedCents(s string) (int64, string) {
	s = strings.TrimSpace(strings.NewReplacer("\u2212", "-", "\u2013", "-").Replace(s))
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		v, problem := parseContractDecimal(rest, 2)
		return -v, problem
	}
	return parseContractDecimal(s, 2)
}

// parseInvoiceForm reads the header fields and the line rows (rows left empty or ticked for
// removal are left out).
func parseInvoiceForm(c *fiber.Ctx) *invoiceForm {
	f := &invoiceForm{Values: map[string]string{}, Bad: apperr.Fields{}}
	for _, k := range invoiceFormFields {
		f.Values[k] = c.FormValue(k)
	}
	f.In.ClientID, _ = uuid.Parse(f.Values["client_id"])
	f.In.Title, f.In.Notes, f.In.PaymentTerms = f.Values["title"], f.Values["notes"], f.Values["payment_terms"]
	parseHeaderRefs(f.Values, f.Bad, "invoices", &f.In.ContractID, map[string]*time.Time{"service_from": &f.In.ServiceFrom, "service_to": &f.In.ServiceTo})
	if v := strings.TrimSpace(f.Values["payment_terms_days"]); v == "" {
		f.Bad.Add("payment_terms_days", "error.required")
	} else if n, err := strconv.Atoi(v); err != nil {
		f.Bad.Add("payment_terms_days", "invoices.error.payment_terms_days")
	} else {
		f.In.PaymentTermsDays = n
	}
	rows, _ := strconv.Atoi(c.FormValue("rows"))
	rows = min(max(rows, 0), billing.MaxLines)
	for n := range rows {
		key := func(field string) string { return fmt.Sprintf("lines.%d.%s", n, field) }
		r := invoiceLineRow{N: n, ID: c.FormValue(key("id")), Description: c.FormValue(key("description")), Quantity: c.FormValue(key("quantity")),
			Unit: c.FormValue(key("unit")), UnitPrice: c.FormValue(key("unit_price")), VATRate: c.FormValue(key("vat_rate")),
			Discount: c.FormValue(key("discount")), Remove: c.FormValue(key("remove")) != "", Source: c.FormValue(key("source"))}
		f.Rows = append(f.Rows, r)
		if r.Remove || strings.TrimSpace(r.Description+r.Quantity+r.Unit+r.UnitPrice+r.Discount) == "" {
			continue
		}
		fig := parseLineFigures(f.Bad, "invoices", n, true, r.Quantity, r.UnitPrice, r.VATRate, r.Discount)
		l := &billing.InvoiceLine{Description: r.Description, Unit: r.Unit, Quantity: fig.Quantity,
			UnitPriceCents: fig.UnitPrice, VATRateBP: fig.VATRateBP, DiscountBP: fig.DiscountBP}
		l.ID, _ = uuid.Parse(r.ID)
		f.In.Lines = append(f.In.Lines, l)
		f.RowOf = append(f.RowOf, n)
	}
	return f
}

// errorsOf puts the problems of err and of parsing on the page, line problems under their row.
func (f *invoiceForm) errorsOf(err error) map[string]string {
	out := map[string]string{}
	for k, v := range apperr.FieldsOf(err) {
		var n int
		var field string
		if _, scanErr := fmt.Sscanf(k, "lines.%d.%s", &n, &field); scanErr == nil && n >= 0 && n < len(f.RowOf) {
			k = fmt.Sprintf("lines.%d.%s", f.RowOf[n], field)
		}
		out[k] = v
	}
	for k, v := range f.Bad {
		out[k] = v
	}
	return out
}

// invoiceFormData fills the form around client clientID (uuid.Nil: to choose first).
func (h *handler) invoiceFormData(c *fiber.Ctx, inv *billing.Invoice, clientID uuid.UUID) (*invoiceFormPage, error) {
	ctx := c.UserContext()
	title := "invoice_form.new_title"
	p := &invoiceFormPage{VATRates: quoteVATChoices(), Action: invoicesPath + "/manual", MaxLines: billing.MaxLines, Pct: map[int]string{}}
	for _, r := range billing.VATRates {
		p.Pct[r] = web.Percent(r)
	}
	if inv != nil {
		title = "invoice_form.edit_title"
		p.I, p.Action, clientID = inv, invoicesPath+"/"+inv.ID.String()+"/edit", inv.ClientID
	}
	p.Page = h.NewPage(c, title)
	parties, err := h.loadParties(ctx, clientID)
	if err != nil {
		return nil, err
	}
	p.documentParties = parties
	if p.ClientID == "" {
		return p, nil
	}
	if inv != nil && inv.ContractID.Valid {
		found := false
		for _, ch := range p.Contracts {
			found = found || ch.ID == inv.ContractID.UUID
		}
		if !found {
			p.Contracts = append(p.Contracts, tickets.ContractChoice{ID: inv.ContractID.UUID, Reference: inv.ContractReference})
		}
	}
	return p, nil
}

// emptyInvoiceRows appends empty line rows up to n rows in all.
func emptyInvoiceRows(rows []invoiceLineRow, n int) []invoiceLineRow {
	for len(rows) < n && len(rows) < billing.MaxLines {
		rows = append(rows, invoiceLineRow{N: len(rows), VATRate: strconv.Itoa(billing.DefaultVATRate)})
	}
	return rows
}

// signedCentsInput writes cents as a form value, negative ones with a minus sign.
func signedCentsInput(c int64) string {
	if c < 0 {
		return "-" + centsInput(-c)
	}
	return centsInput(c)
}

// handleInvoiceManualNew handles the "GET /admin/invoices/manual" route: choose the client
// (?client=<id>), then type the lines of an invoice that bills no tracked source.
func (h *handler) handleInvoiceManualNew(c *fiber.Ctx) error {
	clientID, _ := uuid.Parse(c.Query("client"))
	p, err := h.invoiceFormData(c, nil, clientID)
	if err != nil {
		return err
	}
	p.Form = map[string]string{"payment_terms_days": "30"}
	if len(p.Contracts) == 1 {
		p.Form["contract_id"] = p.Contracts[0].ID.String()
	}
	p.Rows = emptyInvoiceRows(nil, invoiceFormRows)
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/form", p)
}

// invoiceFormAgain gives the form back with the user's input: 422/409 with the problems of err, or
// 200 with one more empty row when "add a line" was pressed (err nil).
func (h *handler) invoiceFormAgain(c *fiber.Ctx, inv *billing.Invoice, f *invoiceForm, err error, extraRow bool) error {
	p, perr := h.invoiceFormData(c, inv, f.In.ClientID)
	if perr != nil {
		return perr
	}
	p.Form, p.Rows = f.Values, f.Rows
	if extraRow {
		p.Rows = emptyInvoiceRows(p.Rows, len(p.Rows)+1)
	}
	status := fiber.StatusOK
	if err != nil {
		e, ok := web.Refused(err)
		if !ok {
			return err
		}
		status = web.ShowRefusal(&p.Page, e, nil)
		if e.Kind == apperr.Invalid {
			p.Errors = f.errorsOf(err)
		}
	}
	lineProblem := false
	for k := range p.Errors {
		lineProblem = lineProblem || strings.HasPrefix(k, "lines.")
	}
	if len(f.In.Lines) > 0 && !lineProblem {
		t := billing.InvoiceTotals(f.In.Lines, false)
		p.Totals = &t
	}
	return h.Render(c, status, "backoffice/invoices/form", p)
}

// handleInvoiceManualCreate handles the "POST /admin/invoices/manual" route: drafts an invoice
// with the lines typed (or, with "add_line", gives the form back with one more row).
func (h *handler) handleInvoiceManualCreate(c *fiber.Ctx) error {
	f := parseInvoiceForm(c)
	if c.FormValue("add_line") != "" {
		return h.invoiceFormAgain(c, nil, f, nil, true)
	}
	var inv *billing.Invoice
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		inv, err = billing.CreateInvoice(ctx, tx, f.In, web.Actor(c), h.Now())
		if err == nil && len(f.Bad) > 0 {
			return f.Bad.Err()
		}
		if err != nil && len(f.Bad) > 0 && apperr.KindOf(err) == apperr.Invalid {
			return mergeFields(err, f.Bad)
		}
		return err
	})
	if err != nil {
		return h.invoiceFormAgain(c, nil, f, err, false)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_invoices.flash.drafted"))
	return h.Redirect(c, invoicesPath+"/"+inv.ID.String())
}

// handleInvoiceEdit handles the "GET /admin/invoices/:id/edit" route: the form of a draft; an
// issued invoice never changes (409).
func (h *handler) handleInvoiceEdit(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	inv, err := billing.GetInvoice(ctx, h.DB.Bun, id)
	if err != nil {
		return err
	}
	if !inv.IsDraft() {
		return h.invoiceRefused(c, id, apperr.Conflictf(billing.ErrInvoiceNotDraft), nil)
	}
	p, err := h.invoiceFormData(c, inv, inv.ClientID)
	if err != nil {
		return err
	}
	p.Form = map[string]string{"title": inv.Title, "notes": inv.Notes, "payment_terms": inv.PaymentTerms,
		"payment_terms_days": strconv.Itoa(inv.PaymentTermsDays)}
	if inv.ContractID.Valid {
		p.Form["contract_id"] = inv.ContractID.UUID.String()
	}
	if !inv.ServiceFrom.IsZero() {
		p.Form["service_from"] = inv.ServiceFrom.Format(time.DateOnly)
	}
	if !inv.ServiceTo.IsZero() {
		p.Form["service_to"] = inv.ServiceTo.Format(time.DateOnly)
	}
	sources, err := billing.LineSources(ctx, h.DB.Bun, inv.ID)
	if err != nil {
		return err
	}
	for n, l := range inv.Lines {
		r := invoiceLineRow{N: n, ID: l.ID.String(), Description: l.Description, Quantity: strings.ReplaceAll(l.Quantity.String(), ".", ","),
			Unit: l.Unit, UnitPrice: signedCentsInput(l.UnitPriceCents), VATRate: strconv.Itoa(l.VATRateBP), Discount: percentInput(l.DiscountBP)}
		if s, ok := sources[l.ID]; ok {
			r.Source = s.Kind.Label()
		}
		p.Rows = append(p.Rows, r)
	}
	p.Rows = emptyInvoiceRows(p.Rows, len(p.Rows)+1)
	t := inv.Totals()
	p.Totals = &t
	return h.Render(c, fiber.StatusOK, "backoffice/invoices/form", p)
}

// handleInvoiceUpdate handles the "POST /admin/invoices/:id/edit" route: saves the draft's header
// and lines (a line removed frees what it billed); an issued invoice is refused (409), a stale
// version too.
func (h *handler) handleInvoiceUpdate(c *fiber.Ctx) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	inv, err := billing.GetInvoice(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	if !inv.IsDraft() {
		return h.invoiceRefused(c, id, apperr.Conflictf(billing.ErrInvoiceNotDraft), nil)
	}
	f := parseInvoiceForm(c)
	f.In.ClientID = inv.ClientID
	if c.FormValue("add_line") != "" {
		return h.invoiceFormAgain(c, inv, f, nil, true)
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.UpdateInvoice(ctx, tx, id, f.In, invoiceVersion(c), web.Actor(c), h.Now())
		if err == nil && len(f.Bad) > 0 {
			return f.Bad.Err()
		}
		if err != nil && len(f.Bad) > 0 && apperr.KindOf(err) == apperr.Invalid {
			return mergeFields(err, f.Bad)
		}
		return err
	})
	if err != nil {
		if apperr.KindOf(err) == apperr.Conflict && apperr.FieldsOf(err) == nil {
			if e, _ := apperr.As(err); e != nil && e.Message == billing.ErrInvoiceNotDraft {
				return h.invoiceRefused(c, id, err, nil)
			}
		}
		return h.invoiceFormAgain(c, inv, f, err, false)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "invoice_form.flash.saved"))
	return h.Redirect(c, invoicesPath+"/"+id.String())
}
