package tickets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
)

// PageSize is the number of tickets of a list page.
const PageSize = 25

// maxSearch bounds the search text.
const maxSearch = 100

// Page is one page of tickets and the cursor of the next one ("" on the last page).
type Page struct {
	Tickets []*Ticket
	Next    string
}

// Group narrows the portal's list: the tickets still being worked on, the finished ones, or all.
type Group string

// The groups. Open is every status but resolved and closed (Status.IsOpen); Closed is resolved and
// closed (a resolved ticket is done for the provider, and waits only for the client's
// confirmation, which ClientMayClose / ClientMayReopen tell).
const (
	GroupOpen   Group = "open"
	GroupClosed Group = "closed"
	GroupAll    Group = "all"
)

// ParseGroup returns the group named s, or GroupOpen (the default) and false.
func ParseGroup(s string) (Group, bool) {
	switch g := Group(s); g {
	case GroupOpen, GroupClosed, GroupAll:
		return g, true
	}
	return GroupOpen, false
}

// Label is the catalogue key naming the group ("tickets.group.open").
func (g Group) Label() string { return "tickets.group." + string(g) }

// ClientFilter narrows the portal's list of one client's tickets. The zero value is the first page
// of all tickets; every client user sees every ticket of its company.
type ClientFilter struct {
	Group Group
	// Mine keeps the tickets reported by UserID (the session's user) only.
	Mine   bool
	UserID uuid.UUID
	// After is the cursor of the previous page's last ticket ("" for the first page).
	After string
	Limit int
}

// ListForClient returns a page of one client's tickets, the newest first, with the assignee's
// name, in one query. clientID comes from the session; uuid.Nil lists nothing.
func ListForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f ClientFilter) (*Page, error) {
	if clientID == uuid.Nil {
		return &Page{}, nil
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = PageSize
	}
	var ts []*Ticket
	q := selectTickets(db, &ts).Where("t.client_id = ?", clientID).
		OrderExpr("t.opened_at DESC, t.id DESC").Limit(int64(f.Limit + 1))
	whereGroup(q, f.Group)
	if f.Mine {
		q = q.Where("t.reporter_id = ?", f.UserID)
	}
	if at, id, ok := parseNewestCursor(f.After); ok {
		q = q.Where("(t.opened_at, t.id) < (?, ?)", at, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: list for client: %w", err)
	}
	return newestPage(ts, f.Limit), nil
}

func whereGroup(q *bun.SelectQuery, g Group) {
	switch g {
	case GroupOpen:
		q.Where("t.status NOT IN ('resolved', 'closed')")
	case GroupClosed:
		q.Where("t.status IN ('resolved', 'closed')")
	}
}

func newestPage(ts []*Ticket, limit int) *Page {
	p := &Page{Tickets: ts}
	if len(ts) > limit {
		p.Tickets = ts[:limit]
		last := p.Tickets[limit-1]
		p.Next = "n" + database.Cursor(last.OpenedAt, last.ID)
	}
	return p
}

func parseNewestCursor(s string) (time.Time, uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(s, "n")
	if !ok {
		return time.Time{}, uuid.Nil, false
	}
	return database.ParseCursor(rest)
}

// Queue sorts.
const (
	// SortDeadline puts the nearest running deadline first (overdue ones at the top); tickets
	// without a running deadline (no SLA, paused, resolved, closed) come last, oldest first.
	SortDeadline = "deadline"
	// SortNewest puts the most recently opened first.
	SortNewest = "newest"
)

// QueueFilter narrows and orders the staff queue. Zero fields do not filter; the zero value is
// the first page of every ticket by nearest deadline.
type QueueFilter struct {
	// Statuses keeps these statuses (OpenStatuses() for the work still to do); empty keeps all.
	Statuses []Status
	// Priority keeps one priority (0: all).
	Priority sla.Priority
	// ClientID keeps one client's tickets.
	ClientID uuid.UUID
	// AssigneeID keeps one technician's tickets; Unassigned keeps those assigned to nobody.
	AssigneeID uuid.UUID
	Unassigned bool
	// SLA keeps the tickets in that SLA state at Now (Ticket.SLAAt's State).
	SLA SLAState
	// Search matches a reference ("T-1042", "1042"), or the title or the client's name, anywhere,
	// ignoring case.
	Search string
	// Sort is SortDeadline (default) or SortNewest.
	Sort string
	// After is the cursor of the previous page's last ticket ("" for the first page).
	After string
	// Now is the instant SLA states are computed at (required with SLA).
	Now   time.Time
	Limit int
}

// Queue returns a page of the staff queue with the clients' and assignees' names, in one query
// whatever the page. The SLA filter uses the stored due and risk instants (the same rules as
// Ticket.SLAAt, in SQL).
func Queue(ctx context.Context, db bun.IDB, f QueueFilter) (*Page, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = PageSize
	}
	var ts []*Ticket
	q := selectTickets(db, &ts).Limit(int64(f.Limit + 1))
	if len(f.Statuses) > 0 {
		q = q.Where("t.status IN (?)", bun.List(f.Statuses))
	}
	if f.Priority.IsValid() {
		q = q.Where("t.priority = ?", f.Priority.String())
	}
	if f.ClientID != uuid.Nil {
		q = q.Where("t.client_id = ?", f.ClientID)
	}
	switch {
	case f.Unassigned:
		q = q.Where("t.assignee_id IS NULL")
	case f.AssigneeID != uuid.Nil:
		q = q.Where("t.assignee_id = ?", f.AssigneeID)
	}
	if f.SLA != "" {
		q = q.Where("("+slaStateSQL+") = ?1", stamp(f.Now), string(f.SLA))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		if utf8.RuneCountInString(s) > maxSearch {
			s = string([]rune(s)[:maxSearch])
		}
		like := "%" + database.EscapeLike(s) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where(`t.title ILIKE ? ESCAPE '\'`, like).WhereOr(`cl.name ILIKE ? ESCAPE '\'`, like)
			if n, ok := ParseReference(s); ok {
				q = q.WhereOr("t.number = ?", n)
			}
			return q
		})
	}
	if f.Sort == SortNewest {
		q = q.OrderExpr("t.opened_at DESC, t.id DESC")
		if at, id, ok := parseNewestCursor(f.After); ok {
			q = q.Where("(t.opened_at, t.id) < (?, ?)", at, id)
		}
	} else {
		q = q.OrderExpr("coalesce(t.next_due_at, 'infinity'::timestamptz), t.id")
		if due, id, ok := parseDeadlineCursor(f.After); ok {
			q = q.Where("(coalesce(t.next_due_at, 'infinity'::timestamptz), t.id) > (?::timestamptz, ?)", due, id)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: queue: %w", err)
	}
	if f.Sort == SortNewest {
		return newestPage(ts, f.Limit), nil
	}
	p := &Page{Tickets: ts}
	if len(ts) > f.Limit {
		p.Tickets = ts[:f.Limit]
		last := p.Tickets[f.Limit-1]
		due := "inf"
		if !last.NextDueAt.IsZero() {
			due = strconv.FormatInt(last.NextDueAt.UnixMicro(), 10)
		}
		p.Next = "d" + due + "_" + last.ID.String()
	}
	return p, nil
}

