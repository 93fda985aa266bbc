package tickets

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
)

// Catalogue keys of the conflicts the store reports (apperr Conflict, 409 in the web layer).
const (
	// ErrStale: someone changed the ticket since the page was read (expectedVersion).
	ErrStale = "error.stale"
	// ErrTransition: the status machine does not allow the move from the ticket's status.
	ErrTransition = "tickets.error.transition"
	// ErrReopenExpired: the client's ReopenWindow is over.
	ErrReopenExpired = "tickets.error.reopen_expired"
	// ErrClosed: a closed ticket takes no message, attachment, diagnosis, assignment or priority.
	ErrClosed = "tickets.error.closed"
	// ErrNotOpen: only tickets still being worked on are escalated.
	ErrNotOpen = "tickets.error.not_open"
	// ErrEscalationLevel: escalation only goes up, to MaxEscalation at most.
	ErrEscalationLevel = "tickets.error.escalation_level"
)

// stamp is now as the database keeps it (UTC, microseconds), so that what the clock computes in
// memory is what is read back.
func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Microsecond) }

// zone is loc, or Europe/Paris when nil.
func zone(loc *time.Location) (*time.Location, error) {
	if loc != nil {
		return loc, nil
	}
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, fmt.Errorf("tickets: time zone: %w", err)
	}
	return l, nil
}

// selectTickets selects tickets with their client's name, contract reference and assignee's name.
func selectTickets(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("t.*").
		ColumnExpr("cl.name AS client_name").
		ColumnExpr("coalesce(ct.reference, '') AS contract_reference").
		ColumnExpr("coalesce(u.name, '') AS assignee_name").
		Join("JOIN clients AS cl ON cl.id = t.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = t.contract_id").
		Join("LEFT JOIN users AS u ON u.id = t.assignee_id")
}

// Get returns a ticket with its client's name, contract reference and assignee's name, for staff.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Ticket, error) {
	return get(ctx, db, id, uuid.Nil)
}

// GetForClient returns a ticket of one client, for the portal: another client's ticket is
// NotFound, exactly like a missing one.
func GetForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID) (*Ticket, error) {
	if clientID == uuid.Nil {
		return nil, apperr.NotFoundf("ticket")
	}
	return get(ctx, db, id, clientID)
}

func get(ctx context.Context, db bun.IDB, id, clientID uuid.UUID) (*Ticket, error) {
	t := new(Ticket)
	q := selectTickets(db, t).Where("t.id = ?", id)
	if clientID != uuid.Nil {
		q = q.Where("t.client_id = ?", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("ticket")
		}
		return nil, fmt.Errorf("tickets: get: %w", err)
	}
	return t, nil
}

// lock reads a ticket for update (FOR NO KEY UPDATE: concurrent changes of the ticket wait, rows
// that merely reference it do not); for a client actor only a ticket of its client (else NotFound).
func lock(ctx context.Context, db bun.IDB, id uuid.UUID, actor Actor) (*Ticket, error) {
	t := new(Ticket)
	q := db.NewSelect().Model(t).Where("t.id = ?", id).For("NO KEY UPDATE")
	if actor.IsClient() {
		q = q.Where("t.client_id = ?", actor.ClientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("ticket")
		}
		return nil, fmt.Errorf("tickets: lock: %w", err)
	}
	return t, nil
}

