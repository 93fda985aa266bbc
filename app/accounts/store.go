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

// CreateUser validates and inserts a user; a taken email is an Invalid error on the email field.
func CreateUser(ctx context.Context, db bun.IDB, u *User, now time.Time) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ID == uuid.Nil {
		u.ID = uuid.Must(uuid.NewV7())
	}
	u.CreatedAt, u.UpdatedAt, u.Version = now.UTC(), now.UTC(), 1
	if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"email": "error.email_taken"}.Err()
		}
		return fmt.Errorf("accounts: create user: %w", err)
	}
	return nil
}

// UserByID returns a user, active or not.
func UserByID(ctx context.Context, db bun.IDB, id uuid.UUID) (*User, error) {
	u := new(User)
	if err := db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("user")
		}
		return nil, fmt.Errorf("accounts: user by id: %w", err)
	}
	return u, nil
}

// UserByEmail returns the user with that address, whatever its case.
func UserByEmail(ctx context.Context, db bun.IDB, email string) (*User, error) {
	u := new(User)
	if err := db.NewSelect().Model(u).Where("email = ?", NormalizeEmail(email)).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("user")
		}
		return nil, fmt.Errorf("accounts: user by email: %w", err)
	}
	return u, nil
}

// SetPassword stores a new password hash and ends every session of the user.
func SetPassword(ctx context.Context, db bun.IDB, userID uuid.UUID, password string, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("accounts: hash password: %w", err)
	}
	if _, err := db.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", hash).Set("password_changed_at = ?", now.UTC()).
		Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: set password: %w", err)
	}
	return EndUserSessions(ctx, db, userID, nil)
}

// SetLanguage records the interface language a user chose.
func SetLanguage(ctx context.Context, db bun.IDB, userID uuid.UUID, lang string) error {
	if lang != "fr" && lang != "en" {
		return apperr.Fields{"language": "error.invalid"}.Err()
	}
	if _, err := db.NewUpdate().Model((*User)(nil)).Set("language = ?", lang).Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: set language: %w", err)
	}
	return nil
}

// CountUsers counts users of a kind, for the seed's "is the database empty" check.
func CountUsers(ctx context.Context, db bun.IDB) (int64, error) {
	n, err := db.NewSelect().Model((*User)(nil)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("accounts: count users: %w", err)
	}
	return n, nil
}

// ActiveManagers returns the provider's active managers, who are told of what needs their decision
// (termination notices, contract deadlines, escalations).
func ActiveManagers(ctx context.Context, db bun.IDB) ([]*User, error) {
	var out []*User
	err := db.NewSelect().Model(&out).
		Where("kind = ? AND role = ? AND active", Staff, Manager).
		OrderExpr("lower(name), id").Limit(100).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: active managers: %w", err)
	}
	return out, nil
}