// parseDeadlineCursor reads "d<unix microseconds or inf>_<id>" into the SQL value of the sort key.
func parseDeadlineCursor(s string) (string, uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(s, "d")
	if !ok || len(s) > 80 {
		return "", uuid.Nil, false
	}
	due, idStr, ok := strings.Cut(rest, "_")
	if !ok {
		return "", uuid.Nil, false
	}
	id, err := uuid.Parse(idStr)
	if err != nil {
		return "", uuid.Nil, false
	}
	if due == "inf" {
		return "infinity", id, true
	}
	us, err := strconv.ParseInt(due, 10, 64)
	if err != nil {
		return "", uuid.Nil, false
	}
	return time.UnixMicro(us).UTC().Format(time.RFC3339Nano), id, true
}

// slaStateSQL is the SLA state of ticket t at instant ?0, by the rules of Ticket.SLAAt (the worse
// of the reaction and resolution clocks).
const slaStateSQL = `CASE
	WHEN t.sla_policy_id IS NULL OR t.reaction_minutes IS NULL THEN 'none'
	WHEN (t.acknowledged_at IS NOT NULL AND t.reaction_breached)
		OR (t.acknowledged_at IS NULL AND t.reaction_due_at < ?0)
		OR (t.resolved_at IS NOT NULL AND t.resolution_breached)
		OR (t.resolved_at IS NULL AND t.resolution_due_at < ?0) THEN 'breached'
	WHEN t.status = 'waiting_client' AND t.resolved_at IS NULL THEN 'paused'
	WHEN (t.acknowledged_at IS NULL AND t.reaction_risk_at <= ?0)
		OR (t.resolved_at IS NULL AND t.resolution_risk_at <= ?0) THEN 'at_risk'
	WHEN t.acknowledged_at IS NULL OR t.resolved_at IS NULL THEN 'on_time'
	ELSE 'met'
END`

