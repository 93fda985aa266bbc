package scheduling

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
)

// Audit actions of the plan (written with the contract as target) and of a visit moved.
const (
	ActionPlanChanged = audit.PlanChanged
	ActionRescheduled = audit.InterventionRescheduled
)

// Change is what an amendment of a running contract's plan needs: why, and from which day.
type Change struct {
	Reason        string
	EffectiveFrom time.Time
}

// Plan is a contract's preventive plan: its tasks (those in force first, then the ended ones) and
// the amendments that changed it.
type Plan struct {
	Contract   *contracts.Contract
	Tasks      []*Task
	Ended      []*Task
	Amendments []*Amendment
}

// Running tells whether changes to the plan are amendments.
func (p *Plan) Running() bool { return p.Contract.Status.IsRunning() }

// Editable tells whether the plan may change (not once the contract is over).
func (p *Plan) Editable() bool { return !p.Contract.Status.IsOver() }

func selectTasks(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("mt.*").
		ColumnExpr("coalesce(u.name, '') AS technician_name").
		Join("LEFT JOIN users AS u ON u.id = mt.technician_id")
}

// GetPlan returns the plan of a contract (NotFound when there is no such contract).
func GetPlan(ctx context.Context, db bun.IDB, contractID uuid.UUID) (*Plan, error) {
	c, err := contracts.Get(ctx, db, contractID)
	if err != nil {
		return nil, err
	}
	p := &Plan{Contract: c}
	var tasks []*Task
	if err := selectTasks(db, &tasks).Where("mt.contract_id = ?", contractID).
		OrderExpr("mt.ended_on IS NOT NULL, mt.created_at, mt.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: plan: %w", err)
	}
	for _, t := range tasks {
		if t.Active() {
			p.Tasks = append(p.Tasks, t)
		} else {
			p.Ended = append(p.Ended, t)
		}
	}
	if err := db.NewSelect().Model(&p.Amendments).Where("contract_id = ?", contractID).
		OrderExpr("created_at DESC, id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: amendments: %w", err)
	}
	return p, nil
}

// GetTask returns one task of a contract (NotFound when it is another contract's).
func GetTask(ctx context.Context, db bun.IDB, contractID, id uuid.UUID) (*Task, error) {
	t := new(Task)
	if err := selectTasks(db, t).Where("mt.id = ? AND mt.contract_id = ?", id, contractID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("task")
		}
		return nil, fmt.Errorf("scheduling: task: %w", err)
	}
	return t, nil
}

// contractSpan is the first and last day of a contract (last zero: no end yet).
func contractSpan(c *contracts.Contract, today time.Time) (start, end time.Time) {
	if c.Terms == nil {
		return time.Time{}, time.Time{}
	}
	return contracts.Day(c.Terms.StartDate), c.Schedule(today).EndDate
}

// window is the days a task's rule must occur in: from its first day (or from, when later, or the
// contract's start) to the contract's end, or checkYears later.
func window(firstOn, from, start, end time.Time) Window {
	w := Window{From: firstOn}
	for _, d := range []time.Time{from, start} {
		if !d.IsZero() && d.After(w.From) {
			w.From = d
		}
	}
	w.To = w.From.AddDate(checkYears, 0, 0)
	if !end.IsZero() && end.Before(w.To) {
		w.To = end
	}
	return w
}

// lockContract locks the contract's row against concurrent plan changes and generation.
func lockContract(ctx context.Context, db bun.IDB, id uuid.UUID, today time.Time) (*contracts.Contract, error) {
	if _, err := db.NewSelect().Table("contracts").Column("id").Where("id = ?", id).For("NO KEY UPDATE").Exec(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: lock contract: %w", err)
	}
	return contracts.Get(ctx, db, id)
}

