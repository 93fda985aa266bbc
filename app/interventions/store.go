package interventions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/equipment"
)

// selectInterventions selects interventions with their client's name and contract reference.
func selectInterventions(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("i.*").
		ColumnExpr("cl.name AS client_name").
		ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		// The technicians in the same statement, ordered by name: a list costs one query, not two.
		ColumnExpr(`coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY lower(u.name), u.id)
			FROM intervention_technicians AS it JOIN users AS u ON u.id = it.user_id
			WHERE it.intervention_id = i.id), '[]') AS technicians`).
		Join("JOIN clients AS cl ON cl.id = i.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = i.contract_id")
}

// Get returns an intervention with its technicians, for staff.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Intervention, error) {
	return get(ctx, db, id, uuid.Nil)
}

// GetForClient returns an intervention of one client, for the portal: another client's is
// NotFound, exactly like a missing one.
func GetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Intervention, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("intervention")
	}
	return get(ctx, db, id, clientID)
}

func get(ctx context.Context, db bun.IDB, id, clientID uuid.UUID) (*Intervention, error) {
	i := new(Intervention)
	q := selectInterventions(db, i).Where("i.id = ?", id)
	if clientID != uuid.Nil {
		q = q.Where("i.client_id = ?", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intervention")
		}
		return nil, fmt.Errorf("interventions: get: %w", err)
	}
	return i, nil
}

// loadTechnicians fills the technicians of interventions in one query.
func loadTechnicians(ctx context.Context, db bun.IDB, is []*Intervention) error {
	if len(is) == 0 {
		return nil
	}
	byID := map[uuid.UUID]*Intervention{}
	ids := make([]uuid.UUID, 0, len(is))
	for _, i := range is {
		byID[i.ID] = i
		i.Technicians = nil
		ids = append(ids, i.ID)
	}
	var rows []struct {
		InterventionID uuid.UUID `bun:"intervention_id,type:uuid"`
		ID             uuid.UUID `bun:"id,type:uuid"`
		Name           string    `bun:"name"`
	}
	if err := db.NewRaw(`SELECT it.intervention_id, u.id, u.name FROM intervention_technicians AS it
		JOIN users AS u ON u.id = it.user_id WHERE it.intervention_id IN (?) ORDER BY lower(u.name), u.id`,
		bun.List(ids)).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("interventions: technicians: %w", err)
	}
	for _, r := range rows {
		i := byID[r.InterventionID]
		i.Technicians = append(i.Technicians, Technician{ID: r.ID, Name: r.Name})
	}
	return nil
}

// GetSheet returns an intervention with every part of its sheet, for staff.
func GetSheet(ctx context.Context, db bun.IDB, id uuid.UUID) (*Sheet, error) {
	i, err := Get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return loadSheet(ctx, db, i)
}

// GetSheetForClient is GetSheet for the portal: another client's sheet is NotFound.
func GetSheetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Sheet, error) {
	i, err := GetForClient(ctx, db, clientID, id)
	if err != nil {
		return nil, err
	}
	return loadSheet(ctx, db, i)
}

func loadSheet(ctx context.Context, db bun.IDB, i *Intervention) (*Sheet, error) {
	s := &Sheet{Intervention: i}
	if err := db.NewSelect().Model(&s.TimeEntries).ColumnExpr("te.*").ColumnExpr("u.name AS technician_name").
		Join("JOIN users AS u ON u.id = te.technician_id").Where("te.intervention_id = ?", i.ID).
		OrderExpr("te.started_at, te.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: sheet times: %w", err)
	}
	if err := db.NewSelect().Model(&s.Actions).Where("ea.intervention_id = ?", i.ID).OrderExpr("ea.position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: sheet actions: %w", err)
	}
	if err := db.NewSelect().Model(&s.Materials).Where("m.intervention_id = ?", i.ID).OrderExpr("m.created_at, m.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: sheet materials: %w", err)
	}
	if err := db.NewSelect().Model(&s.Addenda).Where("ad.intervention_id = ?", i.ID).OrderExpr("ad.created_at, ad.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("interventions: sheet addenda: %w", err)
	}
	sig := new(Signature)
	switch err := db.NewSelect().Model(sig).Where("sg.intervention_id = ?", i.ID).Scan(ctx); {
	case database.NoRows(err):
	case err != nil:
		return nil, fmt.Errorf("interventions: sheet signature: %w", err)
	default:
		s.Signature = sig
	}
	return s, nil
}

