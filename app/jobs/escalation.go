package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

// TicketEscalationArgs is the periodic job (every EscalationInterval) that watches the SLA clocks
// of open tickets and closes the resolved tickets nobody reopened.
type TicketEscalationArgs struct{}

// Kind names the job for River.
func (TicketEscalationArgs) Kind() string { return "tickets.escalation" }

// EscalationInterval is how often the escalation job runs.
const EscalationInterval = 5 * time.Minute

// The escalation levels the job raises tickets to.
const (
	// EscalationAtRisk: less than tickets.AtRiskPercent of the running clock's target is left.
	EscalationAtRisk = 1
	// EscalationBreached: the running clock's deadline has passed.
	EscalationBreached = 2
)

// escalationBatch is the most tickets one run escalates per level, or closes; the rest waits for
// the next run.
const escalationBatch = 500

// TicketEscalationWorker runs the escalation job:
//
//  1. Every open ticket whose running clock (reaction until acknowledged, then resolution) is past
//     its deadline and whose escalation level is below EscalationBreached is raised to it ("dépassé");
//     a ticket found overdue before it was ever escalated goes there directly, with one mail.
//  2. Every other open ticket past its risk instant (less than 25 % of the target left) and not
//     escalated yet is raised to EscalationAtRisk ("à risque").
//  3. Resolved tickets that nobody reopened within tickets.ReopenWindow are closed.
//
// Each ticket is one transaction: the escalation (history and audit entries, by the system actor)
// with one mail to each active manager and to the assignee, in their language, with the dedupe key
// "ticket-escalation:<ticket id>:<level>:<user id>". tickets.Escalate refuses a level the ticket
// already has, so a second run, a River retry or a second instance at the same time escalates and
// mails nothing twice.
type TicketEscalationWorker struct {
	river.WorkerDefaults[TicketEscalationArgs]
	DB  *database.DB
	Now func() time.Time
	// Location is the provider's time zone, for the deadlines written in the mails.
	Location *time.Location
	Composer *mail.Composer
	Outbox   *mail.Outbox
	// BaseURL is the application's address, for the links in the mails.
	BaseURL string
	Logger  *slog.Logger
}

// EscalationRun counts what one run did.
type EscalationRun struct {
	// AtRisk and Breached count the tickets raised to each level; Mails the mails put in the
	// outbox; Closed the resolved tickets closed.
	AtRisk   int
	Breached int
	Mails    int
	Closed   int
}

// Work runs the job.
func (w *TicketEscalationWorker) Work(ctx context.Context, _ *river.Job[TicketEscalationArgs]) error {
	run, err := w.Run(ctx)
	if w.Logger != nil && (err != nil || run != (EscalationRun{})) {
		w.Logger.Info("ticket escalation", "at_risk", run.AtRisk, "breached", run.Breached, "mails", run.Mails,
			"closed", run.Closed, "err", err)
	}
	return err
}

// Run escalates and closes what is due at w.Now(). A ticket that fails does not stop the others;
// the errors are returned together.
func (w *TicketEscalationWorker) Run(ctx context.Context) (EscalationRun, error) {
	var run EscalationRun
	now := w.Now()
	org, err := provider.Get(ctx, w.DB.Bun)
	if err != nil {
		return run, fmt.Errorf("jobs: ticket escalation: %w", err)
	}
	managers, err := accounts.ActiveManagers(ctx, w.DB.Bun)
	if err != nil {
		return run, err
	}
	var errs []error
	// Overdue first, so that a ticket overdue at once gets one mail, not two.
	for _, level := range []int{EscalationBreached, EscalationAtRisk} {
		ts, err := tickets.AtRisk(ctx, w.DB.Bun, now, level, escalationBatch)
		if err != nil {
			return run, errors.Join(append(errs, err)...)
		}
		for _, t := range ts {
			overdue := !t.NextDueAt.IsZero() && now.After(t.NextDueAt.Time)
			if level == EscalationBreached && !overdue {
				continue
			}
			done, mails, err := w.escalate(ctx, t, level, managers, org.Name, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("jobs: ticket escalation: %s: %w", t.Reference(), err))
				continue
			}
			if done {
				run.Mails += mails
				if level == EscalationBreached {
					run.Breached++
				} else {
					run.AtRisk++
				}
			}
		}
	}
	closed, err := w.closeResolved(ctx, now)
	run.Closed = closed
	if err != nil {
		errs = append(errs, err)
	}
	return run, errors.Join(errs...)
}

