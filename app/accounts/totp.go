package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// NewTOTPKey generates a TOTP secret for a staff user to enrol in an authenticator app.
func NewTOTPKey(issuer, account string) (*otp.Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
	if err != nil {
		return nil, fmt.Errorf("accounts: totp generate: %w", err)
	}
	return k, nil
}

// ValidTOTP checks a 6-digit code against a secret at time now, allowing one step of clock drift.
func ValidTOTP(secret, code string, now time.Time) bool {
	if secret == "" || len(code) != 6 {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, now.UTC(), totp.ValidateOpts{
		Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	return err == nil && ok
}

// EnableTOTP stores a verified secret: the user proved their app produces the right codes.
func EnableTOTP(ctx context.Context, db bun.IDB, userID uuid.UUID, secret, code string, now time.Time) error {
	if !ValidTOTP(secret, code, now) {
		return apperr.Fields{"code": "error.totp_invalid"}.Err()
	}
	if _, err := db.NewUpdate().Model((*User)(nil)).Set("totp_secret = ?", secret).Set("totp_enabled = true").
		Set("updated_at = ?", now.UTC()).Where("id = ? AND kind = 'staff'", userID).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: enable totp: %w", err)
	}
	return nil
}

// DisableTOTP removes the second factor of a user.
func DisableTOTP(ctx context.Context, db bun.IDB, userID uuid.UUID, now time.Time) error {
	if _, err := db.NewUpdate().Model((*User)(nil)).Set("totp_secret = ''").Set("totp_enabled = false").
		Set("updated_at = ?", now.UTC()).Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: disable totp: %w", err)
	}
	return nil
}
