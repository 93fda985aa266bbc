package billing

import (
	"testing"
	"time"

	"maintenant/app/interventions"
)

func TestLineHTRounding(t *testing.T) {
	cases := []struct {
		name     string
		qty      interventions.Quantity
		price    int64
		discount int
		want     int64
	}{
		{"plain", 2000, 12_50, 0, 25_00},
		{"fraction of an hour", 1500, 65_00, 0, 97_50},
		{"half a cent rounds up", 1000, 1, 5000, 1},                   // 0,005 € → 0,01 €
		{"just under half rounds down", 333, 1_00, 0, 33},             // 0,333 € → 0,33 €
		{"half away from zero", 5, 1_00, 0, 1},                        // 0,005 → 0,01
		{"discount 10 %", 3000, 33_33, 1000, 89_99},                   // 99,99 × 0,9 = 89,991
		{"discount 15 % with a half", 1000, 3_30, 1500, 2_81},         // 2,805 → 2,81
		{"full discount", 4000, 100_00, 10000, 0},                     // offered
		{"large", 999_999_999, 1_000_000_000, 0, 999_999_999_000_000}, // no overflow
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &Line{Quantity: c.qty, UnitPriceCents: c.price, DiscountBP: c.discount}
			if got := l.HTCents(); got != c.want {
				t.Errorf("HTCents = %d, want %d", got, c.want)
			}
		})
	}
}

func TestComputeTotalsSeveralRates(t *testing.T) {
	lines := []*Line{
		{Quantity: 3000, UnitPriceCents: 65_00, VATRateBP: 2000},                   // 195,00 at 20 %
		{Quantity: 1000, UnitPriceCents: 10_05, VATRateBP: 2000, DiscountBP: 500},  // 9,5475 → 9,55 at 20 %
		{Quantity: 2000, UnitPriceCents: 4_99, VATRateBP: 550},                     // 9,98 at 5,5 %
		{Quantity: 1000, UnitPriceCents: 12_34, VATRateBP: 1000, DiscountBP: 2500}, // 9,255 → 9,26 at 10 %
		{Quantity: 1000, UnitPriceCents: 20_00, VATRateBP: 0},                      // 20,00 at 0 %
	}
	got := ComputeTotals(lines)
	if got.HTCents != 195_00+9_55+9_98+9_26+20_00 {
		t.Errorf("HT = %d", got.HTCents)
	}
	want := []VATAmount{
		{RateBP: 2000, BaseCents: 204_55, VATCents: 40_91}, // 40,91
		{RateBP: 1000, BaseCents: 9_26, VATCents: 93},      // 0,926 → 0,93
		{RateBP: 550, BaseCents: 9_98, VATCents: 55},       // 0,5489 → 0,55
		{RateBP: 0, BaseCents: 20_00, VATCents: 0},
	}
	if len(got.VAT) != len(want) {
		t.Fatalf("VAT = %+v", got.VAT)
	}
	for i := range want {
		if got.VAT[i] != want[i] {
			t.Errorf("VAT[%d] = %+v, want %+v", i, got.VAT[i], want[i])
		}
	}
	if got.VATCents != 40_91+93+55 || got.TTCCents != got.HTCents+got.VATCents {
		t.Errorf("VAT %d, TTC %d", got.VATCents, got.TTCCents)
	}
	if lines[1].LineHTCents != 9_55 {
		t.Errorf("line HT stored = %d, want 955", lines[1].LineHTCents)
	}
}

func TestDeposit(t *testing.T) {
	q := &Quote{TotalTTCCents: 1234_55, DepositBP: 3000}
	if got := q.DepositCents(); got != 370_37 { // 370,365 → 370,37
		t.Errorf("deposit = %d", got)
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusDraft, StatusSent}: true, {StatusSent, StatusAccepted}: true, {StatusSent, StatusDeclined}: true,
		{StatusSent, StatusExpired}: true, {StatusSent, StatusWithdrawn}: true, {StatusSent, StatusReplaced}: true,
		{StatusExpired, StatusReplaced}: true,
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got := CanTransition(from, to); got != allowed[[2]Status{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
	for _, s := range []Status{StatusAccepted, StatusDeclined, StatusWithdrawn, StatusReplaced} {
		if !s.IsFinal() {
			t.Errorf("%s should be final", s)
		}
	}
}

func TestStatusOnExpiry(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	q := &Quote{Status: StatusSent, ValidUntil: day("2026-12-10")}
	if got := q.StatusOn(day("2026-12-10")); got != StatusSent {
		t.Errorf("on the last day: %s, want sent", got)
	}
	if got := q.StatusOn(day("2026-12-11")); got != StatusExpired {
		t.Errorf("the day after: %s, want expired", got)
	}
	if q.Decidable(day("2026-12-11")) {
		t.Error("decidable after its validity")
	}
	q.Status = StatusAccepted
	if got := q.StatusOn(day("2027-01-01")); got != StatusAccepted {
		t.Errorf("accepted stays accepted: %s", got)
	}
}

func TestCanonicalContentStable(t *testing.T) {
	q := &Quote{Year: 2026, Number: 7, Revision: 1, Title: "Refonte", ValidUntil: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Lines: []*Line{{Description: "Maquette", Quantity: 1000, UnitPriceCents: 500_00, VATRateBP: 2000, LineHTCents: 500_00}}}
	a, b := q.ComputeHash(), q.ComputeHash()
	if string(a) != string(b) || len(a) != 32 {
		t.Fatal("hash not stable")
	}
	q.Lines[0].UnitPriceCents = 500_01
	if string(q.ComputeHash()) == string(a) {
		t.Error("a changed price gives the same hash")
	}
}

func TestReference(t *testing.T) {
	if got := Reference(2026, 7, 1); got != "D-2026-0007" {
		t.Error(got)
	}
	if got := Reference(2026, 7, 2); got != "D-2026-0007-R2" {
		t.Error(got)
	}
}
