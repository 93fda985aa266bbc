package backoffice

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/web"
)

// contactIDs reads the client and contact ids of a contact route; malformed ids are NotFound.
func contactIDs(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	clientID, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	userID, err := web.ParseUUID(c.Params("uid"))
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return clientID, userID, nil
}

// handleContactInvite handles the "POST /admin/clients/:id/contacts" route: a new client user,
// without a password, and the invitation mail with the link to choose one, in one transaction.
func (h *handler) handleContactInvite(c *fiber.Ctx) error {
	clientID, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	form := map[string]string{
		"name": c.FormValue("name"), "email": c.FormValue("email"), "role": c.FormValue("role"),
		"language": c.FormValue("language"), "can_approve_and_pay": c.FormValue("can_approve_and_pay"),
	}
	u := &accounts.User{
		Kind: accounts.Client, Name: form["name"], Email: form["email"], Role: accounts.Role(form["role"]),
		ClientID: uuid.NullUUID{UUID: clientID, Valid: true}, CanApproveAndPay: form["can_approve_and_pay"] == "on",
		Language: form["language"], Active: true,
	}
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		cl, err := clients.Get(ctx, tx, clientID)
		if err != nil {
			return err
		}
		if cl.Archived {
			return apperr.Conflictf("clients.error.archived_invite")
		}
		f := apperr.Fields{}
		if form["language"] != "fr" && form["language"] != "en" {
			f.Add("language", "clients.contacts.error.language_invalid")
		}
		if err := u.Validate(); err != nil {
			for k, v := range apperr.FieldsOf(err) {
				f.Add(k, v)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := accounts.CreateUser(ctx, tx, u, h.Now()); err != nil {
			return err
		}
		actor := web.Actor(c)
		if err := audit.Write(ctx, tx, h.Now(), actor, audit.Event{
			Action: audit.UserCreated, TargetType: "user", TargetID: u.ID.String(), ClientID: clientID,
			Details: map[string]any{"email": u.Email, "role": string(u.Role), "can_approve_and_pay": u.CanApproveAndPay},
		}); err != nil {
			return err
		}
		return h.SendInvitation(ctx, tx, u, actor)
	})
	if apperr.KindOf(err) == apperr.Invalid {
		p, lerr := h.loadClientShowPage(c, clientID)
		if lerr != nil {
			return lerr
		}
		_ = web.FormError(&p.Page, err, form)
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/clients/show", p)
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "clients.contacts.flash.invited", "Email", u.Email))
	return h.Redirect(c, clientsPath+"/"+clientID.String())
}

// handleContactUpdate handles the "POST /admin/clients/:id/contacts/:uid" route: the contact's role
// and right to approve quotes and pay invoices, at the version the page showed.
func (h *handler) handleContactUpdate(c *fiber.Ctx) error {
	clientID, userID, err := contactIDs(c)
	if err != nil {
		return err
	}
	role := accounts.Role(c.FormValue("role"))
	right := c.FormValue("can_approve_and_pay") == "on"
	version, _ := strconv.Atoi(c.FormValue("version"))
	var after *accounts.User
	changed := false
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		before, err := accounts.ClientUser(ctx, tx, clientID, userID)
		if err != nil {
			return err
		}
		if before.Role == role && before.CanApproveAndPay == right {
			after = before
			return nil
		}
		if after, err = accounts.UpdateContact(ctx, tx, clientID, userID, role, right, version, h.Now()); err != nil {
			return err
		}
		changed = true
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: audit.RoleChanged, TargetType: "user", TargetID: userID.String(), ClientID: clientID,
			Details: map[string]any{
				"before": map[string]any{"role": string(before.Role), "can_approve_and_pay": before.CanApproveAndPay},
				"after":  map[string]any{"role": string(after.Role), "can_approve_and_pay": after.CanApproveAndPay},
			},
		})
	})
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			return err
		}
	case apperr.Invalid, apperr.Conflict:
		p, lerr := h.loadClientShowPage(c, clientID)
		if lerr != nil {
			return lerr
		}
		status := fiber.StatusUnprocessableEntity
		if apperr.KindOf(err) == apperr.Conflict {
			status = fiber.StatusConflict
			p.Message = "clients.contacts.error.stale"
		} else {
			p.Message = "clients.contacts.error.role_invalid"
		}
		return h.Render(c, status, "backoffice/clients/show", p)
	default:
		return err
	}
	msg := "clients.contacts.flash.unchanged"
	if changed {
		msg = "clients.contacts.flash.updated"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, msg, "Name", shortName(after.Name)))
	return h.Redirect(c, clientsPath+"/"+clientID.String())
}

// handleContactDeactivate handles the "POST /admin/clients/:id/contacts/:uid/deactivate" route: the
// contact can no longer log in, and their open sessions end now.
func (h *handler) handleContactDeactivate(c *fiber.Ctx) error {
	return h.setContactActive(c, false)
}

// handleContactReactivate handles the "POST /admin/clients/:id/contacts/:uid/reactivate" route.
func (h *handler) handleContactReactivate(c *fiber.Ctx) error {
	return h.setContactActive(c, true)
}

func (h *handler) setContactActive(c *fiber.Ctx, active bool) error {
	clientID, userID, err := contactIDs(c)
	if err != nil {
		return err
	}
	var u *accounts.User
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if u, err = accounts.ClientUser(ctx, tx, clientID, userID); err != nil {
			return err
		}
		if u.Active == active {
			return nil
		}
		if err := accounts.SetActive(ctx, tx, clientID, userID, active, h.Now()); err != nil {
			return err
		}
		action := audit.ContactDeactivated
		if active {
			action = audit.ContactReactivated
		}
		return audit.Write(ctx, tx, h.Now(), web.Actor(c), audit.Event{
			Action: action, TargetType: "user", TargetID: userID.String(), ClientID: clientID,
			Details: map[string]any{"email": u.Email},
		})
	})
	if err != nil {
		return err
	}
	msg := "clients.contacts.flash.reactivated"
	if !active {
		msg = "clients.contacts.flash.deactivated"
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, msg, "Name", shortName(u.Name)))
	return h.Redirect(c, clientsPath+"/"+clientID.String())
}

// handleContactResend handles the "POST /admin/clients/:id/contacts/:uid/resend" route: a new
// invitation link (the earlier ones stop working), for an active contact who has not yet chosen a
// password.
func (h *handler) handleContactResend(c *fiber.Ctx) error {
	clientID, userID, err := contactIDs(c)
	if err != nil {
		return err
	}
	var u *accounts.User
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if u, err = accounts.ClientUser(ctx, tx, clientID, userID); err != nil {
			return err
		}
		if u.HasPassword() || !u.Active {
			return apperr.Conflictf("clients.contacts.error.not_invited")
		}
		return h.SendInvitation(ctx, tx, u, web.Actor(c))
	})
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "clients.contacts.flash.resent", "Email", u.Email))
	return h.Redirect(c, clientsPath+"/"+clientID.String())
}

// contactRow is a contact on the client's page.
type contactRow struct {
	accounts.User
	// Status is "active", "invited" (no password chosen yet) or "deactivated".
	Status string
}

func contactRows(users []accounts.User) []contactRow {
	out := make([]contactRow, len(users))
	for i := range users {
		out[i] = contactRow{User: users[i], Status: contactStatus(&users[i])}
	}
	return out
}

// contactStatus names a contact's state for the page.
func contactStatus(u *accounts.User) string {
	switch {
	case !u.Active:
		return "deactivated"
	case !u.HasPassword():
		return "invited"
	default:
		return "active"
	}
}
