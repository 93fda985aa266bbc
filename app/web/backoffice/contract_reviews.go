package backoffice

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/web"
)

// contractReviewsView is the periodic-review section of a contract's page: the interval, when the
// next review is due, the reviews held, and the amendments a new review may point to.
type contractReviewsView struct {
	Months     int
	Due        *contractDate
	Reviews    []contractReviewView
	Amendments []int
	Running    bool
	Today      string
}

// contractReviewView is one review held.
type contractReviewView struct {
	R      *contracts.Review
	HeldOn time.Time
}

// contractReviews loads the review section of a contract's page.
func (h *handler) contractReviews(c *fiber.Ctx, ct *contracts.Contract) (*contractReviewsView, error) {
	rs, err := contracts.ListReviews(c.UserContext(), h.DB.Bun, ct.ID)
	if err != nil {
		return nil, err
	}
	today := h.Today()
	v := &contractReviewsView{Months: ct.ReviewMonths, Running: ct.Status.IsRunning(), Today: today.Format(time.DateOnly)}
	var last time.Time
	for _, r := range rs {
		v.Reviews = append(v.Reviews, contractReviewView{R: r, HeldOn: h.Noon(r.HeldOn)})
		if r.HeldOn.After(last) {
			last = r.HeldOn
		}
	}
	if ct.Terms != nil && v.Running {
		v.Due = h.CivilDate(contracts.ReviewDue(ct.ReviewMonths, ct.Terms.StartDate, last), today)
	}
	for n := ct.CurrentVersion; n >= 2; n-- {
		v.Amendments = append(v.Amendments, n)
	}
	return v, nil
}

// handleContractReviewCreate handles the "POST /admin/contracts/:id/reviews" route: a review held
// with the client is recorded (date, participants, notes, decisions, the amendment it led to).
func (h *handler) handleContractReviewCreate(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	ct, err := contracts.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"held_on", "participants", "notes", "decisions", "amendment_no"} {
		form[k] = c.FormValue(k)
	}
	r := &contracts.Review{ContractID: id, Participants: form["participants"], Notes: form["notes"], Decisions: form["decisions"]}
	problems := apperr.Fields{}
	if s := strings.TrimSpace(form["held_on"]); s != "" {
		if d, err := time.Parse(time.DateOnly, s); err != nil {
			problems.Add("held_on", "contract.error.date_invalid")
		} else {
			r.HeldOn = d
		}
	} else {
		problems.Add("held_on", "error.required")
	}
	if s := strings.TrimSpace(form["amendment_no"]); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			problems.Add("amendment_no", "review.error.amendment")
		}
		r.AmendmentNo = n
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		err := contracts.RecordReview(ctx, tx, r, web.CurrentUser(c).ID, h.Now(), h.Today())
		if len(problems) > 0 {
			all := apperr.Fields{}
			for k, v := range apperr.FieldsOf(err) {
				all.Add(k, v)
			}
			for k, v := range problems {
				all[k] = v
			}
			return all.Err()
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ContractReviewRecorded, TargetType: "contract", TargetID: id.String(), ClientID: ct.ClientID,
			Details: map[string]any{"reference": ct.Reference, "held_on": r.HeldOn.Format(time.DateOnly),
				"participants": r.Participants, "amendment_no": r.AmendmentNo},
		})
	})
	if err != nil {
		return h.contractShowAgain(c, id, err, "review", form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "review.flash.recorded", "Reference", ct.Reference,
		"Date", i18n.Date(web.Lang(c), r.HeldOn)))
	return h.Redirect(c, contractsPath+"/"+id.String()+"#reviews-h")
}

// handleContractReviewInterval handles the "POST /admin/contracts/:id/review-interval" route: how
// often the contract is reviewed with the client (0: no periodic review).
func (h *handler) handleContractReviewInterval(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	if _, err := contracts.Get(c.UserContext(), h.DB.Bun, id); err != nil {
		return err
	}
	form := map[string]string{"review_months": c.FormValue("review_months")}
	version, _ := strconv.Atoi(c.FormValue("version"))
	months, perr := strconv.Atoi(strings.TrimSpace(form["review_months"]))
	if perr != nil {
		return h.contractShowAgain(c, id, apperr.Fields{"review_months": "contract.error.number_invalid"}.Err(), "review_months", form)
	}
	var after *contracts.Contract
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		if after, err = contracts.SetReviewInterval(ctx, tx, id, months, version, h.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.ContractReviewInterval, TargetType: "contract", TargetID: id.String(), ClientID: after.ClientID,
			Details: map[string]any{"reference": after.Reference, "review_months": months},
		})
	})
	if err != nil {
		return h.contractShowAgain(c, id, err, "review_months", form)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "review.flash.interval", "Reference", after.Reference))
	return h.Redirect(c, contractsPath+"/"+id.String()+"#reviews-h")
}

// homeReviewDays is how far ahead the home card lists the periodic reviews due.
const homeReviewDays = 30

// homeReviews adds to the home card's deadlines the periodic reviews due within homeReviewDays
// (or overdue), in date order with the other deadlines.
func (h *handler) homeReviews(c *fiber.Ctx, p *homePage, today time.Time) error {
	due, err := contracts.DueReviews(c.UserContext(), h.DB.Bun, today.AddDate(0, 0, homeReviewDays), homeDeadlineCount)
	if err != nil {
		return err
	}
	for _, d := range due {
		p.Deadlines = append(p.Deadlines, homeDeadline{
			ID: d.ContractID, Reference: d.Reference, Title: d.Title, Client: d.ClientName,
			Status: contracts.StatusActive, Label: "review.deadline", When: h.CivilDate(d.DueOn, today),
		})
	}
	slices.SortStableFunc(p.Deadlines, func(a, b homeDeadline) int { return a.When.On.Compare(b.When.On) })
	return nil
}