// escalate raises one ticket to level and mails the managers and the assignee, in one transaction.
// It reports false when the ticket was escalated to that level already or is no longer open.
func (w *TicketEscalationWorker) escalate(ctx context.Context, t *tickets.Ticket, level int, managers []*accounts.User,
	orgName string, now time.Time) (bool, int, error) {
	mails := 0
	err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		after, err := tickets.Escalate(ctx, tx, t.ID, level, tickets.SystemActor(), "", now)
		if err != nil {
			return err
		}
		to := append([]*accounts.User(nil), managers...)
		if after.AssigneeID.Valid && !containsUser(to, after.AssigneeID.UUID) {
			u, err := accounts.UserByID(ctx, tx, after.AssigneeID.UUID)
			if err != nil && apperr.KindOf(err) != apperr.NotFound {
				return err
			}
			if err == nil && u.Active && u.Kind == accounts.Staff {
				to = append(to, u)
			}
		}
		for _, u := range to {
			if err := w.mail(ctx, tx, after, level, u, orgName, now); err != nil {
				return err
			}
			mails++
		}
		return nil
	})
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict &&
		(e.Message == tickets.ErrEscalationLevel || e.Message == tickets.ErrNotOpen) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	return true, mails, nil
}

func containsUser(us []*accounts.User, id uuid.UUID) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

// mail puts one escalation mail to one staff member in the outbox, in the member's language.
func (w *TicketEscalationWorker) mail(ctx context.Context, tx *database.Tx, t *tickets.Ticket, level int,
	u *accounts.User, orgName string, now time.Time) error {
	lang, _ := i18n.Parse(u.Language)
	tr := func(id string, args ...any) string { return w.Composer.Catalogue.T(lang, id, args...) }
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	clock := "resolution"
	if t.AcknowledgedAt.IsZero() {
		clock = "reaction"
	}
	due := ""
	if !t.NextDueAt.IsZero() {
		due = i18n.DateTime(lang, t.NextDueAt.Time.In(loc))
	}
	lv := strconv.Itoa(level)
	assignee := t.AssigneeName
	if assignee == "" {
		assignee = tr("sla_report.escalation.unassigned")
	}
	data := map[string]any{
		"Name": u.Name, "Reference": t.Reference(), "Title": t.Title, "Client": t.ClientName,
		"Headline": tr("sla_report.escalation.headline." + lv),
		"Explain":  tr("sla_report.escalation.explain."+lv+"."+clock, "Due", due),
		"Priority": tr(tickets.PriorityKey(t.Priority)), "Assignee": assignee, "Due": due,
		"Link":    strings.TrimRight(w.BaseURL, "/") + "/admin/tickets/" + t.ID.String(),
		"BaseURL": w.BaseURL, "OrgName": orgName,
	}
	msg, err := w.Composer.Compose("ticket_escalation", lang, u.Email, u.Name, data)
	if err != nil {
		return err
	}
	key := "ticket-escalation:" + t.ID.String() + ":" + lv + ":" + u.ID.String()
	msg.DedupeKey = &key
	return w.Outbox.Enqueue(ctx, tx, msg, now)
}

// closeResolved closes the tickets resolved more than tickets.ReopenWindow ago (the client did
// neither confirm nor reopen them), each in its own transaction, by the system actor. A ticket
// reopened or closed meanwhile is left alone.
func (w *TicketEscalationWorker) closeResolved(ctx context.Context, now time.Time) (int, error) {
	ts, err := tickets.ResolvedBefore(ctx, w.DB.Bun, now.Add(-tickets.ReopenWindow), escalationBatch)
	if err != nil {
		return 0, err
	}
	closed := 0
	var errs []error
	for _, t := range ts {
		err := w.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, err := tickets.Transition(ctx, tx, t.ID, tickets.StatusClosed, tickets.SystemActor(), "", t.Version, now)
			return err
		})
		if apperr.KindOf(err) == apperr.Conflict {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs: auto-close: %s: %w", t.Reference(), err))
			continue
		}
		closed++
	}
	return closed, errors.Join(errs...)
}
