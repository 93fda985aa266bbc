package backoffice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/interventions"
	"maintenant/app/tickets"
)

// lineFigures are the figures of a quote or invoice line as typed in the line editor.
type lineFigures struct {
	Quantity   interventions.Quantity
	UnitPrice  int64
	VATRateBP  int // -1 when not a number: the domain says which rates it accepts
	DiscountBP int
}

// parseLineFigures reads the figures typed in row n of a line editor. Problems go into bad under
// "lines.n.<field>" with the area's messages ("quotes.error.quantity", "invoices.error.quantity"…).
// Where negative is true a unit price may be negative (an invoice's deductions).
func parseLineFigures(bad apperr.Fields, area string, n int, negative bool, quantity, unitPrice, vatRate, discount string) lineFigures {
	key := func(field string) string { return fmt.Sprintf("lines.%d.%s", n, field) }
	var l lineFigures
	if q, ok := interventions.ParseQuantity(quantity); ok {
		l.Quantity = q
	} else {
		bad.Add(key("quantity"), area+".error.quantity")
		l.Quantity = 1000
	}
	parse := func(s string) (int64, string) { return parseContractDecimal(s, 2) }
	if negative {
		parse = signedCents
	}
	switch cents, problem := parse(unitPrice); {
	case strings.TrimSpace(unitPrice) == "":
		bad.Add(key("unit_price"), "error.required")
	case problem != "":
		bad.Add(key("unit_price"), area+".error.unit_price")
	default:
		l.UnitPrice = cents
	}
	if rate, err := strconv.Atoi(strings.TrimSpace(vatRate)); err == nil {
		l.VATRateBP = rate
	} else {
		l.VATRateBP = -1
	}
	if v := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(discount), "%")); v != "" {
		bp, problem := parseContractDecimal(v, 2)
		if problem != "" || bp > 10000 {
			bad.Add(key("discount"), area+".error.discount")
		} else {
			l.DiscountBP = int(bp)
		}
	}
	return l
}

// parseHeaderRefs reads what the quote and invoice forms share in their header: the optional
// contract (an id that is not one is refused with the area's message) and optional dates (a field
// left empty stays zero; one that is not a date is refused).
func parseHeaderRefs(values map[string]string, bad apperr.Fields, area string, contract *uuid.UUID, dates map[string]*time.Time) {
	if v := strings.TrimSpace(values["contract_id"]); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad.Add("contract_id", area+".error.contract_unknown")
		}
		*contract = id
	}
	for key, to := range dates {
		v := strings.TrimSpace(values[key])
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad.Add(key, "admin_quotes.error.date")
			continue
		}
		*to = t
	}
}

// documentParties are the client and contract choices of a quote or invoice form.
type documentParties struct {
	Clients   []contracts.ClientChoice
	ClientID  string // the chosen client, when it is one of Clients
	Client    string // its name
	Contracts []tickets.ContractChoice
}

// loadParties reads the client choices (clientID among them even when archived) and, once a client
// is chosen, its contracts.
func (h *handler) loadParties(ctx context.Context, clientID uuid.UUID) (documentParties, error) {
	var d documentParties
	choices, err := contracts.ClientChoices(ctx, h.DB.Bun, clientID)
	if err != nil {
		return d, err
	}
	d.Clients = choices
	for _, ch := range choices {
		if ch.ID == clientID {
			d.ClientID, d.Client = ch.ID.String(), ch.Name
		}
	}
	if d.ClientID == "" {
		return d, nil
	}
	d.Contracts, err = tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location)
	return d, err
}
