package backoffice

import (
	"cmp"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/web"
)

// slaReportPage is the view model of the staff's monthly SLA report.
type slaReportPage struct {
	web.Page
	// Contracts are offered in the select: the running ones, and the one shown whatever its status.
	Contracts  []*contracts.Contract
	ContractID uuid.UUID
	Contract   *contracts.Contract
	// Month is the month shown ("2026-10"), MaxMonth the current one (the month input's max).
	Month    string
	MaxMonth string
	// Report is nil until a contract is chosen.
	Report *web.SLAReport
}

// slaReportContracts bounds the contracts offered in the select.
const slaReportContracts = 1000

// handleReportSLA handles the "GET /admin/reports/sla" route: the monthly SLA report of the contract
// ?contract=<id> for ?month=2026-10 (the previous month by default), with the penalty computed and
// the compliance of the last twelve months.
func (h *handler) handleReportSLA(c *fiber.Ctx) error {
	ctx := c.UserContext()
	m := h.ReportMonth(c)
	p := &slaReportPage{Page: h.NewPage(c, "sla_report.title"), Month: m.String()}
	p.MaxMonth = h.ReportMonthMax()
	cs, err := contracts.Running(ctx, h.DB.Bun, uuid.Nil, slaReportContracts)
	if err != nil {
		return err
	}
	if raw := c.Query("contract"); raw != "" {
		id, err := web.ParseUUID(raw)
		if err != nil {
			return err
		}
		ct, err := contracts.Get(ctx, h.DB.Bun, id)
		if err != nil {
			return err
		}
		p.ContractID, p.Contract = ct.ID, ct
		if !slices.ContainsFunc(cs, func(x *contracts.Contract) bool { return x.ID == ct.ID }) {
			cs = append(cs, ct)
		}
		p.Report, err = h.BuildSLAReport(c, ct.ID, m, "/admin/reports/sla?contract="+ct.ID.String()+"&")
		if err != nil {
			return err
		}
		p.Title = h.T(c, "sla_report.title_for", "Reference", ct.Reference, "Month", p.Report.MonthLabel)
	}
	slices.SortFunc(cs, func(a, b *contracts.Contract) int { return cmp.Compare(a.Reference, b.Reference) })
	p.Contracts = cs
	return h.Render(c, fiber.StatusOK, "backoffice/reports/sla", p)
}
