// Package seed fills a database with the demo data that `make run` shows: the provider
// "AsevoDigital", its manager and technician, and two client companies with their admins.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/clients"
	"maintenant/app/database"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "demo-password"

// Login is a demo account, printed by `make run`.
type Login struct {
	Email string
	Who   string
}

// DemoLogins lists the demo accounts.
var DemoLogins = []Login{
	{"manager@demo.test", "AsevoDigital, manager"},
	{"tech@demo.test", "AsevoDigital, technician"},
	{"client@boulangerie.demo.test", "Boulangerie Martin, client admin"},
	{"client@cabinet.demo.test", "Cabinet Durand Avocats, client admin"},
}

// Demo writes the demo data in one transaction. It refuses a database that already has users.
func Demo(ctx context.Context, db *database.DB, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		n, err := accounts.CountUsers(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("seed: the database already has %d users; demo data goes into an empty database only", n)
		}
		if _, err := tx.NewRaw("UPDATE organisation SET name = 'AsevoDigital'").Exec(ctx); err != nil {
			return fmt.Errorf("seed: organisation: %w", err)
		}
		hash, err := accounts.HashPassword(DemoPassword)
		if err != nil {
			return err
		}
		staff := []*accounts.User{
			{Kind: accounts.Staff, Email: "manager@demo.test", Name: "Sophie Lambert", Role: accounts.Manager},
			{Kind: accounts.Staff, Email: "tech@demo.test", Name: "Karim Benali", Role: accounts.Technician},
		}
		for _, u := range staff {
			if err := createUser(ctx, tx, u, hash, now); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			name, email, contact string
		}{
			{"Boulangerie Martin", "client@boulangerie.demo.test", "Julie Martin"},
			{"Cabinet Durand Avocats", "client@cabinet.demo.test", "Maître Paul Durand"},
		} {
			cl := &clients.Client{Name: c.name}
			if err := clients.Create(ctx, tx, cl, now); err != nil {
				return err
			}
			u := &accounts.User{Kind: accounts.Client, Email: c.email, Name: c.contact, Role: accounts.Admin,
				ClientID: uuid.NullUUID{UUID: cl.ID, Valid: true}, CanApproveAndPay: true}
			if err := createUser(ctx, tx, u, hash, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func createUser(ctx context.Context, tx *database.Tx, u *accounts.User, hash string, now time.Time) error {
	u.Active, u.Language = true, "fr"
	u.PasswordHash = hash
	u.PasswordChangedAt.Time = now.UTC()
	return accounts.CreateUser(ctx, tx, u, now)
}
