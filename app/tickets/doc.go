// Package tickets holds fault reports (signalements): a client reports that something it pays
// maintenance for is broken, the provider acknowledges, diagnoses, repairs and resolves it, and the
// client confirms or reopens. Each ticket carries the SLA clock of the contract version in force
// when it was opened (see "The SLA clock" below), a conversation with internal notes, attachments whose type is
// decided from their content (attachments.go), and the history of what happened to it.
//
// Every store function takes a bun.IDB, so the same code runs in or out of the caller's
// transaction; the mutating ones also write the ticket's history (ticket_events) and the audit log
// in that transaction. Portal callers pass the client id from the session: a ticket of another
// client answers NotFound, exactly like a missing one.
//
// # The SLA clock
//
// A ticket has two clocks, both counted in business time (the service
// hours of its SLA policy, minus public holidays and closures; app/sla does the arithmetic):
//
//   - the reaction clock, from the opening until the ticket is acknowledged;
//   - the resolution clock, from the opening until the ticket is resolved, standing still during
//     pauses.
//
// The rules:
//
//  1. Opening. The contract version in force on the opening day (in the provider's time zone)
//     gives the SLA policy. The ticket keeps the policy id, a snapshot of the policy (service
//     hours, holidays, closures, time zone, the targets of every priority: SLASnapshot) and the
//     two targets of its priority in minutes, so that editing the policy later never moves the
//     deadlines of tickets already opened. reaction_due_at = Calendar.Add(opened, reaction);
//     resolution_due_at = Clock{Calendar, opened, pauses}.Due(resolution). A ticket opened
//     outside service hours starts its clocks at the next opening (Saturday → Monday 09:00; Friday
//     17:55 with a 1 h reaction target on 9:00-18:00 hours → Monday 09:55). Without a contract,
//     without terms in force, or without a policy, the ticket has no SLA and no due dates.
//  2. Acknowledgement (new → acknowledged) stops the reaction clock: acknowledged_at is set and
//     the reaction is breached when acknowledged_at is after reaction_due_at.
//  3. Waiting on the client (→ waiting_client) pauses the resolution clock: a pause opens and
//     resolution_due_at becomes NULL, since it depends on when the client answers (it stays set,
//     in the past, if the target was already exceeded when the pause began). Leaving
//     waiting_client closes the pause and recomputes resolution_due_at with all the pauses; a
//     message from the client on a waiting ticket does so by itself (AddMessage resumes it to
//     in_progress). The reaction clock is never paused (a ticket is acknowledged before it can
//     wait).
//  4. Resolution (→ resolved) stops the resolution clock: resolved_at is set, and the resolution is
//     breached when resolved_at is after the due instant computed with all the pauses, i.e. when
//     more business time than the target elapsed, pauses excluded (work done outside service
//     hours after the deadline is late too, with a delay of zero business time).
//  5. Reopening (resolved → in_progress; by the client within ReopenWindow of resolved_at, by
//     staff at any time): the time between the resolution and the reopening becomes a pause (the
//     client had a working service meanwhile), resolved_at is cleared, the resolution clock runs
//     again from the business time it had consumed, and resolution_breached is decided at the next
//     resolution. The history gets a "reopened" entry and reopened_count is incremented.
//  6. Priority change (staff only): the targets of the new priority, taken from the snapshot,
//     replace the old ones for both clocks, still measured from the original opening with the same
//     pauses. Raising the priority can therefore make a ticket breached at once; lowering it can
//     turn a breach into a met target, even for a clock that has stopped. A ticket is always
//     measured against the targets of its current priority.
//  7. State at an instant (SLAState): for each clock, met or breached once it has stopped;
//     otherwise breached after its due instant, paused while waiting on the client (resolution
//     only), at_risk once less than AtRiskPercent of its target's business time is left (from
//     its RiskAt instant = the due instant minus 25 % of the target in business time), else
//     on_time; none without SLA. The ticket's state is the worse of its two clocks (breached >
//     at_risk > on_time > paused > met > none).
//
// The store keeps, besides the due instants, each clock's risk instant, the deadline and risk
// instant of the clock running now (next_due_at, risk_at: the queue sorts on the first with an
// index, the escalation job finds at-risk tickets with one query on the second), and the business
// time each clock took once stopped (for the monthly report). Ticket.SLAAt reads the state from
// these columns without a calendar; ComputeSLA recomputes it from the ticket, its pauses and the
// calendar, with the business time elapsed and left; the Queue filter uses the same rules in SQL.
package tickets
