package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/i18n"
	"maintenant/app/interventions"
	"maintenant/app/tickets"
)

// HoursMonths is how many months the contract pages show the included hours of: this month and
// the ones before it.
const HoursMonths = 4

// HoursUsage is a contract's included hours for one month, written for the contract pages.
type HoursUsage struct {
	interventions.Usage
	// MonthLabel names the month ("novembre 2026").
	MonthLabel string
	// Used, Included, Remaining and Overrun are durations in words ("1 h 20"; "0 min" for none).
	Used, Included, Remaining, Overrun string
	// Percent is the share of the included hours used, 0 to 100, for the progress bar.
	Percent int
	// OverrunCents is the overrun at the contract's hourly rate (0 without a rate).
	OverrunCents int64
	// Current marks this month.
	Current bool
}

// ContractHours returns the included hours of a contract for this month and the HoursMonths-1
// before (not before the contract started), this month first; nil when the terms in force include
// no hours. It makes two queries per month. The overrun is priced at the current terms' rate.
func (s *Server) ContractHours(c *fiber.Ctx, db bun.IDB, ct *contracts.Contract) ([]HoursUsage, error) {
	if ct.Terms == nil || ct.Terms.IncludedMinutes == 0 {
		return nil, nil
	}
	now := s.Now().In(s.Config.Location)
	first := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, s.Config.Location)
	start := contracts.Day(ct.Terms.StartDate)
	var out []HoursUsage
	for n := range HoursMonths {
		month := first.AddDate(0, -n, 0)
		if n > 0 && contracts.Day(month.AddDate(0, 1, -1)).Before(start) {
			break // the contract had not started
		}
		u, err := interventions.HoursUsed(c.UserContext(), db, ct.ID, month, s.Config.Location)
		if err != nil {
			return nil, err
		}
		h := HoursUsage{Usage: u, Current: n == 0,
			MonthLabel: s.T(c, tickets.MonthKey(month.Month())) + " " + month.Format("2006"),
			Used:       minutesText(u.UsedMinutes), Included: minutesText(u.IncludedMinutes),
			Remaining: minutesText(u.RemainingMinutes()), Overrun: minutesText(u.OverrunMinutes),
		}
		if u.IncludedMinutes > 0 {
			h.Percent = min(u.UsedMinutes*100/u.IncludedMinutes, 100)
		} else if u.UsedMinutes > 0 {
			h.Percent = 100
		}
		if rate := ct.Terms.HourlyRateCents; rate > 0 && u.OverrunMinutes > 0 {
			h.OverrunCents = (int64(u.OverrunMinutes)*rate + 30) / 60
		}
		out = append(out, h)
	}
	return out, nil
}

// minutesText writes minutes as a duration ("1 h 20", "0 min").
func minutesText(m int) string { return i18n.Duration(time.Duration(m) * time.Minute) }