// Open records a new fault report at now and returns it with its number (T-1042) and deadlines.
// loc is the provider's time zone (nil means Europe/Paris): it decides the opening day, hence the
// contract version in force, and the SLA snapshot keeps it. Run it in the caller's transaction:
// the number counter, the history entry ("opened") and the audit entry (ticket.opened) are part
// of it.
//
// Bad input is Invalid with the field keys of OpenInput.Validate plus: "client_id"
// (tickets.error.client_unknown), "reporter_id" (tickets.error.reporter_unknown: not an active user
// of the client), "contract_id" (tickets.error.contract_unknown: not one of the client's;
// tickets.error.contract_not_running: not active or suspended; tickets.error.contract_not_started:
// no terms in force on the opening day), "service_label" (tickets.error.service_unknown: not a
// service of the terms in force). A client actor may only open tickets for its own client
// (Forbidden otherwise). The SLA comes from the contract version in force (package documentation, rule 1).
func Open(ctx context.Context, db bun.IDB, in OpenInput, actor Actor, now time.Time, loc *time.Location) (*Ticket, error) {
	now = stamp(now)
	loc, err := zone(loc)
	if err != nil {
		return nil, err
	}
	if actor.IsClient() && in.ClientID != actor.ClientID {
		return nil, apperr.Forbiddenf("tickets: open for another client")
	}
	in.Normalize()
	f := apperr.Fields{}
	in.check(f)
	version, err := checkOpen(ctx, db, &in, now, loc, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	t := &Ticket{
		ID: uuid.Must(uuid.NewV7()), ClientID: in.ClientID, ServiceLabel: in.ServiceLabel,
		Title: in.Title, Description: in.Description, Priority: in.Priority, PriorityCode: in.Priority.String(),
		Channel: in.Channel, ReporterLabel: in.ReporterLabel, ContactPhone: in.ContactPhone,
		ReporterID: uuid.NullUUID{UUID: in.ReporterID, Valid: in.ReporterID != uuid.Nil},
		Status:     StatusNew, OpenedAt: now, UpdatedAt: now, Version: 1,
	}
	if version != nil {
		t.ContractID = uuid.NullUUID{UUID: version.ContractID, Valid: true}
		t.ContractVersion = version.No
		if version.SLAPolicyID.Valid {
			p, err := contracts.GetSLAPolicy(ctx, db, version.SLAPolicyID.UUID)
			if err != nil {
				return nil, fmt.Errorf("tickets: open: %w", err)
			}
			snap := NewSLASnapshot(p, loc)
			if targets, ok := snap.TargetsFor(in.Priority); ok {
				t.SLAPolicyID, t.SLA = version.SLAPolicyID, snap
				t.ReactionMinutes, t.ResolutionMinutes = targets.ReactionMinutes, targets.ResolutionMinutes
			}
		}
	}
	cal, err := t.Calendar()
	if err != nil {
		return nil, fmt.Errorf("tickets: open: %w", err)
	}
	t.refreshSLA(cal, nil)
	if t.Number, err = database.NextNumber(ctx, db, NumberSeries, 0); err != nil {
		return nil, fmt.Errorf("tickets: open: %w", err)
	}
	if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
		return nil, fmt.Errorf("tickets: open: %w", err)
	}
	if err := addEvent(ctx, db, t, actor, EventOpened, "", string(t.Channel), "", now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, t, actor, audit.TicketOpened, map[string]any{
		"channel": string(t.Channel), "priority": t.Priority.String(),
	}, now); err != nil {
		return nil, err
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// checkOpen records in f what is wrong with the client, reporter, contract and service of in, and
// returns the contract version in force on the opening day (nil without contract).
func checkOpen(ctx context.Context, db bun.IDB, in *OpenInput, now time.Time, loc *time.Location, f apperr.Fields) (*contracts.Version, error) {
	if in.ClientID == uuid.Nil {
		return nil, nil
	}
	cl, err := clients.Get(ctx, db, in.ClientID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		f.Add("client_id", "tickets.error.client_unknown")
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("tickets: open: %w", err)
	case cl.Archived:
		f.Add("client_id", "tickets.error.client_unknown")
	}
	if in.ReporterID != uuid.Nil {
		u, err := accounts.ClientUser(ctx, db, in.ClientID, in.ReporterID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound || (err == nil && !u.Active):
			f.Add("reporter_id", "tickets.error.reporter_unknown")
		case err != nil:
			return nil, fmt.Errorf("tickets: open: %w", err)
		case in.ReporterLabel == "":
			in.ReporterLabel = truncate(u.Name, MaxReporter)
		}
	}
	if in.ContractID == uuid.Nil {
		return nil, nil
	}
	c, err := contracts.GetForClient(ctx, db, in.ClientID, in.ContractID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		f.Add("contract_id", "tickets.error.contract_unknown")
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("tickets: open: %w", err)
	case !c.Status.IsRunning():
		f.Add("contract_id", "tickets.error.contract_not_running")
		return nil, nil
	}
	v, err := contracts.VersionAt(ctx, db, c.ID, contracts.Day(now.In(loc)))
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		f.Add("contract_id", "tickets.error.contract_not_started")
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("tickets: open: %w", err)
	}
	if in.ServiceLabel != "" && !slices.ContainsFunc(v.Services, func(s contracts.Service) bool {
		return ServiceLabelOf(s) == in.ServiceLabel
	}) {
		f.Add("service_label", "tickets.error.service_unknown")
	}
	return v, nil
}

// ticketColumns are the columns a change of a ticket may write.
var ticketColumns = []string{
	"status", "assignee_id", "escalation_level", "diagnosis", "repair_plan", "priority",
	"reaction_minutes", "resolution_minutes", "reaction_due_at", "resolution_due_at",
	"reaction_risk_at", "resolution_risk_at", "next_due_at", "risk_at",
	"acknowledged_at", "resolved_at", "closed_at", "reaction_breached", "resolution_breached",
	"reaction_elapsed_seconds", "resolution_elapsed_seconds", "reopened_count", "updated_at", "version",
}

// save writes t's changeable columns at now; bump adds one to its version (a change another person
// editing the ticket must notice).
func save(ctx context.Context, db bun.IDB, t *Ticket, bump bool, now time.Time) error {
	if bump {
		t.Version++
	}
	t.UpdatedAt = now
	t.PriorityCode = t.Priority.String()
	if _, err := db.NewUpdate().Model(t).Column(ticketColumns...).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("tickets: save: %w", err)
	}
	return nil
}

