// Package accounts holds the people who log in: the provider's staff and the client companies'
// users, their passwords, sessions, single-use links, two-factor secrets and the login rate limits.
package accounts

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// Kind separates the provider's staff from client users: each reaches only its own area.
type Kind string

// The kinds of user.
const (
	Staff  Kind = "staff"
	Client Kind = "client"
)

// Role is what a user may do within its kind.
type Role string

// Staff roles and client roles.
const (
	Manager    Role = "manager"
	Technician Role = "technician"
	Admin      Role = "admin"
	Member     Role = "member"
)

// User is a person who logs in. A client user belongs to exactly one client.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID                uuid.UUID     `bun:"id,pk,type:uuid"`
	Kind              Kind          `bun:"kind"`
	Email             string        `bun:"email"`
	Name              string        `bun:"name"`
	Role              Role          `bun:"role"`
	ClientID          uuid.NullUUID `bun:"client_id,type:uuid"`
	CanApproveAndPay  bool          `bun:"can_approve_and_pay"`
	Language          string        `bun:"language"`
	PasswordHash      string        `bun:"password_hash"`
	PasswordChangedAt bun.NullTime  `bun:"password_changed_at"`
	TOTPSecret        string        `bun:"totp_secret"`
	TOTPEnabled       bool          `bun:"totp_enabled"`
	Active            bool          `bun:"active"`
	CreatedAt         time.Time     `bun:"created_at"`
	UpdatedAt         time.Time     `bun:"updated_at"`
	Version           int           `bun:"version"`
}

// IsStaff tells whether the user works for the provider.
func (u *User) IsStaff() bool { return u.Kind == Staff }

// IsManager tells whether the user manages the provider's work and settings.
func (u *User) IsManager() bool { return u.Kind == Staff && u.Role == Manager }

// MayApproveAndPay tells whether a client user may accept quotes and pay invoices for the company.
func (u *User) MayApproveAndPay() bool {
	return u.Kind == Client && (u.Role == Admin || u.CanApproveAndPay)
}

// HasPassword tells whether the user has set a password (an invited user has not yet).
func (u *User) HasPassword() bool { return u.PasswordHash != "" }

// NormalizeEmail trims and lower-cases an address for lookups.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail tells whether s is a single plain address (no display name).
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// Validate checks a user before it is saved.
func (u *User) Validate() error {
	f := apperr.Fields{}
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if !ValidEmail(u.Email) {
		f.Add("email", "error.email_invalid")
	}
	if u.Name == "" {
		f.Add("name", "error.required")
	} else if utf8.RuneCountInString(u.Name) > 200 {
		f.Add("name", "error.too_long")
	}
	switch u.Kind {
	case Staff:
		if u.Role != Manager && u.Role != Technician {
			f.Add("role", "error.role_invalid")
		}
		if u.ClientID.Valid {
			f.Add("client", "error.invalid")
		}
	case Client:
		if u.Role != Admin && u.Role != Member {
			f.Add("role", "error.role_invalid")
		}
		if !u.ClientID.Valid {
			f.Add("client", "error.required")
		}
	default:
		f.Add("kind", "error.invalid")
	}
	if u.Language != "fr" && u.Language != "en" {
		u.Language = "fr"
	}
	return f.Err()
}
