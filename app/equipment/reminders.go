package equipment

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
)

// Reminder is one reminder of a warranty end or licence expiry at one lead time. It exists at most
// once per item, kind, date and lead time (a unique key), so that the daily job announces each one
// once whatever the runs and instances.
type Reminder struct {
	bun.BaseModel `bun:"table:equipment_reminders,alias:er"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	EquipmentID uuid.UUID  `bun:"equipment_id,type:uuid"`
	Kind        ExpiryKind `bun:"kind"`
	DueOn       time.Time  `bun:"due_on,type:date"`
	LeadDays    int        `bun:"lead_days"`
	CreatedAt   time.Time  `bun:"created_at"`

	// Announce is false for a reminder recorded silently because a shorter lead time of the same
	// date is due at the same time (as for contract deadlines, only the most urgent is mailed).
	Announce bool `bun:"-"`
}

// DueReminders lists the reminders of an expiry on date on that are due today for the lead times
// (contracts.LeadDays): from L days before the date until the date itself; when several are due
// together only the shortest is announced. A past date has none.
func DueReminders(kind ExpiryKind, on, today time.Time, leadDays []int) []Reminder {
	on, today = Day(on), Day(today)
	if today.After(on) {
		return nil
	}
	var out []Reminder
	shortest := -1
	for _, lead := range contracts.LeadDays(leadDays) {
		if today.Before(on.AddDate(0, 0, -lead)) {
			continue
		}
		out = append(out, Reminder{Kind: kind, DueOn: on, LeadDays: lead})
		if shortest < 0 || lead < out[shortest].LeadDays {
			shortest = len(out) - 1
		}
	}
	if shortest >= 0 {
		out[shortest].Announce = true
	}
	return out
}

// RecordReminders stores the reminders rs of one item that are not stored yet and returns those it
// stored that are to be announced. Run it in the transaction that sends the announcements.
func RecordReminders(ctx context.Context, db bun.IDB, equipmentID uuid.UUID, rs []Reminder, now time.Time) ([]Reminder, error) {
	var announce []Reminder
	for _, r := range rs {
		r.ID, r.EquipmentID, r.CreatedAt = uuid.Must(uuid.NewV7()), equipmentID, now.UTC()
		res, err := db.NewInsert().Model(&r).On("CONFLICT (equipment_id, kind, due_on, lead_days) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("equipment: record reminder: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("equipment: record reminder: %w", err)
		} else if n == 1 && r.Announce {
			announce = append(announce, r)
		}
	}
	return announce, nil
}
