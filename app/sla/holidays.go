package sla

import (
	"slices"
	"time"
)

// Holiday is a public holiday with its French label, shown to customers
// and technicians, and an English label for logs and English-speaking
// staff.
type Holiday struct {
	Date   Date
	Name   string // French, e.g. "Lundi de Pâques"
	NameEN string // English, e.g. "Easter Monday"
}

// fixedHolidays are the French public holidays on the same day each year.
// alsace marks the extra days that only apply in Alsace-Moselle.
var fixedHolidays = [...]struct {
	month        time.Month
	day          int
	name, nameEN string
	alsace       bool
}{
	{time.January, 1, "Jour de l'an", "New Year's Day", false},
	{time.May, 1, "Fête du Travail", "Labour Day", false},
	{time.May, 8, "Victoire 1945", "Victory in Europe Day", false},
	{time.July, 14, "Fête nationale", "Bastille Day", false},
	{time.August, 15, "Assomption", "Assumption Day", false},
	{time.November, 1, "Toussaint", "All Saints' Day", false},
	{time.November, 11, "Armistice 1918", "Armistice Day", false},
	{time.December, 25, "Noël", "Christmas Day", false},
	{time.December, 26, "Saint-Étienne", "St Stephen's Day", true},
}

// movableHolidays are the French public holidays defined as an offset in
// days from Easter Sunday.
var movableHolidays = [...]struct {
	offset       int
	name, nameEN string
	alsace       bool
}{
	{-2, "Vendredi saint", "Good Friday", true},
	{1, "Lundi de Pâques", "Easter Monday", false},
	{39, "Ascension", "Ascension Day", false},
	{50, "Lundi de Pentecôte", "Whit Monday", false},
}

// Easter returns the date of Easter Sunday in the Gregorian calendar
// (anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher), from which
// Easter Monday, Ascension and Whit Monday are derived.
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{Year: year, Month: time.Month(month), Day: day}
}

// FrenchHolidays returns the French public holidays of year, sorted by
// date (when two fall on the same day, as Ascension and May 1 in 2008,
// both are listed, the fixed-date one first), as currently defined by the Code du travail (article L3133-1):
// the eleven national days, plus Good Friday and St Stephen's Day when
// alsaceMoselle is set for sites under the Alsace-Moselle local law.
// Whit Monday is listed even though many employers work it as the
// "journée de solidarité"; a provider open that day should not enable
// the French holidays but list its closures instead.
func FrenchHolidays(year int, alsaceMoselle bool) []Holiday {
	var hs []Holiday
	for _, f := range fixedHolidays {
		if f.alsace && !alsaceMoselle {
			continue
		}
		hs = append(hs, Holiday{Date{year, f.month, f.day}, f.name, f.nameEN})
	}
	easter := Easter(year)
	for _, m := range movableHolidays {
		if m.alsace && !alsaceMoselle {
			continue
		}
		hs = append(hs, Holiday{easter.AddDays(m.offset), m.name, m.nameEN})
	}
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// FrenchHoliday reports whether d is a French public holiday and which
// one (the fixed-date one if two coincide), without building the whole
// year: calendars ask this for every day they walk through.
func FrenchHoliday(d Date, alsaceMoselle bool) (Holiday, bool) {
	for _, f := range fixedHolidays {
		if d.Month == f.month && d.Day == f.day && (alsaceMoselle || !f.alsace) {
			return Holiday{d, f.name, f.nameEN}, true
		}
	}
	// Movable holidays fall between Good Friday (March 20 at the
	// earliest) and Whit Monday (June 14 at the latest).
	if d.Month < time.March || d.Month > time.June {
		return Holiday{}, false
	}
	offset := d.days() - Easter(d.Year).days()
	for _, m := range movableHolidays {
		if offset == m.offset && (alsaceMoselle || !m.alsace) {
			return Holiday{d, m.name, m.nameEN}, true
		}
	}
	return Holiday{}, false
}
