package sla

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func paris(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// at parses "2006-01-02 15:04" in Europe/Paris.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, paris(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func date(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustCalendar(tb testing.TB, c Calendar) *Calendar {
	tb.Helper()
	cal, err := NewCalendar(c)
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func weekdays(ivs ...Interval) Week {
	return Week{time.Monday: ivs, time.Tuesday: ivs, time.Wednesday: ivs, time.Thursday: ivs, time.Friday: ivs}
}

func office(tb testing.TB) *Calendar {
	tb.Helper()
	cal, err := NewOfficeCalendar()
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

func alwaysOpen(tb testing.TB) *Calendar {
	tb.Helper()
	cal, err := NewAlwaysOpenCalendar()
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

// lunch is Mon–Fri 9:00–12:30 and 13:30–18:00 (8 h a day) with French holidays.
func lunch(tb testing.TB) *Calendar {
	return mustCalendar(tb, Calendar{
		Hours:          weekdays(Interval{9 * 60, 12*60 + 30}, Interval{13*60 + 30, 18 * 60}),
		FrenchHolidays: true,
	})
}

func TestParseInterval(t *testing.T) {
	tests := []struct {
		in      string
		want    Interval
		wantErr bool
	}{
		{"09:00-12:30", Interval{540, 750}, false},
		{"9:00-12:30", Interval{540, 750}, false},
		{"13:30–18:00", Interval{810, 1080}, false},
		{"00:00-24:00", Interval{0, 1440}, false},
		{" 08:15 - 17:45 ", Interval{495, 1065}, false},
		{"18:00-09:00", Interval{}, true},
		{"09:00-09:00", Interval{}, true},
		{"09:00", Interval{}, true},
		{"09:60-10:00", Interval{}, true},
		{"24:30-25:00", Interval{}, true},
		{"9h-12h", Interval{}, true},
		{"09:0-10:00", Interval{}, true},
	}
	for _, tt := range tests {
		got, err := ParseInterval(tt.in)
		if gotErr := err != nil; gotErr != tt.wantErr {
			t.Errorf("ParseInterval(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseInterval(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got, want := (Interval{540, 750}).String(), "09:00-12:30"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Interval{0, 1440}).String(), "00:00-24:00"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestCalendarValidate(t *testing.T) {
	tests := []struct {
		name   string
		cal    Calendar
		fields []string // fields in error; nil when valid
	}{
		{"office", Calendar{Hours: weekdays(Interval{540, 1080})}, nil},
		{"lunch break", Calendar{Hours: weekdays(Interval{540, 750}, Interval{810, 1080})}, nil},
		{"adjacent", Calendar{Hours: weekdays(Interval{540, 750}, Interval{750, 1080})}, nil},
		{"24/7 sunday only", Calendar{Hours: Week{time.Sunday: {{0, 1440}}}}, nil},
		{"empty week", Calendar{}, []string{"hours"}},
		{"start after end", Calendar{Hours: Week{time.Monday: {{1080, 540}}, time.Tuesday: {{540, 1080}}}}, []string{"hours.monday"}},
		{"empty interval", Calendar{Hours: Week{time.Monday: {{540, 540}}, time.Tuesday: {{540, 1080}}}}, []string{"hours.monday"}},
		{"negative", Calendar{Hours: Week{time.Wednesday: {{-10, 540}}, time.Tuesday: {{540, 1080}}}}, []string{"hours.wednesday"}},
		{"past midnight", Calendar{Hours: Week{time.Saturday: {{540, 1500}}, time.Tuesday: {{540, 1080}}}}, []string{"hours.saturday"}},
		{"overlap", Calendar{Hours: Week{time.Friday: {{540, 800}, {750, 1080}}}}, []string{"hours.friday"}},
		{"unsorted", Calendar{Hours: Week{time.Friday: {{810, 1080}, {540, 750}}}}, []string{"hours.friday"}},
		{"only invalid", Calendar{Hours: Week{time.Friday: {{1080, 540}}}}, []string{"hours", "hours.friday"}},
		{"bad closure", Calendar{Hours: weekdays(Interval{540, 1080}), Closures: []Date{{2026, time.February, 30}}}, []string{"closures"}},
		{"zero closure", Calendar{Hours: weekdays(Interval{540, 1080}), Closures: []Date{{}}}, []string{"closures"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cal.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var verr ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want a ValidationError", err)
			}
			if got, want := len(verr), len(tt.fields); got != want {
				t.Errorf("Validate() = %v, want fields %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				if verr[f] == "" {
					t.Errorf("Validate() = %v, missing field %s", err, f)
				}
			}
			if _, err := NewCalendar(tt.cal); err == nil {
				t.Errorf("NewCalendar accepted an invalid calendar")
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	err := ValidationError{"hours.monday": "bad", "closures": "worse"}
	if got, want := err.Error(), "sla: invalid closures: worse; hours.monday: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNewCalendarCopies(t *testing.T) {
	hours := weekdays(Interval{540, 1080})
	closures := []Date{date(t, "2026-08-14"), date(t, "2026-08-10"), date(t, "2026-08-14")}
	cal := mustCalendar(t, Calendar{Hours: hours, Closures: closures})
	if got, want := cal.Location.String(), "Europe/Paris"; got != want {
		t.Errorf("default Location = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(cal.Closures), "[2026-08-10 2026-08-14]"; got != want {
		t.Errorf("Closures = %s, want %s", got, want)
	}
	hours[time.Monday][0] = Interval{0, 60}
	closures[1] = date(t, "2026-08-11")
	if got, want := cal.Hours[time.Monday][0], (Interval{540, 1080}); got != want {
		t.Errorf("calendar shares its hours with the caller: %v", got)
	}
	if closed, _ := cal.IsClosedDay(date(t, "2026-08-11")); closed {
		t.Errorf("calendar shares its closures with the caller")
	}
}

func TestIsClosedDay(t *testing.T) {
	cal := mustCalendar(t, Calendar{
		Hours:          weekdays(Interval{540, 1080}),
		FrenchHolidays: true,
		Closures:       []Date{date(t, "2026-08-10"), date(t, "2026-07-14")},
	})
	alsace := mustCalendar(t, Calendar{Hours: weekdays(Interval{540, 1080}), FrenchHolidays: true, AlsaceMoselle: true})
	noHolidays := mustCalendar(t, Calendar{Hours: weekdays(Interval{540, 1080})})
	tests := []struct {
		cal    *Calendar
		day    string
		closed bool
		reason string
	}{
		{cal, "2026-03-09", false, ""},
		{cal, "2026-03-07", true, "Jour non ouvré"},
		{cal, "2026-03-08", true, "Jour non ouvré"},
		{cal, "2026-04-06", true, "Lundi de Pâques"},
		{cal, "2026-05-14", true, "Ascension"},
		{cal, "2026-05-25", true, "Lundi de Pentecôte"},
		{cal, "2026-08-10", true, "Fermeture exceptionnelle"},
		{cal, "2026-07-14", true, "Fermeture exceptionnelle"},
		{cal, "2026-08-15", true, "Assomption"}, // a Saturday: the holiday wins
		{cal, "2026-04-03", false, ""},
		{alsace, "2026-04-03", true, "Vendredi saint"},
		{alsace, "2026-12-26", true, "Saint-Étienne"},
		{noHolidays, "2026-04-06", false, ""},
		{noHolidays, "2026-12-25", false, ""},
	}
	for _, tt := range tests {
		closed, reason := tt.cal.IsClosedDay(date(t, tt.day))
		if closed != tt.closed || reason != tt.reason {
			t.Errorf("IsClosedDay(%s) = %v, %q, want %v, %q", tt.day, closed, reason, tt.closed, tt.reason)
		}
	}
}

func TestIsOpenNextOpen(t *testing.T) {
	cal := lunch(t)
	tests := []struct {
		t, next string
	}{
		{"2026-03-09 08:59", "2026-03-09 09:00"},
		{"2026-03-09 09:00", "2026-03-09 09:00"},
		{"2026-03-09 12:29", "2026-03-09 12:29"},
		{"2026-03-09 12:30", "2026-03-09 13:30"}, // end is exclusive
		{"2026-03-09 13:00", "2026-03-09 13:30"},
		{"2026-03-09 17:59", "2026-03-09 17:59"},
		{"2026-03-09 18:00", "2026-03-10 09:00"},
		{"2026-03-09 23:59", "2026-03-10 09:00"},
		{"2026-03-06 18:00", "2026-03-09 09:00"}, // Friday evening
		{"2026-03-07 11:00", "2026-03-09 09:00"}, // Saturday
		{"2026-04-03 18:30", "2026-04-07 09:00"}, // Easter Monday
		{"2026-07-13 20:00", "2026-07-15 09:00"}, // 14 July
		{"2026-12-24 19:00", "2026-12-28 09:00"}, // Christmas Friday
		{"2026-12-31 18:00", "2027-01-04 09:00"}, // New Year's Day, a Friday
	}
	for _, tt := range tests {
		tm, want := at(t, tt.t), at(t, tt.next)
		if got := cal.NextOpen(tm); !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %v, want %v", tt.t, got, want)
		}
		if got, want := cal.IsOpen(tm), tt.t == tt.next; got != want {
			t.Errorf("IsOpen(%s) = %v, want %v", tt.t, got, want)
		}
	}
}

func TestAdd(t *testing.T) {
	officeCal, lunchCal := office(t), lunch(t)
	closures := mustCalendar(t, Calendar{
		Hours:          weekdays(Interval{540, 1080}),
		FrenchHolidays: true,
		Closures: []Date{
			date(t, "2026-03-09"),
			date(t, "2026-08-10"), date(t, "2026-08-11"), date(t, "2026-08-12"), date(t, "2026-08-13"), date(t, "2026-08-14"),
		},
	})
	alsace := mustCalendar(t, Calendar{Hours: weekdays(Interval{540, 1080}), FrenchHolidays: true, AlsaceMoselle: true})
	tests := []struct {
		name  string
		cal   *Calendar
		start string
		d     time.Duration
		want  string
	}{
		{"friday evening reaction", officeCal, "2026-03-06 17:55", time.Hour, "2026-03-09 09:55"},
		{"same day", officeCal, "2026-03-09 10:00", 2 * time.Hour, "2026-03-09 12:00"},
		{"ends at closing", officeCal, "2026-03-06 17:00", time.Hour, "2026-03-06 18:00"},
		{"one minute after", officeCal, "2026-03-06 17:00", time.Hour + time.Minute, "2026-03-09 09:01"},
		{"night", officeCal, "2026-03-10 22:00", time.Hour, "2026-03-11 10:00"},
		{"early morning", officeCal, "2026-03-10 07:00", 30 * time.Minute, "2026-03-10 09:30"},
		{"saturday", officeCal, "2026-03-07 10:00", time.Hour, "2026-03-09 10:00"},
		{"sunday night", officeCal, "2026-03-08 23:59", 4 * time.Hour, "2026-03-09 13:00"},
		{"20h target", officeCal, "2026-03-09 10:00", 20 * time.Hour, "2026-03-11 12:00"},
		{"full week", officeCal, "2026-03-09 09:00", 45 * time.Hour, "2026-03-13 18:00"},
		{"full week plus one", officeCal, "2026-03-09 09:00", 46 * time.Hour, "2026-03-16 10:00"},
		{"four weeks", officeCal, "2026-03-02 09:00", 4 * 45 * time.Hour, "2026-03-27 18:00"},
		{"minutes across days", officeCal, "2026-03-09 17:59", 2 * time.Minute, "2026-03-10 09:01"},
		{"easter monday", officeCal, "2026-04-03 17:30", time.Hour, "2026-04-07 09:30"},
		{"good friday not a holiday", officeCal, "2026-04-02 17:30", time.Hour, "2026-04-03 09:30"},
		{"good friday in alsace", alsace, "2026-04-02 17:30", time.Hour, "2026-04-07 09:30"},
		{"14 july", officeCal, "2026-07-13 17:00", 2 * time.Hour, "2026-07-15 10:00"},
		{"ascension 2026", officeCal, "2026-05-13 17:00", 2 * time.Hour, "2026-05-15 10:00"},
		{"whit monday 2026", officeCal, "2026-05-22 17:00", 2 * time.Hour, "2026-05-26 10:00"},
		{"ascension 2027", officeCal, "2027-05-05 17:00", 2 * time.Hour, "2027-05-07 10:00"},
		{"whit monday 2027", officeCal, "2027-05-14 17:00", 2 * time.Hour, "2027-05-18 10:00"},
		{"may 2026 bridges", officeCal, "2026-04-30 17:00", 2 * time.Hour, "2026-05-04 10:00"},
		{"christmas week", officeCal, "2026-12-24 12:00", 20 * time.Hour, "2026-12-29 14:00"},
		{"new year", officeCal, "2026-12-31 17:00", 2 * time.Hour, "2027-01-04 10:00"},
		{"on a holiday", officeCal, "2026-07-14 10:00", time.Hour, "2026-07-15 10:00"},
		{"lunch: morning into afternoon", lunchCal, "2026-03-09 12:00", time.Hour, "2026-03-09 14:00"},
		{"lunch: during lunch", lunchCal, "2026-03-09 12:45", 30 * time.Minute, "2026-03-09 14:00"},
		{"lunch: ends at lunch", lunchCal, "2026-03-09 12:00", 30 * time.Minute, "2026-03-09 12:30"},
		{"lunch: evening", lunchCal, "2026-03-09 17:30", time.Hour, "2026-03-10 09:30"},
		{"lunch: 19h30 ends at lunch", lunchCal, "2026-03-09 09:00", 19*time.Hour + 30*time.Minute, "2026-03-11 12:30"},
		{"lunch: 20h", lunchCal, "2026-03-09 09:00", 20 * time.Hour, "2026-03-11 14:00"},
		{"closure monday", closures, "2026-03-06 17:55", time.Hour, "2026-03-10 09:55"},
		{"closure week and 15 august", closures, "2026-08-07 17:00", 2 * time.Hour, "2026-08-17 10:00"},
		{"zero when open", officeCal, "2026-03-09 10:00", 0, "2026-03-09 10:00"},
		{"zero when closed", officeCal, "2026-03-07 10:00", 0, "2026-03-09 09:00"},
		{"zero at closing", officeCal, "2026-03-09 18:00", 0, "2026-03-10 09:00"},
		{"negative", officeCal, "2026-03-07 10:00", -time.Hour, "2026-03-09 09:00"},
		// DST: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
		{"spring weekend office", officeCal, "2026-03-27 17:00", 2 * time.Hour, "2026-03-30 10:00"},
		{"spring week office", officeCal, "2026-03-26 10:00", 20 * time.Hour, "2026-03-30 12:00"},
		{"autumn weekend office", officeCal, "2026-10-23 17:00", 2 * time.Hour, "2026-10-26 10:00"},
		{"autumn week office", officeCal, "2026-10-22 10:00", 20 * time.Hour, "2026-10-26 12:00"},
		{"spring 24/7", alwaysOpen(t), "2026-03-28 12:00", 24 * time.Hour, "2026-03-29 13:00"},
		{"spring 24/7 night", alwaysOpen(t), "2026-03-29 01:30", time.Hour, "2026-03-29 03:30"},
		{"autumn 24/7", alwaysOpen(t), "2026-10-24 12:00", 24 * time.Hour, "2026-10-25 11:00"},
		{"24/7 week", alwaysOpen(t), "2026-03-25 12:00", 7 * 24 * time.Hour, "2026-04-01 13:00"},
	}
	for _, tt := range tests {
		start, want := at(t, tt.start), at(t, tt.want)
		got := tt.cal.Add(start, tt.d)
		if !got.Equal(want) {
			t.Errorf("%s: Add(%s, %v) = %v, want %v", tt.name, tt.start, tt.d, got, want)
		}
		if got, want := got.Location(), tt.cal.Location; got != want {
			t.Errorf("%s: Add result in %v, want %v", tt.name, got, want)
		}
		if got, want := tt.cal.Between(start, got), max(tt.d, 0); got != want {
			t.Errorf("%s: Between(start, Add(start, d)) = %v, want %v", tt.name, got, want)
		}
	}
}

func TestAddInputZone(t *testing.T) {
	cal := office(t)
	start := time.Date(2026, time.March, 6, 16, 55, 0, 0, time.UTC) // 17:55 in Paris
	want := time.Date(2026, time.March, 9, 8, 55, 0, 0, time.UTC)
	if got := cal.Add(start, time.Hour); !got.Equal(want) {
		t.Errorf("Add(%v, 1h) = %v, want %v", start, got, want)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	nyCal := mustCalendar(t, Calendar{Location: ny, Hours: weekdays(Interval{540, 1080})})
	// 09:00 in New York on a Monday is 15:00 in Paris (DST differs in March).
	if got, want := nyCal.NextOpen(at(t, "2026-03-09 10:00")), time.Date(2026, time.March, 9, 9, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("NextOpen in New York = %v, want %v", got, want)
	}
}

func TestBetween(t *testing.T) {
	officeCal, lunchCal, always := office(t), lunch(t), alwaysOpen(t)
	tests := []struct {
		name string
		cal  *Calendar
		a, b string
		want time.Duration
	}{
		{"same day", officeCal, "2026-03-09 10:00", "2026-03-09 12:00", 2 * time.Hour},
		{"reversed", officeCal, "2026-03-09 12:00", "2026-03-09 10:00", 0},
		{"empty", officeCal, "2026-03-09 12:00", "2026-03-09 12:00", 0},
		{"closed span", officeCal, "2026-03-06 18:00", "2026-03-09 09:00", 0},
		{"over weekend", officeCal, "2026-03-06 17:00", "2026-03-09 10:00", 2 * time.Hour},
		{"whole week", officeCal, "2026-03-08 00:00", "2026-03-15 00:00", 45 * time.Hour},
		{"week with easter monday", officeCal, "2026-04-05 00:00", "2026-04-12 00:00", 36 * time.Hour},
		{"week with ascension", officeCal, "2026-05-10 00:00", "2026-05-17 00:00", 36 * time.Hour},
		{"may 2026", officeCal, "2026-05-01 00:00", "2026-06-01 00:00", 17 * 9 * time.Hour},
		{"lunch day", lunchCal, "2026-03-09 00:00", "2026-03-10 00:00", 8 * time.Hour},
		{"lunch partial", lunchCal, "2026-03-09 12:00", "2026-03-09 14:00", time.Hour},
		{"spring week office", officeCal, "2026-03-23 00:00", "2026-04-06 00:00", 90 * time.Hour},
		{"autumn week office", officeCal, "2026-10-19 00:00", "2026-11-02 00:00", 90 * time.Hour},
		{"spring sunday 24/7", always, "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{"autumn sunday 24/7", always, "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
		{"spring week 24/7", always, "2026-03-23 00:00", "2026-03-30 00:00", 7*24*time.Hour - time.Hour},
		{"year 24/7", always, "2026-01-01 00:00", "2027-01-01 00:00", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got, want := tt.cal.Between(at(t, tt.a), at(t, tt.b)), tt.want; got != want {
			t.Errorf("%s: Between(%s, %s) = %v, want %v", tt.name, tt.a, tt.b, got, want)
		}
	}
}

// TestDSTBoundaries checks intervals whose boundaries fall in the DST
// gap or overlap: the first instant at which the clock reads the time,
// or a later one.
func TestDSTBoundaries(t *testing.T) {
	loc := paris(t)
	sunday := func(ivs ...Interval) *Calendar {
		return mustCalendar(t, Calendar{Location: loc, Hours: Week{time.Sunday: ivs}})
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name string
		cal  *Calendar
		day  string
		want time.Duration
	}{
		// 2026-03-29: 02:00 CET (01:00Z) jumps to 03:00 CEST.
		{"spring 02:00-04:00", sunday(Interval{120, 240}), "2026-03-29", time.Hour},
		{"spring 01:00-03:00", sunday(Interval{60, 180}), "2026-03-29", time.Hour},
		{"spring 02:15-02:45 skipped", sunday(Interval{135, 165}), "2026-03-29", 0},
		{"spring 00:00-06:00", sunday(Interval{0, 360}), "2026-03-29", 5 * time.Hour},
		{"spring 09:00-18:00", sunday(Interval{540, 1080}), "2026-03-29", 9 * time.Hour},
		// 2026-10-25: 03:00 CEST (01:00Z) goes back to 02:00 CET.
		{"autumn 02:00-04:00", sunday(Interval{120, 240}), "2026-10-25", 3 * time.Hour},
		{"autumn 01:00-02:30 first pass", sunday(Interval{60, 150}), "2026-10-25", 90 * time.Minute},
		{"autumn 02:30-03:00", sunday(Interval{150, 180}), "2026-10-25", 90 * time.Minute},
		{"autumn 00:00-06:00", sunday(Interval{0, 360}), "2026-10-25", 7 * time.Hour},
		{"autumn 09:00-18:00", sunday(Interval{540, 1080}), "2026-10-25", 9 * time.Hour},
	}
	for _, tt := range tests {
		d := date(t, tt.day)
		a := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
		b := time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, loc)
		if got, want := tt.cal.Between(a, b), tt.want; got != want {
			t.Errorf("%s: business time on %s = %v, want %v", tt.name, tt.day, got, want)
		}
	}

	gap := sunday(Interval{135, 165})
	if got, want := gap.NextOpen(at(t, "2026-03-28 12:00")), at(t, "2026-04-05 02:15"); !got.Equal(want) {
		t.Errorf("NextOpen skipping an interval lost in the gap = %v, want %v", got, want)
	}
	spring := sunday(Interval{120, 240})
	if got, want := spring.NextOpen(at(t, "2026-03-28 12:00")), utc("2026-03-29T01:00:00Z"); !got.Equal(want) {
		t.Errorf("NextOpen with a start in the gap = %v, want %v", got, want)
	}
	autumn := sunday(Interval{120, 240})
	if got, want := autumn.NextOpen(utc("2026-10-24T12:00:00Z")), utc("2026-10-25T00:00:00Z"); !got.Equal(want) {
		t.Errorf("NextOpen with a start in the overlap = %v, want first 02:00 %v", got, want)
	}
	if got, want := autumn.Add(utc("2026-10-25T00:30:00Z"), 2*time.Hour), utc("2026-10-25T02:30:00Z"); !got.Equal(want) {
		t.Errorf("Add across the overlap = %v, want %v", got, want)
	}
	if !autumn.IsOpen(utc("2026-10-25T01:30:00Z")) { // second 02:30
		t.Errorf("IsOpen at the second 02:30 = false, want true")
	}
}

// TestBetweenMatchesMinuteByMinute compares Between with a naive count
// of the minutes at which the local clock shows an open time, over
// weeks that include DST changes and holidays.
func TestBetweenMatchesMinuteByMinute(t *testing.T) {
	loc := paris(t)
	night := mustCalendar(t, Calendar{Hours: Week{
		time.Saturday: {{0, 360}, {1200, 1440}},
		time.Sunday:   {{0, 360}, {1200, 1440}},
	}})
	cals := map[string]*Calendar{"office": office(t), "lunch": lunch(t), "24/7": alwaysOpen(t), "night": night}
	for name, cal := range cals {
		for _, from := range []string{"2026-03-25 00:00", "2026-04-02 00:00", "2026-10-21 00:00", "2026-12-21 00:00"} {
			a := at(t, from)
			b := a.AddDate(0, 0, 8)
			var want time.Duration
			for m := a; m.Before(b); m = m.Add(time.Minute) {
				local := m.In(loc)
				if cal.hoursOn(DateOf(local)) == nil {
					continue
				}
				mins := local.Hour()*60 + local.Minute()
				for _, iv := range cal.Hours[local.Weekday()] {
					if mins >= iv.Start && mins < iv.End {
						want += time.Minute
					}
				}
			}
			if got := cal.Between(a, b); got != want {
				t.Errorf("%s: Between(%s, +8 days) = %v, want %v", name, from, got, want)
			}
		}
	}
}

// TestAddBetweenInverse checks Between(s, Add(s, d)) == d, Add(s, 0) == s
// when s is open, and additivity of Between, for many starts and targets.
func TestAddBetweenInverse(t *testing.T) {
	closures := mustCalendar(t, Calendar{
		Hours:          weekdays(Interval{480, 720}, Interval{780, 1020}),
		FrenchHolidays: true,
		AlsaceMoselle:  true,
		Closures:       []Date{date(t, "2026-03-30"), date(t, "2026-03-31"), date(t, "2026-10-26")},
	})
	odd := mustCalendar(t, Calendar{Hours: Week{
		time.Sunday:   {{60, 150}, {150, 200}, {1380, 1440}},
		time.Monday:   {{0, 30}},
		time.Saturday: {{135, 165}, {600, 601}},
	}})
	cals := map[string]*Calendar{"office": office(t), "lunch": lunch(t), "24/7": alwaysOpen(t), "closures": closures, "odd": odd}
	durations := []time.Duration{0, time.Second, time.Minute, 30 * time.Minute, time.Hour, 150 * time.Minute,
		8 * time.Hour, 9 * time.Hour, 20 * time.Hour, 45 * time.Hour, 100*time.Hour + 7*time.Second, 400 * time.Hour}
	for name, cal := range cals {
		for _, from := range []string{"2026-03-20 00:00", "2026-10-16 00:00", "2026-12-18 00:00"} {
			first := at(t, from)
			for s := first; s.Before(first.AddDate(0, 0, 16)); s = s.Add(37*time.Minute + 13*time.Second) {
				for _, d := range durations {
					end := cal.Add(s, d)
					if got, want := cal.Between(s, end), d; got != want {
						t.Fatalf("%s: Between(%v, Add(%v, %v) = %v) = %v, want %v", name, s, s, d, end, got, want)
					}
					if end.Before(s) {
						t.Fatalf("%s: Add(%v, %v) = %v is before start", name, s, d, end)
					}
					if d > 0 {
						mid := s.Add(end.Sub(s) / 3)
						if got, want := cal.Between(s, mid)+cal.Between(mid, end), d; got != want {
							t.Fatalf("%s: Between is not additive around %v: %v, want %v", name, mid, got, want)
						}
					}
				}
				if cal.IsOpen(s) && !cal.Add(s, 0).Equal(s) {
					t.Fatalf("%s: Add(%v, 0) = %v, want start", name, s, cal.Add(s, 0))
				}
				if next := cal.NextOpen(s); !cal.IsOpen(next) {
					t.Fatalf("%s: NextOpen(%v) = %v is not open", name, s, next)
				}
				if got, want := cal.Between(s, cal.NextOpen(s)), time.Duration(0); got != want {
					t.Fatalf("%s: business time before NextOpen(%v) = %v", name, s, got)
				}
			}
		}
	}
}

func TestAlwaysOpenIsRealTime(t *testing.T) {
	cal := alwaysOpen(t)
	start := at(t, "2026-03-28 23:17")
	for d := time.Duration(0); d < 72*time.Hour; d += 17 * time.Minute {
		if got, want := cal.Add(start, d), start.Add(d); !got.Equal(want) {
			t.Fatalf("Add(%v, %v) = %v, want %v", start, d, got, want)
		}
	}
	start = at(t, "2026-10-24 23:17")
	for d := time.Duration(0); d < 72*time.Hour; d += 17 * time.Minute {
		if got, want := cal.Add(start, d), start.Add(d); !got.Equal(want) {
			t.Fatalf("Add(%v, %v) = %v, want %v", start, d, got, want)
		}
	}
}

func TestUnvalidatedCalendar(t *testing.T) {
	// A Calendar literal works without NewCalendar (UTC, linear closures)...
	cal := &Calendar{Hours: weekdays(Interval{540, 1080}), Closures: []Date{date(t, "2026-03-09")}}
	want := time.Date(2026, time.March, 10, 9, 55, 0, 0, time.UTC)
	if got := cal.Add(time.Date(2026, time.March, 6, 17, 55, 0, 0, time.UTC), time.Hour); !got.Equal(want) {
		t.Errorf("Add = %v, want %v", got, want)
	}
	// ...and an empty one does not loop forever.
	empty := &Calendar{}
	if got := empty.Add(at(t, "2026-03-09 10:00"), time.Hour); !got.IsZero() {
		t.Errorf("Add on an empty calendar = %v, want zero", got)
	}
	if empty.IsOpen(at(t, "2026-03-09 10:00")) {
		t.Errorf("IsOpen on an empty calendar = true")
	}
	if got := empty.Between(at(t, "2026-03-09 10:00"), at(t, "2026-03-19 10:00")); got != 0 {
		t.Errorf("Between on an empty calendar = %v", got)
	}
}

func BenchmarkAddOffice3Weeks(b *testing.B) {
	cal, start := office(b), at(b, "2026-03-20 17:55")
	for b.Loop() {
		cal.Add(start, 3*45*time.Hour)
	}
}

func BenchmarkAddLunch1Hour(b *testing.B) {
	cal, start := lunch(b), at(b, "2026-03-20 17:55")
	for b.Loop() {
		cal.Add(start, time.Hour)
	}
}

func BenchmarkBetweenOffice3Weeks(b *testing.B) {
	cal, start := office(b), at(b, "2026-03-20 17:55")
	end := start.AddDate(0, 0, 21)
	for b.Loop() {
		cal.Between(start, end)
	}
}

func BenchmarkAdd247Week(b *testing.B) {
	cal, start := alwaysOpen(b), at(b, "2026-03-25 12:00")
	for b.Loop() {
		cal.Add(start, 7*24*time.Hour)
	}
}
