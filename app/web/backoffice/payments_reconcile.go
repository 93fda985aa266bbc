package backoffice

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/web"
)

// reconciliationBlock is what the daily reconciliation with Stripe found, on the payments page.
type reconciliationBlock struct {
	// Enabled is false without Stripe keys (the built-in test checkout: nothing to reconcile).
	Enabled  bool
	Last     *billing.ReconciliationRun
	Findings []*billing.Finding
	Open     int
}

func (h *handler) reconciliationBlock(c *fiber.Ctx) (*reconciliationBlock, error) {
	ctx := c.UserContext()
	b := &reconciliationBlock{Enabled: h.Config.StripeSecretKey != ""}
	var err error
	if b.Last, err = billing.LastReconciliation(ctx, h.DB.Bun); err != nil {
		return nil, err
	}
	if b.Findings, b.Open, err = billing.OpenFindings(ctx, h.DB.Bun); err != nil {
		return nil, err
	}
	return b, nil
}

// handleFindingResolve handles the "POST /admin/payments/findings/:id/resolve" route: a finding of
// the reconciliation marked handled (409 when it already was).
func (h *handler) handleFindingResolve(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.ResolveFinding(ctx, tx, id, web.Actor(c), h.Now())
		return err
	})
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "reconciliation.flash.handled"))
	return h.Redirect(c, "/admin/payments")
}
