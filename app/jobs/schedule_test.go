package jobs

import (
	"testing"
	"time"
)

func TestDailyAtNext(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	d := dailyAt{hour: 6, loc: paris}
	for _, tc := range []struct{ now, want time.Time }{
		{time.Date(2026, 11, 22, 5, 59, 0, 0, paris), time.Date(2026, 11, 22, 6, 0, 0, 0, paris)},
		{time.Date(2026, 11, 22, 6, 0, 0, 0, paris), time.Date(2026, 11, 23, 6, 0, 0, 0, paris)},
		{time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), time.Date(2026, 11, 23, 6, 0, 0, 0, paris)},
		// Across the spring change to summer time: still 06:00 on the wall clock.
		{time.Date(2026, 3, 28, 7, 0, 0, 0, paris), time.Date(2026, 3, 29, 6, 0, 0, 0, paris)},
	} {
		if got := d.Next(tc.now); !got.Equal(tc.want) {
			t.Errorf("Next(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}
