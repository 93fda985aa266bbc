package backoffice

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const quotesPath = "/admin/quotes"

// quoteFormRows is the number of empty line rows a new form offers; "add a line" adds one more.
const quoteFormRows = 3

// quoteListQuery is the state of the list in its URL.
type quoteListQuery struct {
	Status, Client, Sort, After string
}

func (q quoteListQuery) url() string {
	v := url.Values{}
	for _, kv := range [][2]string{{"status", q.Status}, {"client", q.Client}, {"sort", q.Sort}, {"after", q.After}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return quotesPath
	}
	return quotesPath + "?" + v.Encode()
}

// quoteRow is one quote of a list with the status people see today.
type quoteRow struct {
	Q      *billing.Quote
	Status billing.Status
	Valid  *web.CivilDate
}

// quoteListPage is the view model of the list of quotes.
type quoteListPage struct {
	web.Page
	Q        quoteListQuery
	Filtered bool
	Statuses []billing.Status
	Clients  []contracts.ClientChoice
	Rows     []quoteRow
	NextURL  string
	FirstURL string
}

// handleQuoteIndex handles the "GET /admin/quotes" route: every quote, filtered by status (as seen
// today) and client, newest first or soonest to expire first, by keyset pages.
func (h *handler) handleQuoteIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	today := h.Today()
	q := quoteListQuery{After: c.Query("after")}
	f := billing.Filter{Today: today, Cursor: q.After, Sort: billing.ParseSort(c.Query("sort"))}
	if f.Sort == billing.SortValidity {
		q.Sort = string(f.Sort)
	}
	if st, ok := billing.ParseStatus(c.Query("status")); ok {
		f.Status, q.Status = st, string(st)
	}
	if id, err := uuid.Parse(c.Query("client")); err == nil {
		f.ClientID, q.Client = id, id.String()
	}
	page, err := billing.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	clients, err := contracts.SelectedClient(ctx, h.DB.Bun, f.ClientID)
	if err != nil {
		return err
	}
	p := &quoteListPage{
		Page: h.NewPage(c, "admin_quotes.title"), Q: q, Filtered: q.Status != "" || q.Client != "",
		Statuses: billing.Statuses(), Clients: clients,
	}
	for _, qt := range page.Quotes {
		p.Rows = append(p.Rows, quoteRow{Q: qt, Status: qt.StatusOn(today), Valid: h.CivilDate(qt.ValidUntil, today)})
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
	return h.Render(c, fiber.StatusOK, "backoffice/quotes/index", p)
}

// quoteLineRow is one row of the lines of the form, as typed.
type quoteLineRow struct {
	N                                                         int
	Description, Quantity, Unit, UnitPrice, VATRate, Discount string
}

// quoteVATChoice is a VAT rate offered by the form.
type quoteVATChoice struct {
	Value string
	Label string
}

// quoteFormPage is the view model of the form drafting or editing a quote.
type quoteFormPage struct {
	web.Page
	// Q is the draft edited (nil for a new quote).
	Q *billing.Quote
	documentParties
	// Revision tells that the draft revises a sent quote: client, contract and ticket are fixed.
	Revision bool
	Rows     []quoteLineRow
	VATRates []quoteVATChoice
	Totals   *web.QuoteTotalsView
	Action   string
	MaxLines int
}

// quoteVATChoices are the rates the form offers, written as people read them.
func quoteVATChoices() []quoteVATChoice {
	out := make([]quoteVATChoice, 0, len(billing.VATRates))
	for _, r := range billing.VATRates {
		out = append(out, quoteVATChoice{Value: strconv.Itoa(r), Label: web.Percent(r)})
	}
	return out
}

// percentInput writes basis points as a form value: 1250 → "12,5", 0 → "".
func percentInput(bp int) string {
	if bp == 0 {
		return ""
	}
	return strings.Replace(strconv.FormatFloat(float64(bp)/100, 'f', -1, 64), ".", ",", 1)
}