// Pauses returns the pauses of a ticket's resolution clock, the earliest first.
func Pauses(ctx context.Context, db bun.IDB, ticketID uuid.UUID) ([]*Pause, error) {
	var ps []*Pause
	if err := db.NewSelect().Model(&ps).Where("p.ticket_id = ?", ticketID).OrderExpr("p.started_at").
		Limit(1000).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: pauses: %w", err)
	}
	return ps, nil
}

// savePauses writes the difference between a ticket's pauses before and after a change: pauses
// gone are deleted, closed ones updated, new ones inserted (in that order, so that at most one is
// ever open).
func savePauses(ctx context.Context, db bun.IDB, before, after []*Pause) error {
	key := func(p *Pause) int64 { return p.StartedAt.UnixMicro() }
	old := make(map[int64]*Pause, len(before))
	for _, p := range before {
		old[key(p)] = p
	}
	kept := make(map[int64]bool, len(after))
	var inserts []*Pause
	for _, p := range after {
		kept[key(p)] = true
		o, ok := old[key(p)]
		switch {
		case !ok:
			inserts = append(inserts, p)
		case !o.EndedAt.Equal(p.EndedAt.Time):
			if _, err := db.NewUpdate().Model(p).Column("ended_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("tickets: close pause: %w", err)
			}
		}
	}
	for _, p := range before {
		if !kept[key(p)] {
			if _, err := db.NewDelete().Model(p).WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("tickets: drop pause: %w", err)
			}
		}
	}
	for _, p := range inserts {
		if _, err := db.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("tickets: add pause: %w", err)
		}
	}
	return nil
}

// addEvent appends a line to the ticket's history.
func addEvent(ctx context.Context, db bun.IDB, t *Ticket, actor Actor, kind EventKind, from, to, note string, now time.Time) error {
	e := &Event{
		ID: uuid.Must(uuid.NewV7()), TicketID: t.ID, At: now, ActorID: actor.userID(), ActorLabel: actor.label(),
		Kind: kind, From: from, To: to, Note: truncate(note, MaxNote),
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("tickets: add event: %w", err)
	}
	return nil
}

// writeAudit appends an audit entry about t.
func writeAudit(ctx context.Context, db bun.IDB, t *Ticket, actor Actor, action string, details map[string]any, now time.Time) error {
	if details == nil {
		details = map[string]any{}
	}
	details["number"] = t.Reference()
	return audit.Write(ctx, db, now, actor.Audit, audit.Event{
		Action: action, TargetType: "ticket", TargetID: t.ID.String(), ClientID: t.ClientID, Details: details,
	})
}

// checkNote tidies a note and refuses a too long one (field "note").
func checkNote(note string) (string, error) {
	note = text(note)
	f := apperr.Fields{}
	checkText(f, "note", note, MaxNote, false)
	return note, f.Err()
}

