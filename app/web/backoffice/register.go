package backoffice

import (
	"bufio"
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/web"
)

// registerPageSize is the number of register entries on one page; registerCSVBatch the number read
// at once while streaming the CSV export.
const (
	registerPageSize = 50
	registerCSVBatch = 500
	registerMaxQuery = 100
)

// RegisterRow is one register entry as the register pages show it: its day at noon in the
// provider's zone and its times in words.
type RegisterRow struct {
	*interventions.RegisterEntry
	Day                                  time.Time
	Work, Travel, OnSite, Research, Time string
}

// RegisterSums are the totals of the filtered register, times in words.
type RegisterSums struct {
	interventions.RegisterTotals
	Work, Travel, OnSite, Research, Time string
}

// minutes writes a number of minutes as "1 h 30".
func minutes(n int) string { return i18n.Duration(time.Duration(n) * time.Minute) }

// RegisterRows turns entries into rows for the view.
func RegisterRows(h *web.Server, es []*interventions.RegisterEntry) []RegisterRow {
	rows := make([]RegisterRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, RegisterRow{RegisterEntry: e, Day: h.Noon(e.OccurredOn),
			Work: minutes(e.MinutesWork), Travel: minutes(e.MinutesTravel), OnSite: minutes(e.MinutesOnSite),
			Research: minutes(e.MinutesResearch), Time: minutes(e.TotalMinutes())})
	}
	return rows
}

// RegisterTotalsOf puts the totals in words.
func RegisterTotalsOf(t interventions.RegisterTotals) RegisterSums {
	return RegisterSums{RegisterTotals: t, Work: minutes(t.MinutesWork), Travel: minutes(t.MinutesTravel),
		OnSite: minutes(t.MinutesOnSite), Research: minutes(t.MinutesResearch), Time: minutes(t.TotalMinutes())}
}

// RegisterQuery is the register's filter as read from the URL, kept as typed for the form.
type RegisterQuery struct {
	Filter                              interventions.RegisterFilter
	Client, Contract, Kind, Q, From, To string
}

// ParseRegisterQuery reads the filter of the register pages; a malformed id is a 404, an unknown
// kind or a malformed date is ignored.
func ParseRegisterQuery(c *fiber.Ctx) (RegisterQuery, error) {
	var q RegisterQuery
	if raw := c.Query("client"); raw != "" {
		id, err := web.ParseUUID(raw)
		if err != nil {
			return q, err
		}
		q.Filter.ClientID, q.Client = id, id.String()
	}
	if raw := c.Query("contract"); raw != "" {
		id, err := web.ParseUUID(raw)
		if err != nil {
			return q, err
		}
		q.Filter.ContractID, q.Contract = id, id.String()
	}
	if k := interventions.Kind(c.Query("kind")); k.Valid() {
		q.Filter.Kind, q.Kind = k, string(k)
	}
	q.Q = strings.TrimSpace(c.Query("q"))
	if utf8.RuneCountInString(q.Q) > registerMaxQuery {
		q.Q = string([]rune(q.Q)[:registerMaxQuery])
	}
	q.Filter.Subject = q.Q
	if d, err := time.Parse(time.DateOnly, c.Query("from")); err == nil {
		q.Filter.From, q.From = d, c.Query("from")
	}
	if d, err := time.Parse(time.DateOnly, c.Query("to")); err == nil {
		q.Filter.To, q.To = d, c.Query("to")
	}
	q.Filter.Cursor = c.Query("after")
	return q, nil
}

// Values is the filter as URL parameters, without the cursor.
func (q RegisterQuery) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"client": q.Client, "contract": q.Contract, "kind": q.Kind, "q": q.Q, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Filtered tells whether any filter is set.
func (q RegisterQuery) Filtered() bool { return len(q.Values()) > 0 }

// registerPage is the view model of the staff's maintenance register.
type registerPage struct {
	web.Page
	Query     RegisterQuery
	Clients   []contracts.ClientChoice
	Contracts []*contracts.Contract
	Kinds     []interventions.Kind
	Rows      []RegisterRow
	Totals    RegisterSums
	NextURL   string
	FirstURL  string
	CSVURL    string
	PDFURL    string
	VerifyURL string
}

