package billing_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// now is 2 December 2026, 10:00 in Paris.
var now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

type fixture struct {
	db            *database.DB
	client, other uuid.UUID
	manager       *accounts.User
	alice         *accounts.User
	staff         audit.Actor
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testutil.DB(t)}
	newClient := func(name string) uuid.UUID {
		c := &clients.Client{Name: name}
		if err := clients.Create(ctx, f.db.Bun, c, now); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	f.client, f.other = newClient("Boulangerie Martin"), newClient("Cabinet Durand")
	newUser := func(u *accounts.User) *accounts.User {
		if err := accounts.CreateUser(ctx, f.db.Bun, u, now); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.manager = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Manager, Email: "sophie@example.fr", Name: "Sophie Lambert", Active: true})
	f.alice = newUser(&accounts.User{Kind: accounts.Client, Role: accounts.Admin, Email: "alice@boulangerie.fr", Name: "Alice Martin",
		ClientID: uuid.NullUUID{UUID: f.client, Valid: true}, Active: true})
	f.staff = audit.Actor{UserID: f.manager.ID, Label: f.manager.Email, IP: "10.0.0.1"}
	return f
}

func (f *fixture) alicy() audit.Actor {
	return audit.Actor{UserID: f.alice.ID, Label: f.alice.Email, IP: "203.0.113.7", UserAgent: "Firefox/140"}
}

func input(clientID uuid.UUID) billing.Input {
	return billing.Input{
		ClientID: clientID, Title: "Refonte de la page d'accueil", Description: "Nouvelle mise en page, photos de la vitrine.",
		ValidUntil: day("2026-12-31"), DepositBP: 3000,
		Lines: []*billing.Line{
			{Description: "Maquette", Quantity: 1000, Unit: "forfait", UnitPriceCents: 450_00, VATRateBP: 2000},
			{Description: "Intégration", Quantity: 6500, Unit: "h", UnitPriceCents: 65_00, VATRateBP: 2000, DiscountBP: 1000},
			{Description: "Livre photo", Quantity: 1000, UnitPriceCents: 30_00, VATRateBP: 550},
		},
	}
}

func (f *fixture) tx(t *testing.T, fn func(ctx context.Context, tx *database.Tx) error) error {
	t.Helper()
	return f.db.InTx(context.Background(), fn)
}

func (f *fixture) sent(t *testing.T) *billing.Quote {
	t.Helper()
	var q *billing.Quote
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.Create(ctx, tx, input(f.client), f.staff, now, paris)
		if err != nil {
			return err
		}
		q, err = billing.Send(ctx, tx, d.ID, d.Version, f.staff, now, paris)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func wantKind(t *testing.T, err error, kind apperr.Kind, msg string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind || (msg != "" && e.Message != msg) {
		t.Fatalf("err = %v, want %v %q", err, kind, msg)
	}
}

func TestCreateComputesTotals(t *testing.T) {
	f := setup(t)
	in := input(f.client)
	// Whatever a form says, the amounts are computed here.
	in.Lines[0].LineHTCents = 1
	var q *billing.Quote
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		q, err = billing.Create(ctx, tx, in, f.staff, now, paris)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// 450,00 + 6,5 × 65,00 × 0,9 = 380,25 → 830,25 at 20 % (166,05) + 30,00 at 5,5 % (1,65)
	if got, want := q.TotalHTCents, int64(860_25); got != want {
		t.Errorf("HT = %d, want %d", got, want)
	}
	if got, want := q.TotalVATCents, int64(166_05+1_65); got != want {
		t.Errorf("VAT = %d, want %d", got, want)
	}
	if q.TotalTTCCents != q.TotalHTCents+q.TotalVATCents || q.Status != billing.StatusDraft || q.Reference() != "" {
		t.Errorf("quote = %+v", q)
	}
	if len(q.Lines) != 3 || q.Lines[0].LineHTCents != 450_00 || q.Lines[1].LineHTCents != 380_25 {
		t.Errorf("lines = %+v", q.Lines)
	}
}

func TestCreateRefusesBadLines(t *testing.T) {
	f := setup(t)
	in := input(f.client)
	in.Lines[0].Quantity = -1000
	in.Lines[1].UnitPriceCents = -5
	in.Lines[2].VATRateBP = 3300
	in.ValidUntil = day("2026-11-30")
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Create(ctx, tx, in, f.staff, now, paris)
		return err
	})
	fields := apperr.FieldsOf(err)
	for _, k := range []string{"lines.0.quantity", "lines.1.unit_price", "lines.2.vat_rate", "valid_until"} {
		if fields[k] == "" {
			t.Errorf("no problem on %s: %v", k, fields)
		}
	}
	in = input(f.client)
	in.Lines = nil
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Create(ctx, tx, in, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["lines"] == "" {
		t.Errorf("no line: %v", err)
	}
	n, _ := f.db.Bun.NewSelect().Table("quotes").Count(context.Background())
	if n != 0 {
		t.Errorf("%d quotes saved", n)
	}
}

