package equipment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// HistoryLimit bounds each part of an item's history.
const HistoryLimit = 100

// HistoryIntervention is an intervention about an item: opened for one of its workshop stays, for
// a ticket about it, or with work recorded on it by name on the sheet.
type HistoryIntervention struct {
	ID          uuid.UUID `bun:"id,type:uuid"`
	Number      int       `bun:"number"`
	Title       string    `bun:"title"`
	Status      string    `bun:"status"`
	Place       string    `bun:"place"`
	CreatedAt   time.Time `bun:"created_at"`
	CompletedAt time.Time `bun:"completed_at,nullzero"`
}

// HistoryEntry is a register entry of one of the item's interventions.
type HistoryEntry struct {
	ID             uuid.UUID `bun:"id,type:uuid"`
	Seq            int       `bun:"seq"`
	InterventionID uuid.UUID `bun:"intervention_id,type:uuid"`
	OccurredOn     time.Time `bun:"occurred_on,type:date"`
	Subject        string    `bun:"subject"`
	Reference      string    `bun:"sheet_reference"`
	Addendum       bool      `bun:"addendum"`
}

// HistoryTicket is a fault report about the item.
type HistoryTicket struct {
	ID       uuid.UUID `bun:"id,type:uuid"`
	Number   int       `bun:"number"`
	Title    string    `bun:"title"`
	Status   string    `bun:"status"`
	OpenedAt time.Time `bun:"opened_at"`
}

// History is everything that happened to an item, newest first.
type History struct {
	Stays         []*Intake
	Interventions []HistoryIntervention
	Register      []HistoryEntry
	Tickets       []HistoryTicket
}

// HistoryOf returns an item's history in four queries; clientID scopes it for the portal
// (uuid.Nil for staff). The item itself must have been read with the same scope.
func HistoryOf(ctx context.Context, db bun.IDB, clientID uuid.UUID, e *Equipment) (*History, error) {
	h := &History{}
	var err error
	if h.Stays, err = Stays(ctx, db, clientID, e.ID); err != nil {
		return nil, err
	}
	if err := db.NewRaw(`SELECT t.id, t.number, t.title, t.status, t.opened_at FROM tickets AS t
		JOIN ticket_equipment AS te ON te.ticket_id = t.id
		WHERE te.equipment_id = ? AND t.client_id = ? ORDER BY t.opened_at DESC, t.id DESC LIMIT ?`,
		e.ID, e.ClientID.UUID, HistoryLimit).Scan(ctx, &h.Tickets); err != nil {
		return nil, fmt.Errorf("equipment: history tickets: %w", err)
	}
	if err := db.NewRaw(`SELECT i.id, i.number, i.title, i.status, i.place, i.created_at, i.completed_at FROM interventions AS i
		WHERE i.client_id = ? AND (
			i.id IN (SELECT intervention_id FROM workshop_intakes WHERE equipment_id = ?)
			OR i.ticket_id IN (SELECT ticket_id FROM ticket_equipment WHERE equipment_id = ?)
			OR i.id IN (SELECT intervention_id FROM equipment_actions WHERE lower(target) = lower(?)))
		ORDER BY i.created_at DESC, i.id DESC LIMIT ?`,
		e.ClientID.UUID, e.ID, e.ID, e.Name, HistoryLimit).Scan(ctx, &h.Interventions); err != nil {
		return nil, fmt.Errorf("equipment: history interventions: %w", err)
	}
	if len(h.Interventions) > 0 {
		ids := make([]uuid.UUID, 0, len(h.Interventions))
		for _, i := range h.Interventions {
			ids = append(ids, i.ID)
		}
		if err := db.NewRaw(`SELECT r.id, r.seq, r.intervention_id, r.occurred_on, r.subject, r.sheet_reference,
			r.addendum_id IS NOT NULL AS addendum FROM register_entries AS r
			WHERE r.client_id = ? AND r.intervention_id IN (?) ORDER BY r.seq DESC LIMIT ?`,
			e.ClientID.UUID, bun.List(ids), HistoryLimit).Scan(ctx, &h.Register); err != nil {
			return nil, fmt.Errorf("equipment: history register: %w", err)
		}
	}
	return h, nil
}

