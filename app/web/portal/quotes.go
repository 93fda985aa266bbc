package portal

import (
	"context"
	"crypto/sha256"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/web"
)

const quotesPath = "/portal/quotes"

// quoteTabs are the states the list offers, "" being every quote.
var quoteTabs = []billing.Status{"", billing.StatusSent, billing.StatusAccepted, billing.StatusDeclined, billing.StatusExpired}

// quoteTab is one state of the list, as a link.
type quoteTab struct {
	Label  string
	URL    string
	Active bool
}

// quoteRow is a quote of the list with the status the client sees today.
type quoteRow struct {
	Q      *billing.Quote
	Status billing.Status
	Valid  *web.CivilDate
}

// quoteListPage is the view model of the client's quotes.
type quoteListPage struct {
	web.Page
	Tabs     []quoteTab
	Status   billing.Status
	Rows     []quoteRow
	NextURL  string
	FirstURL string
}

func quoteListURL(s billing.Status, after string) string {
	v := url.Values{}
	if s != "" {
		v.Set("status", string(s))
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(v) == 0 {
		return quotesPath
	}
	return quotesPath + "?" + v.Encode()
}

// handleQuoteIndex handles the "GET /portal/quotes" route: the client's quotes (never drafts), the
// newest first, by state.
func (h *handler) handleQuoteIndex(c *fiber.Ctx) error {
	today := h.Today()
	status, _ := billing.ParseStatus(c.Query("status"))
	if status == billing.StatusDraft {
		status = ""
	}
	after := c.Query("after")
	page, err := billing.ListForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), billing.Filter{Status: status, Today: today, Cursor: after})
	if err != nil {
		return err
	}
	p := &quoteListPage{Page: h.NewPage(c, "portal.quotes.title"), Status: status}
	for _, s := range quoteTabs {
		label := "portal.quotes.tab.all"
		if s != "" {
			label = "portal.quotes.tab." + string(s)
		}
		p.Tabs = append(p.Tabs, quoteTab{Label: label, URL: quoteListURL(s, ""), Active: s == status})
	}
	for _, q := range page.Quotes {
		p.Rows = append(p.Rows, quoteRow{Q: q, Status: q.StatusOn(today), Valid: h.CivilDate(q.ValidUntil, today)})
	}
	if page.Next != "" {
		p.NextURL = quoteListURL(status, page.Next)
	}
	if after != "" {
		p.FirstURL = quoteListURL(status, "")
	}
	return h.Render(c, fiber.StatusOK, "portal/quotes/index", p)
}

// quoteShowPage is the view model of a quote in the portal.
type quoteShowPage struct {
	web.Page
	Q      *billing.Quote
	Status billing.Status
	Valid  *web.CivilDate
	Lines  []web.QuoteLineView
	Totals web.QuoteTotalsView
	Org    *provider.Organisation
	Client *clients.Client
	// MayDecide: the user may accept or decline (client admin or approve-and-pay right);
	// Decidable: the quote still waits for a decision today.
	MayDecide  bool
	Decidable  bool
	Acceptance *billing.Acceptance
}

// quoteOfClient reads a quote of the session's client (404 for a draft, another client's or a
// missing one).
func (h *handler) quoteOfClient(c *fiber.Ctx) (*billing.Quote, error) {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return nil, err
	}
	return billing.GetForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
}

