package contracts

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// DefaultLeadDays are the reminder lead times used when the provider has set none: three months,
// one month and one week before each deadline.
var DefaultLeadDays = []int{90, 30, 7}

// ExpiryReason is the status reason recorded when the daily job marks a contract expired because its
// end date has passed.
const ExpiryReason = "Échéance atteinte"

// Reminder is one reminder of a contract deadline at one lead time: "the last day to give notice on
// 30/09/2026, 30 days ahead". A reminder exists at most once per contract, kind, date and lead time
// (a unique key), so that the daily job announces each one once whatever the runs and instances.
type Reminder struct {
	bun.BaseModel `bun:"table:contract_reminders,alias:r"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	ContractID uuid.UUID `bun:"contract_id,type:uuid"`
	// Kind is the kind of deadline (DeadlineNotice, DeadlineRenewal, DeadlineEnd).
	Kind string `bun:"kind"`
	// DueOn is the deadline (a civil date at UTC midnight).
	DueOn     time.Time `bun:"due_on,type:date"`
	LeadDays  int       `bun:"lead_days"`
	CreatedAt time.Time `bun:"created_at"`

	// Announce is false for a reminder that is recorded without being sent, because a shorter lead
	// time of the same deadline is due at the same time (the job did not run, or the contract was
	// written late): only the most urgent reminder is worth a mail.
	Announce bool `bun:"-"`
}

// Deadline returns the deadline the reminder is about.
func (r Reminder) Deadline() Deadline { return Deadline{Kind: r.Kind, On: r.DueOn} }

// All returns the deadlines of the schedule that are still to be watched, in date order: the end
// date (even past, until the contract is marked expired), the last day to give notice while it is
// ahead, and the next renewal.
func (s Schedule) All() []Deadline {
	var out []Deadline
	if !s.EndDate.IsZero() {
		out = append(out, Deadline{DeadlineEnd, s.EndDate})
	}
	if !s.NoticeDeadline.IsZero() && !s.NoticeDeadline.Before(s.Today) {
		out = append(out, Deadline{DeadlineNotice, s.NoticeDeadline})
	}
	if !s.NextRenewal.IsZero() {
		out = append(out, Deadline{DeadlineRenewal, s.NextRenewal})
	}
	slices.SortStableFunc(out, func(a, b Deadline) int { return a.On.Compare(b.On) })
	return out
}

// LeadDays returns the lead times to use: the provider's, longest first and without repeats, or
// DefaultLeadDays when there are none.
func LeadDays(days []int) []int {
	var out []int
	for _, d := range days {
		if d >= 0 && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = slices.Clone(DefaultLeadDays)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// DueReminders lists the reminders due on the schedule's day (s.Today) for the given lead times: for
// each deadline and lead time L, a reminder is due from L days before the deadline until the
// deadline itself. When several lead times of one deadline are due together, only the shortest is
// announced; the longer ones are listed with Announce false, to be recorded silently so that they
// are never sent late (a contract written 20 days before its renewal gets the 30-day reminder, not
// also the 90-day one).
func DueReminders(s Schedule, leadDays []int) []Reminder {
	var out []Reminder
	for _, d := range s.All() {
		if s.Today.After(d.On) {
			continue
		}
		shortest := -1
		first := len(out)
		for _, lead := range LeadDays(leadDays) {
			if s.Today.Before(d.On.AddDate(0, 0, -lead)) {
				continue
			}
			out = append(out, Reminder{Kind: d.Kind, DueOn: d.On, LeadDays: lead})
			if shortest < 0 || lead < out[shortest].LeadDays {
				shortest = len(out) - 1
			}
		}
		if shortest >= first {
			out[shortest].Announce = true
		}
	}
	return out
}

// RecordReminders stores the reminders rs of one contract that are not stored yet (a reminder
// already there, written by an earlier run or by another instance at the same moment, is left as
// it is) and returns those it stored that are to be announced. Run it in the transaction that sends
// the announcements: a reminder is then stored if and only if its mails are.
func RecordReminders(ctx context.Context, db bun.IDB, contractID uuid.UUID, rs []Reminder, now time.Time) ([]Reminder, error) {
	var announce []Reminder
	for _, r := range rs {
		r.ID = uuid.Must(uuid.NewV7())
		r.ContractID = contractID
		r.DueOn = Day(r.DueOn)
		r.CreatedAt = now.UTC()
		res, err := db.NewInsert().Model(&r).On("CONFLICT (contract_id, kind, due_on, lead_days) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("contracts: record reminder: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("contracts: record reminder: %w", err)
		} else if n == 1 && r.Announce {
			announce = append(announce, r)
		}
	}
	return announce, nil
}

// Reminders returns the reminders recorded for a contract, oldest deadline first.
func Reminders(ctx context.Context, db bun.IDB, contractID uuid.UUID) ([]Reminder, error) {
	var rs []Reminder
	err := db.NewSelect().Model(&rs).Where("contract_id = ?", contractID).
		OrderExpr("due_on, kind, lead_days DESC").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: reminders: %w", err)
	}
	return rs, nil
}

// Running returns up to limit running contracts (active or suspended) with their current terms, in
// id order after the id given (uuid.Nil for the first batch): the daily job walks them batch by
// batch, two queries each.
func Running(ctx context.Context, db bun.IDB, after uuid.UUID, limit int) ([]*Contract, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	var cs []*Contract
	err := selectContract(db, &cs).Where("c.status IN (?)", bun.List([]Status{StatusActive, StatusSuspended})).
		Where("c.id > ?", after).OrderExpr("c.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: running: %w", err)
	}
	if err := loadTerms(ctx, db, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// Expire marks a running contract expired when its end date (set by a notice, or the end of its
// initial term without renewal) is before today, through Transition with ExpiryReason. It reads the
// contract again under lock, so that a contract changed or expired meanwhile (by a person or another
// instance) is left alone. It returns the contract as it is now, the status it left, and whether it
// was expired.
func Expire(ctx context.Context, db bun.IDB, id uuid.UUID, today, now time.Time) (*Contract, Status, bool, error) {
	locked, err := lock(ctx, db, id)
	if err != nil {
		return nil, "", false, err
	}
	if !locked.Status.IsRunning() {
		return locked, locked.Status, false, nil
	}
	v, err := versionNo(ctx, db, id, locked.CurrentVersion)
	if err != nil {
		return nil, "", false, err
	}
	if !Deadlines(v.Dates(), locked.EndsOnDate(), today).Ended() {
		return locked, locked.Status, false, nil
	}
	c, from, err := Transition(ctx, db, id, StatusExpired, ExpiryReason, locked.Version, now)
	if err != nil {
		return nil, from, false, err
	}
	return c, from, true, nil
}

// Upcoming is one deadline of a running contract, for the backoffice home.
type Upcoming struct {
	Contract *Contract
	Deadline Deadline
}

// UpcomingDeadlines returns the first limit deadlines (Schedule.All) of running contracts that fall
// on or before today + days, by date, in three queries whatever the number of contracts: the
// contracts whose next deadline comes first (sorted in SQL as List sorts them), their terms, then
// their deadlines computed here. A contract may give several deadlines (the last day to give notice,
// then the renewal).
func UpcomingDeadlines(ctx context.Context, db bun.IDB, today time.Time, days, limit int) ([]Upcoming, error) {
	if limit <= 0 || limit > 100 {
		limit = 10
	}
	today = Day(today)
	horizon := today.AddDate(0, 0, days)
	// The first `limit` deadlines belong to contracts among the first `limit` by next deadline: each
	// contract's next deadline is its earliest one.
	var rows []*listRow
	err := db.NewSelect().Model(&rows).ColumnExpr("c.*").ColumnExpr("cl.name AS client_name").ColumnExpr("d.next_due").
		Join("JOIN clients AS cl ON cl.id = c.client_id").
		Join("JOIN contract_versions AS v ON v.contract_id = c.id AND v.no = c.current_version").
		Join(nextDeadlineJoin, today.Format(time.DateOnly)).
		Where("c.status IN (?)", bun.List([]Status{StatusActive, StatusSuspended})).
		Where("d.next_due <= ?::date", horizon.Format(time.DateOnly)).
		OrderExpr("d.next_due, length(c.reference), c.reference").
		Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contracts: upcoming deadlines: %w", err)
	}
	cs := make([]*Contract, len(rows))
	for i, r := range rows {
		cs[i] = &r.Contract
	}
	if err := loadTerms(ctx, db, cs); err != nil {
		return nil, err
	}
	var out []Upcoming
	for _, c := range cs {
		for _, d := range c.Schedule(today).All() {
			if !d.On.After(horizon) {
				out = append(out, Upcoming{Contract: c, Deadline: d})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Upcoming) int { return a.Deadline.On.Compare(b.Deadline.On) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
