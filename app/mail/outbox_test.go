package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// inserter returns an insert-only River client on db, as the CLI builds it.
func inserter(t *testing.T, db *database.DB) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := jobs.New(jobs.Config{DB: db, Now: time.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newMessage(to string) *mail.Message {
	return &mail.Message{ToAddress: to, ToName: "Alice Martin", Subject: "Sujet", TextBody: "Bonjour", HTMLBody: "<p>Bonjour</p>", Kind: "test"}
}

func enqueue(t *testing.T, db *database.DB, o *mail.Outbox, m *mail.Message, now time.Time) {
	t.Helper()
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return o.Enqueue(ctx, tx, m, now)
	}); err != nil {
		t.Fatalf("enqueue %s: %v", m.ToAddress, err)
	}
}

func count(t *testing.T, db *database.DB, table string) int {
	t.Helper()
	n, err := db.Bun.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

type jobRow struct {
	Kind string
	Args struct {
		MessageID uuid.UUID `json:"message_id"`
	}
}

func riverJobs(t *testing.T, db *database.DB) []jobRow {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), "SELECT kind, args FROM river_job ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var out []jobRow
	for rows.Next() {
		var j jobRow
		if err := rows.Scan(&j.Kind, &j.Args); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEnqueueRollbackLeavesNothing(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{Jobs: inserter(t, db)}
	boom := errors.New("boom")
	err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		if err := o.Enqueue(ctx, tx, newMessage("alice@example.test"), testutil.DefaultNow); err != nil {
			return err
		}
		// Inside the transaction both rows are visible.
		if n, err := tx.NewSelect().Table("outbox_messages").Count(ctx); err != nil || n != 1 {
			t.Errorf("inside tx: %d messages (%v), want 1", n, err)
		}
		var jobsInTx int
		if err := tx.PGX().QueryRow(ctx, "SELECT count(*) FROM river_job").Scan(&jobsInTx); err != nil || jobsInTx != 1 {
			t.Errorf("inside tx: %d jobs (%v), want 1", jobsInTx, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if n := count(t, db, "outbox_messages"); n != 0 {
		t.Errorf("%d messages after rollback, want 0", n)
	}
	if n := count(t, db, "river_job"); n != 0 {
		t.Errorf("%d river jobs after rollback, want 0", n)
	}
}

func TestEnqueueCommitQueuesOneJob(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{Jobs: inserter(t, db)}
	m := newMessage("alice@example.test")
	now := time.Date(2026, 11, 22, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	enqueue(t, db, o, m, now)

	if n := count(t, db, "outbox_messages"); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	got, err := mail.Get(context.Background(), db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mail.Queued || got.Attempts != 0 || got.SentAt != nil || got.LastError != "" {
		t.Errorf("stored %+v, want queued, 0 attempts, not sent", got)
	}
	if !got.CreatedAt.Equal(now) || got.ToAddress != m.ToAddress || got.ToName != m.ToName ||
		got.Subject != m.Subject || got.TextBody != m.TextBody || got.HTMLBody != m.HTMLBody || got.Kind != "test" {
		t.Errorf("stored %+v, want the enqueued message", got)
	}
	js := riverJobs(t, db)
	if len(js) != 1 {
		t.Fatalf("%d river jobs, want 1", len(js))
	}
	if js[0].Kind != (mail.DeliverArgs{}).Kind() || js[0].Args.MessageID != m.ID {
		t.Errorf("job %+v, want %s for message %s", js[0], (mail.DeliverArgs{}).Kind(), m.ID)
	}
}

func TestEnqueueWithoutJobsKeepsMessage(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{}
	m := newMessage("alice@example.test")
	enqueue(t, db, o, m, testutil.DefaultNow)
	got, err := mail.Get(context.Background(), db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mail.Kept {
		t.Errorf("status %q, want %q", got.Status, mail.Kept)
	}
	if n := count(t, db, "river_job"); n != 0 {
		t.Errorf("%d river jobs, want 0", n)
	}
}

func TestEnqueueDedupeKey(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{Jobs: inserter(t, db)}
	key := "ticket-42-created"
	first := newMessage("alice@example.test")
	first.DedupeKey = &key
	enqueue(t, db, o, first, testutil.DefaultNow)

	second := newMessage("alice@example.test")
	second.DedupeKey = &key
	second.Subject = "Autre sujet"
	enqueue(t, db, o, second, testutil.DefaultNow.Add(time.Minute))

	// Twice in one transaction as well.
	other := "ticket-43-created"
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		for range 2 {
			m := newMessage("bob@example.test")
			m.DedupeKey = &other
			if err := o.Enqueue(ctx, tx, m, testutil.DefaultNow); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	if n := count(t, db, "outbox_messages"); n != 2 {
		t.Errorf("%d messages, want 2 (one per dedupe key)", n)
	}
	if n := count(t, db, "river_job"); n != 2 {
		t.Errorf("%d river jobs, want 2 (one per stored message)", n)
	}
	got, err := mail.Get(context.Background(), db.Bun, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Sujet" {
		t.Errorf("subject %q: the first message must be kept, not replaced", got.Subject)
	}
}

func TestListKeysetPagination(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var ids []uuid.UUID // oldest first
	for i := range 35 {
		m := newMessage(fmt.Sprintf("user%02d@example.test", i))
		enqueue(t, db, o, m, base.Add(time.Duration(i)*time.Minute))
		ids = append(ids, m.ID)
	}
	ctx := context.Background()
	p1, err := mail.List(ctx, db.Bun, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Messages) != 30 || p1.Next == "" {
		t.Fatalf("page 1: %d messages, next %q; want 30 and a cursor", len(p1.Messages), p1.Next)
	}
	p2, err := mail.List(ctx, db.Bun, "", p1.Next, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Messages) != 5 || p2.Next != "" {
		t.Fatalf("page 2: %d messages, next %q; want 5 and no cursor", len(p2.Messages), p2.Next)
	}
	all := append(p1.Messages, p2.Messages...)
	for i, m := range all {
		if want := ids[len(ids)-1-i]; m.ID != want {
			t.Fatalf("row %d is %s (%s), want %s: newest first, no gap, no repeat", i, m.ID, m.ToAddress, want)
		}
	}
	if all[0].TextBody != "" || all[0].HTMLBody != "" {
		t.Errorf("List loaded the bodies; it should select only the listing columns")
	}
}

func TestListKeysetPaginationSameInstant(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{}
	seen := map[uuid.UUID]bool{}
	for i := range 35 {
		enqueue(t, db, o, newMessage(fmt.Sprintf("user%02d@example.test", i)), testutil.DefaultNow)
	}
	cursor, pages := "", 0
	for {
		p, err := mail.List(context.Background(), db.Bun, "", cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range p.Messages {
			if seen[m.ID] {
				t.Fatalf("message %s listed twice", m.ID)
			}
			seen[m.ID] = true
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 35 || pages != 4 {
		t.Errorf("%d messages over %d pages, want 35 over 4", len(seen), pages)
	}
}

func TestListRecipientFilter(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{}
	addrs := []string{"alice@example.test", "a%b@example.test", "axxb@example.test", "c_d@example.test", "cxd@example.test", "back\\slash@example.test"}
	for i, a := range addrs {
		enqueue(t, db, o, newMessage(a), testutil.DefaultNow.Add(time.Duration(i)*time.Second))
	}
	cases := []struct {
		filter string
		want   []string // newest first
	}{
		{"ALICE", []string{"alice@example.test"}},
		{"  alice@  ", []string{"alice@example.test"}},
		{"a%b", []string{"a%b@example.test"}},
		{"%", []string{"a%b@example.test"}},
		{"c_d", []string{"c_d@example.test"}},
		{"_", []string{"c_d@example.test"}},
		{`\`, []string{"back\\slash@example.test"}},
		{"example.test", []string{"back\\slash@example.test", "cxd@example.test", "c_d@example.test", "axxb@example.test", "a%b@example.test", "alice@example.test"}},
		{"nobody", nil},
	}
	for _, c := range cases {
		p, err := mail.List(context.Background(), db.Bun, c.filter, "", 0)
		if err != nil {
			t.Fatalf("filter %q: %v", c.filter, err)
		}
		var got []string
		for _, m := range p.Messages {
			got = append(got, m.ToAddress)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("filter %q: %q, want %q", c.filter, got, c.want)
		}
	}
}

func TestGetUnknownIsNotFound(t *testing.T) {
	db := testutil.DB(t)
	_, err := mail.Get(context.Background(), db.Bun, uuid.Must(uuid.NewV7()))
	if apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Get unknown = %v (kind %v), want NotFound", err, apperr.KindOf(err))
	}
}

func TestEnqueueRefusesHeaderInjection(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{Jobs: inserter(t, db)}
	bad := []*mail.Message{
		newMessage("alice@example.test\r\nBcc: everyone@example.test"),
		newMessage("alice@example.test\nBcc: everyone@example.test"),
		newMessage("alice@example.test\r"),
		newMessage(""),
	}
	subj := newMessage("alice@example.test")
	subj.Subject = "Bonjour\r\nBcc: everyone@example.test"
	bad = append(bad, subj)
	for _, m := range bad {
		err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
			return o.Enqueue(ctx, tx, m, testutil.DefaultNow)
		})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("Enqueue to %q subject %q = %v, want Invalid", m.ToAddress, m.Subject, err)
		}
	}
	if n := count(t, db, "outbox_messages"); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
	if n := count(t, db, "river_job"); n != 0 {
		t.Errorf("%d river jobs, want 0", n)
	}
}
