package portal

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/policy"
	"maintenant/app/web"
)

// policyPage is the view model of the maintenance policy in the portal: the version shown, the
// version in force, those to come, the history, and which version each of the client's contracts
// was signed or last amended under.
type policyPage struct {
	web.Page
	V        *policy.Version // nil when no version was ever published
	Sections []policy.Section
	InForce  bool
	Current  int
	Upcoming []*policy.Version
	History  []*policy.Version
	// Contracts are the session client's own contracts, never another client's.
	Contracts []*contracts.Contract
}

// handlePolicyShow handles the "GET /portal/policy" route: the provider's maintenance policy in
// force today (the same for every client), what is coming, and the versions before.
func (h *handler) handlePolicyShow(c *fiber.Ctx) error {
	return h.renderPolicy(c, 0)
}

// handlePolicyVersion handles the "GET /portal/policy/:no" route: one published version.
func (h *handler) handlePolicyVersion(c *fiber.Ctx) error {
	no, err := strconv.Atoi(c.Params("no"))
	if err != nil || no < 1 {
		return apperr.NotFoundf("policy version")
	}
	return h.renderPolicy(c, no)
}

func (h *handler) renderPolicy(c *fiber.Ctx, no int) error {
	ctx := c.UserContext()
	today := h.Today()
	p := &policyPage{Page: h.NewPage(c, "policy.portal.title"), Sections: policy.Sections()}
	var err error
	if p.Current, err = policy.InForceNo(ctx, h.DB.Bun, today); err != nil {
		return err
	}
	if p.History, err = policy.List(ctx, h.DB.Bun); err != nil {
		return err
	}
	if p.Upcoming, err = policy.Upcoming(ctx, h.DB.Bun, today); err != nil {
		return err
	}
	switch {
	case no > 0:
		if p.V, err = policy.Get(ctx, h.DB.Bun, no); err != nil {
			return err
		}
	case p.Current > 0:
		if p.V, err = policy.Get(ctx, h.DB.Bun, p.Current); err != nil {
			return err
		}
	case len(p.Upcoming) > 0:
		p.V = p.Upcoming[0] // nothing in force yet: the first version to come
	}
	if p.V != nil {
		p.InForce = p.V.No == p.Current
		if no > 0 {
			p.Title = h.T(c, "policy.version_title", "No", p.V.No)
		}
	}
	all, err := contracts.ListByClient(ctx, h.DB.Bun, web.ClientID(c))
	if err != nil {
		return err
	}
	for _, ct := range all {
		if ct.Status != contracts.StatusDraft && ct.Terms != nil && ct.Terms.PolicyVersionNo > 0 {
			p.Contracts = append(p.Contracts, ct)
		}
	}
	return h.Render(c, fiber.StatusOK, "portal/policy/show", p)
}

// handlePolicyPDF handles the "GET /portal/policy/:no.pdf" route.
func (h *handler) handlePolicyPDF(c *fiber.Ctx) error {
	no, err := strconv.Atoi(c.Params("no"))
	if err != nil || no < 1 {
		return apperr.NotFoundf("policy version")
	}
	v, err := policy.Get(c.UserContext(), h.DB.Bun, no)
	if err != nil {
		return err
	}
	return h.SendPolicyPDF(c, v)
}
