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
	"maintenant/app/storage"
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

// Demo writes the demo data in one transaction. It refuses a database that already has users. Files
// receives the demo attachments (none when nil).
func Demo(ctx context.Context, db *database.DB, now time.Time, files storage.Store) error {
	return write(ctx, db, now, true, files)
}

// Accounts writes only the demo people and companies (names and logins; no identities, SLA policies
// or contracts), for tests that build the rest themselves.
func Accounts(ctx context.Context, db *database.DB, now time.Time) error {
	return write(ctx, db, now, false, nil)
}

func write(ctx context.Context, db *database.DB, now time.Time, full bool, files storage.Store) error {
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
		if _, err := tx.NewRaw(`UPDATE organisation SET
			legal_form = 'SAS au capital de 10 000 € · RCS Lyon', siren = '812345676', vat_number = 'FR19812345676',
			address_line1 = '18 rue de la République', postal_code = '69002', city = 'Lyon',
			email = 'contact@asevodigital.demo.test', phone = '04 78 00 00 00' WHERE ?`, full).Exec(ctx); err != nil {
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
		d := &demo{now: now, manager: staff[0], technician: staff[1], files: files}
		for _, c := range []struct {
			client         *clients.Client
			email, contact string
		}{
			{&clients.Client{Name: "Boulangerie Martin", SIREN: "523456788", VATNumber: "FR31523456788",
				AddressLine1: "4 place du Marché", PostalCode: "69004", City: "Lyon", Country: "FR",
				BillingEmail: "compta@boulangerie.demo.test", Phone: "04 78 12 34 56",
				Notes: "Boutique ouverte du mardi au samedi, 7 h – 19 h. Site vitrine et boutique en ligne (click & collect)."},
				"client@boulangerie.demo.test", "Julie Martin"},
			{&clients.Client{Name: "Cabinet Durand Avocats", SIREN: "412987653", VATNumber: "FR13412987653",
				AddressLine1: "27 quai Saint-Antoine", PostalCode: "69002", City: "Lyon", Country: "FR",
				BillingEmail: "secretariat@cabinet.demo.test", Phone: "04 72 98 76 54",
				Notes: "6 postes de travail, 1 serveur de fichiers, sauvegardes externalisées."},
				"client@cabinet.demo.test", "Maître Paul Durand"},
		} {
			cl := c.client
			if !full {
				cl = &clients.Client{Name: cl.Name}
			}
			if err := clients.Create(ctx, tx, cl, now); err != nil {
				return err
			}
			d.clients = append(d.clients, cl)
			u := &accounts.User{Kind: accounts.Client, Email: c.email, Name: c.contact, Role: accounts.Admin,
				ClientID: uuid.NullUUID{UUID: cl.ID, Valid: true}, CanApproveAndPay: true}
			if err := createUser(ctx, tx, u, hash, now); err != nil {
				return err
			}
			d.contacts = append(d.contacts, u)
		}
		if !full {
			return nil
		}
		if err := d.housePolicy(ctx, tx); err != nil {
			return err
		}
		if err := d.contracts(ctx, tx); err != nil {
			return err
		}
		if err := d.contractTemplates(ctx, tx); err != nil {
			return err
		}
		if err := d.tickets(ctx, tx); err != nil {
			return err
		}
		if err := d.interventions(ctx, tx); err != nil {
			return err
		}
		if err := d.quotes(ctx, tx); err != nil {
			return err
		}
		if err := d.schedule(ctx, tx); err != nil {
			return err
		}
		if err := d.equipment(ctx, tx); err != nil {
			return err
		}
		if err := d.kits(ctx, tx); err != nil {
			return err
		}
		return d.invoices(ctx, tx)
	})
}

// demo carries what one seeding step hands to the next.
type demo struct {
	now                 time.Time
	manager, technician *accounts.User
	clients             []*clients.Client // Boulangerie, Cabinet
	contacts            []*accounts.User  // their administrators
	files               storage.Store
}

func createUser(ctx context.Context, tx *database.Tx, u *accounts.User, hash string, now time.Time) error {
	u.Active, u.Language = true, "fr"
	u.PasswordHash = hash
	u.PasswordChangedAt.Time = now.UTC()
	return accounts.CreateUser(ctx, tx, u, now)
}