// OpenCountsBySLA counts the tickets still being worked on (Status.IsOpen) by SLA state at now,
// for the homes: all clients' with clientID uuid.Nil (backoffice), else one client's (portal).
// States without tickets are absent from the map.
func OpenCountsBySLA(ctx context.Context, db bun.IDB, clientID uuid.UUID, now time.Time) (map[SLAState]int, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int    `bun:"n"`
	}
	q := db.NewSelect().TableExpr("tickets AS t").ColumnExpr("("+slaStateSQL+") AS state", stamp(now)).
		ColumnExpr("count(*) AS n").Where("t.status NOT IN ('resolved', 'closed')").GroupExpr("1")
	if clientID != uuid.Nil {
		q = q.Where("t.client_id = ?", clientID)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("tickets: open counts: %w", err)
	}
	out := make(map[SLAState]int, len(rows))
	for _, r := range rows {
		out[SLAState(r.State)] = r.N
	}
	return out, nil
}

// AtRisk returns, for the escalation job, the tickets whose running clock is at risk or overdue at
// now (risk_at reached) and whose escalation level is below belowLevel, the most urgent first, at
// most limit of them. Waiting and finished tickets never appear (their risk_at is empty).
func AtRisk(ctx context.Context, db bun.IDB, now time.Time, belowLevel, limit int) ([]*Ticket, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var ts []*Ticket
	err := selectTickets(db, &ts).Where("t.risk_at <= ?", stamp(now)).Where("t.escalation_level < ?", belowLevel).
		OrderExpr("t.risk_at, t.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tickets: at risk: %w", err)
	}
	return ts, nil
}

// Choice is a person offered in a form (an assignee).
type Choice struct {
	ID   uuid.UUID
	Name string
}

// AssigneeChoices lists the active staff users a ticket may be assigned to, by name.
func AssigneeChoices(ctx context.Context, db bun.IDB) ([]Choice, error) {
	var us []accounts.User
	if err := db.NewSelect().Model(&us).Where("kind = ?", accounts.Staff).Where("active").
		OrderExpr("lower(name), id").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: assignee choices: %w", err)
	}
	out := make([]Choice, len(us))
	for i, u := range us {
		out[i] = Choice{ID: u.ID, Name: u.Name}
	}
	return out, nil
}

// ContractChoice is a contract a client may report a fault under, with the services of its terms
// in force today (offer them as ServiceLabelOf(service)).
type ContractChoice struct {
	ID        uuid.UUID
	Reference string
	Title     string
	Services  []contracts.Service
	// Suspended contracts may still take reports; forms may say so.
	Suspended bool
	// HasSLA tells whether its terms in force have a service-level policy (the ticket will get
	// deadlines).
	HasSLA bool
}

// ContractChoices lists the contracts a new ticket of client clientID may be opened under at now
// (loc: the provider's zone, nil for Europe/Paris): its active and suspended contracts with terms in force today. The
// list is as short as the client's contracts.
func ContractChoices(ctx context.Context, db bun.IDB, clientID uuid.UUID, now time.Time, loc *time.Location) ([]ContractChoice, error) {
	if clientID == uuid.Nil {
		return nil, nil
	}
	loc, err := zone(loc)
	if err != nil {
		return nil, err
	}
	cs, err := contracts.ListByClient(ctx, db, clientID)
	if err != nil {
		return nil, fmt.Errorf("tickets: contract choices: %w", err)
	}
	today := contracts.Day(now.In(loc))
	var out []ContractChoice
	for _, c := range cs {
		if !c.Status.IsRunning() || c.Terms == nil {
			continue
		}
		v := c.Terms
		if v.EffectiveFrom.After(today) { // the current terms start later: the ones in force today
			if v, err = contracts.VersionAt(ctx, db, c.ID, today); apperr.KindOf(err) == apperr.NotFound {
				continue
			} else if err != nil {
				return nil, fmt.Errorf("tickets: contract choices: %w", err)
			}
		}
		out = append(out, ContractChoice{
			ID: c.ID, Reference: c.Reference, Title: v.Title, Services: v.Services,
			Suspended: c.Status == contracts.StatusSuspended, HasSLA: v.SLAPolicyID.Valid,
		})
	}
	return out, nil
}
