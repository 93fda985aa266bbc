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
	"maintenant/app/interventions"
)

// Reschedule is one change of a visit's date, time or technician, kept in its history.
type Reschedule struct {
	bun.BaseModel `bun:"table:visit_reschedules,alias:vr"`

	ID              uuid.UUID     `bun:"id,pk,type:uuid"`
	InterventionID  uuid.UUID     `bun:"intervention_id,type:uuid"`
	FromAt          time.Time     `bun:"from_at,nullzero"`
	ToAt            time.Time     `bun:"to_at"`
	FromTechnicians string        `bun:"from_technicians"`
	ToTechnicians   string        `bun:"to_technicians"`
	Reason          string        `bun:"reason"`
	ClientTold      bool          `bun:"client_told"`
	CreatedBy       uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedByLabel  string        `bun:"created_by_label"`
	CreatedAt       time.Time     `bun:"created_at"`
}

// RescheduleInput is the short form of the schedule.
type RescheduleInput struct {
	// At is the new date and time (zero when what was typed is not one).
	At           time.Time
	TechnicianID uuid.UUID
	Reason       string
	// Confirmed: the user saw the technician's overlapping interventions and keeps the change.
	Confirmed bool
}

// RescheduleResult is what a reschedule did, or why it waits for a confirmation.
type RescheduleResult struct {
	// Conflicts are the technician's other interventions overlapping the new slot; when not
	// confirmed, nothing was saved.
	Conflicts []*Entry
	Saved     bool
	// DateChanged tells whether the client was given another date (the caller mails it).
	DateChanged  bool
	Record       *Reschedule
	Intervention *interventions.Intervention
}

// History returns a visit's reschedules, oldest first.
func History(ctx context.Context, db bun.IDB, interventionID uuid.UUID) ([]*Reschedule, error) {
	var out []*Reschedule
	if err := db.NewSelect().Model(&out).Where("intervention_id = ?", interventionID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: history: %w", err)
	}
	return out, nil
}

// Overlapping returns the technician's other open interventions whose planned slot overlaps
// [at, at+minutes).
func Overlapping(ctx context.Context, db bun.IDB, technicianID, except uuid.UUID, at time.Time, minutes int) ([]*Entry, error) {
	end := at.Add(time.Duration(minutes) * time.Minute)
	var out []*Entry
	err := selectEntries(db).
		Where("i.id <> ? AND i.status IN ('scheduled', 'todo', 'in_progress')", except).
		Where("EXISTS (SELECT 1 FROM intervention_technicians AS it WHERE it.intervention_id = i.id AND it.user_id = ?)", technicianID).
		Where("i.scheduled_at < ? AND i.scheduled_at + make_interval(mins => coalesce(i.estimated_minutes, 60)) > ?", end, at).
		OrderExpr("i.scheduled_at").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("scheduling: overlapping: %w", err)
	}
	return out, nil
}

// RescheduleVisit moves a pending intervention to another date, time or technician, in the
// caller's transaction. The reason is required; the new day must fall within the contract's period
// (Invalid "date": ErrOutside); a stale version is a Conflict ErrStale, a completed, cancelled or
// started one a Conflict ErrFrozen / ErrTransition. When the technician has another intervention
// overlapping the new slot and in.Confirmed is false, nothing is saved and the conflicts are
// returned. today is the provider's civil day.
func RescheduleVisit(ctx context.Context, db bun.IDB, id uuid.UUID, in RescheduleInput, expectedVersion int,
	actor audit.Actor, now, today time.Time) (*RescheduleResult, error) {
	i, err := interventions.Get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if i.Status.IsFinal() {
		return nil, apperr.Conflictf(interventions.ErrFrozen)
	}
	if i.Status == interventions.StatusInProgress {
		return nil, apperr.Conflictf(interventions.ErrTransition)
	}
	if i.Version != expectedVersion {
		return nil, apperr.Conflictf(interventions.ErrStale)
	}
	f := apperr.Fields{}
	in.Reason = strings.TrimSpace(strings.ReplaceAll(in.Reason, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(in.Reason); {
	case n == 0:
		f.Add("reason", "error.required")
	case n > MaxReason:
		f.Add("reason", "error.too_long")
	}
	if in.At.IsZero() {
		f.Add("date", "error.required")
	}
	if in.TechnicianID == uuid.Nil {
		f.Add("technician_id", "error.required")
	} else {
		n, err := db.NewSelect().Table("users").Where("id = ? AND kind = 'staff' AND active", in.TechnicianID).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("scheduling: technician: %w", err)
		}
		if n == 0 {
			f.Add("technician_id", ErrTechnician)
		}
	}
	if !in.At.IsZero() && i.ContractID.Valid {
		c, err := contracts.Get(ctx, db, i.ContractID.UUID)
		if err != nil {
			return nil, err
		}
		start, end := contractSpan(c, today)
		d := contracts.Day(in.At) // in.At is in the provider's zone
		if d.Before(start) || (!end.IsZero() && d.After(end)) {
			f.Add("date", ErrOutside)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	res := &RescheduleResult{}
	if !in.Confirmed {
		minutes := i.EstimatedMinutes
		if minutes <= 0 {
			minutes = 60
		}
		if res.Conflicts, err = Overlapping(ctx, db, in.TechnicianID, i.ID, in.At, minutes); err != nil {
			return nil, err
		}
		if len(res.Conflicts) > 0 {
			return res, nil
		}
	}
	now = now.UTC().Truncate(time.Microsecond)
	fromAt, fromTechs := i.ScheduledAt, joinNames(i.Technicians)
	if i.Status == interventions.StatusTodo {
		if i, err = interventions.Transition(ctx, db, i.ID, interventions.StatusScheduled, in.At, "", i.Version, actor, now); err != nil {
			return nil, err
		}
	}
	up := interventions.Input{
		ClientID: i.ClientID, ContractID: i.ContractID.UUID, TicketID: i.TicketID.UUID, Kind: i.Kind, Place: i.Place,
		Title: i.Title, EstimatedMinutes: i.EstimatedMinutes, ScheduledAt: in.At, Summary: i.Summary, InternalNotes: i.InternalNotes,
		Technicians: []uuid.UUID{in.TechnicianID},
	}
	if res.Intervention, err = interventions.Update(ctx, db, i.ID, up, i.Version, actor, now); err != nil {
		return nil, err
	}
	res.DateChanged = !fromAt.IsZero() && !fromAt.Equal(res.Intervention.ScheduledAt)
	r := &Reschedule{
		ID: uuid.Must(uuid.NewV7()), InterventionID: i.ID, FromAt: fromAt, ToAt: res.Intervention.ScheduledAt,
		FromTechnicians: fromTechs, ToTechnicians: joinNames(res.Intervention.Technicians), Reason: in.Reason,
		ClientTold: res.DateChanged, CreatedBy: uuid.NullUUID{UUID: actor.UserID, Valid: actor.UserID != uuid.Nil},
		CreatedByLabel: actor.Label, CreatedAt: now,
	}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: reschedule: %w", err)
	}
	res.Record, res.Saved = r, true
	return res, audit.Write(ctx, db, now, actor, audit.Event{
		Action: ActionRescheduled, TargetType: "intervention", TargetID: i.ID.String(), ClientID: i.ClientID,
		Details: map[string]any{"reference": i.Reference(), "from": fromAt, "to": r.ToAt, "reason": in.Reason},
	})
}