// centsInput writes cents as a form value: 4500 → "45,00".
func centsInput(c int64) string { return fmt.Sprintf("%d,%02d", c/100, c%100) }

// quoteFormData fills the form around the client clientID (uuid.Nil: to choose first).
func (h *handler) quoteFormData(c *fiber.Ctx, q *billing.Quote, clientID uuid.UUID) (*quoteFormPage, error) {
	ctx := c.UserContext()
	title := "admin_quotes.new.title"
	if q != nil {
		title = "admin_quotes.edit.title"
	}
	p := &quoteFormPage{Page: h.NewPage(c, title), Q: q, VATRates: quoteVATChoices(), Action: quotesPath, MaxLines: billing.MaxLines}
	if q != nil {
		p.Action = quotesPath + "/" + q.ID.String()
		p.Revision = q.ReplacesID.Valid
		clientID = q.ClientID
	}
	parties, err := h.loadParties(ctx, clientID)
	if err != nil {
		return nil, err
	}
	p.documentParties = parties
	if p.ClientID == "" {
		return p, nil
	}
	return p, nil
}

// emptyRows appends empty line rows up to n rows in all.
func emptyRows(rows []quoteLineRow, n int) []quoteLineRow {
	for len(rows) < n && len(rows) < billing.MaxLines {
		rows = append(rows, quoteLineRow{N: len(rows), VATRate: strconv.Itoa(billing.DefaultVATRate)})
	}
	return rows
}

// handleQuoteNew handles the "GET /admin/quotes/new" route: choose the client first (?client=<id>),
// or start from a ticket (?ticket=<id>: its client, contract and title).
func (h *handler) handleQuoteNew(c *fiber.Ctx) error {
	ctx := c.UserContext()
	clientID, _ := uuid.Parse(c.Query("client"))
	form := map[string]string{
		"valid_until": h.Today().AddDate(0, 0, billing.DefaultValidityDays).Format(time.DateOnly),
	}
	if tid, err := uuid.Parse(c.Query("ticket")); err == nil {
		t, err := tickets.Get(ctx, h.DB.Bun, tid)
		if err != nil {
			return err
		}
		clientID = t.ClientID
		form["ticket"] = t.Reference()
		form["title"] = t.Title
		if t.ContractID.Valid {
			form["contract_id"] = t.ContractID.UUID.String()
		}
		if t.RepairPlan != "" {
			form["description"] = t.RepairPlan
		}
	}
	p, err := h.quoteFormData(c, nil, clientID)
	if err != nil {
		return err
	}
	if _, ok := form["contract_id"]; !ok && len(p.Contracts) == 1 {
		form["contract_id"] = p.Contracts[0].ID.String()
	}
	p.Form = form
	p.Rows = emptyRows(nil, quoteFormRows)
	return h.Render(c, fiber.StatusOK, "backoffice/quotes/form", p)
}

// quoteForm is a submitted quote form: the text as typed, and what was parsed of it.
type quoteForm struct {
	Values map[string]string
	Rows   []quoteLineRow
	In     billing.Input
	// RowOf maps the index of a line of In to its row in the form.
	RowOf []int
	Bad   apperr.Fields
}

var quoteFormFields = []string{"client_id", "contract_id", "ticket", "title", "description", "payment_terms", "valid_until", "estimated_start", "deposit"}

