package portal

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/interventions"
	"maintenant/app/web"
	"maintenant/app/web/backoffice"
)

// registerPage is the view model of the client's maintenance register.
type registerPage struct {
	web.Page
	Query     backoffice.RegisterQuery
	Contracts []*contracts.Contract
	Kinds     []interventions.Kind
	Rows      []backoffice.RegisterRow
	Totals    backoffice.RegisterSums
	NextURL   string
	FirstURL  string
	CSVURL    string
	PDFURL    string
}

// portalRegisterQuery reads the register filter of the portal: the client is always the session's,
// whatever the URL says.
func portalRegisterQuery(c *fiber.Ctx) (backoffice.RegisterQuery, error) {
	q, err := backoffice.ParseRegisterQuery(c)
	if err != nil {
		return q, err
	}
	q.Client, q.Filter.ClientID = "", uuid.Nil
	return q, nil
}

// handleRegisterIndex handles the "GET /portal/register" route: the client's own maintenance
// register, newest first, with the same filters as the staff's (but the client) and the totals.
func (h *handler) handleRegisterIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	client := web.ClientID(c)
	q, err := portalRegisterQuery(c)
	if err != nil {
		return err
	}
	f := q.Filter
	f.Limit = 50
	reg, err := interventions.ListRegisterForClient(ctx, h.DB.Bun, client, f)
	if err != nil {
		return err
	}
	cs, err := contracts.ListByClient(ctx, h.DB.Bun, client)
	if err != nil {
		return err
	}
	p := &registerPage{Page: h.NewPage(c, "register.title"), Query: q, Contracts: cs, Kinds: interventions.Kinds(),
		Rows: backoffice.RegisterRows(h.Server, reg.Entries), Totals: backoffice.RegisterTotalsOf(reg.Totals)}
	v := q.Values()
	p.CSVURL, p.PDFURL = "/portal/register.csv", "/portal/register.pdf"
	if len(v) > 0 {
		p.CSVURL += "?" + v.Encode()
		p.PDFURL += "?" + v.Encode()
	}
	if q.Filter.Cursor != "" {
		p.FirstURL = "/portal/register"
		if len(v) > 0 {
			p.FirstURL += "?" + v.Encode()
		}
	}
	if reg.Next != "" {
		v.Set("after", reg.Next)
		p.NextURL = "/portal/register?" + v.Encode()
	}
	return h.Render(c, fiber.StatusOK, "portal/register/index", p)
}

// handleRegisterCSV handles the "GET /portal/register.csv" route: the client's filtered register as
// CSV, only its own entries.
func (h *handler) handleRegisterCSV(c *fiber.Ctx) error {
	client := web.ClientID(c)
	q, err := portalRegisterQuery(c)
	if err != nil {
		return err
	}
	f := q.Filter
	return backoffice.StreamRegisterCSV(c, h.Server, "registre-maintenance.csv", func(ctx context.Context, cursor string) (*interventions.RegisterPage, error) {
		f.Cursor, f.Limit = cursor, 500
		return interventions.ListRegisterForClient(ctx, h.DB.Bun, client, f)
	})
}

// handleRegisterPDF handles the "GET /portal/register.pdf" route: the client's filtered register as
// a PDF, only its own entries (a client or contract id of another client in the URL finds nothing).
func (h *handler) handleRegisterPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	client := web.ClientID(c)
	q, err := portalRegisterQuery(c)
	if err != nil {
		return err
	}
	cl, err := clients.Get(ctx, h.DB.Bun, client)
	if err != nil {
		return err
	}
	var contractRef string
	if q.Filter.ContractID != uuid.Nil {
		ct, err := contracts.GetForClient(ctx, h.DB.Bun, client, q.Filter.ContractID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
		case err != nil:
			return err
		default:
			contractRef = ct.Reference
		}
	}
	doc := backoffice.RegisterPDF{Scope: cl.Name, Filter: backoffice.DescribeRegisterQuery(c, h.Server, q, "", contractRef)}
	f := q.Filter
	f.Cursor = ""
	return backoffice.SendRegisterPDF(c, h.Server, doc, func(ctx context.Context, cursor string) (*interventions.RegisterPage, error) {
		f.Cursor, f.Limit = cursor, 500
		return interventions.ListRegisterForClient(ctx, h.DB.Bun, client, f)
	})
}
