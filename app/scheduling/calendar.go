package scheduling

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"maintenant/app/contracts"
	"maintenant/app/interventions"
)

// Entry is one intervention on the schedule.
type Entry struct {
	ID                uuid.UUID            `bun:"id,type:uuid"`
	Number            int                  `bun:"number"`
	ClientID          uuid.UUID            `bun:"client_id,type:uuid"`
	ClientName        string               `bun:"client_name"`
	ContractReference string               `bun:"contract_reference"`
	Kind              interventions.Kind   `bun:"kind"`
	Status            interventions.Status `bun:"status"`
	Place             interventions.Place  `bun:"place"`
	Title             string               `bun:"title"`
	Summary           string               `bun:"summary"`
	ScheduledAt       time.Time            `bun:"scheduled_at"`
	EstimatedMinutes  int                  `bun:"estimated_minutes"`
	Version           int                  `bun:"version"`
	// TechnicianIDs and Technicians are the assigned staff, ordered by name ("" when none).
	TechnicianIDs []string `bun:"technician_ids,array"`
	Technicians   string   `bun:"technicians"`
	// OccursOn and ShiftReason say when a preventive visit moved off a closed day.
	OccursOn    time.Time `bun:"occurs_on,nullzero"`
	PlannedOn   time.Time `bun:"planned_on,nullzero"`
	ShiftReason string    `bun:"shift_reason"`
	// Rescheduled counts the visit's reschedules.
	Rescheduled int `bun:"rescheduled"`
}

// Reference is the intervention's reference (I-0042).
func (e *Entry) Reference() string { return interventions.Reference(e.Number) }

// Minutes is the planned duration: the estimate, or an hour when there is none.
func (e *Entry) Minutes() int {
	if e.EstimatedMinutes > 0 {
		return e.EstimatedMinutes
	}
	return 60
}

// End is when the planned work ends.
func (e *Entry) End() time.Time { return e.ScheduledAt.Add(time.Duration(e.Minutes()) * time.Minute) }

// Overdue tells whether the entry's day has passed while it is not done (today is the provider's
// civil day, loc its zone).
func (e *Entry) Overdue(today time.Time, loc *time.Location) bool {
	return !e.Status.IsFinal() && e.Status != interventions.StatusInProgress && day(e.ScheduledAt, loc).Before(today)
}

// Shifted tells whether the visit was moved off a closed day by the generation.
func (e *Entry) Shifted() bool { return !e.OccursOn.IsZero() && !e.OccursOn.Equal(e.PlannedOn) }

// HasTechnician tells whether the staff user id is assigned.
func (e *Entry) HasTechnician(id uuid.UUID) bool {
	for _, t := range e.TechnicianIDs {
		if t == id.String() {
			return true
		}
	}
	return false
}

// Filter selects schedule entries.
type Filter struct {
	// From and To bound the scheduled instants [From, To).
	From, To time.Time
	// TechnicianID keeps one technician's entries; Unassigned keeps those without any.
	TechnicianID uuid.UUID
	ClientID     uuid.UUID
	// Preventive keeps the preventive visits only.
	Preventive bool
	// WithCancelled keeps cancelled interventions (left out by default).
	WithCancelled bool
	// Overdue keeps, instead of [From, To), what was due before From and is not done.
	Overdue bool
	Limit   int
	// PerDay, when set, keeps the first PerDay entries of each day (days in Location): the week and
	// month grids show that many and link to the day for the rest (DayCounts).
	PerDay   int
	Location *time.Location
}

// where applies the filter's conditions to a query over interventions AS i.
func (f Filter) where(q *bun.SelectQuery) *bun.SelectQuery {
	q = q.Where("i.scheduled_at IS NOT NULL")
	if f.Overdue {
		q = q.Where("i.scheduled_at < ? AND i.status IN ('scheduled', 'todo')", f.From)
	} else {
		q = q.Where("i.scheduled_at >= ? AND i.scheduled_at < ?", f.From, f.To)
		if !f.WithCancelled {
			q = q.Where("i.status <> 'cancelled'")
		}
	}
	if f.TechnicianID != uuid.Nil {
		q = q.Where("EXISTS (SELECT 1 FROM intervention_technicians AS it WHERE it.intervention_id = i.id AND it.user_id = ?)", f.TechnicianID)
	}
	if f.ClientID != uuid.Nil {
		q = q.Where("i.client_id = ?", f.ClientID)
	}
	if f.Preventive {
		q = q.Where("i.kind = 'preventive'")
	}
	return q
}

// location is the time zone whose days PerDay and DayCounts count in.
func (f Filter) location() *time.Location {
	if f.Location == nil {
		return time.UTC
	}
	return f.Location
}

func (f Filter) zone() string { return f.location().String() }

