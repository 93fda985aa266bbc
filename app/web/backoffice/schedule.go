package backoffice

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/interventions"
	"maintenant/app/scheduling"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const schedulePath = "/admin/schedule"

// The views of the schedule.
const (
	scheduleWeek  = "week"
	scheduleMonth = "month"
	scheduleDay   = "day"
)

// scheduleQuery is the state of the schedule in its URL.
type scheduleQuery struct {
	View string
	Date time.Time
	Tech string
}

func (q scheduleQuery) url() string {
	v := url.Values{}
	v.Set("view", q.View)
	v.Set("date", q.Date.Format(time.DateOnly))
	if q.Tech != "" {
		v.Set("tech", q.Tech)
	}
	return schedulePath + "?" + v.Encode()
}

func (q scheduleQuery) with(view string, d time.Time) string {
	q.View, q.Date = view, d
	return q.url()
}

// scheduleItem is one intervention in a day.
type scheduleItem struct {
	E       *scheduling.Entry
	Time    string
	End     string
	Overdue bool
	// Conflict: the same technician has another intervention overlapping this one.
	Conflict bool
}

// scheduleDayCell is one day of the week or month grid.
type scheduleDayCell struct {
	Date    time.Time
	Label   string
	Short   string
	InMonth bool
	IsToday bool
	DayURL  string
	Items   []scheduleItem
	// Count is the day's entries; More those the grid leaves to the day view.
	Count, More int
}

// schedulePerDay is how many entries a day of the grid shows, per view.
var schedulePerDay = map[string]int{scheduleWeek: 30, scheduleMonth: 6}

// scheduleTechDay is one technician's list for a day.
type scheduleTechDay struct {
	Name  string
	Items []scheduleItem
}

// schedulePage is the view model of the schedule.
type schedulePage struct {
	web.Page
	Q         scheduleQuery
	Heading   string
	PrevURL   string
	NextURL   string
	TodayURL  string
	WeekURL   string
	MonthURL  string
	DayURL    string
	Weekdays  []string
	Days      []scheduleDayCell
	Techs     []scheduleTechDay
	Overdue   []scheduleItem
	Staff     []tickets.Choice
	Total     int
	CanManage bool
	// Self is this view's URL (the forms come back to it); Views link the week, month and day.
	Self  string
	Views []scheduleViewLink
	Kinds []interventions.Kind
}

// scheduleViewLink is one of the view switches.
type scheduleViewLink struct {
	Label, URL string
	Current    bool
}

// weekStart is the Monday of d's week.
func weekStart(d time.Time) time.Time { return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) }