func TestSendNumbersAndFreezes(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	if q.Reference() != "D-2026-0001" || q.Status != billing.StatusSent || len(q.ContentHash) != 32 {
		t.Fatalf("sent = %s %s %x", q.Reference(), q.Status, q.ContentHash)
	}
	if string(q.ComputeHash()) != string(q.ContentHash) {
		t.Error("stored hash differs from the content's")
	}
	q2 := f.sent(t)
	if q2.Reference() != "D-2026-0002" {
		t.Errorf("second = %s", q2.Reference())
	}
	// A sent quote is frozen.
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Update(ctx, tx, q.ID, input(f.client), q.Version, f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrNotDraft)
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Send(ctx, tx, q.ID, q.Version, f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrTransition)
	// A rolled-back sending gives its number back.
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.Create(ctx, tx, input(f.client), f.staff, now, paris)
		if err != nil {
			return err
		}
		if _, err := billing.Send(ctx, tx, d.ID, d.Version, f.staff, now, paris); err != nil {
			return err
		}
		return apperr.Conflictf("rollback")
	})
	if q3 := f.sent(t); q3.Reference() != "D-2026-0003" {
		t.Errorf("after a rollback = %s", q3.Reference())
	}
}

func TestStaleUpdate(t *testing.T) {
	f := setup(t)
	var q *billing.Quote
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		q, err = billing.Create(ctx, tx, input(f.client), f.staff, now, paris)
		return err
	})
	ok := func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Update(ctx, tx, q.ID, input(f.client), q.Version, f.staff, now, paris)
		return err
	}
	if err := f.tx(t, ok); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.tx(t, ok), apperr.Conflict, billing.ErrStale)
}

func TestRevisionReplacesTheSentQuote(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	var rev *billing.Quote
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		rev, err = billing.NewRevision(ctx, tx, q.ID, f.staff, now, paris)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Status != billing.StatusDraft || rev.Revision != 2 || len(rev.Lines) != 3 || rev.TotalTTCCents != q.TotalTTCCents {
		t.Fatalf("revision = %+v", rev)
	}
	// Asking again gives the same draft.
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		again, err := billing.NewRevision(ctx, tx, q.ID, f.staff, now, paris)
		if err == nil && again.ID != rev.ID {
			t.Errorf("a second draft revision %s", again.ID)
		}
		return err
	})
	in := input(f.client)
	in.Lines[0].UnitPriceCents = 400_00
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		rev, err = billing.Update(ctx, tx, rev.ID, in, rev.Version, f.staff, now, paris)
		if err != nil {
			return err
		}
		rev, err = billing.Send(ctx, tx, rev.ID, rev.Version, f.staff, now, paris)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Reference() != "D-2026-0001-R2" {
		t.Errorf("revision reference = %s", rev.Reference())
	}
	old, _ := billing.Get(context.Background(), f.db.Bun, q.ID)
	if old.Status != billing.StatusReplaced || old.ReplacedBy.UUID != rev.ID {
		t.Errorf("old = %s replaced by %v", old.Status, old.ReplacedBy)
	}
	// The replaced one can no longer be accepted.
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, _, err := billing.Accept(ctx, tx, f.client, q.ID, f.acceptInput(q), f.alicy(), now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrReplaced)
}

