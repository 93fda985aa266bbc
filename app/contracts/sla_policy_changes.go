package contracts

import (
	"maps"
	"slices"
	"time"
)

// SLAPolicyChanges names what differs between two versions of a policy ("name", "hours",
// "targets"…), for the audit log: contracts depend on these terms, so the log says which moved.
func SLAPolicyChanges(old, cur *SLAPolicy) []string {
	var out []string
	if old.Name != cur.Name {
		out = append(out, "name")
	}
	if old.Description != cur.Description {
		out = append(out, "description")
	}
	if !maps.EqualFunc(nonEmptySLAHours(old.Hours), nonEmptySLAHours(cur.Hours), slices.Equal) {
		out = append(out, "hours")
	}
	if old.FrenchHolidays != cur.FrenchHolidays || old.AlsaceMoselle != cur.AlsaceMoselle {
		out = append(out, "holidays")
	}
	if !slices.EqualFunc(old.Closures, cur.Closures, time.Time.Equal) {
		out = append(out, "closures")
	}
	if !maps.Equal(old.Targets, cur.Targets) {
		out = append(out, "targets")
	}
	if old.PenaltyBPPerHour != cur.PenaltyBPPerHour || old.PenaltyCapBP != cur.PenaltyCapBP {
		out = append(out, "penalty")
	}
	return out
}

func nonEmptySLAHours(h map[string][]string) map[string][]string {
	out := make(map[string][]string, len(h))
	for day, spans := range h {
		if len(spans) > 0 {
			out[day] = spans
		}
	}
	return out
}
