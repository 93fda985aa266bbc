package billing

import (
	"math/big"
	"slices"
	"testing"

	"maintenant/app/interventions"
)

// FuzzComputeTotals prices random valid lines: the totals add up (TTC = HT + VAT, the VAT bases are
// the HT), each VAT is its base times its rate rounded half away from zero, and the order of the
// lines changes nothing.
func FuzzComputeTotals(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255, 4, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 0, 0, 0, 3, 0, 0, 0, 7, 1, 99})
	f.Fuzz(func(t *testing.T, data []byte) {
		var lines []*Line
		for len(data) >= 10 && len(lines) < 50 {
			u := func(b []byte) int64 { return int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3]) }
			l := &Line{
				Description:    "ligne",
				Quantity:       interventions.Quantity(1 + u(data[0:4])%MaxQuantityMilli),
				UnitPriceCents: u(data[4:8]) % (MaxUnitPrice + 1),
				VATRateBP:      VATRates[int(data[8])%len(VATRates)],
				DiscountBP:     int(data[9]) * 10000 / 255,
			}
			lines = append(lines, l)
			data = data[10:]
		}
		tot := ComputeTotals(lines)
		if tot.TTCCents != tot.HTCents+tot.VATCents {
			t.Fatalf("TTC %d != HT %d + VAT %d", tot.TTCCents, tot.HTCents, tot.VATCents)
		}
		var bases, vats, ht int64
		for _, l := range lines {
			if l.LineHTCents < 0 {
				t.Fatalf("negative line HT %d", l.LineHTCents)
			}
			ht += l.LineHTCents
		}
		for i, v := range tot.VAT {
			if i > 0 && v.RateBP >= tot.VAT[i-1].RateBP {
				t.Fatal("VAT rates not highest first")
			}
			want := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(v.BaseCents), big.NewInt(int64(v.RateBP))), big.NewInt(10000))
			diff := new(big.Rat).Sub(want, new(big.Rat).SetInt64(v.VATCents))
			if diff.Abs(diff).Cmp(big.NewRat(1, 2)) > 0 {
				t.Fatalf("VAT %d at %d bp of %d: off by more than half a cent", v.VATCents, v.RateBP, v.BaseCents)
			}
			bases += v.BaseCents
			vats += v.VATCents
		}
		if bases != tot.HTCents || ht != tot.HTCents || vats != tot.VATCents {
			t.Fatalf("bases %d, lines %d, HT %d, VAT %d vs %d", bases, ht, tot.HTCents, vats, tot.VATCents)
		}
		rev := slices.Clone(lines)
		slices.Reverse(rev)
		if again := ComputeTotals(rev); again.TTCCents != tot.TTCCents || again.VATCents != tot.VATCents {
			t.Fatal("the order of the lines changes the totals")
		}
	})
}