// handleRegisterIndex handles the "GET /admin/register" route: the maintenance register of every
// client, newest first, filtered by client, contract, kind, equipment or service and period, with the
// totals of time and cost of the whole filter.
func (h *handler) handleRegisterIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q, err := ParseRegisterQuery(c)
	if err != nil {
		return err
	}
	f := q.Filter
	f.Limit = registerPageSize
	reg, err := interventions.ListRegister(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	choices, err := contracts.SelectedClient(ctx, h.DB.Bun, q.Filter.ClientID)
	if err != nil {
		return err
	}
	p := &registerPage{Page: h.NewPage(c, "register.title"), Query: q, Clients: choices, Kinds: interventions.Kinds(),
		Rows: RegisterRows(h.Server, reg.Entries), Totals: RegisterTotalsOf(reg.Totals)}
	if q.Filter.ClientID != uuid.Nil {
		if p.Contracts, err = contracts.ListByClient(ctx, h.DB.Bun, q.Filter.ClientID); err != nil {
			return err
		}
		if web.CurrentUser(c).IsManager() {
			p.VerifyURL = "/admin/register/verify?client=" + q.Client
		}
	}
	v := q.Values()
	p.CSVURL, p.PDFURL = "/admin/register.csv", "/admin/register.pdf"
	if len(v) > 0 {
		p.CSVURL += "?" + v.Encode()
		p.PDFURL += "?" + v.Encode()
	}
	if q.Filter.Cursor != "" {
		p.FirstURL = "/admin/register"
		if len(v) > 0 {
			p.FirstURL += "?" + v.Encode()
		}
	}
	if reg.Next != "" {
		v.Set("after", reg.Next)
		p.NextURL = "/admin/register?" + v.Encode()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/register/index", p)
}

// handleRegisterCSV handles the "GET /admin/register.csv" route: the filtered register as CSV.
func (h *handler) handleRegisterCSV(c *fiber.Ctx) error {
	q, err := ParseRegisterQuery(c)
	if err != nil {
		return err
	}
	f := q.Filter
	f.Cursor = ""
	return StreamRegisterCSV(c, h.Server, "registre-maintenance.csv", func(ctx context.Context, cursor string) (*interventions.RegisterPage, error) {
		f.Cursor, f.Limit = cursor, registerCSVBatch
		return interventions.ListRegister(ctx, h.DB.Bun, f)
	})
}

// StreamRegisterCSV answers a register export: a UTF-8 CSV with a byte order mark (so that Excel
// reads the accents), written while reading the register page by page through next (keyset
// cursor), never the whole register at once. The portal uses it too.
func StreamRegisterCSV(c *fiber.Ctx, s *web.Server, filename string, next func(ctx context.Context, cursor string) (*interventions.RegisterPage, error)) error {
	lang := web.Lang(c)
	t := func(k string) string { return s.Catalogue.T(lang, k) }
	// The first batch is read before answering, so that an error is still a proper error page.
	first, err := next(c.UserContext(), "")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	logger := s.Logger
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if _, err := w.WriteString("\uFEFF"); err != nil {
			return
		}
		if err := interventions.WriteCSV(w, first.Entries, t); err != nil {
			logger.Error("register csv", "err", err)
			return
		}
		for cursor := first.Next; cursor != ""; {
			page, err := next(ctx, cursor)
			if err != nil {
				logger.Error("register csv", "err", err)
				return
			}
			var buf bytes.Buffer
			if err := interventions.WriteCSV(&buf, page.Entries, t); err != nil {
				logger.Error("register csv", "err", err)
				return
			}
			// Drop the header WriteCSV writes on every call: it is on the first line already.
			b := buf.Bytes()
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i+1:]
			}
			if _, err := w.Write(b); err != nil {
				return
			}
			if err := w.Flush(); err != nil {
				return
			}
			cursor = page.Next
		}
	})
	return nil
}

// registerPDFMax bounds the entries a register PDF prints (the newest of the filter); the totals
// still cover the whole filter and the document says it stops short. A variable for the tests.
var registerPDFMax = 5000

// handleRegisterPDF handles the "GET /admin/register.pdf" route: the filtered register as a
// landscape PDF.
func (h *handler) handleRegisterPDF(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q, err := ParseRegisterQuery(c)
	if err != nil {
		return err
	}
	f := q.Filter
	f.Cursor = ""
	doc := RegisterPDF{Scope: h.T(c, "documents.register.all_clients"), ShowClient: f.ClientID == uuid.Nil}
	var clientName, contractRef string
	if f.ClientID != uuid.Nil {
		cl, err := clients.Get(ctx, h.DB.Bun, f.ClientID)
		if err != nil {
			return err
		}
		doc.Scope, clientName = cl.Name, cl.Name
	}
	if f.ContractID != uuid.Nil {
		ct, err := contracts.Get(ctx, h.DB.Bun, f.ContractID)
		if err != nil {
			return err
		}
		contractRef = ct.Reference
	}
	doc.Filter = DescribeRegisterQuery(c, h.Server, q, clientName, contractRef)
	return SendRegisterPDF(c, h.Server, doc, func(ctx context.Context, cursor string) (*interventions.RegisterPage, error) {
		f.Cursor, f.Limit = cursor, registerCSVBatch
		return interventions.ListRegister(ctx, h.DB.Bun, f)
	})
}

// RegisterPDF is what the register document says about itself: whose register, narrowed how.
type RegisterPDF struct {
	Scope      string
	Filter     [][2]string
	ShowClient bool
}

