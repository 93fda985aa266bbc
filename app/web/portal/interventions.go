package portal

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/web"
)

const interventionsPath = "/portal/interventions"

// errNotAwaitingSignature: the sheet is not (or no longer) waiting for the client's signature.
const errNotAwaitingSignature = "portal.interventions.error.not_awaiting"

// homeInterventionCount is the number of interventions each home card shows.
const homeInterventionCount = 5

// interventionGroup is a choice of the list's filter.
type interventionGroup string

// The list's filters: every intervention, or one stage of their life, or the sheets to sign.
const (
	interventionsAll       interventionGroup = "all"
	interventionsUpcoming  interventionGroup = "upcoming"
	interventionsOngoing   interventionGroup = "in_progress"
	interventionsToSign    interventionGroup = "to_sign"
	interventionsDone      interventionGroup = "done"
	interventionsCancelled interventionGroup = "cancelled"
)

func interventionGroups() []interventionGroup {
	return []interventionGroup{interventionsAll, interventionsUpcoming, interventionsOngoing, interventionsToSign,
		interventionsDone, interventionsCancelled}
}

// statuses are the statuses a filter shows (none: every one).
func (g interventionGroup) statuses() []interventions.Status {
	switch g {
	case interventionsUpcoming:
		return []interventions.Status{interventions.StatusTodo, interventions.StatusScheduled}
	case interventionsOngoing:
		return []interventions.Status{interventions.StatusInProgress}
	case interventionsDone:
		return []interventions.Status{interventions.StatusDone}
	case interventionsCancelled:
		return []interventions.Status{interventions.StatusCancelled}
	}
	return nil
}

func parseInterventionGroup(s string) interventionGroup {
	for _, g := range interventionGroups() {
		if string(g) == s {
			return g
		}
	}
	return interventionsAll
}

// interventionRow is an intervention of a list, with the date that tells where it stands.
type interventionRow struct {
	I *interventions.Intervention
	// ToSign says the client is expected to sign its sheet.
	ToSign bool
	// WhenKey names the date When is ("portal.interventions.when.done"); empty when there is none.
	WhenKey string
	When    time.Time
}

// newInterventionRow picks the date of an intervention that matters to the client.
func newInterventionRow(i *interventions.Intervention, signed bool) interventionRow {
	r := interventionRow{I: i, ToSign: !signed && i.SignLater &&
		(i.Status == interventions.StatusInProgress || i.Status == interventions.StatusDone)}
	switch {
	case i.Status == interventions.StatusDone:
		r.WhenKey, r.When = "portal.interventions.when.done", i.CompletedAt
	case i.Status == interventions.StatusInProgress && !i.StartedAt.IsZero():
		r.WhenKey, r.When = "portal.interventions.when.started", i.StartedAt
	case i.Status == interventions.StatusScheduled && !i.ScheduledAt.IsZero():
		r.WhenKey, r.When = "portal.interventions.when.scheduled", i.ScheduledAt
	case i.Status == interventions.StatusTodo:
		r.WhenKey, r.When = "portal.interventions.when.todo", i.CreatedAt
	case i.Status == interventions.StatusCancelled:
		r.WhenKey, r.When = "portal.interventions.when.cancelled", i.UpdatedAt
	}
	return r
}

// interventionRows makes the rows of a page of interventions, finding the signed ones in one query.
func (h *handler) interventionRows(ctx context.Context, is []*interventions.Intervention) ([]interventionRow, error) {
	var ids []uuid.UUID
	for _, i := range is {
		if i.SignLater {
			ids = append(ids, i.ID)
		}
	}
	signed, err := interventions.SignedAmong(ctx, h.DB.Bun, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]interventionRow, 0, len(is))
	for _, i := range is {
		rows = append(rows, newInterventionRow(i, signed[i.ID]))
	}
	return rows, nil
}

