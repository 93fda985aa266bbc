package scheduling

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/sla"
)

// Visit is the link between a task's occurrence and the intervention planned for it.
type Visit struct {
	bun.BaseModel `bun:"table:scheduled_visits,alias:sv"`

	TaskID         uuid.UUID     `bun:"task_id,pk,type:uuid"`
	OccursOn       time.Time     `bun:"occurs_on,pk,type:date"`
	PlannedOn      time.Time     `bun:"planned_on,type:date"`
	ShiftReason    string        `bun:"shift_reason"`
	InterventionID uuid.NullUUID `bun:"intervention_id,type:uuid"`
	CreatedAt      time.Time     `bun:"created_at"`
}

// Shifted tells whether the visit was moved off a closed day.
func (v *Visit) Shifted() bool { return !v.PlannedOn.Equal(v.OccursOn) }

// Run counts what one generation did.
type Run struct {
	Contracts int
	Created   int
	Shifted   int
	Cancelled int
}

// maxShiftDays bounds the search for an open day after a closed one.
const maxShiftDays = 31

// nextOpenDay returns d, or the first day after it the calendar is open, and why d was closed.
func nextOpenDay(cal *sla.Calendar, d time.Time) (time.Time, string) {
	closed, reason := cal.IsClosedDay(sla.DateOf(d))
	if !closed {
		return d, ""
	}
	for n := 1; n <= maxShiftDays; n++ {
		next := d.AddDate(0, 0, n)
		if c, _ := cal.IsClosedDay(sla.DateOf(next)); !c {
			return next, reason
		}
	}
	return d, ""
}

// calendarOf is the business calendar of the contract's SLA policy (French holidays and its
// closures), or the office calendar when it has none.
func calendarOf(ctx context.Context, db bun.IDB, c *contracts.Contract, loc *time.Location) (*sla.Calendar, error) {
	if c.Terms != nil && c.Terms.SLAPolicyID.Valid {
		p, err := contracts.GetSLAPolicy(ctx, db, c.Terms.SLAPolicyID.UUID)
		if err != nil {
			return nil, err
		}
		return p.Calendar(loc)
	}
	cal, err := sla.NewOfficeCalendar()
	if err != nil {
		return nil, err
	}
	cal.Location = loc
	return cal, nil
}

// Generate plans the visits of every contract with a plan from today to horizonDays ahead, one
// transaction per contract. Running it twice, or on two instances at once, plans nothing twice:
// each task's occurrence has one row (ON CONFLICT DO NOTHING) and the contract's row is locked.
// It also cancels the visits planned after the end of a contract (ended, or ending after notice).
func Generate(ctx context.Context, db *database.DB, actor audit.Actor, now time.Time, loc *time.Location, horizonDays int) (Run, error) {
	var run Run
	if horizonDays <= 0 {
		horizonDays = DefaultHorizonDays
	}
	var ids []uuid.UUID
	if err := db.Bun.NewSelect().Table("maintenance_tasks").ColumnExpr("DISTINCT contract_id").Scan(ctx, &ids); err != nil {
		return run, fmt.Errorf("scheduling: contracts with a plan: %w", err)
	}
	for _, id := range ids {
		err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			r, err := GenerateContract(ctx, tx, id, actor, now, loc, horizonDays)
			run.Created += r.Created
			run.Shifted += r.Shifted
			run.Cancelled += r.Cancelled
			return err
		})
		if err != nil {
			return run, err
		}
		run.Contracts++
	}
	return run, nil
}