func (f *fixture) acceptInput(q *billing.Quote) billing.AcceptInput {
	return billing.AcceptInput{UserID: f.alice.ID, Agreed: true, SignerName: " Alice   Martin ", ContentHash: q.HashHex(), PDFSHA256: make([]byte, 32)}
}

func TestAcceptRecordsEvidenceAndCreatesIntervention(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	var got *billing.Quote
	var i *interventions.Intervention
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		got, i, err = billing.Accept(ctx, tx, f.client, q.ID, f.acceptInput(q), f.alicy(), now, paris)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != billing.StatusAccepted || got.DecidedBy.UUID != f.alice.ID || got.DecidedAt.IsZero() {
		t.Errorf("accepted = %+v", got)
	}
	ctx := context.Background()
	a, err := billing.GetAcceptance(ctx, f.db.Bun, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.SignerName != "Alice Martin" || a.IP != "203.0.113.7" || a.UserAgent != "Firefox/140" || string(a.ContentSHA256) != string(q.ContentHash) || len(a.PDFSHA256) != 32 {
		t.Errorf("evidence = %+v", a)
	}
	if i.Kind != interventions.KindEvolutive || i.Status != interventions.StatusTodo || i.ClientID != f.client ||
		!strings.Contains(i.Summary, "Intégration (6,5 h)") || !strings.Contains(i.Title, "D-2026-0001") {
		t.Errorf("intervention = %+v", i)
	}
	id, n, err := billing.InterventionOf(ctx, f.db.Bun, q.ID)
	if err != nil || id != i.ID || n != i.Number {
		t.Errorf("InterventionOf = %v %d %v", id, n, err)
	}
	// The evidence can never change.
	if _, err := f.db.Bun.ExecContext(ctx, "UPDATE quote_acceptances SET signer_name = 'X' WHERE quote_id = ?", q.ID); err == nil {
		t.Error("UPDATE of an acceptance succeeded")
	}
	if _, err := f.db.Bun.ExecContext(ctx, "DELETE FROM quote_acceptances WHERE quote_id = ?", q.ID); err == nil {
		t.Error("DELETE of an acceptance succeeded")
	}
	// Decided once.
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Decline(ctx, tx, f.client, q.ID, f.alice.ID, q.HashHex(), "", f.alicy(), now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrDecided)
	var actions []string
	_ = f.db.Bun.NewSelect().Table("audit_log").Column("action").Where("target_id = ?", q.ID.String()).OrderExpr("at, id").Scan(ctx, &actions)
	if strings.Join(actions, ",") != "quote.created,quote.sent,quote.accepted" {
		t.Errorf("audit = %v", actions)
	}
}

func TestAcceptRefusals(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	try := func(clientID uuid.UUID, in billing.AcceptInput, at time.Time) error {
		return f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, _, err := billing.Accept(ctx, tx, clientID, q.ID, in, f.alicy(), at, paris)
			return err
		})
	}
	// Another client's quote is not found.
	wantKind(t, try(f.other, f.acceptInput(q), now), apperr.NotFound, "")
	// A forged or stale hash.
	in := f.acceptInput(q)
	in.ContentHash = strings.Repeat("0", 64)
	wantKind(t, try(f.client, in, now), apperr.Conflict, billing.ErrChanged)
	// The box unticked, no name.
	in = f.acceptInput(q)
	in.Agreed, in.SignerName = false, "  "
	fields := apperr.FieldsOf(try(f.client, in, now))
	if fields["agree"] == "" || fields["signer_name"] == "" {
		t.Errorf("fields = %v", fields)
	}
	// The day after the validity date.
	wantKind(t, try(f.client, f.acceptInput(q), time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)), apperr.Conflict, billing.ErrExpired)
	// Withdrawn.
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.Withdraw(ctx, tx, q.ID, q.Version, f.staff, now)
		return err
	})
	wantKind(t, try(f.client, f.acceptInput(q), now), apperr.Conflict, billing.ErrWithdrawn)
	n, _ := f.db.Bun.NewSelect().Table("quote_acceptances").Count(context.Background())
	m, _ := f.db.Bun.NewSelect().Table("interventions").Count(context.Background())
	if n != 0 || m != 0 {
		t.Errorf("%d acceptances, %d interventions recorded", n, m)
	}
}

