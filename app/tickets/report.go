package tickets

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/sla"
)

// The monthly SLA report of a contract (MonthlyReport) measures the tickets of the contract opened
// in a calendar month of the provider's time zone, whatever happened to them later:
//
//   - Every ticket opened in the month counts in "opened", by its current priority. Tickets without
//     SLA (no policy in force at opening) are counted there and measured nowhere.
//   - The reaction of a ticket is measured once it stopped (acknowledged: met or breached), or while
//     it still runs once its deadline has passed (breached, with its delay so far). A reaction still
//     running within its deadline is not measured yet.
//   - The resolution likewise: measured once resolved (met or breached), or while it still runs (or
//     is paused) once its deadline has passed. A reopened ticket is measured again at its next
//     resolution.
//   - The compliance rate of a target is met / measured, rounded down to the percent (so that 100 %
//     means that every measured clock met its target); without measured clocks there is no rate.
//   - Times are business time (the service hours of the ticket's SLA snapshot, pauses excluded):
//     the median (the mean of the two middle values for an even count, to the second) and the worst.
//   - Each breached clock is a breach; its delay is the business time beyond the target
//     (ClockView.Delay): zero when the ticket was handled after the deadline but outside service
//     hours. A ticket can breach both clocks: two breaches.
//   - The penalty applies the penalty rule (sla.PenaltyRule.Amount: started hours of every delay,
//     capped per month) of the SLA snapshot of the month's most recently opened ticket with an SLA
//     (the rule only changes with an amendment or a policy edit), to the monthly fee: the fee of the
//     contract version in force on the first day of the month (or, for a contract that started during
//     the month, on its last day) divided by the months of its billing period (1, 3 or 12), rounded
//     to the cent half up. The penalty of a month still moves while its breached tickets stay open.
//
// ComplianceSeries gives the compliance of the twelve months up to a month, with the same rules,
// in one query.

// Month is a calendar month, in the provider's time zone when it bounds tickets.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the month of instant t in time zone loc (nil means UTC).
func MonthOf(t time.Time, loc *time.Location) Month {
	if loc != nil {
		t = t.In(loc)
	}
	return Month{Year: t.Year(), Month: t.Month()}
}

// ParseMonth reads a month as URLs carry it, "2026-10".
func ParseMonth(s string) (Month, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		return Month{}, false
	}
	return Month{Year: t.Year(), Month: t.Month()}, true
}

// String is the month as URLs carry it, "2026-10".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Add returns the month n months later (earlier when n is negative).
func (m Month) Add(n int) Month {
	t := time.Date(m.Year, m.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return Month{Year: t.Year(), Month: t.Month()}
}

// Start is the first instant of the month in loc (nil means UTC).
func (m Month) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
}

// End is the first instant of the next month in loc: the month is [Start, End).
func (m Month) End(loc *time.Location) time.Time { return m.Add(1).Start(loc) }

// After tells whether m comes after o.
func (m Month) After(o Month) bool {
	return m.Year > o.Year || (m.Year == o.Year && m.Month > o.Month)
}

// ClockStats measures one clock (reaction or resolution) of a set of tickets.
type ClockStats struct {
	// Target is the target of the priority (of the month's latest ticket, should they differ).
	Target time.Duration
	// Measured counts the clocks measured (see the rules above); Met those within their target.
	Measured int
	Met      int
	// Median and Worst are the business times of the measured clocks.
	Median time.Duration
	Worst  time.Duration

	times []time.Duration
}

// Breached is the number of measured clocks over their target.
func (s ClockStats) Breached() int { return s.Measured - s.Met }

// HasRate tells whether anything was measured, hence whether Rate means something.
func (s ClockStats) HasRate() bool { return s.Measured > 0 }

// Rate is the compliance rate in percent, rounded down (100 only when every clock met its target).
func (s ClockStats) Rate() int { return rate(s.Met, s.Measured) }

func rate(met, measured int) int {
	if measured <= 0 {
		return 0
	}
	return met * 100 / measured
}

func (s *ClockStats) add(elapsed time.Duration, met bool) {
	s.Measured++
	if met {
		s.Met++
	}
	s.times = append(s.times, elapsed)
}

func (s *ClockStats) finish() {
	if len(s.times) == 0 {
		return
	}
	slices.Sort(s.times)
	n := len(s.times)
	s.Worst = s.times[n-1]
	if n%2 == 1 {
		s.Median = s.times[n/2]
	} else {
		s.Median = ((s.times[n/2-1] + s.times[n/2]) / 2).Truncate(time.Second)
	}
}

// PriorityStats is the report's line of one priority.
type PriorityStats struct {
	Priority sla.Priority
	// Opened counts the tickets opened in the month with this priority, with or without SLA.
	Opened     int
	Reaction   ClockStats
	Resolution ClockStats
}

