package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/scheduling"
)

// RecurrenceText writes a preventive task's rule in plain words ("Tous les 3 mois, le 1er lundi"),
// what the rule leaves to its first day taken from firstOn. A rule the picker cannot show is named
// as a custom rule, with its text.
func (s *Server) RecurrenceText(c *fiber.Ctx, rule string, firstOn time.Time) string {
	r, ok := scheduling.ParseRecurrence(rule, firstOn)
	if !ok {
		return s.T(c, "schedule.rec.custom", "Rule", scheduling.NormalizeRule(rule))
	}
	lang := Lang(c)
	weekday := func(d time.Weekday) string { return s.T(c, "schedule.wd."+strconv.Itoa(int(d))) }
	month := func(m time.Month) string {
		name := s.T(c, "schedule.month."+strconv.Itoa(int(m)))
		if lang == i18n.FR {
			name = strings.ToLower(name)
		}
		return name
	}
	var every string
	switch r.Freq {
	case scheduling.FreqWeekly:
		every = s.T(c, "schedule.rec.every_week", "Count", r.Interval)
	case scheduling.FreqMonthly:
		every = s.T(c, "schedule.rec.every_month", "Count", r.Interval)
	case scheduling.FreqQuarterly:
		every = s.T(c, "schedule.rec.every_month", "Count", 3*r.Interval)
	case scheduling.FreqYearly:
		every = s.T(c, "schedule.rec.every_year", "Count", r.Interval) + " " + s.T(c, "schedule.rec.in_month", "Month", month(r.Month))
	}
	var on string
	switch {
	case r.Freq == scheduling.FreqWeekly:
		names := make([]string, len(r.Weekdays))
		for i, d := range r.Weekdays {
			names[i] = weekday(d)
		}
		list := names[0]
		for i := 1; i < len(names); i++ {
			sep := s.T(c, "schedule.rec.list_sep")
			if i == len(names)-1 {
				sep = s.T(c, "schedule.rec.list_last")
			}
			list += sep + names[i]
		}
		on = s.T(c, "schedule.rec.on_days", "Days", list)
	case r.On == scheduling.OnWeekday:
		on = s.T(c, "schedule.rec.on_nth", "Nth", s.T(c, "schedule.rec.nth."+strconv.Itoa(r.Nth)), "Day", weekday(r.Weekday))
	case r.MonthDay == scheduling.LastDay:
		on = s.T(c, "schedule.rec.on_last_day")
	default:
		on = s.T(c, "schedule.rec.on_monthday", "Day", monthDay(lang, r.MonthDay))
	}
	return every + ", " + on
}

// monthDay writes a day of the month as a date says it: "1er", "15" in French, "1st", "15th".
func monthDay(lang i18n.Lang, d int) string {
	n := strconv.Itoa(d)
	if lang == i18n.FR {
		if d == 1 {
			return "1er"
		}
		return n
	}
	switch {
	case d%100 >= 11 && d%100 <= 13:
		return n + "th"
	case d%10 == 1:
		return n + "st"
	case d%10 == 2:
		return n + "nd"
	case d%10 == 3:
		return n + "rd"
	}
	return n + "th"
}

// PlanTermsLines writes the preventive plan recorded in a contract's terms, one task per line:
// "Title (target): every…, at 09:00, 1 h on site · Technician · Checklist: … · Except …".
func (s *Server) PlanTermsLines(c *fiber.Ctx, raw string) []string {
	terms := scheduling.ParsePlanText(raw)
	if len(terms) == 0 {
		return []string{s.T(c, "schedule.plan.terms_empty")}
	}
	lang := Lang(c)
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if t.Rule == "" {
			out = append(out, t.Title)
			continue
		}
		line := t.Title
		if t.Target != "" {
			line += " (" + t.Target + ")"
		}
		line += s.T(c, "contract.colon") + " " + s.RecurrenceText(c, t.Rule, t.FirstDay())
		line += ", " + s.T(c, "schedule.rec.at", "Time", t.At) + " · " + i18n.Duration(time.Duration(t.Minutes)*time.Minute)
		line += " · " + s.T(c, interventions.Place(t.Place).Label())
		if t.Technician != "" {
			line += " · " + t.Technician
		}
		if len(t.Checklist) > 0 {
			line += " · " + s.T(c, "schedule.field.checklist") + s.T(c, "contract.colon") + " " + strings.Join(t.Checklist, " ; ")
		}
		if len(t.Exdates) > 0 {
			days := make([]string, len(t.Exdates))
			for i, d := range t.Exdates {
				if day, err := time.Parse(time.DateOnly, d); err == nil {
					days[i] = i18n.Date(lang, day)
				} else {
					days[i] = d
				}
			}
			line += " · " + s.T(c, "schedule.rec.except", "Dates", strings.Join(days, ", "))
		}
		out = append(out, line)
	}
	return out
}
