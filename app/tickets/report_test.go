package tickets_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/tickets"
)

// reportTicket is a ticket of a report scenario: opened at Opened (Paris), acknowledged at Ack and
// resolved at Resolved when set.
type reportTicket struct {
	Priority      sla.Priority
	Opened        string
	Ack, Resolved string
	// WithoutSLA reports it under the client's contract without SLA.
	WithoutSLA bool
}

func (f *fixture) scenario(t *testing.T, rts []reportTicket) {
	t.Helper()
	for _, rt := range rts {
		in := f.input()
		in.Priority = rt.Priority
		if rt.WithoutSLA {
			in.ContractID, in.ServiceLabel = f.noSLA.ID, ""
		}
		tk := f.open(t, in, clientActor(f.alice), at(t, rt.Opened))
		if rt.Ack != "" {
			tk = f.move(t, tk, tickets.StatusAcknowledged, staff(f.manager), at(t, rt.Ack))
		}
		if rt.Resolved != "" {
			f.move(t, tk, tickets.StatusResolved, staff(f.manager), at(t, rt.Resolved))
		}
	}
}

func TestMonthlyReport(t *testing.T) {
	march := tickets.Month{Year: 2026, Month: time.March}
	// The fixture's policy: Monday to Friday 09:00-18:00, critical 1 h / 4 h, normal 4 h / 16 h;
	// 1 % of the monthly fee (120,00 €) per started hour, capped at 10 % (12,00 €).
	tests := []struct {
		name    string
		tickets []reportTicket
		now     string
		// want
		opened, withSLA          int
		reactionMeasured, rMet   int
		resolutionMeasured, sMet int
		reactionRate, resRate    int
		breaches                 []time.Duration // delays, in order
		penalty, uncapped        int64
		capped                   bool
		criticalMedianReaction   time.Duration
		criticalWorstResolution  time.Duration
	}{
		{
			name: "everything met: no penalty",
			tickets: []reportTicket{
				{Priority: sla.Critical, Opened: "2026-03-02 10:00", Ack: "2026-03-02 10:30", Resolved: "2026-03-02 12:00"},
				{Priority: sla.Critical, Opened: "2026-03-03 10:00", Ack: "2026-03-03 10:10", Resolved: "2026-03-03 11:00"},
				{Priority: sla.Normal, Opened: "2026-03-04 09:00", Ack: "2026-03-04 10:00", Resolved: "2026-03-05 09:00"},
			},
			now:    "2026-04-10 12:00",
			opened: 3, withSLA: 3, reactionMeasured: 3, rMet: 3, resolutionMeasured: 3, sMet: 3,
			reactionRate: 100, resRate: 100,
			criticalMedianReaction: 20 * time.Minute, criticalWorstResolution: 2 * time.Hour,
		},
		{
			name: "two breaches of one ticket, under the cap",
			tickets: []reportTicket{
				// Reaction 2 h (1 h late), resolution 7 h (3 h late): 4 started hours, 4,80 €.
				{Priority: sla.Critical, Opened: "2026-03-03 10:00", Ack: "2026-03-03 12:00", Resolved: "2026-03-03 17:00"},
				{Priority: sla.Critical, Opened: "2026-03-04 10:00", Ack: "2026-03-04 10:20", Resolved: "2026-03-04 11:00"},
			},
			now:    "2026-04-10 12:00",
			opened: 2, withSLA: 2, reactionMeasured: 2, rMet: 1, resolutionMeasured: 2, sMet: 1,
			reactionRate: 50, resRate: 50,
			breaches: []time.Duration{time.Hour, 3 * time.Hour}, penalty: 480, uncapped: 480,
			criticalMedianReaction: 70 * time.Minute, criticalWorstResolution: 7 * time.Hour,
		},
		{
			name: "cap applied",
			tickets: []reportTicket{
				// Reaction 9 h (8 h late), resolution 36 h of business time (32 h late): 40 %, capped at 10 %.
				{Priority: sla.Critical, Opened: "2026-03-04 09:00", Ack: "2026-03-05 09:00", Resolved: "2026-03-09 18:00"},
			},
			now:    "2026-04-10 12:00",
			opened: 1, withSLA: 1, reactionMeasured: 1, rMet: 0, resolutionMeasured: 1, sMet: 0,
			breaches: []time.Duration{8 * time.Hour, 32 * time.Hour}, penalty: 1200, uncapped: 4800, capped: true,
			criticalMedianReaction: 9 * time.Hour, criticalWorstResolution: 36 * time.Hour,
		},
		{
			name: "open tickets: overdue counts with its delay so far, within deadline not yet; other months and contracts apart",
			tickets: []reportTicket{
				// Still new on Monday 30 March 11:00: reaction 2 h (1 h late), resolution 2 h of
				// 4 h (not measured yet): one breach.
				{Priority: sla.Critical, Opened: "2026-03-30 09:00"},
				// Opened at 10:30, normal (4 h / 16 h): on time, not measured.
				{Priority: sla.Normal, Opened: "2026-03-30 10:30"},
				// Another contract of the client: not in this report.
				{Priority: sla.Low, Opened: "2026-03-10 10:00", WithoutSLA: true},
				// February and April: other months.
				{Priority: sla.Critical, Opened: "2026-02-27 10:00", Ack: "2026-02-27 15:00"},
				{Priority: sla.Critical, Opened: "2026-04-01 00:30", Ack: "2026-04-01 15:00"},
				// 1 March 00:30 in Paris is 28 February in UTC: March; its clocks start on Monday 09:00.
				{Priority: sla.Critical, Opened: "2026-03-01 00:30", Ack: "2026-03-02 09:30", Resolved: "2026-03-02 10:00"},
			},
			now:    "2026-03-30 11:00",
			opened: 3, withSLA: 3, reactionMeasured: 2, rMet: 1, resolutionMeasured: 1, sMet: 1,
			reactionRate: 50, resRate: 100,
			breaches: []time.Duration{time.Hour}, penalty: 120, uncapped: 120,
			criticalMedianReaction: 75 * time.Minute, criticalWorstResolution: time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			f.scenario(t, tt.tickets)
			r, err := tickets.MonthlyReport(context.Background(), f.db.Bun, f.contract.ID, march, paris, at(t, tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if r.Opened != tt.opened || r.WithSLA != tt.withSLA {
				t.Errorf("opened %d with SLA %d, want %d %d", r.Opened, r.WithSLA, tt.opened, tt.withSLA)
			}
			if r.Reaction.Measured != tt.reactionMeasured || r.Reaction.Met != tt.rMet {
				t.Errorf("reaction %d/%d, want %d/%d", r.Reaction.Met, r.Reaction.Measured, tt.rMet, tt.reactionMeasured)
			}
			if r.Resolution.Measured != tt.resolutionMeasured || r.Resolution.Met != tt.sMet {
				t.Errorf("resolution %d/%d, want %d/%d", r.Resolution.Met, r.Resolution.Measured, tt.sMet, tt.resolutionMeasured)
			}
			if got, want := r.Reaction.Rate(), tt.reactionRate; got != want {
				t.Errorf("reaction rate %d, want %d", got, want)
			}
			if got, want := r.Resolution.Rate(), tt.resRate; got != want {
				t.Errorf("resolution rate %d, want %d", got, want)
			}
			if got := r.Delays(); len(got) != len(tt.breaches) {
				t.Errorf("delays %v, want %v", got, tt.breaches)
			} else {
				for i := range got {
					if got[i] != tt.breaches[i] {
						t.Errorf("delays %v, want %v", got, tt.breaches)
					}
				}
			}
			if r.MonthlyFeeCents != 12000 || !r.HasRule || r.Rule.PercentPerStartedHour != 100 || r.CapCents != 1200 {
				t.Errorf("fee %d rule %+v (%v) cap %d", r.MonthlyFeeCents, r.Rule, r.HasRule, r.CapCents)
			}
			if r.PenaltyCents != tt.penalty || r.UncappedCents != tt.uncapped || r.Capped != tt.capped {
				t.Errorf("penalty %d (uncapped %d, capped %v), want %d (%d, %v)", r.PenaltyCents, r.UncappedCents, r.Capped, tt.penalty, tt.uncapped, tt.capped)
			}
			crit := r.Priorities[0]
			if crit.Priority != sla.Critical || crit.Reaction.Median != tt.criticalMedianReaction || crit.Resolution.Worst != tt.criticalWorstResolution {
				t.Errorf("critical: median reaction %v, worst resolution %v; want %v, %v", crit.Reaction.Median, crit.Resolution.Worst,
					tt.criticalMedianReaction, tt.criticalWorstResolution)
			}
			if crit.Reaction.Target != time.Hour || crit.Resolution.Target != 4*time.Hour {
				t.Errorf("critical targets %v %v", crit.Reaction.Target, crit.Resolution.Target)
			}

			// The series counts the same month the same way, in one query.
			series, err := tickets.ComplianceSeries(context.Background(), f.db.Bun, f.contract.ID, march, paris, at(t, tt.now))
			if err != nil {
				t.Fatal(err)
			}
			if len(series) != 12 || series[11].Month != march || series[0].Month != (tickets.Month{Year: 2025, Month: time.April}) {
				t.Fatalf("series months %v … %v", series[0].Month, series[len(series)-1].Month)
			}
			p := series[11]
			if p.ReactionMeasured != r.Reaction.Measured || p.ReactionMet != r.Reaction.Met ||
				p.ResolutionMeasured != r.Resolution.Measured || p.ResolutionMet != r.Resolution.Met || p.Tickets != r.WithSLA {
				t.Errorf("series point %+v, report %+v / %+v", p, r.Reaction, r.Resolution)
			}
		})
	}
}

func TestMonthlyReportFeeAndContract(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	// A quarterly fee of 100,00 €: 33,33 € a month.
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := tx.NewUpdate().Table("contract_versions").Set("fee_cents = 10000, billing_period = 'quarterly'").
			Where("contract_id = ?", f.contract.ID).Exec(ctx)
		return err
	})
	r, err := tickets.MonthlyReport(ctx, f.db.Bun, f.contract.ID, tickets.Month{Year: 2026, Month: time.May}, paris, at(t, "2026-06-01 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	if r.MonthlyFeeCents != 3333 || r.Opened != 0 || r.HasRule || r.PenaltyCents != 0 {
		t.Errorf("report %+v", r)
	}
	// Before the contract started: no fee.
	r, err = tickets.MonthlyReport(ctx, f.db.Bun, f.contract.ID, tickets.Month{Year: 2025, Month: time.May}, paris, at(t, "2026-06-01 10:00"))
	if err != nil || r.MonthlyFeeCents != 0 {
		t.Errorf("before the start: %+v, %v", r, err)
	}
	_, err = tickets.MonthlyReport(ctx, f.db.Bun, uuid.Must(uuid.NewV7()), tickets.Month{Year: 2026, Month: time.May}, paris, at(t, "2026-06-01 10:00"))
	wantKind(t, err, apperr.NotFound, "")
}