// parseQuoteForm reads the header fields and the line rows (rows left empty are ignored).
func (h *handler) parseQuoteForm(c *fiber.Ctx) *quoteForm {
	f := &quoteForm{Values: map[string]string{}, Bad: apperr.Fields{}}
	for _, k := range quoteFormFields {
		f.Values[k] = c.FormValue(k)
	}
	f.In.ClientID, _ = uuid.Parse(f.Values["client_id"])
	f.In.Title, f.In.Description, f.In.PaymentTerms = f.Values["title"], f.Values["description"], f.Values["payment_terms"]
	parseHeaderRefs(f.Values, f.Bad, "quotes", &f.In.ContractID, map[string]*time.Time{"valid_until": &f.In.ValidUntil, "estimated_start": &f.In.EstimatedStart})
	if v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.Values["deposit"]), "%")); v != "" {
		bp, problem := parseContractDecimal(v, 2)
		if problem != "" || bp > 10000 {
			f.Bad.Add("deposit", "quotes.error.deposit")
		}
		f.In.DepositBP = int(bp)
	}
	rows, _ := strconv.Atoi(c.FormValue("rows"))
	rows = min(max(rows, 0), billing.MaxLines)
	for n := range rows {
		key := func(field string) string { return fmt.Sprintf("lines.%d.%s", n, field) }
		r := quoteLineRow{N: n, Description: c.FormValue(key("description")), Quantity: c.FormValue(key("quantity")),
			Unit: c.FormValue(key("unit")), UnitPrice: c.FormValue(key("unit_price")), VATRate: c.FormValue(key("vat_rate")),
			Discount: c.FormValue(key("discount"))}
		f.Rows = append(f.Rows, r)
		if strings.TrimSpace(r.Description+r.Quantity+r.Unit+r.UnitPrice+r.Discount) == "" {
			continue
		}
		fig := parseLineFigures(f.Bad, "quotes", n, false, r.Quantity, r.UnitPrice, r.VATRate, r.Discount)
		l := &billing.Line{Description: r.Description, Unit: r.Unit, Quantity: fig.Quantity,
			UnitPriceCents: fig.UnitPrice, VATRateBP: fig.VATRateBP, DiscountBP: fig.DiscountBP}
		f.In.Lines = append(f.In.Lines, l)
		f.RowOf = append(f.RowOf, n)
	}
	return f
}

// errorsOf puts the problems of err (and those found parsing) on the page, line problems under
// their form row.
func (f *quoteForm) errorsOf(err error) map[string]string {
	out := map[string]string{}
	rename := map[string]string{"ticket_id": "ticket"}
	for k, v := range apperr.FieldsOf(err) {
		var n int
		var field string
		if _, scanErr := fmt.Sscanf(k, "lines.%d.%s", &n, &field); scanErr == nil && n >= 0 && n < len(f.RowOf) {
			k = fmt.Sprintf("lines.%d.%s", f.RowOf[n], field)
		} else if r, ok := rename[k]; ok {
			k = r
		}
		out[k] = v
	}
	for k, v := range f.Bad {
		out[k] = v
	}
	return out
}

// quoteFormAgain gives the form back with the user's input: status 422 with the problems of err,
// or 200 with one more empty row when "add a line" was pressed (err nil).
func (h *handler) quoteFormAgain(c *fiber.Ctx, q *billing.Quote, f *quoteForm, err error, extraRow bool) error {
	p, perr := h.quoteFormData(c, q, f.In.ClientID)
	if perr != nil {
		return perr
	}
	p.Form = f.Values
	p.Rows = f.Rows
	status := fiber.StatusOK
	if extraRow {
		p.Rows = emptyRows(p.Rows, len(p.Rows)+1)
	}
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
		t := web.QuoteTotals(billing.ComputeTotals(f.In.Lines), f.In.DepositBP)
		p.Totals = &t
	}
	return h.Render(c, status, "backoffice/quotes/form", p)
}

// ticketOfForm finds the ticket typed in the form ("T-0042"), recording a problem when it is not
// the client's.
func (h *handler) ticketOfForm(ctx context.Context, tx *database.Tx, f *quoteForm) error {
	ref := strings.TrimSpace(f.Values["ticket"])
	if ref == "" || f.In.ClientID == uuid.Nil {
		return nil
	}
	id, err := interventionTicketID(ctx, tx, f.In.ClientID, ref)
	if err != nil {
		return err
	}
	if id == uuid.Nil {
		f.Bad.Add("ticket", "quotes.error.ticket_unknown")
	}
	f.In.TicketID = id
	return nil
}