// Clock names a ticket's clock in a breach: "reaction" or "resolution".
type Clock string

// The two clocks.
const (
	ClockReaction   Clock = "reaction"
	ClockResolution Clock = "resolution"
)

// Breach is one clock over its target.
type Breach struct {
	TicketID uuid.UUID
	Number   int
	Title    string
	Priority sla.Priority
	OpenedAt time.Time
	Clock    Clock
	Target   time.Duration
	Elapsed  time.Duration
	// Delay is the business time beyond the target, the base of the penalty.
	Delay time.Duration
	// Running tells that the clock still runs: the delay is the one so far.
	Running bool
}

// Reference is the ticket's human reference, T-1042.
func (b Breach) Reference() string { return Reference(b.Number) }

// Report is the monthly SLA report of one contract.
type Report struct {
	ContractID uuid.UUID
	Month      Month
	// From and To bound the month in the provider's zone: [From, To).
	From, To time.Time
	// At is the instant the report was computed at (running clocks are measured then).
	At time.Time

	// Opened counts every ticket opened in the month; WithSLA those measured against targets.
	Opened  int
	WithSLA int
	// Priorities has one line per priority, most urgent first (all four, even empty).
	Priorities []PriorityStats
	// Reaction and Resolution sum the priorities.
	Reaction   ClockStats
	Resolution ClockStats
	// Breaches are every clock over its target, in the order the tickets were opened.
	Breaches []Breach

	// Rule is the penalty rule applied; HasRule is false when no ticket of the month has an SLA.
	Rule    sla.PenaltyRule
	HasRule bool
	// FeeCents and BillingPeriod are the fee of the version in force, MonthlyFeeCents that fee for
	// one month (0 without a version in force that month).
	FeeCents        int64
	BillingPeriod   contracts.BillingPeriod
	MonthlyFeeCents int64
	// UncappedCents is the penalty before the cap, PenaltyCents after it; Capped tells the cap bit.
	UncappedCents int64
	PenaltyCents  int64
	Capped        bool
	// CapCents is the month's cap in cents (0 without a cap).
	CapCents int64
}

// Delays returns the delays of the breaches, in the form PenaltyRule.Amount takes.
func (r *Report) Delays() []time.Duration {
	out := make([]time.Duration, 0, len(r.Breaches))
	for _, b := range r.Breaches {
		out = append(out, b.Delay)
	}
	return out
}

// maxReportTickets bounds the tickets one monthly report reads (a contract with more tickets than
// that in a month is not a maintenance contract any more).
const maxReportTickets = 5000

// MonthlyReport computes the SLA report of contract contractID for month m in the provider's time
// zone loc (nil means Europe/Paris), at instant now (see the rules above). It reads the tickets of
// the month, the pauses of those whose running clock is overdue, and the version in force: a
// bounded number of queries. The contract must exist (NotFound otherwise); portal callers check
// first that it is their client's (contracts.GetForClient).
func MonthlyReport(ctx context.Context, db bun.IDB, contractID uuid.UUID, m Month, loc *time.Location, now time.Time) (*Report, error) {
	loc, err := zone(loc)
	if err != nil {
		return nil, err
	}
	r := &Report{ContractID: contractID, Month: m, From: m.Start(loc), To: m.End(loc), At: now}
	for _, p := range sla.Priorities() {
		r.Priorities = append(r.Priorities, PriorityStats{Priority: p})
	}
	var ts []*Ticket
	if err := db.NewSelect().Model(&ts).Where("t.contract_id = ?", contractID).
		Where("t.opened_at >= ? AND t.opened_at < ?", r.From.UTC(), r.To.UTC()).
		OrderExpr("t.opened_at, t.id").Limit(maxReportTickets).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: monthly report: %w", err)
	}
	if err := r.fee(ctx, db, contractID); err != nil {
		return nil, err
	}
	pauses, err := overduePauses(ctx, db, ts, now)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		r.Opened++
		i := slices.IndexFunc(r.Priorities, func(p PriorityStats) bool { return p.Priority == t.Priority })
		if i < 0 {
			continue
		}
		ps := &r.Priorities[i]
		ps.Opened++
		if !t.HasSLA() {
			continue
		}
		r.WithSLA++
		r.Rule, r.HasRule = t.SLA.PenaltyRule(), true
		ps.Reaction.Target, ps.Resolution.Target = t.ReactionTarget(), t.ResolutionTarget()
		v := t.SLAAt(now)
		if needsCompute(v) {
			cal, err := t.Calendar()
			if err != nil {
				return nil, err
			}
			v = ComputeSLA(t, pauses[t.ID], cal, now)
		}
		r.measure(t, ClockReaction, v.Reaction, &ps.Reaction, &r.Reaction)
		r.measure(t, ClockResolution, v.Resolution, &ps.Resolution, &r.Resolution)
	}
	for i := range r.Priorities {
		r.Priorities[i].Reaction.finish()
		r.Priorities[i].Resolution.finish()
	}
	r.Reaction.finish()
	r.Resolution.finish()
	if r.HasRule {
		delays := r.Delays()
		r.PenaltyCents = r.Rule.Amount(r.MonthlyFeeCents, delays)
		r.UncappedCents = sla.PenaltyRule{PercentPerStartedHour: r.Rule.PercentPerStartedHour}.Amount(r.MonthlyFeeCents, delays)
		r.Capped = r.PenaltyCents < r.UncappedCents
		if r.Rule.CapPercentPerMonth > 0 {
			r.CapCents = roundHalfUp(r.MonthlyFeeCents*int64(r.Rule.CapPercentPerMonth), 10000)
		}
	}
	return r, nil
}