func (h *handler) quoteShowData(c *fiber.Ctx, q *billing.Quote) (*quoteShowPage, error) {
	ctx := c.UserContext()
	today := h.Today()
	p := &quoteShowPage{
		Page: h.NewPage(c, "portal.quotes.show.title"), Q: q, Status: q.StatusOn(today), Valid: h.CivilDate(q.ValidUntil, today),
		Lines: web.QuoteLines(q.Lines), Totals: web.QuoteTotals(q.Totals(), q.DepositBP),
		MayDecide: web.CurrentUser(c).MayApproveAndPay(), Decidable: q.Decidable(today),
	}
	p.Title = h.T(c, "portal.quotes.show.title_ref", "Reference", q.Reference(), "Title", q.Title)
	var err error
	if p.Org, err = provider.Get(ctx, h.DB.Bun); err != nil {
		return nil, err
	}
	if p.Client, err = clients.Get(ctx, h.DB.Bun, q.ClientID); err != nil {
		return nil, err
	}
	if q.Status == billing.StatusAccepted {
		if p.Acceptance, err = billing.GetAcceptance(ctx, h.DB.Bun, q.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// handleQuoteShow handles the "GET /portal/quotes/:id" route: the whole quote, its terms, and for
// those who may decide, the acceptance and refusal forms.
func (h *handler) handleQuoteShow(c *fiber.Ctx) error {
	q, err := h.quoteOfClient(c)
	if err != nil {
		return err
	}
	p, err := h.quoteShowData(c, q)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/quotes/show", p)
}

// handleQuotePDF handles the "GET /portal/quotes/:id.pdf" route: the client's own quote as a
// document, with its acceptance block once accepted. A draft or another client's quote answers 404.
func (h *handler) handleQuotePDF(c *fiber.Ctx) error {
	q, err := h.quoteOfClient(c)
	if err != nil {
		return err
	}
	return h.SendQuotePDF(c, q)
}

// quoteRefused shows the quote again with the problems of a refused decision (422 under the
// fields, 409 with the reason, 429 when the password was tried too often), the user's input kept
// (never the password).
func (h *handler) quoteRefused(c *fiber.Ctx, q *billing.Quote, err error, form map[string]string, open string) error {
	p, perr := h.quoteShowData(c, q)
	if perr != nil {
		return perr
	}
	p.Form = form
	p.Form["open"] = open
	if apperr.KindOf(err) == apperr.TooMany {
		p.Message = "error.too_many_attempts"
		return h.Render(c, fiber.StatusTooManyRequests, "portal/quotes/show", p)
	}
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	status := web.ShowRefusal(&p.Page, e, nil)
	return h.Render(c, status, "portal/quotes/show", p)
}

// checkPassword re-authenticates the user under the login rate limits: a wrong password counts as a
// failed login (committed on its own, whatever happens next) and is Invalid on "password"; too many
// attempts are TooMany.
func (h *handler) checkPassword(c *fiber.Ctx, u *accounts.User, password string) error {
	ctx, now, actor := c.UserContext(), h.Now(), web.Actor(c)
	limits := []struct {
		l   accounts.Limit
		key string
	}{{accounts.LoginPerAccount, u.Email}, {accounts.LoginPerIP, actor.IP}}
	for _, lim := range limits {
		over, err := accounts.Exceeded(ctx, h.DB.Bun, lim.l, lim.key, now)
		if err != nil {
			return err
		}
		if over {
			_ = audit.Write(ctx, h.DB.Bun, now, actor, audit.Event{Action: audit.LoginLimited, TargetType: "user", TargetID: u.ID.String(), ClientID: web.ClientID(c)})
			return apperr.TooManyf("error.too_many_attempts")
		}
	}
	if accounts.VerifyPassword(password, u.PasswordHash) {
		return nil
	}
	err := h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		for _, lim := range limits {
			if err := accounts.Record(ctx, tx, lim.l, lim.key, now); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, now, actor, audit.Event{Action: audit.LoginFailed, TargetType: "user", TargetID: u.ID.String(),
			ClientID: web.ClientID(c), Details: map[string]any{"factor": "quote_acceptance"}})
	})
	if err != nil {
		return err
	}
	return apperr.Fields{"password": "quotes.error.password"}.Err()
}

// handleQuoteAccept handles the "POST /portal/quotes/:id/accept" route: the "bon pour accord". Only
// a user who may decide reaches it (404 otherwise, like another client's quote). In order: the box
// ticked and the name typed (422), the password (422, counted as a failed login), then in one
// transaction the server's checks (still valid, the revision shown: 409 otherwise), the evidence,
// the intervention and the managers' mails.
func (h *handler) handleQuoteAccept(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if !u.MayApproveAndPay() {
		return apperr.NotFoundf("quote")
	}
	q, err := h.quoteOfClient(c)
	if err != nil {
		return err
	}
	form := map[string]string{"agree": c.FormValue("agree"), "signer_name": c.FormValue("signer_name"), "hash": c.FormValue("hash")}
	in := billing.AcceptInput{UserID: u.ID, Agreed: form["agree"] != "", SignerName: form["signer_name"], ContentHash: form["hash"]}
	if err := billing.ValidateAccept(&in); err != nil {
		if strings.TrimSpace(c.FormValue("password")) == "" {
			err = mergeFields(err, apperr.Fields{"password": "error.required"})
		}
		return h.quoteRefused(c, q, err, form, "accept")
	}
	if err := h.checkPassword(c, u, c.FormValue("password")); err != nil {
		return h.quoteRefused(c, q, err, form, "accept")
	}
	// The PDF the client could download at this moment, as evidence of what was accepted.
	pdf, err := h.QuotePDF(c, q)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(pdf)
	in.PDFSHA256 = sum[:]
	var i *interventions.Intervention
	shown := q
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if q, i, err = billing.Accept(ctx, tx, web.ClientID(c), q.ID, in, web.Actor(c), h.Now(), h.Config.Location); err != nil {
			return err
		}
		return h.mailQuoteDecided(ctx, tx, q, u, "quote_accepted", i.Reference())
	})
	if err != nil {
		return h.quoteRefused(c, shown, err, form, "accept")
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.quotes.flash.accepted", "Reference", q.Reference()))
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// mergeFields is an Invalid error with the problems of err and of more.
func mergeFields(err error, more apperr.Fields) error {
	all := apperr.Fields{}
	for k, v := range apperr.FieldsOf(err) {
		all.Add(k, v)
	}
	for k, v := range more {
		all.Add(k, v)
	}
	return all.Err()
}

// handleQuoteDecline handles the "POST /portal/quotes/:id/decline" route: the refusal, with an
// optional reason, under the same checks as the acceptance (no password: declining commits the
// client to nothing).
func (h *handler) handleQuoteDecline(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if !u.MayApproveAndPay() {
		return apperr.NotFoundf("quote")
	}
	q, err := h.quoteOfClient(c)
	if err != nil {
		return err
	}
	form := map[string]string{"reason": c.FormValue("reason"), "hash": c.FormValue("hash")}
	shown := q
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if q, err = billing.Decline(ctx, tx, web.ClientID(c), q.ID, u.ID, form["hash"], form["reason"], web.Actor(c), h.Now(), h.Config.Location); err != nil {
			return err
		}
		return h.mailQuoteDecided(ctx, tx, q, u, "quote_declined", "")
	})
	if err != nil {
		return h.quoteRefused(c, shown, err, form, "decline")
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.quotes.flash.declined", "Reference", q.Reference()))
	return h.Redirect(c, quotesPath+"/"+q.ID.String())
}

// mailQuoteDecided tells every active manager of a client's decision, within tx: one mail per quote
// and manager.
func (h *handler) mailQuoteDecided(ctx context.Context, tx *database.Tx, q *billing.Quote, by *accounts.User, name, intervention string) error {
	managers, err := accounts.ActiveManagers(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range managers {
		d := map[string]any{
			"Name": m.Name, "Reference": q.Reference(), "Title": q.Title, "ClientName": q.ClientName, "By": by.Name,
			"TotalTTC": q.TotalTTCCents, "Reason": q.DeclineReason, "Intervention": intervention,
			"Link": h.Config.URL("/admin/quotes/" + q.ID.String()),
		}
		if err := h.SendMailOnce(ctx, tx, m, name, d, name+":"+q.ID.String()+":"+m.ID.String()); err != nil {
			return err
		}
	}
	return nil
}