// Transition moves a ticket to status to at now, applying the clock rules (package documentation: acknowledging
// stops the reaction clock, waiting on the client pauses the resolution clock, resolving stops it,
// resolved → in_progress reopens), and records a history entry ("status", or "reopened") with the
// optional note and an audit entry (ticket.status_changed). expectedVersion is the version the page
// was read at.
//
// Errors: NotFound (unknown ticket, or another client's for a client actor); Conflict ErrStale
// when the ticket changed since, ErrTransition when the move is not allowed from its status,
// ErrReopenExpired when a client reopens after ReopenWindow; Forbidden when a client attempts a
// move other than closing or reopening a resolved ticket (ClientMayMove); Invalid "note"
// (error.too_long).
func Transition(ctx context.Context, db bun.IDB, id uuid.UUID, to Status, actor Actor, note string, expectedVersion int, now time.Time) (*Ticket, error) {
	now = stamp(now)
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	t, err := lock(ctx, db, id, actor)
	if err != nil {
		return nil, err
	}
	if t.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if !CanTransition(t.Status, to) {
		return nil, apperr.Conflictf(ErrTransition)
	}
	if actor.IsClient() {
		if !ClientMayMove(t.Status, to) {
			return nil, apperr.Forbiddenf("tickets: move reserved to staff")
		}
		if IsReopen(t.Status, to) && !t.ClientMayReopen(now) {
			return nil, apperr.Conflictf(ErrReopenExpired)
		}
	}
	if err := transition(ctx, db, t, to, actor, note, now); err != nil {
		return nil, err
	}
	if err := save(ctx, db, t, true, now); err != nil {
		return nil, err
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// transition applies one move to a locked ticket and records it, without saving the ticket.
func transition(ctx context.Context, db bun.IDB, t *Ticket, to Status, actor Actor, note string, now time.Time) error {
	cal, err := t.Calendar()
	if err != nil {
		return err
	}
	before, err := Pauses(ctx, db, t.ID)
	if err != nil {
		return err
	}
	from := t.Status
	after := t.move(to, before, now, cal)
	if err := savePauses(ctx, db, before, after); err != nil {
		return err
	}
	kind := EventStatus
	if IsReopen(from, to) {
		kind = EventReopened
	}
	if err := addEvent(ctx, db, t, actor, kind, string(from), string(to), note, now); err != nil {
		return err
	}
	return writeAudit(ctx, db, t, actor, audit.TicketStatusChanged, map[string]any{
		"from": string(from), "to": string(to), "reopened": kind == EventReopened,
	}, now)
}

// SetDiagnosis records the diagnosis and the repair plan of a ticket (both shown to the client),
// by staff. A ticket still new is acknowledged first (which stops its reaction clock), and a new or
// acknowledged ticket moves to diagnosed, each move with its history and audit entries; in other
// statuses only the texts change. It writes a "diagnosis" history entry and an audit entry
// (ticket.diagnosis_recorded) when the texts change; unchanged texts on a ticket already past
// acknowledged change nothing.
//
// Errors: NotFound; Forbidden for a client actor; Conflict ErrStale, ErrClosed; Invalid
// "diagnosis" (error.required, error.too_long), "repair_plan" (error.too_long).
func SetDiagnosis(ctx context.Context, db bun.IDB, id uuid.UUID, diagnosis, repairPlan string, actor Actor, expectedVersion int, now time.Time) (*Ticket, error) {
	now = stamp(now)
	if actor.IsClient() {
		return nil, apperr.Forbiddenf("tickets: diagnosis reserved to staff")
	}
	diagnosis, repairPlan = text(diagnosis), text(repairPlan)
	f := apperr.Fields{}
	checkText(f, "diagnosis", diagnosis, MaxDiagnosis, true)
	checkText(f, "repair_plan", repairPlan, MaxDiagnosis, false)
	if err := f.Err(); err != nil {
		return nil, err
	}
	t, err := lock(ctx, db, id, actor)
	if err != nil {
		return nil, err
	}
	if t.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if t.Status == StatusClosed {
		return nil, apperr.Conflictf(ErrClosed)
	}
	changed := false
	for _, step := range []struct{ from, to Status }{{StatusNew, StatusAcknowledged}, {StatusAcknowledged, StatusDiagnosed}} {
		if t.Status == step.from {
			if err := transition(ctx, db, t, step.to, actor, "", now); err != nil {
				return nil, err
			}
			changed = true
		}
	}
	if diagnosis != t.Diagnosis || repairPlan != t.RepairPlan {
		t.Diagnosis, t.RepairPlan = diagnosis, repairPlan
		if err := addEvent(ctx, db, t, actor, EventDiagnosis, "", "", "", now); err != nil {
			return nil, err
		}
		if err := writeAudit(ctx, db, t, actor, audit.TicketDiagnosisRecorded, nil, now); err != nil {
			return nil, err
		}
		changed = true
	}
	if changed {
		if err := save(ctx, db, t, true, now); err != nil {
			return nil, err
		}
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// Assign gives a ticket to a technician (an active staff user), or to nobody with uuid.Nil, by
// staff. It records an "assigned" history entry (the names before and after) and an audit entry
// (ticket.assigned); assigning to the current assignee changes nothing.
//
// Errors: NotFound; Forbidden for a client actor; Conflict ErrStale, ErrClosed; Invalid
// "assignee_id" (tickets.error.assignee_unknown: not an active staff user).
func Assign(ctx context.Context, db bun.IDB, id, assigneeID uuid.UUID, actor Actor, expectedVersion int, now time.Time) (*Ticket, error) {
	now = stamp(now)
	if actor.IsClient() {
		return nil, apperr.Forbiddenf("tickets: assignment reserved to staff")
	}
	newName := ""
	if assigneeID != uuid.Nil {
		u, err := accounts.UserByID(ctx, db, assigneeID)
		switch {
		case apperr.KindOf(err) == apperr.NotFound || (err == nil && (!u.IsStaff() || !u.Active)):
			return nil, apperr.Fields{"assignee_id": "tickets.error.assignee_unknown"}.Err()
		case err != nil:
			return nil, fmt.Errorf("tickets: assign: %w", err)
		}
		newName = u.Name
	}
	t, err := lock(ctx, db, id, actor)
	if err != nil {
		return nil, err
	}
	if t.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if t.Status == StatusClosed {
		return nil, apperr.Conflictf(ErrClosed)
	}
	if t.AssigneeID.UUID == assigneeID {
		return get(ctx, db, t.ID, uuid.Nil)
	}
	oldName := ""
	if t.AssigneeID.Valid {
		if u, err := accounts.UserByID(ctx, db, t.AssigneeID.UUID); err == nil {
			oldName = u.Name
		}
	}
	t.AssigneeID = uuid.NullUUID{UUID: assigneeID, Valid: assigneeID != uuid.Nil}
	if err := addEvent(ctx, db, t, actor, EventAssigned, oldName, newName, "", now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, t, actor, audit.TicketAssigned, map[string]any{"assignee": assigneeID.String(), "name": newName}, now); err != nil {
		return nil, err
	}
	if err := save(ctx, db, t, true, now); err != nil {
		return nil, err
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// ChangePriority gives a ticket another priority, by staff, with an optional note. The targets of
// the new priority replace the old ones, measured from the original opening with the same pauses
// (package documentation, rule 6: raising the priority can make the ticket breached at once). It records a
// "priority" history entry and an audit entry (ticket.priority_changed); the same priority changes
// nothing.
//
// Errors: NotFound; Forbidden for a client actor; Conflict ErrStale, ErrClosed; Invalid "priority"
// (tickets.error.priority), "note" (error.too_long).
func ChangePriority(ctx context.Context, db bun.IDB, id uuid.UUID, p sla.Priority, actor Actor, note string, expectedVersion int, now time.Time) (*Ticket, error) {
	now = stamp(now)
	if actor.IsClient() {
		return nil, apperr.Forbiddenf("tickets: priority reserved to staff")
	}
	if !p.IsValid() {
		return nil, apperr.Fields{"priority": "tickets.error.priority"}.Err()
	}
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	t, err := lock(ctx, db, id, actor)
	if err != nil {
		return nil, err
	}
	if t.Version != expectedVersion {
		return nil, apperr.Conflictf(ErrStale)
	}
	if t.Status == StatusClosed {
		return nil, apperr.Conflictf(ErrClosed)
	}
	from := t.Priority
	if from == p {
		return get(ctx, db, t.ID, uuid.Nil)
	}
	cal, err := t.Calendar()
	if err != nil {
		return nil, err
	}
	pauses, err := Pauses(ctx, db, t.ID)
	if err != nil {
		return nil, err
	}
	t.setPriority(p, pauses, cal)
	if err := addEvent(ctx, db, t, actor, EventPriority, from.String(), p.String(), note, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, t, actor, audit.TicketPriorityChanged, map[string]any{"from": from.String(), "to": p.String()}, now); err != nil {
		return nil, err
	}
	if err := save(ctx, db, t, true, now); err != nil {
		return nil, err
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// Escalate raises a ticket to escalation level (1 to MaxEscalation, above its current level), by
// staff or by the escalation job (SystemActor), with an optional note: an "escalated" history entry
// (the visible escalation history) and an audit entry (ticket.escalated). It does not change the
// ticket's version, so that a job escalating never makes a staff member's open form stale; and it
// takes no expectedVersion: escalating twice to the same level is a Conflict, which lets a retried
// job know it was done already (no duplicate mail).
//
// Errors: NotFound; Forbidden for a client actor; Conflict ErrNotOpen (resolved or closed ticket),
// ErrEscalationLevel; Invalid "note".
func Escalate(ctx context.Context, db bun.IDB, id uuid.UUID, level int, actor Actor, note string, now time.Time) (*Ticket, error) {
	now = stamp(now)
	if actor.IsClient() {
		return nil, apperr.Forbiddenf("tickets: escalation reserved to staff")
	}
	note, err := checkNote(note)
	if err != nil {
		return nil, err
	}
	t, err := lock(ctx, db, id, actor)
	if err != nil {
		return nil, err
	}
	if !t.Status.IsOpen() {
		return nil, apperr.Conflictf(ErrNotOpen)
	}
	if level <= t.EscalationLevel || level > MaxEscalation {
		return nil, apperr.Conflictf(ErrEscalationLevel)
	}
	from := t.EscalationLevel
	t.EscalationLevel = level
	if err := addEvent(ctx, db, t, actor, EventEscalated, strconv.Itoa(from), strconv.Itoa(level), note, now); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, db, t, actor, audit.TicketEscalated, map[string]any{"from": from, "to": level}, now); err != nil {
		return nil, err
	}
	if err := save(ctx, db, t, false, now); err != nil {
		return nil, err
	}
	return get(ctx, db, t.ID, uuid.Nil)
}

// AddMessage adds a message to a ticket's conversation at now: from a client user of the ticket's
// client (public), or from staff (public, or an internal note with internal, never shown in the
// portal). A client message on a ticket waiting on the client resumes it to in_progress
// automatically (the client answered, so the resolution clock runs again: a "status" history entry
// by the client and an audit entry); resumed reports it. A message on a resolved ticket does not
// reopen it (that is Transition to in_progress). Messages do not change the ticket's version
// otherwise.
//
// Errors: NotFound (unknown ticket, or another client's for a client actor); Forbidden for an
// internal note from a client; Conflict ErrClosed; Invalid "body" (error.required,
// error.too_long).
func AddMessage(ctx context.Context, db bun.IDB, ticketID uuid.UUID, author Actor, internal bool, body string, now time.Time) (msg *Message, resumed bool, err error) {
	now = stamp(now)
	if internal && author.IsClient() {
		return nil, false, apperr.Forbiddenf("tickets: internal notes are for staff")
	}
	body = text(body)
	f := apperr.Fields{}
	checkText(f, "body", body, MaxMessage, true)
	if err := f.Err(); err != nil {
		return nil, false, err
	}
	t, err := lock(ctx, db, ticketID, author)
	if err != nil {
		return nil, false, err
	}
	if t.Status == StatusClosed {
		return nil, false, apperr.Conflictf(ErrClosed)
	}
	msg = &Message{
		ID: uuid.Must(uuid.NewV7()), TicketID: t.ID, AuthorID: author.userID(), AuthorLabel: author.label(),
		FromStaff: !author.IsClient(), Internal: internal, Body: body, CreatedAt: now,
	}
	if _, err := db.NewInsert().Model(msg).Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("tickets: add message: %w", err)
	}
	if author.IsClient() && t.Status == StatusWaitingClient {
		if err := transition(ctx, db, t, StatusInProgress, author, "", now); err != nil {
			return nil, false, err
		}
		if err := save(ctx, db, t, true, now); err != nil {
			return nil, false, err
		}
		resumed = true
	}
	return msg, resumed, nil
}

// Messages returns a ticket's conversation, the oldest first, with each message's attachments;
// internal notes (and internal attachments) only with includeInternal. Portal callers check the
// ticket with GetForClient first (or use LoadDetailForClient) and never include internal ones.
func Messages(ctx context.Context, db bun.IDB, ticketID uuid.UUID, includeInternal bool) ([]*Message, error) {
	atts, err := Attachments(ctx, db, ticketID, includeInternal)
	if err != nil {
		return nil, err
	}
	return messages(ctx, db, ticketID, includeInternal, atts)
}

// messages reads the conversation and gives each message its files among atts.
func messages(ctx context.Context, db bun.IDB, ticketID uuid.UUID, includeInternal bool, atts []*Attachment) ([]*Message, error) {
	var ms []*Message
	q := db.NewSelect().Model(&ms).Where("m.ticket_id = ?", ticketID).OrderExpr("m.created_at, m.id").Limit(2000)
	if !includeInternal {
		q = q.Where("NOT m.internal")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: messages: %w", err)
	}
	byID := make(map[uuid.UUID]*Message, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
	}
	for _, a := range atts {
		if m := byID[a.MessageID.UUID]; a.MessageID.Valid && m != nil {
			m.Attachments = append(m.Attachments, a)
		}
	}
	return ms, nil
}

// Events returns a ticket's history, the oldest first (all of it: the portal shows only those
// VisibleToClient).
func Events(ctx context.Context, db bun.IDB, ticketID uuid.UUID) ([]*Event, error) {
	var es []*Event
	if err := db.NewSelect().Model(&es).Where("e.ticket_id = ?", ticketID).OrderExpr("e.at, e.id").
		Limit(2000).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: events: %w", err)
	}
	return es, nil
}

// Detail is everything a ticket's page shows, read in a bounded number of queries.
type Detail struct {
	Ticket *Ticket
	// Messages are the conversation with their attachments (internal notes for staff only).
	Messages []*Message
	// ReportAttachments are the files sent with the report itself (no message).
	ReportAttachments []*Attachment
	// Events are the history (for a client, only those VisibleToClient).
	Events []*Event
	// Pauses are the pauses of the resolution clock.
	Pauses []*Pause
	// SLA is the state of the clocks at the instant asked, with business time elapsed and left.
	SLA SLAView
}

// LoadDetail reads a ticket's page for staff at now: the ticket, the whole conversation with
// internal notes, the report's attachments, the full history, the pauses and the SLA.
func LoadDetail(ctx context.Context, db bun.IDB, id uuid.UUID, now time.Time) (*Detail, error) {
	t, err := Get(ctx, db, id)
	if err != nil {
		return nil, err
	}
	return loadDetail(ctx, db, t, true, now)
}

// LoadDetailForClient reads a ticket's page for the portal: another client's ticket is NotFound;
// internal notes, internal attachments and internal history entries are left out.
func LoadDetailForClient(ctx context.Context, db bun.IDB, clientID, id uuid.UUID, now time.Time) (*Detail, error) {
	t, err := GetForClient(ctx, db, clientID, id)
	if err != nil {
		return nil, err
	}
	return loadDetail(ctx, db, t, false, now)
}

func loadDetail(ctx context.Context, db bun.IDB, t *Ticket, staff bool, now time.Time) (*Detail, error) {
	d := &Detail{Ticket: t}
	atts, err := Attachments(ctx, db, t.ID, staff)
	if err != nil {
		return nil, err
	}
	if d.Messages, err = messages(ctx, db, t.ID, staff, atts); err != nil {
		return nil, err
	}
	for _, a := range atts {
		if !a.MessageID.Valid {
			d.ReportAttachments = append(d.ReportAttachments, a)
		}
	}
	es, err := Events(ctx, db, t.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if staff || e.VisibleToClient() {
			d.Events = append(d.Events, e)
		}
	}
	if d.Pauses, err = Pauses(ctx, db, t.ID); err != nil {
		return nil, err
	}
	cal, err := t.Calendar()
	if err != nil {
		return nil, err
	}
	d.SLA = ComputeSLA(t, d.Pauses, cal, now)
	return d, nil
}
