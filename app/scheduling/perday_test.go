package scheduling_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"maintenant/app/scheduling"
)

// TestListPerDayAndDayCounts checks the grids' bound: PerDay keeps each day's first entries (days
// in the provider's zone: 23:30 in Paris on the 9th is the 9th, not the UTC 9th or 10th) and
// DayCounts counts them all.
func TestListPerDayAndDayCounts(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	at := func(day string, h, m int) time.Time {
		d := date(day)
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, paris)
	}
	var times []time.Time
	for n := range 5 {
		times = append(times, at("2026-03-09", 8+n, 0))
	}
	times = append(times, at("2026-03-09", 23, 30), at("2026-03-10", 0, 30), at("2026-03-10", 9, 0))
	for n, when := range times {
		if _, err := f.db.Bun.NewRaw(`INSERT INTO interventions (id, number, client_id, kind, place, status, title, scheduled_at, created_at, updated_at)
			VALUES (gen_random_uuid(), ?, ?, 'corrective', 'remote', 'scheduled', 'Visite', ?, now(), now())`, 9000+n, f.client, when).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	filter := scheduling.Filter{From: at("2026-03-09", 0, 0), To: at("2026-03-11", 0, 0), Location: paris, PerDay: 3}
	got, err := scheduling.List(ctx, f.db.Bun, filter)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, e := range got {
		numbers = append(numbers, e.Number)
	}
	if want := []int{9000, 9001, 9002, 9006, 9007}; !slices.Equal(numbers, want) {
		t.Errorf("PerDay 3 kept %v, want %v (the 9th's first three, the 10th's two)", numbers, want)
	}
	counts, err := scheduling.DayCounts(ctx, f.db.Bun, filter)
	if err != nil {
		t.Fatal(err)
	}
	if counts[date("2026-03-09")] != 6 || counts[date("2026-03-10")] != 2 || len(counts) != 2 {
		t.Errorf("day counts %v, want 6 on the 9th and 2 on the 10th", counts)
	}
	filter.PerDay = 0
	if all, err := scheduling.List(ctx, f.db.Bun, filter); err != nil || len(all) != 8 {
		t.Errorf("without PerDay: %d entries (%v), want 8", len(all), err)
	}
}
