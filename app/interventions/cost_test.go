package interventions

import (
	"testing"
	"time"
)

func TestComputeCost(t *testing.T) {
	mat := func(q Quantity, price int64, billable, fromQuote bool) *Material {
		return &Material{QuantityMilli: q, UnitPriceCents: price, Billable: billable, FromQuote: fromQuote}
	}
	tests := []struct {
		name      string
		in        CostInput
		want      Cost
		wantTotal int64
	}{
		{"covered within included hours costs nothing",
			CostInput{HourlyRateCents: 6000, RemainingIncluded: map[string]int{"2026-03": 240},
				Entries: []CostEntry{{"2026-03", 90, false}, {"2026-03", 30, false}}},
			Cost{CoveredMinutes: 120, IncludedUsedMinutes: 120}, 0},
		{"overrun beyond the remaining minutes is billed",
			CostInput{HourlyRateCents: 6000, RemainingIncluded: map[string]int{"2026-03": 60},
				Entries: []CostEntry{{"2026-03", 90, false}}},
			Cost{CoveredMinutes: 90, IncludedUsedMinutes: 60, OverrunMinutes: 30, TimeCostCents: 3000}, 3000},
		{"billable time is billed and spends no included minutes",
			CostInput{HourlyRateCents: 6000, RemainingIncluded: map[string]int{"2026-03": 600},
				Entries: []CostEntry{{"2026-03", 45, true}, {"2026-03", 15, false}}},
			Cost{BillableMinutes: 45, CoveredMinutes: 15, IncludedUsedMinutes: 15, TimeCostCents: 4500}, 4500},
		{"each month has its own included minutes",
			CostInput{HourlyRateCents: 6000, RemainingIncluded: map[string]int{"2026-03": 30, "2026-04": 120},
				Entries: []CostEntry{{"2026-03", 60, false}, {"2026-04", 60, false}}},
			Cost{CoveredMinutes: 120, IncludedUsedMinutes: 90, OverrunMinutes: 30, TimeCostCents: 3000}, 3000},
		{"no contract: no included minutes, no rate",
			CostInput{Entries: []CostEntry{{"2026-03", 60, false}}},
			Cost{CoveredMinutes: 60, OverrunMinutes: 60}, 0},
		{"rounding half away from zero once per sheet",
			CostInput{HourlyRateCents: 6500, Entries: []CostEntry{{"2026-03", 7, true}}},
			// 7 × 6500 / 60 = 758,33 → 758
			Cost{BillableMinutes: 7, TimeCostCents: 758}, 758},
		{"materials: billable lines only, quote material never",
			CostInput{Materials: []*Material{mat(1500, 1999, true, false), mat(1000, 5000, false, false), mat(2000, 3000, true, true)}},
			// 1,5 × 19,99 = 29,985 → 29,99
			Cost{MaterialsCents: 2999}, 2999},
		{"negative remaining is none",
			CostInput{HourlyRateCents: 6000, RemainingIncluded: map[string]int{"2026-03": -10},
				Entries: []CostEntry{{"2026-03", 60, false}}},
			Cost{CoveredMinutes: 60, OverrunMinutes: 60, TimeCostCents: 6000}, 6000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeCost(tt.in)
			tt.want.TotalCents = tt.wantTotal
			if got != tt.want {
				t.Errorf("ComputeCost = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNewUsage(t *testing.T) {
	tests := []struct{ included, used, overrun, remaining int }{
		{240, 0, 0, 240}, {240, 240, 0, 0}, {240, 300, 60, 0}, {0, 30, 30, 0},
	}
	for _, tt := range tests {
		u := NewUsage("2026-03", tt.included, tt.used)
		if u.OverrunMinutes != tt.overrun || u.RemainingMinutes() != tt.remaining {
			t.Errorf("NewUsage(%d, %d) = %+v remaining %d", tt.included, tt.used, u, u.RemainingMinutes())
		}
	}
}

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want Quantity
		ok   bool
	}{
		{"2", 2000, true}, {"1,5", 1500, true}, {"0.250", 250, true}, {" 3 ", 3000, true}, {",5", 500, true},
		{"", 0, false}, {"-1", 0, false}, {"1.2345", 0, false}, {"abc", 0, false}, {"1,2,3", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseQuantity(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseQuantity(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := Quantity(1500).String(); got != "1.5" {
		t.Errorf("String = %s", got)
	}
	if got := Quantity(2000).String(); got != "2" {
		t.Errorf("String = %s", got)
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusTodo, StatusScheduled}: true, {StatusTodo, StatusInProgress}: true, {StatusTodo, StatusCancelled}: true,
		{StatusScheduled, StatusInProgress}: true, {StatusScheduled, StatusCancelled}: true, {StatusScheduled, StatusTodo}: true,
		{StatusInProgress, StatusDone}: true, {StatusInProgress, StatusCancelled}: true,
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got := CanTransition(from, to); got != allowed[[2]Status{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+33 6": "'+33 6", "-2": "'-2", "@cmd": "'@cmd", "\tx": "'\tx",
		"Serveur": "Serveur", "": "",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimeEntryValidate(t *testing.T) {
	for _, m := range []int{0, -5, MaxEntryMinutes + 1} {
		e := &TimeEntry{TechnicianID: [16]byte{1}, Category: CategoryWork, Minutes: m, StartedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		if err := e.Validate(); err == nil {
			t.Errorf("minutes %d accepted", m)
		}
	}
}