// LinkTicket records that a fault report is about an item of the same client (uuid.Nil clears the
// link). An item of another client is refused on the field "equipment_id".
func LinkTicket(ctx context.Context, db bun.IDB, clientID, ticketID, equipmentID uuid.UUID) error {
	if _, err := db.NewDelete().Table("ticket_equipment").Where("ticket_id = ?", ticketID).Exec(ctx); err != nil {
		return fmt.Errorf("equipment: unlink ticket: %w", err)
	}
	if equipmentID == uuid.Nil {
		return nil
	}
	n, err := db.NewSelect().Table("equipment").Where("id = ? AND client_id = ?", equipmentID, clientID).Count(ctx)
	if err != nil {
		return fmt.Errorf("equipment: link ticket: %w", err)
	}
	if n == 0 {
		return apperr.Fields{"equipment_id": "equipment.error.unknown"}.Err()
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO ticket_equipment (ticket_id, equipment_id) VALUES (?, ?)`, ticketID, equipmentID); err != nil {
		return fmt.Errorf("equipment: link ticket: %w", err)
	}
	return nil
}

// OfTicket returns the item a ticket is about, or NotFound.
func OfTicket(ctx context.Context, db bun.IDB, ticketID uuid.UUID) (*Equipment, error) {
	e := new(Equipment)
	if err := selectEquipment(db, e).Where("e.id = (SELECT equipment_id FROM ticket_equipment WHERE ticket_id = ?)", ticketID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("equipment")
		}
		return nil, fmt.Errorf("equipment: of ticket: %w", err)
	}
	return e, nil
}

// ExpiryKind is what expires: a warranty or a licence.
type ExpiryKind string

// The kinds of expiry.
const (
	ExpiryWarranty ExpiryKind = "warranty"
	ExpiryLicence  ExpiryKind = "licence"
)

// Label is the catalogue key naming the kind.
func (k ExpiryKind) Label() string { return "equipment.expiry." + string(k) }

// Expiry is the end of an item's warranty or licence.
type Expiry struct {
	Kind ExpiryKind `bun:"kind"`
	On   time.Time  `bun:"due_on,type:date"`
	*Equipment
}

// ExpiryFilter selects expiries for the staff list.
type ExpiryFilter struct {
	ClientID uuid.UUID
	// From is the first date listed (a civil date).
	From time.Time
	// After is the keyset position: the last row of the previous page ("2026-12-31_<id>_warranty").
	After string
	Limit int
}

// ExpiryCursor is the keyset position of an expiry row.
func ExpiryCursor(x Expiry) string {
	return x.On.Format(time.DateOnly) + "_" + x.ID.String() + "_" + string(x.Kind)
}

// Expiries returns warranty and licence ends of the clients' items in service (not retired), from
// f.From on, soonest first, in one query, and whether there are more.
func Expiries(ctx context.Context, db bun.IDB, f ExpiryFilter) ([]Expiry, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	type row struct {
		Equipment
		Kind ExpiryKind `bun:"x_kind"`
		On   time.Time  `bun:"x_on,type:date"`
	}
	var rows []row
	q := selectEquipment(db, (*Equipment)(nil)).
		Join(`JOIN LATERAL (VALUES ('warranty', e.warranty_ends_on), ('licence', e.licence_expires_on)) AS x (x_kind, x_on) ON x.x_on IS NOT NULL`).
		ColumnExpr("x.x_kind, x.x_on").
		Where("e.client_id IS NOT NULL AND e.status <> ?", StatusRetired).Where("x.x_on >= ?", Day(f.From))
	if f.ClientID != uuid.Nil {
		q = q.Where("e.client_id = ?", f.ClientID)
	}
	if on, id, kind, ok := parseExpiryCursor(f.After); ok {
		q = q.Where("(x.x_on, e.id, x.x_kind) > (?, ?, ?)", on, id, kind)
	}
	if err := q.OrderExpr("x.x_on, e.id, x.x_kind").Limit(int64(f.Limit+1)).Scan(ctx, &rows); err != nil {
		return nil, false, fmt.Errorf("equipment: expiries: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	out := make([]Expiry, 0, len(rows))
	for n := range rows {
		r := &rows[n]
		out = append(out, Expiry{Kind: r.Kind, On: Day(r.On), Equipment: &r.Equipment})
	}
	return out, more, nil
}

func parseExpiryCursor(s string) (time.Time, uuid.UUID, string, bool) {
	if len(s) > 100 {
		return time.Time{}, uuid.Nil, "", false
	}
	var parts [3]string
	for n := range 2 {
		i := strings.IndexByte(s, '_')
		if i < 0 {
			return time.Time{}, uuid.Nil, "", false
		}
		parts[n], s = s[:i], s[i+1:]
	}
	parts[2] = s
	on, err := time.Parse(time.DateOnly, parts[0])
	if err != nil {
		return time.Time{}, uuid.Nil, "", false
	}
	id, err := uuid.Parse(parts[1])
	if err != nil || (parts[2] != string(ExpiryWarranty) && parts[2] != string(ExpiryLicence)) {
		return time.Time{}, uuid.Nil, "", false
	}
	return on, id, parts[2], true
}
