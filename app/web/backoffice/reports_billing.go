package backoffice

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/billing"
	"maintenant/app/i18n"
	"maintenant/app/provider"
	"maintenant/app/web"
)

// revenueBar is one month of the revenue chart, laid out on the server.
type revenueBar struct {
	R      billing.MonthRevenue
	Label  string
	X, Y   int
	Height int
	Amount string
}

// billingReportPage is the view model of the billing reports.
type billingReportPage struct {
	web.Page
	Ageing  *billing.AgeingReport
	Revenue []revenueBar
	// Chart geometry (viewBox) and its largest amount.
	ChartW, ChartH, BarW int
	MaxLabel             string
	RevenueTotal         billing.MonthRevenue
	Profit               []billing.ContractProfit
	HourlyCostCents      int64
	From, To             string
}

// chart dimensions of the revenue chart (SVG user units).
const (
	chartBarW   = 40
	chartGap    = 12
	chartHeight = 180
	chartTop    = 20
	chartBottom = 40
)

// handleReportBilling handles the "GET /admin/reports/billing" route: what clients owe by ageing,
// the revenue of the last twelve months (a chart and its table), and each contract's profitability
// over ?from=…&to=… (this year by default) at the internal hourly cost of the settings.
func (h *handler) handleReportBilling(c *fiber.Ctx) error {
	ctx := c.UserContext()
	today := h.Today()
	p := &billingReportPage{Page: h.NewPage(c, "billing_report.title")}
	from, to := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC), today
	bad := map[string]string{}
	if v := strings.TrimSpace(c.Query("from")); v != "" {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			from = d
		} else {
			bad["from"] = "admin_quotes.error.date"
		}
	}
	if v := strings.TrimSpace(c.Query("to")); v != "" {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			to = d
		} else {
			bad["to"] = "admin_quotes.error.date"
		}
	}
	if to.Before(from) {
		bad["to"] = "billing_report.error.period"
		from, to = to, from
	}
	status := fiber.StatusOK
	if len(bad) > 0 {
		p.Errors, status = bad, fiber.StatusUnprocessableEntity
	}
	p.From, p.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	p.Form = map[string]string{"from": c.Query("from", p.From), "to": c.Query("to", p.To)}
	var err error
	if p.Ageing, err = billing.AgeingByClient(ctx, h.DB.Bun, today); err != nil {
		return err
	}
	months, err := billing.RevenueByMonth(ctx, h.DB.Bun, today.AddDate(0, -11, 0), today)
	if err != nil {
		return err
	}
	p.layoutRevenue(months, web.Lang(c))
	org, err := provider.Get(ctx, h.DB.Bun)
	if err != nil {
		return err
	}
	p.HourlyCostCents = org.InternalHourlyCostCents
	if p.Profit, err = billing.ProfitabilityByContract(ctx, h.DB.Bun, from, to, org.InternalHourlyCostCents, h.Config.Location); err != nil {
		return err
	}
	return h.Render(c, status, "backoffice/reports/billing", p)
}

// layoutRevenue places the bars of the revenue chart: net revenue excluding VAT per month.
func (p *billingReportPage) layoutRevenue(months []billing.MonthRevenue, lang i18n.Lang) {
	var maxNet int64
	for _, m := range months {
		maxNet = max(maxNet, m.NetHT)
		p.RevenueTotal.InvoicedHT += m.InvoicedHT
		p.RevenueTotal.CreditedHT += m.CreditedHT
		p.RevenueTotal.NetHT += m.NetHT
		p.RevenueTotal.ReceivedCents += m.ReceivedCents
	}
	p.BarW, p.ChartH = chartBarW, chartTop+chartHeight+chartBottom
	p.ChartW = len(months)*(chartBarW+chartGap) + chartGap
	p.MaxLabel = i18n.Money(lang, maxNet)
	for n, m := range months {
		b := revenueBar{R: m, Label: m.Month.Format("01/06"), X: chartGap + n*(chartBarW+chartGap), Amount: i18n.Money(lang, m.NetHT)}
		if maxNet > 0 && m.NetHT > 0 {
			b.Height = max(int(m.NetHT*chartHeight/maxNet), 1)
		}
		b.Y = chartTop + chartHeight - b.Height
		p.Revenue = append(p.Revenue, b)
	}
}