// handleQuoteCreate handles the "POST /admin/quotes" route: drafts a quote (or, with "add_line",
// gives the form back with one more row, nothing saved).
func (h *handler) handleQuoteCreate(c *fiber.Ctx) error {
	f := h.parseQuoteForm(c)
	if c.FormValue("add_line") != "" {
		return h.quoteFormAgain(c, nil, f, nil, true)
	}
	var q *billing.Quote
	err := h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := h.ticketOfForm(ctx, tx, f); err != nil {
			return err
		}
		var err error
		q, err = billing.Create(ctx, tx, f.In, web.Actor(c), h.Now(), h.Config.Location)
		if err == nil && len(f.Bad) > 0 {
			return f.Bad.Err()
		}
		return err
	})
	if err != nil {
		if len(f.Bad) > 0 && apperr.KindOf(err) == apperr.Invalid {
			err = mergeFields(err, f.Bad)
		}
		return h.quoteFormAgain(c, nil, f, err, false)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_quotes.flash.created"))
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// mergeFields is an Invalid error with the problems of err and of bad.
func mergeFields(err error, bad apperr.Fields) error {
	all := apperr.Fields{}
	for k, v := range apperr.FieldsOf(err) {
		all.Add(k, v)
	}
	for k, v := range bad {
		all.Add(k, v)
	}
	return all.Err()
}

// quoteID reads the quote id of the URL (404 when malformed).
func quoteID(c *fiber.Ctx) (uuid.UUID, error) { return web.ParseUUID(c.Params("id")) }

func quoteVersion(c *fiber.Ctx) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// handleQuoteEdit handles the "GET /admin/quotes/:id/edit" route: the form of a draft.
func (h *handler) handleQuoteEdit(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	q, err := billing.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	if q.Status != billing.StatusDraft {
		h.SetFlash(c, web.FlashWarning, h.T(c, billing.ErrNotDraft))
		return h.Redirect(c, quotesPath+"/"+q.ID.String())
	}
	p, err := h.quoteFormData(c, q, q.ClientID)
	if err != nil {
		return err
	}
	p.Form = map[string]string{
		"client_id": q.ClientID.String(), "title": q.Title, "description": q.Description, "payment_terms": q.PaymentTerms,
		"valid_until": q.ValidUntil.Format(time.DateOnly), "deposit": percentInput(q.DepositBP),
	}
	if q.ContractID.Valid {
		p.Form["contract_id"] = q.ContractID.UUID.String()
	}
	if q.TicketNumber > 0 {
		p.Form["ticket"] = tickets.Reference(q.TicketNumber)
	}
	if !q.EstimatedStart.IsZero() {
		p.Form["estimated_start"] = q.EstimatedStart.Format(time.DateOnly)
	}
	for n, l := range q.Lines {
		p.Rows = append(p.Rows, quoteLineRow{N: n, Description: l.Description,
			Quantity: strings.Replace(l.Quantity.String(), ".", ",", 1), Unit: l.Unit,
			UnitPrice: centsInput(l.UnitPriceCents), VATRate: strconv.Itoa(l.VATRateBP), Discount: percentInput(l.DiscountBP)})
	}
	p.Rows = emptyRows(p.Rows, len(p.Rows)+1)
	t := web.QuoteTotals(q.Totals(), q.DepositBP)
	p.Totals = &t
	return h.Render(c, fiber.StatusOK, "backoffice/quotes/form", p)
}

// handleQuoteUpdate handles the "POST /admin/quotes/:id" route: saves a draft (or adds a row).
func (h *handler) handleQuoteUpdate(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	q, err := billing.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	f := h.parseQuoteForm(c)
	f.In.ClientID = q.ClientID
	f.Values["client_id"] = q.ClientID.String()
	if c.FormValue("add_line") != "" {
		return h.quoteFormAgain(c, q, f, nil, true)
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := h.ticketOfForm(ctx, tx, f); err != nil {
			return err
		}
		if len(f.Bad) > 0 {
			check := f.In
			return mergeFields(check.Validate(h.Today()), f.Bad)
		}
		_, err := billing.Update(ctx, tx, id, f.In, quoteVersion(c), web.Actor(c), h.Now(), h.Config.Location)
		return err
	})
	if err != nil {
		return h.quoteFormAgain(c, q, f, err, false)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_quotes.flash.saved"))
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// quoteShowPage is the view model of a quote's page.
type quoteShowPage struct {
	web.Page
	Q      *billing.Quote
	Status billing.Status
	Valid  *web.CivilDate
	Totals web.QuoteTotalsView
	Lines  []web.QuoteLineView
	// Acceptance is the evidence of an accepted quote.
	Acceptance *billing.Acceptance
	// InterventionID and InterventionRef name the intervention an accepted quote created.
	InterventionID  uuid.UUID
	InterventionRef string
	// DraftRevision is the draft that will replace this quote once sent.
	DraftRevision string
	// Approvers are who the sending will mail (drafts).
	Approvers   []accounts.User
	IsManager   bool
	CanRevise   bool
	CanWithdraw bool
	HashHex     string
}

// approvers are the client's active users who may decide the quote: they get the mail.
func approvers(ctx context.Context, db bun.IDB, clientID uuid.UUID) ([]accounts.User, error) {
	users, err := accounts.ListClientUsers(ctx, db, clientID)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if u.Active && u.MayApproveAndPay() {
			out = append(out, u)
		}
	}
	return out, nil
}

// handleQuoteShow handles the "GET /admin/quotes/:id" route: the quote, its totals and what may be
// done with it.
func (h *handler) handleQuoteShow(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	p, err := h.quoteShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/quotes/show", p)
}

func (h *handler) quoteShowData(c *fiber.Ctx, id uuid.UUID) (*quoteShowPage, error) {
	ctx := c.UserContext()
	q, err := billing.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	today := h.Today()
	p := &quoteShowPage{
		Page: h.NewPage(c, "admin_quotes.show.title"), Q: q, Status: q.StatusOn(today), Valid: h.CivilDate(q.ValidUntil, today),
		Totals: web.QuoteTotals(q.Totals(), q.DepositBP), Lines: web.QuoteLines(q.Lines), IsManager: web.CurrentUser(c).IsManager(),
		HashHex: q.HashHex(),
	}
	if ref := q.Reference(); ref != "" {
		p.Title = h.T(c, "admin_quotes.show.title_ref", "Reference", ref, "Title", q.Title)
	}
	p.CanRevise = p.IsManager && q.Revisable()
	p.CanWithdraw = p.IsManager && billing.CanTransition(q.Status, billing.StatusWithdrawn)
	if q.Status == billing.StatusAccepted {
		if p.Acceptance, err = billing.GetAcceptance(ctx, h.DB.Bun, q.ID); err != nil {
			return nil, err
		}
		iid, n, err := billing.InterventionOf(ctx, h.DB.Bun, q.ID)
		if err != nil {
			return nil, err
		}
		if iid != uuid.Nil {
			p.InterventionID, p.InterventionRef = iid, interventions.Reference(n)
		}
	}
	if q.Revisable() {
		rev, err := billing.DraftRevisionOf(ctx, h.DB.Bun, q.ID)
		if err != nil {
			return nil, err
		}
		if rev != uuid.Nil {
			p.DraftRevision = rev.String()
		}
	}
	if q.Status == billing.StatusDraft {
		if p.Approvers, err = approvers(ctx, h.DB.Bun, q.ClientID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// quoteRefused shows the quote's page again with the message of a refusal (409, or 422 when a draft
// cannot be sent as it is).
func (h *handler) quoteRefused(c *fiber.Ctx, id uuid.UUID, err error) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.quoteShowData(c, id)
	if perr != nil {
		return perr
	}
	status := web.ShowRefusal(&p.Page, e, nil)
	return h.Render(c, status, "backoffice/quotes/show", p)
}

// handleQuoteSend handles the "POST /admin/quotes/:id/send" route: numbers and sends a draft, and
// mails the client's users who may decide, with a link to the quote in the portal, in the same
// transaction.
func (h *handler) handleQuoteSend(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var q *billing.Quote
	var mailed int
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if q, err = billing.Send(ctx, tx, id, quoteVersion(c), web.Actor(c), h.Now(), h.Config.Location); err != nil {
			return err
		}
		to, err := approvers(ctx, tx, q.ClientID)
		if err != nil {
			return err
		}
		for i := range to {
			u := &to[i]
			d := map[string]any{
				"Name": u.Name, "Reference": q.Reference(), "Title": q.Title, "ClientName": q.ClientName,
				"TotalHT": q.TotalHTCents, "TotalTTC": q.TotalTTCCents, "ValidUntil": h.Noon(q.ValidUntil),
				"Replaces": q.ReplacesID.Valid, "Link": h.Config.URL("/portal/quotes/" + q.ID.String()),
			}
			if err := h.SendMailOnce(ctx, tx, u, "quote_sent", d, "quote-sent:"+q.ID.String()+":"+u.ID.String()); err != nil {
				return err
			}
		}
		mailed = len(to)
		return nil
	})
	if err != nil {
		return h.quoteRefused(c, id, err)
	}
	if mailed == 0 {
		h.SetFlash(c, web.FlashWarning, h.T(c, "admin_quotes.flash.sent_nobody", "Reference", q.Reference()))
	} else {
		h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_quotes.flash.sent", "Reference", q.Reference(), "Count", mailed))
	}
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// handleQuoteWithdraw handles the "POST /admin/quotes/:id/withdraw" route.
func (h *handler) handleQuoteWithdraw(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var q *billing.Quote
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		q, err = billing.Withdraw(ctx, tx, id, quoteVersion(c), web.Actor(c), h.Now())
		return err
	})
	if err != nil {
		return h.quoteRefused(c, id, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_quotes.flash.withdrawn", "Reference", q.Reference()))
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// handleQuoteRevise handles the "POST /admin/quotes/:id/revise" route: starts (or reopens) the
// draft of the next revision and goes to its form.
func (h *handler) handleQuoteRevise(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var rev *billing.Quote
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		rev, err = billing.NewRevision(ctx, tx, id, web.Actor(c), h.Now(), h.Config.Location)
		return err
	})
	if err != nil {
		return h.quoteRefused(c, id, err)
	}
	return h.Redirect(c, quotesPath+"/"+rev.ID.String()+"/edit")
}

// handleQuoteDelete handles the "POST /admin/quotes/:id/delete" route: discards a draft.
func (h *handler) handleQuoteDelete(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	var q *billing.Quote
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		q, err = billing.DeleteDraft(ctx, tx, id, quoteVersion(c), web.Actor(c), h.Now())
		return err
	})
	if err != nil {
		return h.quoteRefused(c, id, err)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "admin_quotes.flash.deleted", "Title", q.Title))
	if q.ReplacesID.Valid {
		return h.Redirect(c, quotesPath+"/"+q.ReplacesID.UUID.String())
	}
	return h.Redirect(c, quotesPath)
}

// handleQuotePDF handles the "GET /admin/quotes/:id.pdf" route: the quote as a document (a draft
// says so), with its acceptance block once accepted.
func (h *handler) handleQuotePDF(c *fiber.Ctx) error {
	id, err := quoteID(c)
	if err != nil {
		return err
	}
	q, err := billing.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	return h.SendQuotePDF(c, q)
}
