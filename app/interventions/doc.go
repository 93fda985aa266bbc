// Package interventions holds interventions, their sheets (fiche d'intervention) and the maintenance
// register.
//
// Rules decided here (source: the provider's "bonnes pratiques" and the maintenance policy §5, §6,
// §10):
//
//  1. Status machine: todo → scheduled | in_progress | cancelled; scheduled → in_progress |
//     cancelled | todo; in_progress → done | cancelled; done and cancelled are final. Cancelling
//     needs a reason.
//  2. A new intervention may have no estimate (EstimatedMinutes 0, NULL in the database): the
//     source's "durée >999". Taking up a pending one (TakeUp) edits that same intervention: it
//     assigns the technician and moves it to in_progress; it never creates another one.
//  3. Every change of an intervention or of its sheet takes the version the page was read at and
//     bumps it: a stale version is a Conflict "error.stale", nothing is written.
//  4. Completing (Complete) needs at least one time entry; it freezes the sheet and appends the
//     register entry in the same transaction. After that every edit is refused with the Conflict
//     ErrFrozen ("use an addendum"); AddAddendum appends an addendum and its register entry.
//  5. Time entries: 1 minute to 24 hours; a technician's entries never overlap, across all
//     interventions. Every category (work, travel, on site with the client, research) is time
//     counted on the sheet, as the source says.
//  6. Included hours: every time entry not flagged billable is "covered by the contract" and
//     consumes the contract's included minutes of the month it was done in (provider's time zone),
//     whatever its category, travel included (the source counts travel on the sheet like the rest).
//     The included minutes of a month are those of the contract version in force on the month's
//     last day. Only completed sheets consume them (an open sheet can still change): the register
//     entry of a sheet is costed against what the sheets completed before it left.
//  7. Cost of a sheet: billable minutes plus covered minutes beyond the month's remaining included
//     minutes (the overrun), at the hourly rate of the contract version in force on the
//     completion day (0 without contract), rounded once per sheet half away from zero; plus
//     billable materials (quantity × unit price, rounded per line). Material delivered on a quote
//     is never billable here (the quote bills it).
//  8. The register is append-only in the database (trigger forbid_change) and each entry's hash is
//     SHA-256 over its canonical encoding and the previous entry's hash of the same client (32 zero
//     bytes for the first); appends for one client are serialised by an advisory lock.
package interventions