// DescribeRegisterQuery puts the register's filter in words, label and value, in the reader's
// language: the client (clientName, when the filter names one), the contract (contractRef), the
// kind, the equipment or service searched and the period.
func DescribeRegisterQuery(c *fiber.Ctx, s *web.Server, q RegisterQuery, clientName, contractRef string) [][2]string {
	var out [][2]string
	if clientName != "" {
		out = append(out, [2]string{s.T(c, "interventions.register.col.client"), clientName})
	}
	if q.Filter.ContractID != uuid.Nil {
		if contractRef == "" {
			contractRef = s.T(c, "documents.register.unknown_contract")
		}
		out = append(out, [2]string{s.T(c, "interventions.register.col.contract"), contractRef})
	}
	if q.Filter.Kind != "" {
		out = append(out, [2]string{s.T(c, "interventions.register.col.kind"), s.T(c, q.Filter.Kind.Label())})
	}
	if q.Q != "" {
		out = append(out, [2]string{s.T(c, "interventions.register.col.subject"), "« " + q.Q + " »"})
	}
	from, to := q.Filter.From.Format("02/01/2006"), q.Filter.To.Format("02/01/2006")
	switch {
	case !q.Filter.From.IsZero() && !q.Filter.To.IsZero():
		out = append(out, [2]string{s.T(c, "documents.register.period"), s.T(c, "documents.register.period_from_to", "From", from, "To", to)})
	case !q.Filter.From.IsZero():
		out = append(out, [2]string{s.T(c, "documents.register.period"), s.T(c, "documents.register.period_from", "From", from)})
	case !q.Filter.To.IsZero():
		out = append(out, [2]string{s.T(c, "documents.register.period"), s.T(c, "documents.register.period_to", "To", to)})
	}
	return out
}

// SendRegisterPDF answers with the register as a PDF, reading it page by page through next (keyset
// cursor) up to registerPDFMax entries, the newest first; the totals are those of the whole
// filter. The portal uses it too.
func SendRegisterPDF(c *fiber.Ctx, s *web.Server, doc RegisterPDF, next func(ctx context.Context, cursor string) (*interventions.RegisterPage, error)) error {
	ctx := c.UserContext()
	d := documents.RegisterData{Scope: doc.Scope, Filter: doc.Filter, ShowClient: doc.ShowClient}
	for cursor, first := "", true; first || cursor != ""; first = false {
		page, err := next(ctx, cursor)
		if err != nil {
			return err
		}
		if first {
			d.Totals = page.Totals
		}
		d.Entries = append(d.Entries, page.Entries...)
		cursor = page.Next
		if len(d.Entries) >= registerPDFMax {
			d.Truncated = cursor != "" || len(d.Entries) > registerPDFMax
			d.Entries = d.Entries[:registerPDFMax]
			break
		}
	}
	org, err := provider.Get(ctx, s.DB.Bun)
	if err != nil {
		return err
	}
	d.Provider, d.Today = org, contracts.Day(s.Now().In(s.Config.Location))
	lang := web.Lang(c)
	pdf, err := documents.Register(d, func(id string, args ...any) string { return s.Catalogue.T(lang, id, args...) },
		func(cents int64) string { return i18n.Money(lang, cents) })
	if err != nil {
		return err
	}
	return web.SendPDF(c, "registre-maintenance.pdf", pdf)
}

// registerVerifyPage is the view model of the chain check of one client's register.
type registerVerifyPage struct {
	web.Page
	Clients  []clients.Client
	Client   *clients.Client
	Result   interventions.Verification
	Register string
}

// handleRegisterVerify handles the "GET /admin/register/verify" route (managers): whether the hash
// chain of the register of ?client=<id> is intact, with the number of entries checked or the first
// broken one.
func (h *handler) handleRegisterVerify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := &registerVerifyPage{Page: h.NewPage(c, "register.verify.title")}
	cl, err := clients.List(ctx, h.DB.Bun, clients.Filter{Status: clients.StatusAll, Limit: 200})
	if err != nil {
		return err
	}
	p.Clients = cl.Clients
	if raw := c.Query("client"); raw != "" {
		id, err := web.ParseUUID(raw)
		if err != nil {
			return err
		}
		if p.Client, err = clients.Get(ctx, h.DB.Bun, id); err != nil {
			return err
		}
		if !slices.ContainsFunc(p.Clients, func(x clients.Client) bool { return x.ID == id }) {
			p.Clients = append(p.Clients, *p.Client)
		}
		if p.Result, err = interventions.Verify(ctx, h.DB.Bun, id); err != nil {
			return err
		}
		p.Register = "/admin/register?client=" + id.String()
		p.Title = h.T(c, "register.verify.title_for", "Client", p.Client.Name)
	}
	return h.Render(c, fiber.StatusOK, "backoffice/register/verify", p)
}
