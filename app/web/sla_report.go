package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/i18n"
	"maintenant/app/tickets"
)

// SLAReport is what the staff and portal pages of a contract's monthly SLA report show: the report
// (tickets.MonthlyReport), its month navigation, the penalty rule in words and the compliance
// chart of the last twelve months.
type SLAReport struct {
	R *tickets.Report
	// MonthLabel names the month ("octobre 2026"); MonthValue is its URL form ("2026-10").
	MonthLabel string
	MonthValue string
	// PrevURL and NextURL browse the months; NextURL is empty for the current month.
	PrevURL, NextURL      string
	PrevLabel, NextLabel  string
	IsCurrentMonth        bool
	Rows                  []SLAReportRow
	Breaches              []tickets.Breach
	RuleText              string
	Chart                 SLAChart
	HasPenaltyComputation bool
	// StartedHours is the number of started hours of delay the penalty counts.
	StartedHours int64
}

// SLAReportRow is the line of one priority.
type SLAReportRow struct {
	tickets.PriorityStats
	Label string
}

// SLAChart is the server-rendered bar chart of the monthly compliance (percent of targets met),
// with its numbers for the table beside it. Coordinates are in the SVG's viewBox.
type SLAChart struct {
	Width, Height int
	// Left, Right, Top and Bottom bound the plot area.
	Left, Right, Top, Bottom int
	Ticks                    []SLAChartTick
	Bars                     []SLAChartBar
}

// SLAChartTick is a horizontal grid line of the y axis.
type SLAChartTick struct {
	Y     int
	Label string
}

// SLAChartBar is one month of the chart.
type SLAChartBar struct {
	Point tickets.CompliancePoint
	// Label is the month's short name, Long its full name ("octobre 2026").
	Label, Long string
	X, Y, W, H  int
	// CenterX is the middle of the bar's slot, for the labels.
	CenterX int
	// ValueY is where the value is written above the bar.
	ValueY  int
	HasRate bool
	Rate    int
	Current bool
}

// The chart's geometry: twelve slots of slotWidth over a 0-100 % axis of plotHeight.
const (
	chartLeft       = 48
	chartSlot       = 48
	chartBar        = 28
	chartTop        = 24
	chartPlotHeight = 200
)

// ReportMonth reads the month of a report page from the "month" query parameter ("2026-10"): the
// previous month by default (the last complete one), never a month after the current one.
func (s *Server) ReportMonth(c *fiber.Ctx) tickets.Month {
	current := tickets.MonthOf(s.Now(), s.Config.Location)
	m, ok := tickets.ParseMonth(c.Query("month"))
	if !ok {
		return current.Add(-1)
	}
	if m.After(current) {
		return current
	}
	return m
}

// MonthName names a month in the request's language ("octobre 2026").
func (s *Server) MonthName(c *fiber.Ctx, m tickets.Month) string {
	return s.T(c, "sla_report.month_year", "Month", s.T(c, tickets.MonthKey(m.Month)), "Year", strconv.Itoa(m.Year))
}

// BuildSLAReport computes the report of contract contractID for month m and its chart; baseURL is
// the page's address without the month ("/admin/reports/sla?contract=…&" or "/portal/…/sla?").
// The caller checks that the user may see the contract.
func (s *Server) BuildSLAReport(c *fiber.Ctx, contractID uuid.UUID, m tickets.Month, baseURL string) (*SLAReport, error) {
	ctx := c.UserContext()
	now := s.Now()
	r, err := tickets.MonthlyReport(ctx, s.DB.Bun, contractID, m, s.Config.Location, now)
	if err != nil {
		return nil, err
	}
	series, err := tickets.ComplianceSeries(ctx, s.DB.Bun, contractID, m, s.Config.Location, now)
	if err != nil {
		return nil, err
	}
	current := tickets.MonthOf(now, s.Config.Location)
	v := &SLAReport{
		R: r, MonthLabel: s.MonthName(c, m), MonthValue: m.String(), Breaches: r.Breaches,
		PrevURL: baseURL + "month=" + m.Add(-1).String(), PrevLabel: s.MonthName(c, m.Add(-1)),
		IsCurrentMonth: m == current,
	}
	if current.After(m) {
		v.NextURL, v.NextLabel = baseURL+"month="+m.Add(1).String(), s.MonthName(c, m.Add(1))
	}
	for _, p := range r.Priorities {
		v.Rows = append(v.Rows, SLAReportRow{PriorityStats: p, Label: s.T(c, tickets.PriorityKey(p.Priority))})
	}
	for _, d := range r.Delays() {
		if d > 0 {
			v.StartedHours += int64((d + time.Hour - 1) / time.Hour)
		}
	}
	v.RuleText = s.penaltyRuleText(c, r)
	v.HasPenaltyComputation = r.HasRule && r.Rule.PercentPerStartedHour > 0 && r.MonthlyFeeCents > 0
	v.Chart = s.slaChart(c, series, m)
	return v, nil
}

// penaltyRuleText writes the penalty rule in words, with the words of the contract pages.
func (s *Server) penaltyRuleText(c *fiber.Ctx, r *tickets.Report) string {
	if !r.HasRule || r.Rule.PercentPerStartedHour <= 0 {
		return s.T(c, "contract.sla.no_penalty")
	}
	percent := func(bp int) string {
		if Lang(c) == i18n.FR {
			return contracts.FormatSLAPercent(bp, ",") + "\u00a0%"
		}
		return contracts.FormatSLAPercent(bp, ".") + "%"
	}
	if r.Rule.CapPercentPerMonth > 0 {
		return s.T(c, "contract.sla.penalty", "Rate", percent(r.Rule.PercentPerStartedHour), "Cap", percent(r.Rule.CapPercentPerMonth))
	}
	return s.T(c, "contract.sla.penalty_uncapped", "Rate", percent(r.Rule.PercentPerStartedHour))
}

// slaChart lays out the compliance series as bars.
func (s *Server) slaChart(c *fiber.Ctx, series []tickets.CompliancePoint, current tickets.Month) SLAChart {
	ch := SLAChart{
		Left: chartLeft, Top: chartTop, Bottom: chartTop + chartPlotHeight,
		Right: chartLeft + chartSlot*len(series),
	}
	ch.Width = ch.Right + 8
	ch.Height = ch.Bottom + 48
	for _, pct := range []int{0, 25, 50, 75, 100} {
		ch.Ticks = append(ch.Ticks, SLAChartTick{Y: ch.Bottom - pct*chartPlotHeight/100, Label: strconv.Itoa(pct)})
	}
	for i, p := range series {
		x := chartLeft + i*chartSlot + (chartSlot-chartBar)/2
		b := SLAChartBar{
			Point: p, Label: s.T(c, "sla_report.month_short."+strconv.Itoa(int(p.Month.Month))), Long: s.MonthName(c, p.Month),
			X: x, W: chartBar, CenterX: x + chartBar/2, HasRate: p.HasRate(), Current: p.Month == current,
		}
		if b.HasRate {
			b.Rate = p.Rate()
			b.H = b.Rate * chartPlotHeight / 100
			if b.H < 2 {
				b.H = 2 // a 0 % month still shows a sliver above the axis
			}
		}
		b.Y = ch.Bottom - b.H
		b.ValueY = b.Y - 6
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// ReportMonthMax is the current month ("2026-10"), the latest a report page offers.
func (s *Server) ReportMonthMax() string {
	return tickets.MonthOf(s.Now(), s.Config.Location).String()
}