func TestDraftsAreNotTheClients(t *testing.T) {
	f := setup(t)
	var d *billing.Quote
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		d, err = billing.Create(ctx, tx, input(f.client), f.staff, now, paris)
		return err
	})
	_, err := billing.GetForClient(context.Background(), f.db.Bun, f.client, d.ID)
	wantKind(t, err, apperr.NotFound, "")
	page, err := billing.ListForClient(context.Background(), f.db.Bun, f.client, billing.Filter{})
	if err != nil || len(page.Quotes) != 0 {
		t.Errorf("portal list = %v %v", page, err)
	}
}

func TestConcurrentAccept(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	start := make(chan struct{})
	for n := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[n] = f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
				_, _, err := billing.Accept(ctx, tx, f.client, q.ID, f.acceptInput(q), f.alicy(), now, paris)
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	won, lost := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case apperr.KindOf(err) == apperr.Conflict:
			lost++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if won != 1 || lost != 1 {
		t.Errorf("won %d, lost %d", won, lost)
	}
	n, _ := f.db.Bun.NewSelect().Table("interventions").Count(context.Background())
	if n != 1 {
		t.Errorf("%d interventions", n)
	}
}

func TestDeclineAndList(t *testing.T) {
	f := setup(t)
	q := f.sent(t)
	other := f.sent(t)
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		got, err := billing.Decline(ctx, tx, f.client, q.ID, f.alice.ID, q.HashHex(), " Trop cher pour cette année. ", f.alicy(), now, paris)
		if err == nil && (got.Status != billing.StatusDeclined || got.DeclineReason != "Trop cher pour cette année.") {
			t.Errorf("declined = %s %q", got.Status, got.DeclineReason)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	today := day("2026-12-02")
	list := func(s billing.Status, at time.Time) int {
		p, err := billing.List(ctx, f.db.Bun, billing.Filter{Status: s, Today: at})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Quotes)
	}
	if list(billing.StatusDeclined, today) != 1 || list(billing.StatusSent, today) != 1 || list("", today) != 2 {
		t.Error("filters by status")
	}
	// Past its validity a sent quote lists as expired, before and after the job records it.
	later := day("2027-01-05")
	if list(billing.StatusExpired, later) != 1 || list(billing.StatusSent, later) != 0 {
		t.Error("expired filter")
	}
	var expired []*billing.Quote
	_ = f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		expired, err = billing.ExpireDue(ctx, tx, audit.Actor{Label: "system"}, time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), paris)
		return err
	})
	if len(expired) != 1 || expired[0].ID != other.ID {
		t.Errorf("expired = %v", expired)
	}
	if list(billing.StatusExpired, later) != 1 {
		t.Error("expired after the job")
	}
	// Keyset pages.
	for range 3 {
		f.sent(t)
	}
	p, err := billing.List(ctx, f.db.Bun, billing.Filter{Limit: 2, Today: today})
	if err != nil || len(p.Quotes) != 2 || p.Next == "" {
		t.Fatalf("page 1 = %v %v", p, err)
	}
	seen := map[uuid.UUID]bool{}
	for cursor, pages := "", 0; pages < 5; pages++ {
		p, err := billing.List(ctx, f.db.Bun, billing.Filter{Limit: 2, Cursor: cursor, Today: today, Sort: billing.SortValidity})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range p.Quotes {
			if seen[q.ID] {
				t.Errorf("%s twice", q.ID)
			}
			seen[q.ID] = true
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Errorf("saw %d quotes over the pages, want 5", len(seen))
	}
}