// lock reads an intervention for update and checks the version the page was read at.
func lock(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Intervention, error) {
	i := new(Intervention)
	if err := db.NewSelect().Model(i).Where("i.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intervention")
		}
		return nil, fmt.Errorf("interventions: lock: %w", err)
	}
	if i.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	return i, nil
}

// lockOpen is lock for a change of the sheet: a completed or cancelled sheet is frozen.
func lockOpen(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int) (*Intervention, error) {
	i := new(Intervention)
	if err := db.NewSelect().Model(i).Where("i.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intervention")
		}
		return nil, fmt.Errorf("interventions: lock: %w", err)
	}
	if i.Status.IsFinal() {
		return nil, apperr.Conflictf(ErrFrozen)
	}
	if i.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	return i, nil
}

// bump records a change of the intervention (its columns as set on i) and increments its version.
func bump(ctx context.Context, db bun.IDB, i *Intervention, now time.Time) error {
	i.UpdatedAt = stamp(now)
	i.Version++
	if _, err := db.NewUpdate().Model(i).WherePK().ExcludeColumn("id", "number", "created_at").Exec(ctx); err != nil {
		return fmt.Errorf("interventions: update: %w", err)
	}
	return nil
}

// checkRefs records in f what is wrong with the client, contract, ticket and technicians of in.
func checkRefs(ctx context.Context, db bun.IDB, in *Input, f apperr.Fields) error {
	if in.ClientID == uuid.Nil {
		return nil
	}
	n, err := db.NewSelect().Table("clients").Where("id = ? AND NOT archived", in.ClientID).Count(ctx)
	if err != nil {
		return fmt.Errorf("interventions: check client: %w", err)
	}
	if n == 0 {
		f.Add("client_id", "interventions.error.client_unknown")
		return nil
	}
	if in.ContractID != uuid.Nil {
		n, err := db.NewSelect().Table("contracts").Where("id = ? AND client_id = ?", in.ContractID, in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("interventions: check contract: %w", err)
		}
		if n == 0 {
			f.Add("contract_id", "interventions.error.contract_unknown")
		}
	}
	if in.TicketID != uuid.Nil {
		n, err := db.NewSelect().Table("tickets").Where("id = ? AND client_id = ?", in.TicketID, in.ClientID).Count(ctx)
		if err != nil {
			return fmt.Errorf("interventions: check ticket: %w", err)
		}
		if n == 0 {
			f.Add("ticket_id", "interventions.error.ticket_unknown")
		}
	}
	if len(in.Technicians) > 0 {
		slices.SortFunc(in.Technicians, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		in.Technicians = slices.Compact(in.Technicians)
		ok, err := activeStaff(ctx, db, in.Technicians)
		if err != nil {
			return err
		}
		if !ok {
			f.Add("technicians", "interventions.error.technician_unknown")
		}
	}
	return nil
}

// activeStaff tells whether every id is an active staff user.
func activeStaff(ctx context.Context, db bun.IDB, ids []uuid.UUID) (bool, error) {
	n, err := db.NewSelect().Table("users").Where("id IN (?) AND kind = 'staff' AND active", bun.List(ids)).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("interventions: check technicians: %w", err)
	}
	return int(n) == len(ids), nil
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// setTechnicians replaces the technicians of an intervention.
func setTechnicians(ctx context.Context, db bun.IDB, id uuid.UUID, ids []uuid.UUID) error {
	if _, err := db.NewDelete().Table("intervention_technicians").Where("intervention_id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("interventions: technicians: %w", err)
	}
	return addTechnicians(ctx, db, id, ids...)
}

// addTechnicians assigns technicians (already assigned ones stay).
func addTechnicians(ctx context.Context, db bun.IDB, id uuid.UUID, ids ...uuid.UUID) error {
	for _, u := range ids {
		if _, err := db.ExecContext(ctx, `INSERT INTO intervention_technicians (intervention_id, user_id) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, id, u); err != nil {
			return fmt.Errorf("interventions: assign: %w", err)
		}
	}
	return nil
}

func writeAudit(ctx context.Context, db bun.IDB, i *Intervention, actor audit.Actor, action string, details map[string]any, now time.Time) error {
	if details == nil {
		details = map[string]any{}
	}
	details["reference"] = i.Reference()
	return audit.Write(ctx, db, now, actor, audit.Event{
		Action: action, TargetType: "intervention", TargetID: i.ID.String(), ClientID: i.ClientID, Details: details,
	})
}

// Create records a new intervention, status todo (or scheduled when in.ScheduledAt is set), with
// its number (I-0042). EstimatedMinutes 0 is "not estimated" (">999"). Bad input is Invalid with
// the field keys of Input.Validate plus client_id, contract_id, ticket_id (not the client's) and
// technicians (not active staff).
func Create(ctx context.Context, db bun.IDB, in Input, actor audit.Actor, now time.Time) (*Intervention, error) {
	now = stamp(now)
	in.Normalize()
	f := apperr.Fields{}
	in.check(f)
	if err := checkRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i := &Intervention{
		ID: uuid.Must(uuid.NewV7()), ClientID: in.ClientID, ContractID: nullID(in.ContractID), TicketID: nullID(in.TicketID),
		Kind: in.Kind, Place: in.Place, Status: StatusTodo, Title: in.Title, EstimatedMinutes: in.EstimatedMinutes,
		Summary: in.Summary, InternalNotes: in.InternalNotes, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if !in.ScheduledAt.IsZero() {
		i.Status, i.ScheduledAt = StatusScheduled, stamp(in.ScheduledAt)
	}
	var err error
	if i.Number, err = database.NextNumber(ctx, db, NumberSeries, 0); err != nil {
		return nil, fmt.Errorf("interventions: create: %w", err)
	}
	if _, err := db.NewInsert().Model(i).Exec(ctx); err != nil {
		return nil, fmt.Errorf("interventions: create: %w", err)
	}
	if err := addTechnicians(ctx, db, i.ID, in.Technicians...); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionCreated, map[string]any{"kind": string(i.Kind)}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, i.ID)
}

// Update edits the header of an open intervention (client excepted: an intervention never changes
// client). A completed or cancelled one is a Conflict ErrFrozen; a stale version ErrStale.
func Update(ctx context.Context, db bun.IDB, id uuid.UUID, in Input, expectedVersion int, actor audit.Actor, now time.Time) (*Intervention, error) {
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	in.ClientID = i.ClientID
	in.Normalize()
	f := apperr.Fields{}
	in.check(f)
	if err := checkRefs(ctx, db, &in, f); err != nil {
		return nil, err
	}
	if i.Status == StatusScheduled && in.ScheduledAt.IsZero() {
		f.Add("scheduled_at", "error.required")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i.ContractID, i.TicketID, i.Kind, i.Place = nullID(in.ContractID), nullID(in.TicketID), in.Kind, in.Place
	i.Title, i.EstimatedMinutes, i.Summary, i.InternalNotes = in.Title, in.EstimatedMinutes, in.Summary, in.InternalNotes
	if !in.ScheduledAt.IsZero() {
		i.ScheduledAt = stamp(in.ScheduledAt)
	}
	if err := bump(ctx, db, i, now); err != nil {
		return nil, err
	}
	if err := setTechnicians(ctx, db, i.ID, in.Technicians); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionUpdated, nil, stamp(now)); err != nil {
		return nil, err
	}
	return Get(ctx, db, i.ID)
}

// Transition moves an intervention along the status machine (package documentation, rule 1), except
// to done: completing is Complete. Scheduling needs at (Invalid "scheduled_at"
// otherwise); cancelling needs a reason (Invalid "cancel_reason").
func Transition(ctx context.Context, db bun.IDB, id uuid.UUID, to Status, at time.Time, reason string, expectedVersion int, actor audit.Actor, now time.Time) (*Intervention, error) {
	now = stamp(now)
	i, err := lock(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	from := i.Status
	if to == StatusDone || !CanTransition(from, to) {
		return nil, apperr.Conflictf(ErrTransition)
	}
	f := apperr.Fields{}
	switch to {
	case StatusScheduled:
		if at.IsZero() {
			f.Add("scheduled_at", "error.required")
		}
		i.ScheduledAt = stamp(at)
	case StatusCancelled:
		reason = cleanText(reason)
		switch n := utf8.RuneCountInString(reason); {
		case n == 0:
			f.Add("cancel_reason", "error.required")
		case n > MaxReason:
			f.Add("cancel_reason", "error.too_long")
		}
		i.CancelReason = reason
	case StatusInProgress:
		if i.StartedAt.IsZero() {
			i.StartedAt = now
		}
	case StatusTodo:
		i.ScheduledAt = time.Time{}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i.Status = to
	if err := bump(ctx, db, i, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionStatusChanged, map[string]any{"from": string(from), "to": string(to)}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, i.ID)
}

// TakeUp is what the first technician who works on a pending intervention does: the same
// intervention (never a copy) gets the technician and moves to in_progress. Taking up one already in
// progress just adds the technician. A completed or cancelled one is a Conflict ErrFrozen.
func TakeUp(ctx context.Context, db bun.IDB, id, technicianID uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time) (*Intervention, error) {
	now = stamp(now)
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	ok, err := activeStaff(ctx, db, []uuid.UUID{technicianID})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Fields{"technician_id": "interventions.error.technician_unknown"}.Err()
	}
	from := i.Status
	i.Status = StatusInProgress
	if i.StartedAt.IsZero() {
		i.StartedAt = now
	}
	if err := bump(ctx, db, i, now); err != nil {
		return nil, err
	}
	if err := addTechnicians(ctx, db, i.ID, technicianID); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionTakenUp, map[string]any{
		"from": string(from), "technician_id": technicianID.String(),
	}, now); err != nil {
		return nil, err
	}
	return Get(ctx, db, i.ID)
}

// AddTimeEntry adds time to an open sheet. Besides TimeEntry.Validate: the technician must be active
// staff ("technician_id"), and the entry must not overlap another entry of the same technician on
// any intervention ("started_at": interventions.error.overlap). The technician is assigned to the
// intervention. Entries of one technician are serialised by an advisory lock. On an intervention
// opened for a workshop stay, no time is accepted until the stay's backup or the client's refusal
// is recorded ("category": ErrBackupGate).
func AddTimeEntry(ctx context.Context, db bun.IDB, id uuid.UUID, e *TimeEntry, expectedVersion int, now time.Time) (*Intervention, error) {
	now = stamp(now)
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	// The workshop's backup gate: no work on a machine before its disk is backed up (or the client
	// refused the backup in a documented way).
	blocked, err := equipment.WorkBlocked(ctx, db, i.ID)
	if err != nil {
		return nil, err
	}
	if blocked {
		return nil, apperr.Fields{"category": ErrBackupGate}.Err()
	}
	ok, err := activeStaff(ctx, db, []uuid.UUID{e.TechnicianID})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Fields{"technician_id": "interventions.error.technician_unknown"}.Err()
	}
	if _, err := db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('time:' || ?::text, 0))", e.TechnicianID); err != nil {
		return nil, fmt.Errorf("interventions: time lock: %w", err)
	}
	e.StartedAt = stamp(e.StartedAt)
	n, err := db.NewSelect().Table("time_entries").
		Where("technician_id = ? AND started_at < ? AND started_at + minutes * interval '1 minute' > ?",
			e.TechnicianID, e.End(), e.StartedAt).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("interventions: overlap: %w", err)
	}
	if n > 0 {
		return nil, apperr.Fields{"started_at": "interventions.error.overlap"}.Err()
	}
	e.ID, e.InterventionID, e.CreatedAt = uuid.Must(uuid.NewV7()), i.ID, now
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return nil, fmt.Errorf("interventions: add time: %w", err)
	}
	if err := addTechnicians(ctx, db, i.ID, e.TechnicianID); err != nil {
		return nil, err
	}
	return i, bump(ctx, db, i, now)
}

// DeleteTimeEntry removes a time entry from an open sheet (NotFound when it is not of that sheet).
func DeleteTimeEntry(ctx context.Context, db bun.IDB, id, entryID uuid.UUID, expectedVersion int, now time.Time) (*Intervention, error) {
	return deletePart(ctx, db, "time_entries", id, entryID, expectedVersion, now)
}

// DeleteMaterial removes a material from an open sheet (NotFound when it is not of that sheet).
func DeleteMaterial(ctx context.Context, db bun.IDB, id, materialID uuid.UUID, expectedVersion int, now time.Time) (*Intervention, error) {
	return deletePart(ctx, db, "materials", id, materialID, expectedVersion, now)
}

func deletePart(ctx context.Context, db bun.IDB, table string, id, partID uuid.UUID, expectedVersion int, now time.Time) (*Intervention, error) {
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	res, err := db.NewDelete().Table(table).Where("id = ? AND intervention_id = ?", partID, id).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("interventions: delete from %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.NotFoundf(table)
	}
	return i, bump(ctx, db, i, now)
}

// SetActions replaces the per-machine / per-service sections of an open sheet. Sections with neither
// target nor text are dropped; a section needs a target ("actions.N.target") and texts within limits.
func SetActions(ctx context.Context, db bun.IDB, id uuid.UUID, actions []EquipmentAction, expectedVersion int, now time.Time) (*Intervention, error) {
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	var keep []*EquipmentAction
	for n, a := range actions {
		a.Target, a.Done, a.Remaining = strings.TrimSpace(a.Target), cleanText(a.Done), cleanText(a.Remaining)
		if a.Target == "" && a.Done == "" && a.Remaining == "" {
			continue
		}
		key := fmt.Sprintf("actions.%d.", n)
		switch l := utf8.RuneCountInString(a.Target); {
		case l == 0:
			f.Add(key+"target", "error.required")
		case l > MaxTarget:
			f.Add(key+"target", "error.too_long")
		}
		if utf8.RuneCountInString(a.Done) > MaxActionText {
			f.Add(key+"done", "error.too_long")
		}
		if utf8.RuneCountInString(a.Remaining) > MaxActionText {
			f.Add(key+"remaining", "error.too_long")
		}
		keep = append(keep, &EquipmentAction{ID: uuid.Must(uuid.NewV7()), InterventionID: i.ID, Position: len(keep),
			Target: a.Target, Done: a.Done, Remaining: a.Remaining})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := db.NewDelete().Table("equipment_actions").Where("intervention_id = ?", i.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("interventions: set actions: %w", err)
	}
	if len(keep) > 0 {
		if _, err := db.NewInsert().Model(&keep).Exec(ctx); err != nil {
			return nil, fmt.Errorf("interventions: set actions: %w", err)
		}
	}
	return i, bump(ctx, db, i, now)
}

// AddMaterial adds material handed over to the client to an open sheet (Material.Validate).
func AddMaterial(ctx context.Context, db bun.IDB, id uuid.UUID, m *Material, expectedVersion int, now time.Time) (*Intervention, error) {
	now = stamp(now)
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.ID, m.InterventionID, m.CreatedAt = uuid.Must(uuid.NewV7()), i.ID, now
	if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
		return nil, fmt.Errorf("interventions: add material: %w", err)
	}
	return i, bump(ctx, db, i, now)
}

// SetNotes saves the summary for the client, the internal notes and whether the client signs later
// from the portal, on an open sheet.
func SetNotes(ctx context.Context, db bun.IDB, id uuid.UUID, summary, internalNotes string, signLater bool, expectedVersion int, now time.Time) (*Intervention, error) {
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, err
	}
	summary, internalNotes = cleanText(summary), cleanText(internalNotes)
	f := apperr.Fields{}
	if utf8.RuneCountInString(summary) > MaxText {
		f.Add("summary", "error.too_long")
	}
	if utf8.RuneCountInString(internalNotes) > MaxText {
		f.Add("internal_notes", "error.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	i.Summary, i.InternalNotes, i.SignLater = summary, internalNotes, signLater
	return i, bump(ctx, db, i, now)
}

// Complete finishes an in-progress intervention: it needs at least one time entry (Invalid
// "time_entries": interventions.error.no_time), freezes the sheet (status done), prices it (package
// documentation, rules 6 and 7) and appends its register entry, all in the caller's transaction.
// loc is the provider's time zone (nil: Europe/Paris). It returns the sheet and its register entry.
func Complete(ctx context.Context, db bun.IDB, id uuid.UUID, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Sheet, *RegisterEntry, error) {
	now = stamp(now)
	loc, err := zone(loc)
	if err != nil {
		return nil, nil, err
	}
	i, err := lockOpen(ctx, db, id, expectedVersion)
	if err != nil {
		return nil, nil, err
	}
	if !CanTransition(i.Status, StatusDone) {
		return nil, nil, apperr.Conflictf(ErrTransition)
	}
	s, err := loadSheet(ctx, db, i)
	if err != nil {
		return nil, nil, err
	}
	if len(s.TimeEntries) == 0 {
		return nil, nil, apperr.Fields{"time_entries": "interventions.error.no_time"}.Err()
	}
	// Lock the contract's included hours: two sheets of one contract completed at once must not both
	// spend the same remaining minutes.
	if i.ContractID.Valid {
		if _, err := db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('hours:' || ?::text, 0))", i.ContractID.UUID); err != nil {
			return nil, nil, fmt.Errorf("interventions: hours lock: %w", err)
		}
	}
	cost, err := sheetCost(ctx, db, s, now, loc)
	if err != nil {
		return nil, nil, fmt.Errorf("interventions: complete: %w", err)
	}
	i.Status, i.CompletedAt = StatusDone, now
	if err := bump(ctx, db, i, now); err != nil {
		return nil, nil, err
	}
	if err := loadTechnicians(ctx, db, []*Intervention{i}); err != nil {
		return nil, nil, err
	}
	e := registerEntryOf(s, cost, now, loc)
	if err := addCheckedSteps(ctx, db, e); err != nil {
		return nil, nil, err
	}
	if err := Append(ctx, db, e, now); err != nil {
		return nil, nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionCompleted, map[string]any{
		"register_seq": e.Seq, "total_cost_cents": cost.TotalCents,
	}, now); err != nil {
		return nil, nil, err
	}
	s, err = GetSheet(ctx, db, i.ID)
	if err != nil {
		return nil, nil, err
	}
	return s, e, nil
}

// registerEntryOf is the register entry of a completed sheet.
func registerEntryOf(s *Sheet, cost Cost, now time.Time, loc *time.Location) *RegisterEntry {
	by := s.MinutesBy()
	var subjects, actions []string
	for _, a := range s.Actions {
		subjects = append(subjects, a.Target)
		if a.Done != "" {
			actions = append(actions, a.Target+" : "+a.Done)
		}
	}
	if len(actions) == 0 && s.Summary != "" {
		actions = append(actions, s.Summary)
	}
	names := map[string]bool{}
	var techs []string
	for _, t := range s.Technicians {
		if !names[t.Name] {
			names[t.Name] = true
			techs = append(techs, t.Name)
		}
	}
	return &RegisterEntry{
		ClientID: s.ClientID, InterventionID: s.ID, OccurredOn: contracts.Day(now.In(loc)), ContractID: s.ContractID,
		Kind: s.Kind, Subject: strings.Join(subjects, " ; "), Actions: strings.Join(actions, "\n"),
		MinutesWork: by[CategoryWork], MinutesTravel: by[CategoryTravel], MinutesOnSite: by[CategoryOnSite],
		MinutesResearch: by[CategoryResearch], MaterialsCents: cost.MaterialsCents, TimeCostCents: cost.TimeCostCents,
		TotalCostCents: cost.TotalCents, Technicians: strings.Join(techs, ", "), SheetReference: s.Reference(),
	}
}

// addCheckedSteps adds to the entry's actions the checklist steps ticked on a preventive visit's
// sheet (app/scheduling keeps the checklist), one line each, before the entry is hashed.
func addCheckedSteps(ctx context.Context, db bun.IDB, e *RegisterEntry) error {
	var steps []string
	if err := db.NewSelect().Table("visit_checklist_items").Column("label").
		Where("intervention_id = ? AND checked", e.InterventionID).Order("position").Scan(ctx, &steps); err != nil {
		return fmt.Errorf("interventions: checklist: %w", err)
	}
	lines := make([]string, 0, len(steps)+1)
	if e.Actions != "" {
		lines = append(lines, e.Actions)
	}
	for _, st := range steps {
		lines = append(lines, "✓ "+st)
	}
	e.Actions = strings.Join(lines, "\n")
	return nil
}

// AddAddendum appends a correction or complement to a completed sheet, and its register entry (no
// time, no cost: the addendum's text is its actions), in the caller's transaction. Only completed
// sheets take addenda (Conflict ErrNotDone); the body is required ("body").
func AddAddendum(ctx context.Context, db bun.IDB, id uuid.UUID, body string, actor audit.Actor, now time.Time, loc *time.Location) (*Addendum, *RegisterEntry, error) {
	now = stamp(now)
	loc, err := zone(loc)
	if err != nil {
		return nil, nil, err
	}
	i := new(Intervention)
	if err := db.NewSelect().Model(i).Where("i.id = ?", id).For("NO KEY UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, nil, apperr.NotFoundf("intervention")
		}
		return nil, nil, fmt.Errorf("interventions: addendum: %w", err)
	}
	if i.Status != StatusDone {
		return nil, nil, apperr.Conflictf(ErrNotDone)
	}
	body = cleanText(body)
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return nil, nil, apperr.Fields{"body": "error.required"}.Err()
	case n > MaxAddendum:
		return nil, nil, apperr.Fields{"body": "error.too_long"}.Err()
	}
	a := &Addendum{ID: uuid.Must(uuid.NewV7()), InterventionID: i.ID, AuthorID: nullID(actor.UserID),
		AuthorLabel: actor.Label, Body: body, CreatedAt: now}
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("interventions: addendum: %w", err)
	}
	e := &RegisterEntry{
		ClientID: i.ClientID, InterventionID: i.ID, AddendumID: nullID(a.ID), OccurredOn: contracts.Day(now.In(loc)),
		ContractID: i.ContractID, Kind: i.Kind, Subject: i.Title, Actions: body, Technicians: actor.Label,
		SheetReference: i.Reference(),
	}
	if err := Append(ctx, db, e, now); err != nil {
		return nil, nil, err
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionAddendum, map[string]any{"register_seq": e.Seq}, now); err != nil {
		return nil, nil, err
	}
	return a, e, nil
}