func TestMonthlyFee(t *testing.T) {
	for _, tt := range []struct {
		fee    int64
		period contracts.BillingPeriod
		want   int64
	}{
		{12000, contracts.BillingMonthly, 12000},
		{10000, contracts.BillingQuarterly, 3333},
		{10001, contracts.BillingQuarterly, 3334},
		{100000, contracts.BillingYearly, 8333},
		{6, contracts.BillingYearly, 1},
		{5, contracts.BillingYearly, 0},
		{0, contracts.BillingMonthly, 0},
	} {
		if got := tickets.MonthlyFee(tt.fee, tt.period); got != tt.want {
			t.Errorf("MonthlyFee(%d, %s) = %d, want %d", tt.fee, tt.period, got, tt.want)
		}
	}
}

func TestMonth(t *testing.T) {
	m, ok := tickets.ParseMonth("2026-01")
	if !ok || m.String() != "2026-01" || m.Add(-1).String() != "2025-12" || m.Add(12).String() != "2027-01" {
		t.Errorf("month %v", m)
	}
	for _, bad := range []string{"", "2026-13", "2026-1", "26-01", "1999-12", "abcd-ef", "2026-01-01"} {
		if _, ok := tickets.ParseMonth(bad); ok {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	if got := tickets.MonthOf(time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC), paris); got != (tickets.Month{Year: 2026, Month: time.March}) {
		t.Errorf("MonthOf = %v", got)
	}
}