// checkChange validates the amendment part of a change to a running contract's plan.
func checkChange(ch *Change, f apperr.Fields, today, start, end time.Time) {
	ch.Reason = strings.TrimSpace(strings.ReplaceAll(ch.Reason, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(ch.Reason); {
	case n == 0:
		f.Add("reason", "error.required")
	case n > MaxReason:
		f.Add("reason", "error.too_long")
	}
	switch {
	case ch.EffectiveFrom.IsZero():
		f.Add("effective_from", "error.required")
	case contracts.Day(ch.EffectiveFrom).Before(today), !end.IsZero() && contracts.Day(ch.EffectiveFrom).After(end):
		f.Add("effective_from", ErrEffective)
	default:
		ch.EffectiveFrom = contracts.Day(ch.EffectiveFrom)
		if ch.EffectiveFrom.Before(start) {
			ch.EffectiveFrom = start
		}
	}
}

// SaveTask adds a task to a contract's plan (taskID uuid.Nil) or changes one. On a draft contract
// the plan is edited in place; on a running one the change is an amendment (ch: reason and
// effective day, not before today): a changed task ends the day before and its new version starts
// that day, and the old version's visits from that day are cancelled (the generation plans the new
// ones). A contract that is over is a Conflict; a task already ended a Conflict ErrStale (someone
// changed the plan meanwhile). today is the provider's day, loc its zone.
func SaveTask(ctx context.Context, db bun.IDB, contractID, taskID uuid.UUID, in TaskInput, ch Change,
	actor audit.Actor, now, today time.Time, loc *time.Location) (*Task, error) {
	c, err := lockContract(ctx, db, contractID, today)
	if err != nil {
		return nil, err
	}
	if c.Status.IsOver() {
		return nil, apperr.Conflictf(ErrContractEnd)
	}
	var old *Task
	if taskID != uuid.Nil {
		if old, err = GetTask(ctx, db, contractID, taskID); err != nil {
			return nil, err
		}
		if !old.Active() {
			return nil, apperr.Conflictf(interventions.ErrStale)
		}
	}
	start, end := contractSpan(c, today)
	in.Normalize()
	f := apperr.Fields{}
	running := c.Status.IsRunning()
	from := start
	if running {
		checkChange(&ch, f, today, start, end)
		if !ch.EffectiveFrom.IsZero() {
			from = ch.EffectiveFrom
		}
	}
	in.check(f, loc, window(in.FirstOn, from, start, end))
	if in.TechnicianID != uuid.Nil {
		n, err := db.NewSelect().Table("users").Where("id = ? AND kind = 'staff' AND active", in.TechnicianID).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("scheduling: technician: %w", err)
		}
		if n == 0 {
			f.Add("technician_id", ErrTechnician)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	t := &Task{
		ID: uuid.Must(uuid.NewV7()), ContractID: contractID, Title: in.Title, Target: in.Target, Checklist: in.Checklist,
		EstimatedMinutes: in.EstimatedMinutes, TechnicianID: uuid.NullUUID{UUID: in.TechnicianID, Valid: in.TechnicianID != uuid.Nil},
		Place: in.Place, Rule: in.Rule, FirstOn: in.FirstOn, AtMinute: in.AtMinute, Exdates: in.Exdates, CreatedAt: now,
	}
	if t.Checklist == nil {
		t.Checklist = []string{}
	}
	if t.Exdates == nil {
		t.Exdates = []time.Time{}
	}
	if !running {
		if old != nil {
			t.ID, t.CreatedAt = old.ID, old.CreatedAt
			if _, err := db.NewUpdate().Model(t).WherePK().ExcludeColumn("id", "contract_id", "created_at").Exec(ctx); err != nil {
				return nil, fmt.Errorf("scheduling: update task: %w", err)
			}
		} else if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
			return nil, fmt.Errorf("scheduling: add task: %w", err)
		}
		if err := setDraftPlan(ctx, db, c); err != nil {
			return nil, err
		}
		return t, writePlanAudit(ctx, db, c, actor, now, map[string]any{"task": t.Title})
	}
	before, err := recordPlan(ctx, db, c.ID)
	if err != nil {
		return nil, err
	}
	summary := "+ " + t.Title
	if old != nil {
		summary = "~ " + old.Title
		if old.Title != t.Title {
			summary += " → " + t.Title
		}
	}
	a, err := amend(ctx, db, c, ch, summary, actor, now)
	if err != nil {
		return nil, err
	}
	t.EffectiveFrom = bun.NullTime{Time: ch.EffectiveFrom}
	t.AmendmentID = uuid.NullUUID{UUID: a.ID, Valid: true}
	if old != nil {
		t.ReplacesID = uuid.NullUUID{UUID: old.ID, Valid: true}
		if err := endTask(ctx, db, old, ch.EffectiveFrom, actor, now); err != nil {
			return nil, err
		}
	}
	if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: add task: %w", err)
	}
	return t, amendContract(ctx, db, c.ID, a, before, ch, actor, now)
}

// RemoveTask takes a task out of the plan: deleted on a draft contract, ended the day before
// ch.EffectiveFrom by an amendment on a running one (its visits from that day cancelled).
func RemoveTask(ctx context.Context, db bun.IDB, contractID, taskID uuid.UUID, ch Change, actor audit.Actor, now, today time.Time) error {
	c, err := lockContract(ctx, db, contractID, today)
	if err != nil {
		return err
	}
	if c.Status.IsOver() {
		return apperr.Conflictf(ErrContractEnd)
	}
	t, err := GetTask(ctx, db, contractID, taskID)
	if err != nil {
		return err
	}
	if !t.Active() {
		return apperr.Conflictf(interventions.ErrStale)
	}
	now = now.UTC().Truncate(time.Microsecond)
	if !c.Status.IsRunning() {
		if _, err := db.NewDelete().Model(t).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("scheduling: delete task: %w", err)
		}
		if err := setDraftPlan(ctx, db, c); err != nil {
			return err
		}
		return writePlanAudit(ctx, db, c, actor, now, map[string]any{"removed": t.Title})
	}
	start, end := contractSpan(c, today)
	f := apperr.Fields{}
	checkChange(&ch, f, today, start, end)
	if err := f.Err(); err != nil {
		return err
	}
	before, err := recordPlan(ctx, db, c.ID)
	if err != nil {
		return err
	}
	a, err := amend(ctx, db, c, ch, "− "+t.Title, actor, now)
	if err != nil {
		return err
	}
	if err := endTask(ctx, db, t, ch.EffectiveFrom, actor, now); err != nil {
		return err
	}
	return amendContract(ctx, db, c.ID, a, before, ch, actor, now)
}