// needsCompute tells whether a clock still runs past its deadline: its elapsed business time is
// then computed with the calendar.
func needsCompute(v SLAView) bool {
	return (v.Reaction.StoppedAt.IsZero() && v.Reaction.State == SLABreached) ||
		(v.Resolution.StoppedAt.IsZero() && v.Resolution.State == SLABreached)
}

// measure counts one clock of ticket t, if it is measured.
func (r *Report) measure(t *Ticket, clock Clock, c ClockView, stats ...*ClockStats) {
	running := c.StoppedAt.IsZero()
	if running && c.State != SLABreached {
		return
	}
	met := !running && c.State == SLAMet
	for _, s := range stats {
		s.add(c.Elapsed, met)
	}
	if !met {
		r.Breaches = append(r.Breaches, Breach{
			TicketID: t.ID, Number: t.Number, Title: t.Title, Priority: t.Priority, OpenedAt: t.OpenedAt,
			Clock: clock, Target: c.Target, Elapsed: c.Elapsed, Delay: c.Delay(), Running: running,
		})
	}
}

// overduePauses loads, in one query, the pauses of the tickets with a clock still running past its
// deadline.
func overduePauses(ctx context.Context, db bun.IDB, ts []*Ticket, now time.Time) (map[uuid.UUID][]*Pause, error) {
	var ids []uuid.UUID
	for _, t := range ts {
		if t.HasSLA() && needsCompute(t.SLAAt(now)) {
			ids = append(ids, t.ID)
		}
	}
	out := map[uuid.UUID][]*Pause{}
	if len(ids) == 0 {
		return out, nil
	}
	var ps []*Pause
	if err := db.NewSelect().Model(&ps).Where("p.ticket_id IN (?)", bun.List(ids)).OrderExpr("p.ticket_id, p.started_at").
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: monthly report: pauses: %w", err)
	}
	for _, p := range ps {
		out[p.TicketID] = append(out[p.TicketID], p)
	}
	return out, nil
}

// fee reads the fee in force in the month (see the rules above).
func (r *Report) fee(ctx context.Context, db bun.IDB, contractID uuid.UUID) error {
	var exists bool
	if err := db.NewRaw("SELECT EXISTS (SELECT 1 FROM contracts WHERE id = ?)", contractID).Scan(ctx, &exists); err != nil {
		return fmt.Errorf("tickets: monthly report: contract: %w", err)
	}
	if !exists {
		return apperr.NotFoundf("contract")
	}
	first := time.Date(r.Month.Year, r.Month.Month, 1, 0, 0, 0, 0, time.UTC)
	v, err := contracts.VersionAt(ctx, db, contractID, first)
	if err != nil && apperr.KindOf(err) == apperr.NotFound {
		v, err = contracts.VersionAt(ctx, db, contractID, first.AddDate(0, 1, -1))
	}
	if err != nil && apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tickets: monthly report: %w", err)
	}
	r.FeeCents, r.BillingPeriod = v.FeeCents, v.BillingPeriod
	r.MonthlyFeeCents = MonthlyFee(v.FeeCents, v.BillingPeriod)
	return nil
}

// MonthlyFee is a fee of one billing period brought to one month: divided by 1, 3 or 12 and
// rounded to the cent, half up (a quarterly 100,00 € is 33,33 € a month; a yearly 1 000,00 € is
// 83,33 €).
func MonthlyFee(feeCents int64, p contracts.BillingPeriod) int64 {
	return roundHalfUp(feeCents, int64(p.Months()))
}

// roundHalfUp is a/b rounded half up, for a ≥ 0 and b > 0.
func roundHalfUp(a, b int64) int64 {
	if b <= 0 || a <= 0 {
		return 0
	}
	return (a + b/2) / b
}