// GenerateContract plans one contract's visits in the caller's transaction (see Generate).
func GenerateContract(ctx context.Context, db bun.IDB, contractID uuid.UUID, actor audit.Actor, now time.Time, loc *time.Location, horizonDays int) (Run, error) {
	var run Run
	today := contracts.Day(now.In(loc))
	c, err := lockContract(ctx, db, contractID, today)
	if err != nil {
		return run, err
	}
	start, end := contractSpan(c, today)
	// Visits after the contract's end (or of a contract that is over) are cancelled.
	cut := end
	if c.Status.IsOver() && (cut.IsZero() || cut.After(today.AddDate(0, 0, -1))) {
		cut = today.AddDate(0, 0, -1)
	}
	if !cut.IsZero() {
		var ids []uuid.UUID
		if err := db.NewSelect().TableExpr("scheduled_visits AS sv").Column("sv.intervention_id").
			Join("JOIN maintenance_tasks AS mt ON mt.id = sv.task_id").
			Join("JOIN interventions AS i ON i.id = sv.intervention_id").
			Where("mt.contract_id = ? AND sv.planned_on > ? AND i.status IN ('scheduled', 'todo')", contractID, cut).
			Scan(ctx, &ids); err != nil {
			return run, fmt.Errorf("scheduling: visits after the end: %w", err)
		}
		if err := cancelVisits(ctx, db, ids, "Contrat terminé", actor, now); err != nil {
			return run, err
		}
		run.Cancelled = len(ids)
	}
	if c.Status != contracts.StatusActive {
		return run, nil
	}
	from, to := today, today.AddDate(0, 0, horizonDays)
	if start.After(from) {
		from = start
	}
	if !end.IsZero() && end.Before(to) {
		to = end
	}
	if to.Before(from) {
		return run, nil
	}
	var tasks []*Task
	if err := db.NewSelect().Model(&tasks).Where("contract_id = ?", contractID).
		Where("ended_on IS NULL OR ended_on >= ?", from).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return run, fmt.Errorf("scheduling: tasks: %w", err)
	}
	if len(tasks) == 0 {
		return run, nil
	}
	cal, err := calendarOf(ctx, db, c, loc)
	if err != nil {
		return run, err
	}
	for _, t := range tasks {
		occ, err := t.Occurrences(loc, from, to)
		if err != nil {
			return run, err
		}
		for _, at := range occ {
			created, shifted, err := planVisit(ctx, db, c, t, at, cal, end, actor, now, loc)
			if err != nil {
				return run, err
			}
			if created {
				run.Created++
				if shifted {
					run.Shifted++
				}
			}
		}
	}
	return run, nil
}

// planVisit records the occurrence at of task t and, when it is new, creates its intervention
// (preventive, scheduled, on the next open day when at's day is closed) and its checklist.
func planVisit(ctx context.Context, db bun.IDB, c *contracts.Contract, t *Task, at time.Time, cal *sla.Calendar,
	end time.Time, actor audit.Actor, now time.Time, loc *time.Location) (created, shifted bool, err error) {
	occurs := day(at, loc)
	planned, reason := nextOpenDay(cal, occurs)
	if !end.IsZero() && planned.After(end) {
		planned, reason = occurs, ""
	}
	v := &Visit{TaskID: t.ID, OccursOn: occurs, PlannedOn: planned, ShiftReason: reason, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	res, err := db.NewInsert().Model(v).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, false, fmt.Errorf("scheduling: visit: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, false, nil
	}
	lt := at.In(loc)
	when := time.Date(planned.Year(), planned.Month(), planned.Day(), lt.Hour(), lt.Minute(), 0, 0, loc)
	in := interventions.Input{
		ClientID: c.ClientID, ContractID: c.ID, Kind: interventions.KindPreventive, Place: t.Place, Title: t.Title,
		EstimatedMinutes: t.EstimatedMinutes, ScheduledAt: when, Summary: t.Target,
	}
	if t.TechnicianID.Valid {
		in.Technicians = []uuid.UUID{t.TechnicianID.UUID}
	}
	i, err := interventions.Create(ctx, db, in, actor, now)
	if err != nil {
		return false, false, fmt.Errorf("scheduling: visit intervention: %w", err)
	}
	if _, err := db.NewUpdate().Model(v).Set("intervention_id = ?", i.ID).WherePK().Exec(ctx); err != nil {
		return false, false, fmt.Errorf("scheduling: visit link: %w", err)
	}
	for n, label := range t.Checklist {
		if _, err := db.NewInsert().Model(&ChecklistItem{InterventionID: i.ID, Position: n, Label: label}).Exec(ctx); err != nil {
			return false, false, fmt.Errorf("scheduling: checklist: %w", err)
		}
	}
	return true, reason != "", nil
}
