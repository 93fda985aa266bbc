package site_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// invite creates a client user without a password and sends the invitation, as staff will from the
// client's page.
func invite(t *testing.T, app *testutil.App, clientID, email string) {
	t.Helper()
	cid := uuid.MustParse(clientID)
	err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		u := &accounts.User{Kind: accounts.Client, Email: email, Name: "Nouveau Contact", Role: accounts.Member,
			ClientID: uuid.NullUUID{UUID: cid, Valid: true}, Active: true, Language: "fr"}
		if err := accounts.CreateUser(ctx, tx, u, time.Now()); err != nil {
			return err
		}
		return app.SendInvitation(ctx, tx, u, audit.Actor{Label: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
}
