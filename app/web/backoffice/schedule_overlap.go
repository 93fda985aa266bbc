package backoffice

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
)

// interventionOverlaps lists the other open interventions of in's technicians overlapping its slot
// (except is the intervention being edited; uuid.Nil for a new one). Nothing to check without a
// date or a technician. before, when set, is the intervention as saved: when neither its slot nor
// its technicians change, an overlap already accepted is not asked about again.
func interventionOverlaps(ctx context.Context, db bun.IDB, except uuid.UUID, in interventions.Input, before *interventions.Intervention) ([]*scheduling.Entry, error) {
	if in.ScheduledAt.IsZero() || len(in.Technicians) == 0 {
		return nil, nil
	}
	if before != nil && before.ScheduledAt.Equal(in.ScheduledAt) && before.EstimatedMinutes == in.EstimatedMinutes {
		same := len(before.Technicians) == len(in.Technicians)
		for _, t := range before.Technicians {
			same = same && slices.Contains(in.Technicians, t.ID)
		}
		if same {
			return nil, nil
		}
	}
	minutes := in.EstimatedMinutes
	if minutes <= 0 {
		minutes = 60
	}
	var out []*scheduling.Entry
	for _, tech := range in.Technicians {
		found, err := scheduling.Overlapping(ctx, db, tech, except, in.ScheduledAt.Truncate(time.Minute), minutes)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			if !slices.ContainsFunc(out, func(x *scheduling.Entry) bool { return x.ID == e.ID }) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// errOverlap refuses a save that overlaps another intervention of the same technician until the
// user ticks the confirmation (the field under the list of overlapping interventions).
func errOverlap() error {
	return apperr.Fields{"confirm_overlap": "schedule.error.overlap_confirm"}.Err()
}
