package interventions

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
)

// MonthKey names the calendar month of t in loc ("2026-03"): the month a time entry consumes
// included hours of.
func MonthKey(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01") }

// CostEntry is a time entry as the cost computation sees it.
type CostEntry struct {
	// Month is the MonthKey of the entry's start.
	Month    string
	Minutes  int
	Billable bool
}

// CostInput is everything the cost of one sheet depends on.
type CostInput struct {
	// HourlyRateCents is the contract's rate excluding VAT (0 without contract).
	HourlyRateCents int64
	// RemainingIncluded is, per month, the included minutes the contract still had before this sheet
	// (the month's included minutes minus what completed sheets consumed); a missing month has none.
	RemainingIncluded map[string]int
	Entries           []CostEntry
	Materials         []*Material
}

// Cost is the cost of a sheet, excluding VAT (package documentation, rule 7).
type Cost struct {
	BillableMinutes int
	// CoveredMinutes is the time not flagged billable; IncludedUsedMinutes of it came out of the
	// included hours and OverrunMinutes went beyond them (billed).
	CoveredMinutes      int
	IncludedUsedMinutes int
	OverrunMinutes      int
	TimeCostCents       int64
	MaterialsCents      int64
	TotalCents          int64
}

// ChargedMinutes is the time billed: billable time and the overrun.
func (c Cost) ChargedMinutes() int { return c.BillableMinutes + c.OverrunMinutes }

// ComputeCost prices a sheet: time billed (billable entries, and covered time beyond the month's
// remaining included minutes) at the hourly rate, rounded once half away from zero, plus the
// billable materials rounded per line.
func ComputeCost(in CostInput) Cost {
	var c Cost
	covered := map[string]int{}
	var months []string
	for _, e := range in.Entries {
		if e.Minutes <= 0 {
			continue
		}
		if e.Billable {
			c.BillableMinutes += e.Minutes
			continue
		}
		c.CoveredMinutes += e.Minutes
		if _, ok := covered[e.Month]; !ok {
			months = append(months, e.Month)
		}
		covered[e.Month] += e.Minutes
	}
	for _, m := range months {
		used := min(covered[m], max(in.RemainingIncluded[m], 0))
		c.IncludedUsedMinutes += used
		c.OverrunMinutes += covered[m] - used
	}
	c.TimeCostCents = roundDiv(int64(c.ChargedMinutes())*in.HourlyRateCents, 60)
	for _, m := range in.Materials {
		c.MaterialsCents += m.BilledCents()
	}
	c.TotalCents = c.TimeCostCents + c.MaterialsCents
	return c
}

// Usage is a contract's included hours for a month: what the contract includes, what completed
// sheets used (covered time), and the overrun beyond the included minutes.
type Usage struct {
	Month           string
	IncludedMinutes int
	UsedMinutes     int
	OverrunMinutes  int
}

// NewUsage computes the overrun of used against included minutes.
func NewUsage(month string, included, used int) Usage {
	return Usage{Month: month, IncludedMinutes: included, UsedMinutes: used, OverrunMinutes: max(used-included, 0)}
}

// RemainingMinutes is what is left of the included minutes (0 once overrun).
func (u Usage) RemainingMinutes() int { return max(u.IncludedMinutes-u.UsedMinutes, 0) }

// monthSpan returns the instants a month starts and ends in loc, and its last civil day.
func monthSpan(month time.Time, loc *time.Location) (start, end, lastDay time.Time) {
	y, m, _ := month.In(loc).Date()
	start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	end = start.AddDate(0, 1, 0)
	lastDay = time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
	return start, end, lastDay
}

// includedMinutes returns the included minutes of the contract version in force on the month's
// last day (0 when no version is in force yet).
func includedMinutes(ctx context.Context, db bun.IDB, contractID uuid.UUID, lastDay time.Time) (int, error) {
	v, err := contracts.VersionAt(ctx, db, contractID, lastDay)
	if apperr.KindOf(err) == apperr.NotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return v.IncludedMinutes, nil
}

// coveredUsed sums the covered (non-billable) minutes of the contract's completed sheets started
// in [start, end), leaving out one intervention (uuid.Nil: none).
func coveredUsed(ctx context.Context, db bun.IDB, contractID uuid.UUID, start, end time.Time, exclude uuid.UUID) (int, error) {
	var used int
	err := db.NewRaw(`SELECT coalesce(sum(te.minutes), 0) FROM time_entries AS te
		JOIN interventions AS i ON i.id = te.intervention_id
		WHERE i.contract_id = ? AND i.status = 'done' AND NOT te.billable
		AND te.started_at >= ? AND te.started_at < ? AND i.id <> ?`,
		contractID, start.UTC(), end.UTC(), exclude).Scan(ctx, &used)
	return used, err
}

// HoursUsed returns the included hours of a contract for the month containing month (in loc, nil
// for Europe/Paris): included minutes of the version in force on the month's last day, covered
// minutes of the completed sheets done in that month, and the overrun.
func HoursUsed(ctx context.Context, db bun.IDB, contractID uuid.UUID, month time.Time, loc *time.Location) (Usage, error) {
	loc, err := zone(loc)
	if err != nil {
		return Usage{}, err
	}
	start, end, lastDay := monthSpan(month, loc)
	included, err := includedMinutes(ctx, db, contractID, lastDay)
	if err != nil {
		return Usage{}, fmt.Errorf("interventions: hours used: %w", err)
	}
	used, err := coveredUsed(ctx, db, contractID, start, end, uuid.Nil)
	if err != nil {
		return Usage{}, fmt.Errorf("interventions: hours used: %w", err)
	}
	return NewUsage(MonthKey(start, loc), included, used), nil
}

// sheetCost prices a sheet about to be completed against what the contract's other completed sheets
// left of the included hours of each month it touches.
func sheetCost(ctx context.Context, db bun.IDB, s *Sheet, now time.Time, loc *time.Location) (Cost, error) {
	in := CostInput{RemainingIncluded: map[string]int{}, Materials: s.Materials}
	for _, e := range s.TimeEntries {
		in.Entries = append(in.Entries, CostEntry{Month: MonthKey(e.StartedAt, loc), Minutes: e.Minutes, Billable: e.Billable})
	}
	if !s.ContractID.Valid {
		return ComputeCost(in), nil
	}
	id := s.ContractID.UUID
	v, err := contracts.VersionAt(ctx, db, id, contracts.Day(now.In(loc)))
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
	case err != nil:
		return Cost{}, err
	default:
		in.HourlyRateCents = v.HourlyRateCents
	}
	for _, e := range s.TimeEntries {
		m := MonthKey(e.StartedAt, loc)
		if _, done := in.RemainingIncluded[m]; done || e.Billable {
			continue
		}
		start, end, lastDay := monthSpan(e.StartedAt, loc)
		included, err := includedMinutes(ctx, db, id, lastDay)
		if err != nil {
			return Cost{}, err
		}
		used, err := coveredUsed(ctx, db, id, start, end, s.ID)
		if err != nil {
			return Cost{}, err
		}
		in.RemainingIncluded[m] = max(included-used, 0)
	}
	return ComputeCost(in), nil
}

// zone is loc, or Europe/Paris when nil.
func zone(loc *time.Location) (*time.Location, error) {
	if loc != nil {
		return loc, nil
	}
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, fmt.Errorf("interventions: time zone: %w", err)
	}
	return l, nil
}
