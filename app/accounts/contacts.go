package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// A client's contacts are its users. Every function here takes the client's id and puts it in the
// WHERE clause: a user of another client answers NotFound, exactly like a missing one.

// ListClientUsers returns the users of one client, active or not, in name order.
func ListClientUsers(ctx context.Context, db bun.IDB, clientID uuid.UUID) ([]User, error) {
	var out []User
	if err := db.NewSelect().Model(&out).
		Where("kind = ?", Client).Where("client_id = ?", clientID).
		OrderExpr("lower(name), id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("accounts: list client users: %w", err)
	}
	return out, nil
}

// ClientUser returns one user of a client.
func ClientUser(ctx context.Context, db bun.IDB, clientID, userID uuid.UUID) (*User, error) {
	u := new(User)
	if err := db.NewSelect().Model(u).
		Where("id = ?", userID).Where("kind = ?", Client).Where("client_id = ?", clientID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("user")
		}
		return nil, fmt.Errorf("accounts: client user: %w", err)
	}
	return u, nil
}

// UpdateContact changes a client user's role and right to approve quotes and pay invoices, if the
// user is still at the version the form was read at; otherwise nothing is written and the error is a
// Conflict ("error.stale"). It returns the user as saved.
func UpdateContact(ctx context.Context, db bun.IDB, clientID, userID uuid.UUID, role Role, canApproveAndPay bool, version int, now time.Time) (*User, error) {
	if role != Admin && role != Member {
		return nil, apperr.Fields{"role": "error.role_invalid"}.Err()
	}
	res, err := db.NewUpdate().Model((*User)(nil)).
		Set("role = ?", role).Set("can_approve_and_pay = ?", canApproveAndPay).
		Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = ?", userID).Where("kind = ?", Client).Where("client_id = ?", clientID).
		Where("version = ?", version).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: update contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := ClientUser(ctx, db, clientID, userID); err != nil {
			return nil, err
		}
		return nil, apperr.Conflictf("error.stale")
	}
	return ClientUser(ctx, db, clientID, userID)
}

// SetActive lets a client user in again, or keeps them out: deactivating ends every session of the
// user at once, and login refuses them until they are reactivated.
func SetActive(ctx context.Context, db bun.IDB, clientID, userID uuid.UUID, active bool, now time.Time) error {
	res, err := db.NewUpdate().Model((*User)(nil)).
		Set("active = ?", active).Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = ?", userID).Where("kind = ?", Client).Where("client_id = ?", clientID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("accounts: set active: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("user")
	}
	if !active {
		return EndUserSessions(ctx, db, userID, nil)
	}
	return nil
}