// handleSchedule handles "GET /admin/schedule": the week (default), month or day of the date in the
// URL, optionally for one technician; an HTMX navigation gets the content only.
func (h *handler) handleSchedule(c *fiber.Ctx) error {
	loc, today := h.Config.Location, h.today()
	q := scheduleQuery{View: c.Query("view", scheduleWeek), Tech: c.Query("tech")}
	if q.View != scheduleMonth && q.View != scheduleDay {
		q.View = scheduleWeek
	}
	if d, err := time.Parse(time.DateOnly, c.Query("date")); err == nil && d.Year() >= 2000 && d.Year() <= 2100 {
		q.Date = d
	} else {
		q.Date = today
	}
	var techID uuid.UUID
	if q.Tech != "" {
		id, err := uuid.Parse(q.Tech)
		if err != nil {
			q.Tech = ""
		}
		techID = id
	}
	var from, to time.Time // civil days [from, to)
	p := &schedulePage{Page: h.NewPage(c, "schedule.title"), Q: q, CanManage: true}
	switch q.View {
	case scheduleMonth:
		first := time.Date(q.Date.Year(), q.Date.Month(), 1, 0, 0, 0, 0, time.UTC)
		from = weekStart(first)
		next := first.AddDate(0, 1, 0)
		to = weekStart(next.AddDate(0, 0, -1)).AddDate(0, 0, 7)
		p.PrevURL, p.NextURL = q.with(scheduleMonth, first.AddDate(0, -1, 0)), q.with(scheduleMonth, next)
		p.Heading = h.T(c, "schedule.month."+strconv.Itoa(int(first.Month()))) + " " + strconv.Itoa(first.Year())
	case scheduleDay:
		from, to = q.Date, q.Date.AddDate(0, 0, 1)
		p.PrevURL, p.NextURL = q.with(scheduleDay, q.Date.AddDate(0, 0, -1)), q.with(scheduleDay, q.Date.AddDate(0, 0, 1))
		p.Heading = h.dayLabel(c, q.Date, true)
	default:
		from = weekStart(q.Date)
		to = from.AddDate(0, 0, 7)
		p.PrevURL, p.NextURL = q.with(scheduleWeek, from.AddDate(0, 0, -7)), q.with(scheduleWeek, from.AddDate(0, 0, 7))
		p.Heading = h.T(c, "schedule.week_of", "From", h.dayLabel(c, from, false), "To", h.dayLabel(c, to.AddDate(0, 0, -1), true))
	}
	p.TodayURL = q.with(q.View, today)
	p.WeekURL, p.MonthURL, p.DayURL = q.with(scheduleWeek, q.Date), q.with(scheduleMonth, q.Date), q.with(scheduleDay, q.Date)
	p.Self, p.Kinds = q.url(), interventions.Kinds()
	for _, v := range []string{scheduleWeek, scheduleMonth, scheduleDay} {
		p.Views = append(p.Views, scheduleViewLink{Label: "schedule.view." + v, URL: q.with(v, q.Date), Current: v == q.View})
	}
	for n := 1; n <= 7; n++ {
		p.Weekdays = append(p.Weekdays, h.T(c, "schedule.wd."+strconv.Itoa(n%7)))
	}
	ctx := c.UserContext()
	var err error
	at := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc) }
	f := scheduling.Filter{From: at(from), To: at(to), TechnicianID: techID, Location: loc}
	var counts map[time.Time]int
	if q.View != scheduleDay {
		// A grid shows the first entries of each day and links to the day for the others: a month
		// of a large provider holds thousands of visits.
		f.PerDay = schedulePerDay[q.View]
		if counts, err = scheduling.DayCounts(ctx, h.DB.Bun, f); err != nil {
			return err
		}
	}
	entries, err := scheduling.List(ctx, h.DB.Bun, f)
	if err != nil {
		return err
	}
	overdue, err := scheduling.List(ctx, h.DB.Bun, scheduling.Filter{From: at(today), Overdue: true, TechnicianID: techID, Limit: 20})
	if err != nil {
		return err
	}
	if p.Staff, err = tickets.AssigneeChoices(ctx, h.DB.Bun); err != nil {
		return err
	}
	p.Total = len(entries)
	items := make([]scheduleItem, len(entries))
	for n, e := range entries {
		items[n] = h.scheduleItem(e, today)
	}
	markConflicts(items)
	for _, e := range overdue {
		p.Overdue = append(p.Overdue, h.scheduleItem(e, today))
	}
	byDay := map[time.Time][]scheduleItem{}
	for _, it := range items {
		d := dayIn(it.E.ScheduledAt, loc)
		byDay[d] = append(byDay[d], it)
	}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		cell := scheduleDayCell{
			Date: d, Label: h.dayLabel(c, d, false), Short: strconv.Itoa(d.Day()), InMonth: d.Month() == q.Date.Month(),
			IsToday: d.Equal(today), DayURL: q.with(scheduleDay, d), Items: byDay[d], Count: len(byDay[d]),
		}
		if counts != nil {
			cell.Count = max(counts[d], cell.Count)
		}
		cell.More = cell.Count - len(cell.Items)
		p.Days = append(p.Days, cell)
	}
	if counts != nil {
		p.Total = 0
		for _, d := range p.Days {
			p.Total += d.Count
		}
	}
	if q.View == scheduleDay {
		p.Techs = techLists(items, p.Staff, h.T(c, "schedule.unassigned"))
	}
	return h.Render(c, fiber.StatusOK, "backoffice/schedule/index", p)
}

func dayIn(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// dayLabel names a day: "mardi 3 mars" (withYear: "mardi 3 mars 2026").
func (h *handler) dayLabel(c *fiber.Ctx, d time.Time, withYear bool) string {
	s := h.T(c, "schedule.day_label", "Weekday", h.T(c, "schedule.wd."+strconv.Itoa(int(d.Weekday()))),
		"Day", d.Day(), "Month", h.T(c, "schedule.month_of."+strconv.Itoa(int(d.Month()))))
	if withYear {
		s += " " + strconv.Itoa(d.Year())
	}
	return s
}

func (h *handler) scheduleItem(e *scheduling.Entry, today time.Time) scheduleItem {
	loc := h.Config.Location
	return scheduleItem{E: e, Time: e.ScheduledAt.In(loc).Format("15:04"), End: e.End().In(loc).Format("15:04"),
		Overdue: e.Overdue(today, loc)}
}

// markConflicts flags the items whose technician has another item overlapping (the list is by time).
func markConflicts(items []scheduleItem) {
	for a := range items {
		for b := a + 1; b < len(items) && items[b].E.ScheduledAt.Before(items[a].E.End()); b++ {
			for _, t := range items[a].E.TechnicianIDs {
				if id, err := uuid.Parse(t); err == nil && items[b].E.HasTechnician(id) {
					items[a].Conflict, items[b].Conflict = true, true
				}
			}
		}
	}
}

// techLists groups a day's items by technician (by name), those without one last.
func techLists(items []scheduleItem, staff []tickets.Choice, unassigned string) []scheduleTechDay {
	var out []scheduleTechDay
	for _, s := range staff {
		var mine []scheduleItem
		for _, it := range items {
			if it.E.HasTechnician(s.ID) {
				mine = append(mine, it)
			}
		}
		if len(mine) > 0 {
			out = append(out, scheduleTechDay{Name: s.Name, Items: mine})
		}
	}
	var none []scheduleItem
	for _, it := range items {
		if len(it.E.TechnicianIDs) == 0 {
			none = append(none, it)
		}
	}
	if len(none) > 0 {
		out = append(out, scheduleTechDay{Name: unassigned, Items: none})
	}
	return out
}

// rescheduleURL is the short form of an intervention.
func rescheduleURL(id uuid.UUID) string { return fmt.Sprintf("%s/%s/reschedule", schedulePath, id) }