// CompliancePoint is one month of the compliance series.
type CompliancePoint struct {
	Month Month
	// Tickets counts the tickets with an SLA opened in the month.
	Tickets            int
	ReactionMeasured   int
	ReactionMet        int
	ResolutionMeasured int
	ResolutionMet      int
}

// Measured counts the clocks measured in the month, both kinds together.
func (p CompliancePoint) Measured() int { return p.ReactionMeasured + p.ResolutionMeasured }

// HasRate tells whether anything was measured in the month.
func (p CompliancePoint) HasRate() bool { return p.Measured() > 0 }

// Rate is the month's compliance over both targets, in percent rounded down.
func (p CompliancePoint) Rate() int { return rate(p.ReactionMet+p.ResolutionMet, p.Measured()) }

// ReactionRate and ResolutionRate are each target's compliance, in percent rounded down.
func (p CompliancePoint) ReactionRate() int { return rate(p.ReactionMet, p.ReactionMeasured) }

// ResolutionRate is the resolution target's compliance, in percent rounded down.
func (p CompliancePoint) ResolutionRate() int { return rate(p.ResolutionMet, p.ResolutionMeasured) }

// SeriesMonths is the length of the compliance series.
const SeriesMonths = 12

// ComplianceSeries returns the compliance of contract contractID for the SeriesMonths months
// ending with end (the oldest first, every month present), in the provider's time zone loc (nil
// means Europe/Paris), at instant now, with the rules of MonthlyReport, in one query.
func ComplianceSeries(ctx context.Context, db bun.IDB, contractID uuid.UUID, end Month, loc *time.Location, now time.Time) ([]CompliancePoint, error) {
	loc, err := zone(loc)
	if err != nil {
		return nil, err
	}
	first := end.Add(-(SeriesMonths - 1))
	var rows []struct {
		Month              string `bun:"month"`
		Tickets            int    `bun:"tickets"`
		ReactionMeasured   int    `bun:"reaction_measured"`
		ReactionMet        int    `bun:"reaction_met"`
		ResolutionMeasured int    `bun:"resolution_measured"`
		ResolutionMet      int    `bun:"resolution_met"`
	}
	err = db.NewSelect().TableExpr("tickets AS t").
		ColumnExpr("to_char(t.opened_at AT TIME ZONE ?0, 'YYYY-MM') AS month", loc.String()).
		ColumnExpr("count(*) AS tickets").
		ColumnExpr("count(*) FILTER (WHERE t.acknowledged_at IS NOT NULL OR t.reaction_due_at < ?0) AS reaction_measured", stamp(now)).
		ColumnExpr("count(*) FILTER (WHERE t.acknowledged_at IS NOT NULL AND NOT t.reaction_breached) AS reaction_met").
		ColumnExpr("count(*) FILTER (WHERE t.resolved_at IS NOT NULL OR t.resolution_due_at < ?0) AS resolution_measured", stamp(now)).
		ColumnExpr("count(*) FILTER (WHERE t.resolved_at IS NOT NULL AND NOT t.resolution_breached) AS resolution_met").
		Where("t.contract_id = ?", contractID).
		Where("t.opened_at >= ? AND t.opened_at < ?", first.Start(loc).UTC(), end.End(loc).UTC()).
		Where("t.sla_snapshot IS NOT NULL AND t.reaction_minutes > 0 AND t.resolution_minutes > 0").
		GroupExpr("1").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("tickets: compliance series: %w", err)
	}
	out := make([]CompliancePoint, SeriesMonths)
	for i := range out {
		out[i].Month = first.Add(i)
	}
	for _, row := range rows {
		m, ok := ParseMonth(row.Month)
		if !ok {
			continue
		}
		i := (m.Year-first.Year)*12 + int(m.Month) - int(first.Month)
		if i < 0 || i >= SeriesMonths {
			continue
		}
		out[i] = CompliancePoint{Month: m, Tickets: row.Tickets, ReactionMeasured: row.ReactionMeasured,
			ReactionMet: row.ReactionMet, ResolutionMeasured: row.ResolutionMeasured, ResolutionMet: row.ResolutionMet}
	}
	return out, nil
}

// MonthKey is the catalogue key of a month's name ("sla_report.month.10"), for pages.
func MonthKey(m time.Month) string { return "sla_report.month." + strconv.Itoa(int(m)) }

// ResolvedBefore returns, for the job that closes them, the resolved tickets whose resolution is
// older than before (neither confirmed nor reopened since), the oldest first, at most limit.
func ResolvedBefore(ctx context.Context, db bun.IDB, before time.Time, limit int) ([]*Ticket, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var ts []*Ticket
	err := selectTickets(db, &ts).Where("t.status = ?", StatusResolved).Where("t.resolved_at <= ?", stamp(before)).
		OrderExpr("t.resolved_at, t.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tickets: resolved before: %w", err)
	}
	return ts, nil
}
