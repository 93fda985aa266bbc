package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/contracts"
	"maintenant/app/i18n"
)

// ContractChangeValue writes one side of an amendment's change for people, in the request's
// language: amounts, dates, durations, codes and lists as the contract pages show them.
// policyNames maps an SLA policy id to its name.
func (s *Server) ContractChangeValue(c *fiber.Ctx, kind contracts.ChangeKind, raw string, policyNames map[string]string) []string {
	lang := Lang(c)
	if raw == "" && kind != contracts.ChangeMinutes {
		return []string{"—"}
	}
	switch kind {
	case contracts.ChangeMoney:
		n, _ := strconv.ParseInt(raw, 10, 64)
		return []string{i18n.Money(lang, n) + " " + s.T(c, "contract.ht")}
	case contracts.ChangeDate:
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return []string{raw}
		}
		return []string{i18n.Date(lang, d)}
	case contracts.ChangeMonths:
		n, _ := strconv.Atoi(raw)
		return []string{s.T(c, "contract.months", "Count", n)}
	case contracts.ChangeDays:
		n, _ := strconv.Atoi(raw)
		return []string{s.T(c, "contract.days", "Count", n)}
	case contracts.ChangeMinutes:
		n, _ := strconv.Atoi(raw)
		return []string{s.IncludedHoursText(c, n)}
	case contracts.ChangeBilling:
		return []string{s.T(c, contracts.BillingPeriod(raw).Label())}
	case contracts.ChangePolicy:
		if name, ok := policyNames[raw]; ok && name != "" {
			return []string{name}
		}
		return []string{"—"}
	case contracts.ChangeServices:
		var out []string
		for _, sv := range contracts.ParseServicesText(raw) {
			out = append(out, s.ServiceText(c, sv))
		}
		return out
	case contracts.ChangePlan:
		return s.PlanTermsLines(c, raw)
	case contracts.ChangeMaintenance:
		var out []string
		for _, k := range strings.Split(raw, ",") {
			out = append(out, s.T(c, contracts.MaintenanceKind(k).Label()))
		}
		return []string{strings.Join(out, ", ")}
	}
	return []string{raw}
}

// ServiceText writes a covered service as "Site internet : boulangerie-martin.fr".
func (s *Server) ServiceText(c *fiber.Ctx, sv contracts.Service) string {
	return s.T(c, sv.Kind.Label()) + s.T(c, "contract.colon") + " " + sv.Description
}

// IncludedHoursText writes a contract's included intervention time per month ("3 h par mois", or
// none).
func (s *Server) IncludedHoursText(c *fiber.Ctx, minutes int) string {
	if minutes == 0 {
		return s.T(c, "contract.included_none")
	}
	return s.T(c, "contract.included_per_month", "Hours", i18n.Duration(time.Duration(minutes)*time.Minute))
}
