package portal

import (
	"github.com/gofiber/fiber/v2"

	"maintenant/app/contracts"
	"maintenant/app/web"
)

// contractSLAPage is the view model of a contract's monthly service-level report in the portal.
type contractSLAPage struct {
	web.Page
	Contract *contracts.Contract
	Report   *web.SLAReport
}

// handleContractSLA handles the "GET /portal/contracts/:id/sla" route: how well the provider kept
// the contract's promised delays in a month (?month=2026-10, the previous month by default), the
// penalty owed to the client, and the last twelve months. Another client's contract answers 404.
func (h *handler) handleContractSLA(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ct, err := contracts.GetForClient(c.UserContext(), h.DB.Bun, web.ClientID(c), id)
	if err != nil {
		return err
	}
	m := h.ReportMonth(c)
	r, err := h.BuildSLAReport(c, ct.ID, m, contractsPath+"/"+ct.ID.String()+"/sla?")
	if err != nil {
		return err
	}
	p := &contractSLAPage{Page: h.NewPage(c, "sla_report.portal.title"), Contract: ct, Report: r}
	p.Title = h.T(c, "sla_report.portal.title_for", "Reference", ct.Reference, "Month", r.MonthLabel)
	return h.Render(c, fiber.StatusOK, "portal/contracts/sla", p)
}