// interventionListPage is the view model of the client's interventions.
type interventionListPage struct {
	web.Page
	Rows     []interventionRow
	Group    interventionGroup
	Groups   []ticketFilterLink
	NextURL  string
	FirstURL string
}

// interventionListURL builds the list's URL, leaving out the defaults.
func interventionListURL(g interventionGroup, after string) string {
	q := url.Values{}
	if g != interventionsAll {
		q.Set("status", string(g))
	}
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return interventionsPath
	}
	return interventionsPath + "?" + q.Encode()
}

// listInterventions reads a page of the client's interventions in a group.
func (h *handler) listInterventions(ctx context.Context, clientID uuid.UUID, g interventionGroup, after string, limit int) (*interventions.Page, error) {
	if g == interventionsToSign {
		return interventions.AwaitingSignature(ctx, h.DB.Bun, clientID, after, limit)
	}
	return interventions.ListForClient(ctx, h.DB.Bun, clientID, interventions.Filter{Statuses: g.statuses(), Cursor: after, Limit: limit})
}

// handleInterventionIndex handles the "GET /portal/interventions" route: the company's
// interventions, the newest first, all of them or one stage (to come, in progress, sheets to sign,
// done, cancelled), a page at a time.
func (h *handler) handleInterventionIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	g := parseInterventionGroup(c.Query("status"))
	after := c.Query("after")
	page, err := h.listInterventions(ctx, web.ClientID(c), g, after, 25)
	if err != nil {
		return err
	}
	p := &interventionListPage{Page: h.NewPage(c, "portal.interventions.title"), Group: g}
	if p.Rows, err = h.interventionRows(ctx, page.Interventions); err != nil {
		return err
	}
	for _, gg := range interventionGroups() {
		p.Groups = append(p.Groups, ticketFilterLink{Label: "portal.interventions.group." + string(gg), URL: interventionListURL(gg, ""), Active: gg == g})
	}
	if page.Next != "" {
		p.NextURL = interventionListURL(g, page.Next)
	}
	if after != "" {
		p.FirstURL = interventionListURL(g, "")
	}
	return h.Render(c, fiber.StatusOK, "portal/interventions/index", p)
}

// homeInterventions returns, for the home, the sheets waiting for the client's signature and the
// interventions to come or in progress, with whether there are more of each.
func (h *handler) homeInterventions(ctx context.Context, clientID uuid.UUID) (toSign, current []interventionRow, moreToSign, moreCurrent bool, err error) {
	signPage, err := interventions.AwaitingSignature(ctx, h.DB.Bun, clientID, "", homeInterventionCount)
	if err != nil {
		return nil, nil, false, false, err
	}
	for _, i := range signPage.Interventions {
		toSign = append(toSign, newInterventionRow(i, false))
	}
	page, err := interventions.ListForClient(ctx, h.DB.Bun, clientID, interventions.Filter{
		Statuses: interventions.PendingStatuses(), Limit: homeInterventionCount})
	if err != nil {
		return nil, nil, false, false, err
	}
	if current, err = h.interventionRows(ctx, page.Interventions); err != nil {
		return nil, nil, false, false, err
	}
	return toSign, current, signPage.Next != "", page.Next != "", nil
}

// interventionTimeRow is the time of one category on the client's sheet.
type interventionTimeRow struct {
	Category                 interventions.Category
	Covered, Billable, Total string
}

// interventionTimeLine is one time entry as the client reads it.
type interventionTimeLine struct {
	E        *interventions.TimeEntry
	Duration string
}

// interventionMaterialLine is a material handed over, with its quantity as people write it.
type interventionMaterialLine struct {
	M   *interventions.Material
	Qty string
}

