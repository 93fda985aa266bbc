package contracts_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/database"
)

// A contract from 1 January 2026, 12 months renewed by 12, three months' notice: last day to give
// notice 30/09/2026, renewal 01/01/2027.
var remindTerm = contracts.Term{Start: storeDay("2026-01-01"), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3}

func remindString(rs []contracts.Reminder) string {
	var out []string
	for _, r := range rs {
		s := fmt.Sprintf("%s %s -%d", r.Kind, r.DueOn.Format(time.DateOnly), r.LeadDays)
		if r.Announce {
			s += " mail"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func TestLeadDays(t *testing.T) {
	for _, tc := range []struct {
		in, want []int
	}{
		{nil, []int{90, 30, 7}},
		{[]int{}, []int{90, 30, 7}},
		{[]int{7, 30, 7, 90}, []int{90, 30, 7}},
		{[]int{0, 14}, []int{14, 0}},
		{[]int{-3}, []int{90, 30, 7}},
	} {
		if got := contracts.LeadDays(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("LeadDays(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestScheduleAll(t *testing.T) {
	for _, tc := range []struct {
		name   string
		term   contracts.Term
		endsOn string
		today  string
		want   string
	}{
		{"renewing, notice ahead", remindTerm, "", "2026-05-01", "notice 2026-09-30, renewal 2027-01-01"},
		{"renewing, notice passed", remindTerm, "", "2026-10-01", "renewal 2027-01-01"},
		{"notice given", remindTerm, "2026-12-31", "2026-11-01", "end 2026-12-31"},
		{"end passed, not yet expired", remindTerm, "2026-12-31", "2027-01-05", "end 2026-12-31"},
		{"no renewal", contracts.Term{Start: storeDay("2026-01-01"), InitialMonths: 6}, "", "2026-03-01", "end 2026-06-30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ends time.Time
			if tc.endsOn != "" {
				ends = storeDay(tc.endsOn)
			}
			var got []string
			for _, d := range contracts.Deadlines(tc.term, ends, storeDay(tc.today)).All() {
				got = append(got, d.Kind+" "+d.On.Format(time.DateOnly))
			}
			if g := strings.Join(got, ", "); g != tc.want {
				t.Errorf("All() = %q, want %q", g, tc.want)
			}
		})
	}
}

func TestDueReminders(t *testing.T) {
	leads := []int{90, 30, 7}
	for _, tc := range []struct {
		today string
		want  string
	}{
		{"2026-07-01", ""}, // 91 days before the last day to give notice
		{"2026-07-02", "notice 2026-09-30 -90 mail"},
		{"2026-08-15", "notice 2026-09-30 -90 mail"},
		{"2026-08-31", "notice 2026-09-30 -90, notice 2026-09-30 -30 mail"},
		// 20 days before: the 30-day reminder is the one to send; the 90-day one is recorded silently.
		{"2026-09-10", "notice 2026-09-30 -90, notice 2026-09-30 -30 mail"},
		{"2026-09-23", "notice 2026-09-30 -90, notice 2026-09-30 -30, notice 2026-09-30 -7 mail"},
		{"2026-09-30", "notice 2026-09-30 -90, notice 2026-09-30 -30, notice 2026-09-30 -7 mail"},
		// The notice deadline has passed; the renewal's 90-day reminder starts on 03/10.
		{"2026-10-01", ""},
		{"2026-10-03", "renewal 2027-01-01 -90 mail"},
		{"2026-12-31", "renewal 2027-01-01 -90, renewal 2027-01-01 -30, renewal 2027-01-01 -7 mail"},
		// On the renewal day the new period has begun: the next renewal is a year away.
		{"2027-01-01", ""},
	} {
		t.Run(tc.today, func(t *testing.T) {
			s := contracts.Deadlines(remindTerm, time.Time{}, storeDay(tc.today))
			if got := remindString(contracts.DueReminders(s, leads)); got != tc.want {
				t.Errorf("DueReminders on %s = %q, want %q", tc.today, got, tc.want)
			}
		})
	}
	// A lead time of 0 reminds on the day itself.
	s := contracts.Deadlines(remindTerm, time.Time{}, storeDay("2026-09-30"))
	if got, want := remindString(contracts.DueReminders(s, []int{0})), "notice 2026-09-30 -0 mail"; got != want {
		t.Errorf("lead 0: %q, want %q", got, want)
	}
	// An end date reminds like the others.
	s = contracts.Deadlines(remindTerm, storeDay("2026-12-31"), storeDay("2026-12-01"))
	if got, want := remindString(contracts.DueReminders(s, leads)), "end 2026-12-31 -90, end 2026-12-31 -30 mail"; got != want {
		t.Errorf("end: %q, want %q", got, want)
	}
}

func TestRecordRemindersOnce(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	record := func(today string) []contracts.Reminder {
		t.Helper()
		s := contracts.Deadlines(remindTerm, time.Time{}, storeDay(today))
		var out []contracts.Reminder
		err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			out, err = contracts.RecordReminders(ctx, tx, c.ID, contracts.DueReminders(s, nil), storeNow)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// Written 20 days before the last day to give notice: only the 30-day reminder is announced.
	if got, want := remindString(record("2026-09-10")), "notice 2026-09-30 -30 mail"; got != want {
		t.Errorf("first run: %q, want %q", got, want)
	}
	if got := record("2026-09-10"); len(got) != 0 {
		t.Errorf("second run the same day announced %q", remindString(got))
	}
	if got := record("2026-09-12"); len(got) != 0 {
		t.Errorf("two days later announced %q", remindString(got))
	}
	if got, want := remindString(record("2026-09-23")), "notice 2026-09-30 -7 mail"; got != want {
		t.Errorf("a week before: %q, want %q", got, want)
	}
	stored, err := contracts.Reminders(ctx, f.db.Bun, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := remindString(stored), "notice 2026-09-30 -90, notice 2026-09-30 -30, notice 2026-09-30 -7"; got != want {
		t.Errorf("stored %q, want %q (the 90-day one recorded, never announced)", got, want)
	}
}

func TestRunningAndExpire(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	fixed := storeTerms(f.policy)
	fixed.StartDate, fixed.RenewalMonths, fixed.NoticeMonths = storeDay("2025-01-01"), 0, 0
	ended := f.create(t, f.client, fixed, storeNow)
	f.to(t, ended.ID, contracts.StatusActive)
	renewing := f.create(t, f.other, storeTerms(f.policy), storeNow)
	f.to(t, renewing.ID, contracts.StatusActive, contracts.StatusSuspended)
	draft := f.create(t, f.client, storeTerms(f.policy), storeNow)
	over := f.create(t, f.client, storeTerms(f.policy), storeNow)
	f.to(t, over.ID, contracts.StatusActive, contracts.StatusTerminated)

	var ids []string
	for after, seen := uuid.Nil, 0; ; seen++ {
		batch, err := contracts.Running(ctx, f.db.Bun, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 || seen > 5 {
			break
		}
		if batch[0].Terms == nil || batch[0].ClientName == "" {
			t.Errorf("running contract %s without terms or client name", batch[0].Reference)
		}
		ids = append(ids, batch[0].ID.String())
		after = batch[0].ID
	}
	slices.Sort(ids)
	want := []string{ended.ID.String(), renewing.ID.String()}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("Running walked %v, want the active and the suspended contracts %v (not %s, %s)", ids, want, draft.ID, over.ID)
	}

	// The fixed-term contract ended on 31/12/2025; the renewing one has no end.
	today := storeDay("2026-01-02")
	for _, tc := range []struct {
		id   uuid.UUID
		want bool
	}{{renewing.ID, false}, {ended.ID, true}, {ended.ID, false}, {draft.ID, false}} {
		var got bool
		var after *contracts.Contract
		var from contracts.Status
		err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			after, from, got, err = contracts.Expire(ctx, tx, tc.id, today, storeNow)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Expire(%s) = %v, want %v", after.Reference, got, tc.want)
		}
		if got && (after.Status != contracts.StatusExpired || after.StatusReason != contracts.ExpiryReason || from != contracts.StatusActive) {
			t.Errorf("expired contract: status %s from %s, reason %q", after.Status, from, after.StatusReason)
		}
	}
}

func TestUpcomingDeadlines(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	today := storeDay("2026-08-01")
	mk := func(start string, renewal, notice int, status ...contracts.Status) *contracts.Contract {
		v := storeTerms(f.policy)
		v.StartDate, v.RenewalMonths, v.NoticeMonths = storeDay(start), renewal, notice
		c := f.create(t, f.client, v, storeNow)
		f.to(t, c.ID, status...)
		return c
	}
	// Notice 30/09/2026 and renewal 01/01/2027 (153 days: beyond 120).
	a := mk("2026-01-01", 12, 3, contracts.StatusActive)
	// Suspended; notice 30/08/2026 (one month before 30/09), renewal 01/10/2026.
	b := mk("2025-10-01", 12, 1, contracts.StatusActive, contracts.StatusSuspended)
	// Ends 31/10/2026 without renewal.
	c := mk("2025-11-01", 0, 0, contracts.StatusActive)
	// Far away: notice 31/03/2027.
	mk("2026-07-01", 12, 3, contracts.StatusActive)
	// A draft and a terminated contract with near deadlines are not listed.
	mk("2025-09-01", 12, 1)
	mk("2025-09-01", 12, 1, contracts.StatusActive, contracts.StatusTerminated)

	got, err := contracts.UpcomingDeadlines(ctx, f.db.Bun, today, 120, 10)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, u := range got {
		lines = append(lines, u.Contract.Reference+" "+u.Deadline.Kind+" "+u.Deadline.On.Format(time.DateOnly))
		if u.Contract.ClientName == "" || u.Contract.Terms == nil {
			t.Errorf("%s without client name or terms", u.Contract.Reference)
		}
	}
	want := []string{
		b.Reference + " notice 2026-08-30", a.Reference + " notice 2026-09-30", b.Reference + " renewal 2026-10-01",
		c.Reference + " end 2026-10-31",
	}
	if g, w := strings.Join(lines, "; "), strings.Join(want, "; "); g != w {
		t.Errorf("UpcomingDeadlines:\n got %s\nwant %s", g, w)
	}
	// The limit keeps the earliest.
	got, err = contracts.UpcomingDeadlines(ctx, f.db.Bun, today, 120, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Contract.ID != b.ID || got[1].Contract.ID != a.ID {
		t.Errorf("limit 2: %d deadlines, want the two notice deadlines", len(got))
	}
}
