package interventions_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/interventions"
)

// BenchmarkRegisterChainVerify recomputes a client's hash chain as interventions.Verify does
// (each entry's SHA-256 over its fields and the previous hash), without the database, and reports
// the entries verified per second.
func BenchmarkRegisterChainVerify(b *testing.B) {
	const n = 10_000
	client := uuid.MustParse("01900000-0000-7000-8000-0000000000c1")
	contract := uuid.NullUUID{UUID: uuid.MustParse("01900000-0000-7000-8000-0000000000c2"), Valid: true}
	chain := make([]*interventions.RegisterEntry, n)
	prev := interventions.ZeroHash
	start := time.Date(2016, 1, 4, 9, 0, 0, 0, time.UTC)
	for i := range chain {
		at := start.Add(time.Duration(i) * 7 * time.Hour)
		e := &interventions.RegisterEntry{
			ID: uuid.Must(uuid.NewV7()), ClientID: client, Seq: i + 1, InterventionID: uuid.Must(uuid.NewV7()),
			OccurredOn: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC), ContractID: contract,
			Kind: interventions.KindPreventive, Subject: "Visite préventive", Actions: "Mises à jour, sauvegardes vérifiées.",
			MinutesWork: 90, MinutesTravel: 30, TimeCostCents: 16250, TotalCostCents: 16250,
			Technicians: "Léa Technicienne", SheetReference: interventions.Reference(i + 1), CreatedAt: at, PrevHash: prev,
		}
		e.Hash = interventions.ComputeHash(e)
		prev = e.Hash
		chain[i] = e
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		prev, seq := interventions.ZeroHash, 0
		for _, e := range chain {
			if e.Seq != seq+1 || !bytes.Equal(e.PrevHash, prev) || !bytes.Equal(interventions.ComputeHash(e), e.Hash) {
				b.Fatalf("chain broken at %d", e.Seq)
			}
			prev, seq = e.Hash, e.Seq
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