// interventionShowPage is the view model of an intervention and its sheet in the portal.
type interventionShowPage struct {
	web.Page
	S *interventions.Sheet
	// Quote is the reference of the accepted quote the intervention carries out ("" when none).
	Quote string
	// HasSheet says work started: the sheet has something to show.
	HasSheet bool
	Times    []interventionTimeRow
	// Covered, Billable and Total sum the time of every category ("" for none).
	Covered, Billable, Total string
	Lines                    []interventionTimeLine
	Materials                []interventionMaterialLine
	MaterialsCents           int64
	// ToSign says the client is expected to sign; MaySign that this user may; Signers names who
	// may otherwise.
	ToSign, MaySign bool
	Signers         string
}

// minutesText is a duration in minutes as the pages write it, "" for none.
func minutesText(m int) string {
	if m == 0 {
		return ""
	}
	return i18n.Duration(time.Duration(m) * time.Minute)
}

// maySign tells whether a client user may sign a sheet for the company: the sheet acknowledges
// billable time and materials, so it takes someone who may approve and pay (an admin, or a user
// given that right).
func maySign(u *accounts.User) bool { return u.MayApproveAndPay() }

func (h *handler) interventionShowData(c *fiber.Ctx, id uuid.UUID) (*interventionShowPage, error) {
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	s, err := interventions.GetSheetForClient(ctx, h.DB.Bun, clientID, id)
	if err != nil {
		return nil, err
	}
	u := web.CurrentUser(c)
	p := &interventionShowPage{Page: h.NewPage(c, "portal.interventions.title"), S: s,
		HasSheet: s.Status == interventions.StatusInProgress || s.Status == interventions.StatusDone || len(s.TimeEntries) > 0,
		ToSign:   s.AwaitsSignature(), MaySign: maySign(u)}
	p.Title = s.Reference() + " · " + s.Title
	if p.Quote, err = h.QuoteReference(ctx, clientID, s.QuoteID); err != nil {
		return nil, err
	}
	p.Form = map[string]string{"signer_name": u.Name}

	covered, billable := map[interventions.Category]int{}, map[interventions.Category]int{}
	var sumCovered, sumBillable int
	for _, e := range s.TimeEntries {
		if e.Billable {
			billable[e.Category] += e.Minutes
			sumBillable += e.Minutes
		} else {
			covered[e.Category] += e.Minutes
			sumCovered += e.Minutes
		}
		p.Lines = append(p.Lines, interventionTimeLine{E: e, Duration: minutesText(e.Minutes)})
	}
	for _, cat := range interventions.Categories() {
		if covered[cat]+billable[cat] == 0 {
			continue
		}
		p.Times = append(p.Times, interventionTimeRow{Category: cat, Covered: minutesText(covered[cat]),
			Billable: minutesText(billable[cat]), Total: minutesText(covered[cat] + billable[cat])})
	}
	p.Covered, p.Billable, p.Total = minutesText(sumCovered), minutesText(sumBillable), minutesText(sumCovered+sumBillable)
	for _, m := range s.Materials {
		qty := m.QuantityMilli.String()
		if p.Lang == i18n.FR {
			qty = strings.Replace(qty, ".", ",", 1)
		}
		p.Materials = append(p.Materials, interventionMaterialLine{M: m, Qty: qty})
		p.MaterialsCents += m.BilledCents()
	}
	if p.ToSign && !p.MaySign {
		users, err := accounts.ListClientUsers(ctx, h.DB.Bun, clientID)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, cu := range users {
			if cu.Active && maySign(&cu) {
				names = append(names, cu.Name)
			}
		}
		p.Signers = strings.Join(names, ", ")
	}
	return p, nil
}

// handleInterventionShow handles the "GET /portal/interventions/:id" route: an intervention of the
// client and its sheet as the client reads it (time by category, covered or billable, the work on
// each equipment item or service, materials and their prices, the summary, addenda, the
// signature), never the internal notes; the form to sign a sheet left to sign later.
func (h *handler) handleInterventionShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.interventionShowData(c, id)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "portal/interventions/show", p)
}