func selectEntries(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("interventions AS i").
		ColumnExpr("i.id, i.number, i.client_id, cl.name AS client_name, coalesce(ct.reference, '') AS contract_reference").
		ColumnExpr("i.kind, i.status, i.place, i.title, i.summary, i.scheduled_at, coalesce(i.estimated_minutes, 0) AS estimated_minutes, i.version").
		ColumnExpr(`coalesce((SELECT array_agg(u.id::text ORDER BY u.name) FROM intervention_technicians AS it
			JOIN users AS u ON u.id = it.user_id WHERE it.intervention_id = i.id), '{}') AS technician_ids`).
		ColumnExpr(`coalesce((SELECT string_agg(u.name, ', ' ORDER BY u.name) FROM intervention_technicians AS it
			JOIN users AS u ON u.id = it.user_id WHERE it.intervention_id = i.id), '') AS technicians`).
		ColumnExpr("sv.occurs_on, sv.planned_on, coalesce(sv.shift_reason, '') AS shift_reason").
		ColumnExpr("(SELECT count(*) FROM visit_reschedules AS vr WHERE vr.intervention_id = i.id) AS rescheduled").
		Join("JOIN clients AS cl ON cl.id = i.client_id").
		Join("LEFT JOIN contracts AS ct ON ct.id = i.contract_id").
		Join("LEFT JOIN scheduled_visits AS sv ON sv.intervention_id = i.id").
		Where("i.scheduled_at IS NOT NULL")
}

// List returns the entries of the filter, by scheduled time (one query). With PerDay, each day's
// first entries are chosen on the interventions alone before anything else is read.
func List(ctx context.Context, db bun.IDB, f Filter) ([]*Entry, error) {
	q := selectEntries(db)
	if f.PerDay > 0 {
		// Each day's first entries are read by one probe of the (scheduled_at, number) index per
		// day; ARRAY(…) makes PostgreSQL take those ids first and read them by key.
		var lo, hi []time.Time
		for d := f.From.In(f.location()); d.Before(f.To); {
			next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, d.Location())
			lo, hi = append(lo, d), append(hi, next)
			d = next
		}
		first := f.where(db.NewSelect().TableExpr("interventions AS i").ColumnExpr("i.id").
			Where("i.scheduled_at >= d.lo AND i.scheduled_at < d.hi").OrderExpr("i.scheduled_at, i.number").Limit(int64(f.PerDay)))
		q = q.Where("i.id = ANY(ARRAY(SELECT x.id FROM unnest(?::timestamptz[], ?::timestamptz[]) AS d(lo, hi) CROSS JOIN LATERAL (?) AS x))",
			pgdialect.Array(lo), pgdialect.Array(hi), first)
	} else {
		q = f.where(q)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	var out []*Entry
	if err := q.OrderExpr("i.scheduled_at, i.number").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("scheduling: list: %w", err)
	}
	return out, nil
}

// DayCounts counts the filter's entries of each day (in Location), keyed by the day at midnight UTC.
func DayCounts(ctx context.Context, db bun.IDB, f Filter) (map[time.Time]int, error) {
	var rows []struct {
		Day   time.Time `bun:"day"`
		Count int       `bun:"n"`
	}
	q := f.where(db.NewSelect().TableExpr("interventions AS i").
		ColumnExpr("(i.scheduled_at AT TIME ZONE ?)::date AS day, count(*) AS n", f.zone())).GroupExpr("1")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("scheduling: day counts: %w", err)
	}
	out := make(map[time.Time]int, len(rows))
	for _, r := range rows {
		out[time.Date(r.Day.Year(), r.Day.Month(), r.Day.Day(), 0, 0, 0, 0, time.UTC)] = r.Count
	}
	return out, nil
}

// Upcoming returns a client's next preventive visits (scheduled, from now), at most limit, for the
// portal; contractID, when set, keeps one contract's.
func Upcoming(ctx context.Context, db bun.IDB, clientID, contractID uuid.UUID, now time.Time, limit int) ([]*Entry, error) {
	q := selectEntries(db).Where("i.client_id = ? AND i.kind = 'preventive' AND i.status IN ('scheduled', 'todo', 'in_progress')", clientID).
		Where("i.scheduled_at >= ?", contracts.Day(now).AddDate(0, 0, -1))
	if contractID != uuid.Nil {
		q = q.Where("i.contract_id = ?", contractID)
	}
	var out []*Entry
	if err := q.OrderExpr("i.scheduled_at, i.number").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("scheduling: upcoming: %w", err)
	}
	return out, nil
}

// Past returns a client's last completed preventive visits, most recent first, for the portal.
func Past(ctx context.Context, db bun.IDB, clientID, contractID uuid.UUID, limit int) ([]*Entry, error) {
	q := selectEntries(db).Where("i.client_id = ? AND i.kind = 'preventive' AND i.status = 'done'", clientID)
	if contractID != uuid.Nil {
		q = q.Where("i.contract_id = ?", contractID)
	}
	var out []*Entry
	if err := q.OrderExpr("i.scheduled_at DESC, i.number DESC").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("scheduling: past visits: %w", err)
	}
	return out, nil
}