// setDraftPlan records a draft contract's plan in its terms (a contract in another state that is
// neither running nor over keeps its terms as they are).
func setDraftPlan(ctx context.Context, db bun.IDB, c *contracts.Contract) error {
	if c.Status != contracts.StatusDraft {
		return nil
	}
	text, err := planTextOf(ctx, db, c.ID)
	if err != nil {
		return err
	}
	return contracts.SetDraftPlan(ctx, db, c.ID, text)
}

// recordPlan returns the text of the plan before a change, recorded in the contract's terms when
// they had none (a plan entered before the terms recorded it).
func recordPlan(ctx context.Context, db bun.IDB, contractID uuid.UUID) (string, error) {
	text, err := planTextOf(ctx, db, contractID)
	if err != nil {
		return "", err
	}
	return text, contracts.RecordPlan(ctx, db, contractID, text)
}

// amendContract makes the plan amendment a an amendment of the contract's terms (the next version,
// with the plan after the change), or refuses a change that changes nothing (Invalid ErrNoChange;
// the caller's transaction is rolled back).
func amendContract(ctx context.Context, db bun.IDB, contractID uuid.UUID, a *Amendment, before string, ch Change, actor audit.Actor, now time.Time) error {
	after, err := planTextOf(ctx, db, contractID)
	if err != nil {
		return err
	}
	if after == before {
		return apperr.Invalidf(ErrNoChange)
	}
	no, err := contracts.AmendPlan(ctx, db, contractID, after, ch.Reason, ch.EffectiveFrom, actor.UserID, now)
	if err != nil {
		return err
	}
	a.ContractVersionNo = no
	if _, err := db.NewUpdate().Model(a).Column("contract_version_no").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("scheduling: amendment version: %w", err)
	}
	return nil
}

// amend records an amendment of the plan.
func amend(ctx context.Context, db bun.IDB, c *contracts.Contract, ch Change, summary string, actor audit.Actor, now time.Time) (*Amendment, error) {
	a := &Amendment{
		ID: uuid.Must(uuid.NewV7()), ContractID: c.ID, EffectiveFrom: ch.EffectiveFrom, Reason: ch.Reason,
		Summary: truncate(summary, 2000), CreatedBy: uuid.NullUUID{UUID: actor.UserID, Valid: actor.UserID != uuid.Nil},
		CreatedByLabel: actor.Label, CreatedAt: now,
	}
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: amendment: %w", err)
	}
	return a, writePlanAudit(ctx, db, c, actor, now, map[string]any{
		"amendment": summary, "effective_from": ch.EffectiveFrom.Format(time.DateOnly), "reason": ch.Reason,
	})
}

// endTask ends a task the day before from and cancels its visits planned from that day that have
// not started.
func endTask(ctx context.Context, db bun.IDB, t *Task, from time.Time, actor audit.Actor, now time.Time) error {
	t.EndedOn = bun.NullTime{Time: from.AddDate(0, 0, -1)}
	if _, err := db.NewUpdate().Model(t).Column("ended_on").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("scheduling: end task: %w", err)
	}
	var ids []uuid.UUID
	if err := db.NewSelect().Table("scheduled_visits").Column("intervention_id").
		Where("task_id = ? AND planned_on >= ? AND intervention_id IS NOT NULL", t.ID, from).Scan(ctx, &ids); err != nil {
		return fmt.Errorf("scheduling: visits of task: %w", err)
	}
	return cancelVisits(ctx, db, ids, "Plan de maintenance modifié par avenant", actor, now)
}

// cancelVisits cancels the interventions among ids that are still scheduled or to do.
func cancelVisits(ctx context.Context, db bun.IDB, ids []uuid.UUID, reason string, actor audit.Actor, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	var pending []*interventions.Intervention
	if err := db.NewSelect().Model(&pending).Column("id", "version").
		Where("id IN (?) AND status IN (?)", bun.List(ids), bun.List([]interventions.Status{interventions.StatusScheduled, interventions.StatusTodo})).
		Scan(ctx); err != nil {
		return fmt.Errorf("scheduling: pending visits: %w", err)
	}
	for _, i := range pending {
		if _, err := interventions.Transition(ctx, db, i.ID, interventions.StatusCancelled, time.Time{}, reason, i.Version, actor, now); err != nil {
			return fmt.Errorf("scheduling: cancel visit: %w", err)
		}
	}
	return nil
}

func writePlanAudit(ctx context.Context, db bun.IDB, c *contracts.Contract, actor audit.Actor, now time.Time, details map[string]any) error {
	details["reference"] = c.Reference
	return audit.Write(ctx, db, now, actor, audit.Event{
		Action: ActionPlanChanged, TargetType: "contract", TargetID: c.ID.String(), ClientID: c.ClientID, Details: details,
	})
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