// handleInterventionSignature handles the "GET /portal/interventions/:id/signature" route: the
// drawn signature of one of the client's sheets.
func (h *handler) handleInterventionSignature(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	s, err := interventions.SignatureFor(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
	if err != nil {
		return err
	}
	return web.SendSignature(c, s)
}

// handleInterventionSign handles the "POST /portal/interventions/:id/sign" route: someone who may
// approve for the company signs a sheet left to sign later, with a typed name and a drawing. The
// store keeps who, when, from which address and browser; a sheet is signed once (409). The
// technicians are told by mail in the same transaction.
func (h *handler) handleInterventionSign(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	clientID := web.ClientID(c)
	s, err := interventions.GetSheetForClient(ctx, h.DB.Bun, clientID, id)
	if err != nil {
		return err
	}
	if !maySign(web.CurrentUser(c)) {
		// The attempt is logged like any refused access.
		if err := audit.Write(ctx, h.DB.Bun, h.Now(), web.Actor(c), audit.Event{
			Action: audit.AccessDenied, TargetType: "intervention", TargetID: id.String(), ClientID: clientID,
			Details: map[string]any{"reference": s.Reference(), "action": "sign"},
		}); err != nil {
			return err
		}
		return apperr.Forbiddenf("error.forbidden")
	}
	f := web.ReadSignature(c, interventions.SignedPortal)
	switch {
	case s.Signature != nil:
		err = apperr.Conflictf(interventions.ErrAlreadySigned)
	case !s.AwaitsSignature():
		err = apperr.Conflictf(errNotAwaitingSignature)
	case len(f.Problems) > 0:
		err = f.Problems.Err()
	default:
		err = h.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			sig, err := interventions.Sign(ctx, tx, clientID, id, f.Input, web.Actor(c), h.Now())
			if err != nil {
				return err
			}
			return h.mailSigned(ctx, tx, s.Intervention, sig)
		})
	}
	if err != nil {
		return h.interventionShowAgain(c, id, err, f.Form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "portal.interventions.flash.signed", "Reference", s.Reference()))
	return h.Redirect(c, interventionsPath+"/"+id.String())
}

// mailSigned tells the intervention's technicians (or, when none is active, the managers) that
// the client signed its sheet from the portal, within tx: one mail per sheet and recipient.
func (h *handler) mailSigned(ctx context.Context, tx *database.Tx, i *interventions.Intervention, sig *interventions.Signature) error {
	var to []*accounts.User
	for _, t := range i.Technicians {
		u, err := accounts.UserByID(ctx, tx, t.ID)
		if err != nil && apperr.KindOf(err) != apperr.NotFound {
			return err
		}
		if err == nil && u.Active {
			to = append(to, u)
		}
	}
	if len(to) == 0 {
		managers, err := accounts.ActiveManagers(ctx, tx)
		if err != nil {
			return err
		}
		to = managers
	}
	for _, r := range to {
		d := map[string]any{
			"Name": r.Name, "Reference": i.Reference(), "Title": i.Title, "ClientName": i.ClientName, "By": sig.SignerName,
			"Link": h.Config.URL("/admin/interventions/" + i.ID.String() + "#signature"),
		}
		if err := h.SendMailOnce(ctx, tx, r, "intervention_signed", d, "intervention-signed:"+i.ID.String()+":"+r.ID.String()); err != nil {
			return err
		}
	}
	return nil
}

// interventionShowAgain answers a refused signature with the page: 422 with a message per field or
// 409 with the conflict, the user's input kept; other errors go to the error handler.
func (h *handler) interventionShowAgain(c *fiber.Ctx, id uuid.UUID, err error, form map[string]string) error {
	e, ok := web.Refused(err)
	if !ok {
		return err
	}
	p, perr := h.interventionShowData(c, id)
	if perr != nil {
		return perr
	}
	status := web.ShowRefusal(&p.Page, e, nil)
	p.Form = form
	return h.Render(c, status, "portal/interventions/show", p)
}