// GetEntry returns one intervention as a schedule entry.
func GetEntry(ctx context.Context, db bun.IDB, id uuid.UUID) (*Entry, error) {
	var out []*Entry
	if err := selectEntries(db).Where("i.id = ?", id).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("scheduling: entry: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0], nil
}

// joinNames is the names of technicians, for the history.
func joinNames(ts []interventions.Technician) string {
	names := make([]string, len(ts))
	for n, t := range ts {
		names[n] = t.Name
	}
	return strings.Join(names, ", ")
}

// Cursor is a position in a list of visits: the scheduled time and number of the last one shown.
type Cursor struct {
	At     time.Time
	Number int
}

// IsZero tells whether the cursor is the start of the list.
func (c Cursor) IsZero() bool { return c.Number == 0 }

// String writes the cursor for a URL.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d-%d", c.At.UnixMicro(), c.Number)
}

// ParseCursor reads a cursor written by String; ok is false when s is not one ("" is the start).
func ParseCursor(s string) (c Cursor, ok bool) {
	if s == "" {
		return Cursor{}, true
	}
	var micros int64
	if _, err := fmt.Sscanf(s, "%d-%d", &micros, &c.Number); err != nil || c.Number <= 0 {
		return Cursor{}, false
	}
	return Cursor{At: time.UnixMicro(micros).UTC(), Number: c.Number}, true
}

// ClientVisits is a client's preventive visits for the portal, in one query: the next ones still to
// do (from the day before now, soonest first, after the cursor up) and the ones done (latest first,
// before the cursor past), at most limit of each; more says whether another page follows.
// contractID, when set, keeps one contract's.
func ClientVisits(ctx context.Context, db bun.IDB, clientID, contractID uuid.UUID, now time.Time, up, past Cursor, limit int) (
	upcoming, done []*Entry, moreUp, moreDone bool, err error) {
	scope := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("i.client_id = ? AND i.kind = 'preventive'", clientID)
		if contractID != uuid.Nil {
			q = q.Where("i.contract_id = ?", contractID)
		}
		return q
	}
	next := scope(selectEntries(db)).Where("i.status IN ('scheduled', 'todo', 'in_progress')").
		Where("i.scheduled_at >= ?", contracts.Day(now).AddDate(0, 0, -1))
	if !up.IsZero() {
		next = next.Where("(i.scheduled_at, i.number) > (?, ?)", up.At, up.Number)
	}
	next = next.OrderExpr("i.scheduled_at, i.number").Limit(int64(limit + 1))
	last := scope(selectEntries(db)).Where("i.status = 'done'")
	if !past.IsZero() {
		last = last.Where("(i.scheduled_at, i.number) < (?, ?)", past.At, past.Number)
	}
	last = last.OrderExpr("i.scheduled_at DESC, i.number DESC").Limit(int64(limit + 1))
	var all []*Entry
	if err := next.UnionAll(last).Scan(ctx, &all); err != nil {
		return nil, nil, false, false, fmt.Errorf("scheduling: client visits: %w", err)
	}
	for _, e := range all {
		if e.Status == interventions.StatusDone {
			done = append(done, e)
		} else {
			upcoming = append(upcoming, e)
		}
	}
	// The union keeps each part's order; sorted again all the same, as SQL does not promise it.
	slices.SortFunc(upcoming, func(a, b *Entry) int {
		return cmp.Or(a.ScheduledAt.Compare(b.ScheduledAt), cmp.Compare(a.Number, b.Number))
	})
	slices.SortFunc(done, func(a, b *Entry) int {
		return cmp.Or(b.ScheduledAt.Compare(a.ScheduledAt), cmp.Compare(b.Number, a.Number))
	})
	if moreUp = len(upcoming) > limit; moreUp {
		upcoming = upcoming[:limit]
	}
	if moreDone = len(done) > limit; moreDone {
		done = done[:limit]
	}
	return upcoming, done, moreUp, moreDone, nil
}

// ActiveTasks returns the tasks in force of a contract's plan, for the client's pages.
func ActiveTasks(ctx context.Context, db bun.IDB, contractID uuid.UUID) ([]*Task, error) {
	var tasks []*Task
	if err := selectTasks(db, &tasks).Where("mt.contract_id = ? AND mt.ended_on IS NULL", contractID).
		OrderExpr("mt.created_at, mt.id").Limit(MaxTasks).Scan(ctx); err != nil {
		return nil, fmt.Errorf("scheduling: tasks: %w", err)
	}
	return tasks, nil
}
