package sla

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // earliest possible
		{1943, "1943-04-25"}, // latest possible
		{2000, "2000-04-23"},
		{2008, "2008-03-23"},
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2028, "2028-04-16"},
		{2038, "2038-04-25"},
		{2285, "2285-03-22"},
	}
	for _, tt := range tests {
		got := Easter(tt.year)
		if got, want := got.String(), tt.want; got != want {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got, want)
		}
		if got, want := got.Weekday(), time.Sunday; got != want {
			t.Errorf("Easter(%d) is a %v", tt.year, got)
		}
	}
}

func TestFrenchHolidays2026(t *testing.T) {
	want := []struct{ date, name, nameEN string }{
		{"2026-01-01", "Jour de l'an", "New Year's Day"},
		{"2026-04-06", "Lundi de Pâques", "Easter Monday"},
		{"2026-05-01", "Fête du Travail", "Labour Day"},
		{"2026-05-08", "Victoire 1945", "Victory in Europe Day"},
		{"2026-05-14", "Ascension", "Ascension Day"},
		{"2026-05-25", "Lundi de Pentecôte", "Whit Monday"},
		{"2026-07-14", "Fête nationale", "Bastille Day"},
		{"2026-08-15", "Assomption", "Assumption Day"},
		{"2026-11-01", "Toussaint", "All Saints' Day"},
		{"2026-11-11", "Armistice 1918", "Armistice Day"},
		{"2026-12-25", "Noël", "Christmas Day"},
	}
	got := FrenchHolidays(2026, false)
	if len(got) != len(want) {
		t.Fatalf("FrenchHolidays(2026) has %d days, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got, want := got[i].Date.String(), w.date; got != want {
			t.Errorf("holiday %d date = %s, want %s", i, got, want)
		}
		if got, want := got[i].Name, w.name; got != want {
			t.Errorf("holiday %d name = %q, want %q", i, got, want)
		}
		if got, want := got[i].NameEN, w.nameEN; got != want {
			t.Errorf("holiday %d English name = %q, want %q", i, got, want)
		}
	}
}

func TestFrenchHolidaysMovable(t *testing.T) {
	tests := []struct {
		date string
		name string
	}{
		{"2024-04-01", "Lundi de Pâques"},
		{"2024-05-09", "Ascension"},
		{"2024-05-20", "Lundi de Pentecôte"},
		{"2025-04-21", "Lundi de Pâques"},
		{"2025-05-29", "Ascension"},
		{"2025-06-09", "Lundi de Pentecôte"},
		{"2026-04-06", "Lundi de Pâques"},
		{"2026-05-14", "Ascension"},
		{"2026-05-25", "Lundi de Pentecôte"},
		{"2027-03-29", "Lundi de Pâques"},
		{"2027-05-06", "Ascension"},
		{"2027-05-17", "Lundi de Pentecôte"},
		{"2038-04-26", "Lundi de Pâques"},
		{"2038-06-03", "Ascension"},
		{"2038-06-14", "Lundi de Pentecôte"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.date)
		if err != nil {
			t.Fatal(err)
		}
		h, ok := FrenchHoliday(d, false)
		if !ok {
			t.Errorf("FrenchHoliday(%s) = false, want %s", tt.date, tt.name)
			continue
		}
		if got, want := h.Name, tt.name; got != want {
			t.Errorf("FrenchHoliday(%s) = %q, want %q", tt.date, got, want)
		}
		if got, want := h.Date, d; got != want {
			t.Errorf("FrenchHoliday(%s).Date = %v", tt.date, got)
		}
	}
}

func TestFrenchHolidayAlsaceMoselle(t *testing.T) {
	tests := []struct {
		date   string
		alsace bool
		want   string // "" when not a holiday
	}{
		{"2026-04-03", false, ""},
		{"2026-04-03", true, "Vendredi saint"},
		{"2026-12-26", false, ""},
		{"2026-12-26", true, "Saint-Étienne"},
		{"2027-03-26", true, "Vendredi saint"},
		{"2026-12-25", true, "Noël"},
		{"2026-04-06", true, "Lundi de Pâques"},
		{"2026-04-07", true, ""},
		{"2026-07-13", false, ""},
		{"2026-05-02", false, ""},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.date)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := FrenchHoliday(d, tt.alsace)
		if got, want := h.Name, tt.want; got != want {
			t.Errorf("FrenchHoliday(%s, %v) = %q, want %q", tt.date, tt.alsace, got, want)
		}
	}
	// Two holidays can fall on the same day: both are listed, the fixed
	// one first, and FrenchHoliday reports the fixed one.
	hs := FrenchHolidays(2008, false)
	if got, want := hs[2].Date.String()+" "+hs[2].Name+", "+hs[3].Date.String()+" "+hs[3].Name, "2008-05-01 Fête du Travail, 2008-05-01 Ascension"; got != want {
		t.Errorf("FrenchHolidays(2008)[2:4] = %s, want %s", got, want)
	}
	if h, _ := FrenchHoliday(Date{2008, time.May, 1}, false); h.Name != "Fête du Travail" {
		t.Errorf("FrenchHoliday(2008-05-01) = %q, want Fête du Travail", h.Name)
	}
	if got, want := len(FrenchHolidays(2026, true)), 13; got != want {
		t.Errorf("len(FrenchHolidays(2026, true)) = %d, want %d", got, want)
	}
}

// TestFrenchHolidayConsistent checks the per-day lookup against the
// yearly list for every day of many years.
func TestFrenchHolidayConsistent(t *testing.T) {
	for _, alsace := range []bool{false, true} {
		for year := 1990; year <= 2100; year++ {
			want := map[Date]string{}
			hs := FrenchHolidays(year, alsace)
			for i, h := range hs {
				if _, dup := want[h.Date]; !dup {
					want[h.Date] = h.Name
				}
				if i > 0 && hs[i-1].Date.After(h.Date) {
					t.Fatalf("FrenchHolidays(%d) not sorted: %v", year, hs)
				}
			}
			for d := (Date{year, time.January, 1}); d.Year == year; d = d.AddDays(1) {
				h, ok := FrenchHoliday(d, alsace)
				if got, want := h.Name, want[d]; got != want || ok != (want != "") {
					t.Fatalf("FrenchHoliday(%v, %v) = %q, %v, want %q", d, alsace, got, ok, want)
				}
			}
		}
	}
}
