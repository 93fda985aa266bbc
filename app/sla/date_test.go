package sla

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNewDate(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2026, time.January, 1, "2026-01-01"},
		{2026, time.January, 32, "2026-02-01"},
		{2026, time.February, 29, "2026-03-01"},
		{2024, time.February, 29, "2024-02-29"},
		{2026, time.March, 0, "2026-02-28"},
		{2026, 13, 1, "2027-01-01"},
		{2026, 0, 1, "2025-12-01"},
		{2026, -11, 1, "2025-01-01"},
		{2000, time.December, 31, "2000-12-31"},
		{1900, time.March, 1, "1900-03-01"},
	}
	for _, tt := range tests {
		if got, want := NewDate(tt.y, tt.m, tt.d).String(), tt.want; got != want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", tt.y, tt.m, tt.d, got, want)
		}
	}
}

func TestDateAgainstTime(t *testing.T) {
	// Every day from 1890 to 2110 must agree with package time.
	start := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC)
	d := DateOf(start)
	for tm := start; tm.Year() < 2110; tm = tm.AddDate(0, 0, 1) {
		if got, want := d, DateOf(tm); got != want {
			t.Fatalf("AddDays walk = %v, want %v", got, want)
		}
		if got, want := d.Weekday(), tm.Weekday(); got != want {
			t.Fatalf("%v.Weekday() = %v, want %v", d, got, want)
		}
		if got, want := NewDate(tm.Year(), tm.Month(), tm.Day()), d; got != want {
			t.Fatalf("NewDate = %v, want %v", got, want)
		}
		d = d.AddDays(1)
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want string
	}{
		{"2026-12-31", 1, "2027-01-01"},
		{"2027-01-01", -1, "2026-12-31"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2026-04-05", 39, "2026-05-14"},
		{"2026-04-05", 50, "2026-05-25"},
		{"2026-03-06", 0, "2026-03-06"},
		{"2026-01-01", 365, "2027-01-01"},
		{"2026-01-01", -3653, "2016-01-01"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.d)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := d.AddDays(tt.n).String(), tt.want; got != want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.d, tt.n, got, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2026-04-06", Date{2026, time.April, 6}, false},
		{"2024-02-29", Date{2024, time.February, 29}, false},
		{"2026-02-29", Date{}, true},
		{"2026-13-01", Date{}, true},
		{"06/04/2026", Date{}, true},
		{"", Date{}, true},
		{"2026-4-6", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if gotErr := err != nil; gotErr != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if err == nil {
			if got, want := got.String(), tt.in; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		}
	}
}

func TestDateCompare(t *testing.T) {
	a, b := Date{2026, time.April, 5}, Date{2026, time.April, 6}
	if got, want := a.Compare(b), -1; got != want {
		t.Errorf("Compare = %d, want %d", got, want)
	}
	if got, want := b.Compare(a), 1; got != want {
		t.Errorf("Compare = %d, want %d", got, want)
	}
	if got, want := a.Compare(a), 0; got != want {
		t.Errorf("Compare = %d, want %d", got, want)
	}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Before(a) {
		t.Errorf("Before/After inconsistent for %v, %v", a, b)
	}
	if !(Date{2025, time.December, 31}).Before(Date{2026, time.January, 1}) {
		t.Errorf("year boundary comparison is wrong")
	}
}

func TestDateValidity(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, time.April, 6}, true},
		{Date{2024, time.February, 29}, true},
		{Date{2026, time.February, 29}, false},
		{Date{2026, time.April, 31}, false},
		{Date{2026, 0, 1}, false},
		{Date{2026, 13, 1}, false},
		{Date{2026, time.April, 0}, false},
		{Date{}, false},
	}
	for _, tt := range tests {
		if got, want := tt.d.IsValid(), tt.want; got != want {
			t.Errorf("%v.IsValid() = %v, want %v", tt.d, got, want)
		}
	}
	if !(Date{}).IsZero() || (Date{2026, 1, 1}).IsZero() {
		t.Errorf("IsZero is wrong")
	}
}

func TestDateJSON(t *testing.T) {
	in := struct{ D Date }{Date{2026, time.July, 14}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"D":"2026-07-14"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out struct{ D Date }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.D, in.D; got != want {
		t.Errorf("Unmarshal = %v, want %v", got, want)
	}
	if err := json.Unmarshal([]byte(`{"D":"2026-02-30"}`), &out); err == nil {
		t.Errorf("Unmarshal of an impossible date succeeded")
	}
}
