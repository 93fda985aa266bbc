package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const wait = 15 * time.Second

// fixture writes a user with one expired and one live session, and one old and one recent
// rate-limit attempt, relative to now.
func fixture(t *testing.T, db *database.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	uid := uuid.Must(uuid.NewV7())
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, kind, email, name, role) VALUES ($1, 'staff', 'm@example.test', 'M', 'manager')`, []any{uid}},
		{`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, idle_seconds, expires_at)
			VALUES ('\x01', $1, $2, $2, 3600, $3), ('\x02', $1, $2, $2, 3600, $4)`,
			[]any{uid, now.Add(-2 * time.Hour), now.Add(-time.Minute), now.Add(time.Hour)}},
		{`INSERT INTO auth_attempts (bucket, key, at) VALUES ('login', 'old', $1), ('login', 'recent', $2)`,
			[]any{now.Add(-25 * time.Hour), now.Add(-time.Hour)}},
	}
	for _, s := range stmts {
		if _, err := db.Pool.Exec(ctx, s.sql, s.args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
}

// remaining returns the session hashes and attempt keys still stored.
func remaining(t *testing.T, db *database.DB) (sessions, attempts []string) {
	t.Helper()
	ctx := context.Background()
	if err := db.Bun.NewRaw(`SELECT encode(id_hash, 'hex') FROM sessions ORDER BY 1`).Scan(ctx, &sessions); err != nil {
		t.Fatal(err)
	}
	if err := db.Bun.NewRaw(`SELECT key FROM auth_attempts ORDER BY 1`).Scan(ctx, &attempts); err != nil {
		t.Fatal(err)
	}
	return sessions, attempts
}

func purged(sessions, attempts []string) bool {
	return len(sessions) == 1 && sessions[0] == "02" && len(attempts) == 1 && attempts[0] == "recent"
}

func TestCleanupWorkerPurgesExpired(t *testing.T) {
	db := testutil.DB(t)
	clock := testutil.NewClock(testutil.DefaultNow)
	fixture(t, db, clock.Now())
	w := &jobs.CleanupWorker{DB: db, Now: clock.Now}
	if err := w.Work(context.Background(), &river.Job[jobs.CleanupArgs]{}); err != nil {
		t.Fatal(err)
	}
	if s, a := remaining(t, db); !purged(s, a) {
		t.Errorf("sessions %q, attempts %q; want only the live session 02 and the recent attempt", s, a)
	}
}

func start(t *testing.T, client *river.Client[pgx.Tx]) {
	t.Helper()
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("river stop: %v", err)
		}
	})
}

// The clean-up is a periodic job that runs on start, once the client is elected leader.
func TestCleanupRunsOnStart(t *testing.T) {
	db := testutil.DB(t)
	clock := testutil.NewClock(testutil.DefaultNow)
	fixture(t, db, clock.Now())
	client, err := jobs.New(jobs.Config{DB: db, Now: clock.Now, Logger: quiet, Work: true})
	if err != nil {
		t.Fatal(err)
	}
	start(t, client)
	deadline := time.Now().Add(wait)
	for {
		s, a := remaining(t, db)
		if purged(s, a) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: sessions %q, attempts %q; the clean-up did not run", wait, s, a)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type recordingSender struct {
	mu   sync.Mutex
	sent []*mail.Message
	done chan struct{}
}

func (r *recordingSender) Send(_ context.Context, m *mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	if len(r.sent) == 1 {
		close(r.done)
	}
	return nil
}

// With a sender, the client runs mail.deliver jobs that the outbox inserts.
func TestNewWithSenderDeliversMail(t *testing.T) {
	db := testutil.DB(t)
	snd := &recordingSender{done: make(chan struct{})}
	client, err := jobs.New(jobs.Config{DB: db, Sender: snd, Now: time.Now, Logger: quiet, Work: true})
	if err != nil {
		t.Fatal(err)
	}
	start(t, client)
	m := &mail.Message{ToAddress: "a@example.test", Subject: "Sujet", TextBody: "Corps"}
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return (&mail.Outbox{Jobs: client}).Enqueue(ctx, tx, m, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-snd.done:
	case <-time.After(wait):
		t.Fatal("the delivery job did not run")
	}
	deadline := time.Now().Add(wait)
	for {
		got, err := mail.Get(context.Background(), db.Bun, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == mail.Sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message is %q, want sent", got.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	snd.mu.Lock()
	defer snd.mu.Unlock()
	if len(snd.sent) != 1 || snd.sent[0].ID != m.ID {
		t.Errorf("sender got %d messages, want exactly message %s", len(snd.sent), m.ID)
	}
}

// Without a sender there is no delivery worker: the client refuses delivery jobs, which is why the
// outbox must keep Jobs nil when SMTP is not configured.
func TestNewWithoutSenderRefusesMailJobs(t *testing.T) {
	db := testutil.DB(t)
	client, err := jobs.New(jobs.Config{DB: db, Now: time.Now, Logger: quiet, Work: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, err := client.InsertTx(ctx, tx.PGX(), mail.DeliverArgs{MessageID: uuid.Must(uuid.NewV7())}, nil)
		return err
	})
	if err == nil {
		t.Error("a worker client without sender accepted a mail.deliver job nobody would run")
	}
}

// An insert-only client (CLI commands) inserts jobs in a transaction without running them.
func TestNewInsertOnly(t *testing.T) {
	db := testutil.DB(t)
	client, err := jobs.New(jobs.Config{DB: db, Now: time.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		if _, err := client.InsertTx(ctx, tx.PGX(), jobs.CleanupArgs{}, nil); err != nil {
			return err
		}
		_, err := client.InsertTx(ctx, tx.PGX(), mail.DeliverArgs{MessageID: uuid.Must(uuid.NewV7())}, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE state = 'available'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d available jobs, want 2", n)
	}
}
