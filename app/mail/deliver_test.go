package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

const (
	fromHeader   = "Maintenant <noreply@maintenant.test>"
	frenchSubj   = "Réinitialisation de votre mot de passe"
	resetLink    = "http://maintenant.test/password/reset/tok123"
	deliverWait  = 15 * time.Second
	pollInterval = 20 * time.Millisecond
)

func resetMessage(to string) *mail.Message {
	return &mail.Message{
		ToAddress: to,
		ToName:    "Élodie Durand",
		Subject:   frenchSubj,
		TextBody:  "Bonjour Élodie,\n\nChoisissez un nouveau mot de passe :\n\n" + resetLink + "\n",
		HTMLBody:  `<p>Bonjour Élodie,</p><p><a href="` + resetLink + `">Choisir un nouveau mot de passe</a></p>`,
		Kind:      "password_reset",
	}
}

// waitMessage polls the outbox row until cond holds or the timeout passes.
func waitMessage(t *testing.T, db *database.DB, m *mail.Message, what string, cond func(*mail.Message) bool) *mail.Message {
	t.Helper()
	deadline := time.Now().Add(deliverWait)
	for {
		got, err := mail.Get(context.Background(), db.Bun, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s never became %s: %+v", m.ID, what, got)
		}
		time.Sleep(pollInterval)
	}
}

func waitJobState(t *testing.T, db *database.DB, want rivertype.JobState) {
	t.Helper()
	deadline := time.Now().Add(deliverWait)
	for {
		var state string
		err := db.Pool.QueryRow(context.Background(), "SELECT state FROM river_job WHERE kind = $1", (mail.DeliverArgs{}).Kind()).Scan(&state)
		if err != nil {
			t.Fatal(err)
		}
		if state == string(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery job is %s, want %s", state, want)
		}
		time.Sleep(pollInterval)
	}
}

// startRiver runs the application's River client, with workers, on db until the test ends.
func startRiver(t *testing.T, db *database.DB, sender mail.Sender, now func() time.Time) *mail.Outbox {
	t.Helper()
	client, err := jobs.New(jobs.Config{DB: db, Sender: sender, Now: now, Logger: quiet, Work: true})
	if err != nil {
		t.Fatal(err)
	}
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
	return &mail.Outbox{Jobs: client}
}

func TestDeliverThroughRiver(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	clock := testutil.NewClock(testutil.DefaultNow.Add(5 * time.Minute))
	o := startRiver(t, db, &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, clock.Now)

	m := resetMessage("elodie@example.test")
	enqueue(t, db, o, m, testutil.DefaultNow)

	sink.WaitFor(t, 1, deliverWait)
	got := waitMessage(t, db, m, "sent", func(g *mail.Message) bool { return g.Status == mail.Sent })
	if got.SentAt == nil || !got.SentAt.Equal(clock.Now()) {
		t.Errorf("sent_at %v, want %v", got.SentAt, clock.Now())
	}
	if got.Attempts != 1 || got.LastError != "" {
		t.Errorf("attempts %d, last_error %q; want 1 and none", got.Attempts, got.LastError)
	}
	waitJobState(t, db, rivertype.JobStateCompleted)

	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink received %d messages, want exactly 1", len(msgs))
	}
	checkResetMail(t, msgs[0], m)
}

// River's first retry comes about a second after a failure, so the real client can show the whole
// path: failure recorded, job retried, message sent once.
func TestDeliverThroughRiverRetriesAfterFailure(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	sink.FailNext(1)
	o := startRiver(t, db, &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, time.Now)

	m := resetMessage("elodie@example.test")
	enqueue(t, db, o, m, testutil.DefaultNow)

	failed := waitMessage(t, db, m, "attempted", func(g *mail.Message) bool { return g.Attempts >= 1 })
	if failed.Status == mail.Queued && (failed.Attempts != 1 || !strings.Contains(failed.LastError, "451") || failed.SentAt != nil) {
		t.Errorf("after the failed attempt: %+v, want 1 attempt and the 451 recorded", failed)
	}
	sink.WaitFor(t, 1, deliverWait)
	got := waitMessage(t, db, m, "sent", func(g *mail.Message) bool { return g.Status == mail.Sent })
	if got.Attempts != 2 || got.LastError != "" || got.SentAt == nil {
		t.Errorf("after the retry: attempts %d, last_error %q, sent_at %v; want 2, cleared, set", got.Attempts, got.LastError, got.SentAt)
	}
	waitJobState(t, db, rivertype.JobStateCompleted)
	var attempt int
	if err := db.Pool.QueryRow(context.Background(), "SELECT attempt FROM river_job WHERE kind = $1", (mail.DeliverArgs{}).Kind()).Scan(&attempt); err != nil || attempt != 2 {
		t.Errorf("river job attempt %d (%v), want 2", attempt, err)
	}
	if n := len(sink.Messages()); n != 1 || sink.Failed() != 1 {
		t.Errorf("sink kept %d and refused %d, want 1 and 1", n, sink.Failed())
	}
}

// checkResetMail checks what the SMTP server received for resetMessage.
func checkResetMail(t *testing.T, rcv testutil.SinkMessage, m *mail.Message) {
	t.Helper()
	if rcv.From != "noreply@maintenant.test" {
		t.Errorf("envelope from %q", rcv.From)
	}
	if len(rcv.To) != 1 || rcv.To[0] != m.ToAddress {
		t.Errorf("envelope to %q, want [%s]", rcv.To, m.ToAddress)
	}
	raw := string(rcv.Data)
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	var rawSubject string
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(line, "Subject:") {
			rawSubject = line
		}
	}
	if !strings.Contains(rawSubject, "=?UTF-8?") || strings.Contains(rawSubject, "é") {
		t.Errorf("raw subject %q: want an RFC 2047 encoded-word, not raw UTF-8", rawSubject)
	}
	p := rcv.MustParse(t)
	if p.Subject != frenchSubj {
		t.Errorf("subject decodes to %q, want %q", p.Subject, frenchSubj)
	}
	if len(p.To) != 1 || p.To[0].Address != m.ToAddress || p.To[0].Name != m.ToName {
		t.Errorf("To header %v, want %q <%s>", p.To, m.ToName, m.ToAddress)
	}
	if from, err := p.Header.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "noreply@maintenant.test" || from[0].Name != "Maintenant" {
		t.Errorf("From header %v (%v)", from, err)
	}
	if id := p.Header.Get("Message-Id"); id != "<"+m.ID.String()+"@maintenant>" {
		t.Errorf("Message-ID %q, want the outbox id", id)
	}
	if !strings.Contains(p.Text, resetLink) || !strings.Contains(p.Text, "Élodie") {
		t.Errorf("text/plain part %q: want the link and the accented name", p.Text)
	}
	if !strings.Contains(p.HTML, `<a href="`+resetLink+`">`) {
		t.Errorf("text/html part %q: want the link", p.HTML)
	}
}

func deliverJob(m *mail.Message, attempt int) *river.Job[mail.DeliverArgs] {
	return &river.Job[mail.DeliverArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Kind: (mail.DeliverArgs{}).Kind(), Attempt: attempt, MaxAttempts: 8, State: rivertype.JobStateRunning},
		Args:   mail.DeliverArgs{MessageID: m.ID},
	}
}

func TestDeliverWorkerRetryThenSendOnce(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	sink.FailNext(1)
	clock := testutil.NewClock(testutil.DefaultNow.Add(time.Minute))
	w := &mail.DeliverWorker{DB: db.Bun, Sender: &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, Now: clock.Now}
	m := resetMessage("elodie@example.test")
	enqueue(t, db, &mail.Outbox{Jobs: inserter(t, db)}, m, testutil.DefaultNow)
	ctx := context.Background()

	// First attempt: the server refuses; the error is recorded and returned so that River retries.
	if err := w.Work(ctx, deliverJob(m, 1)); err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first Work = %v, want the server's 451", err)
	}
	got, err := mail.Get(ctx, db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mail.Queued || got.Attempts != 1 || !strings.Contains(got.LastError, "451") || got.SentAt != nil {
		t.Errorf("after failure: status %q, attempts %d, last_error %q, sent_at %v; want queued, 1, the 451, none",
			got.Status, got.Attempts, got.LastError, got.SentAt)
	}
	if n := len(sink.Messages()); n != 0 || sink.Failed() != 1 {
		t.Fatalf("sink kept %d and refused %d, want 0 and 1", n, sink.Failed())
	}

	// Second attempt succeeds.
	clock.Advance(time.Minute)
	if err := w.Work(ctx, deliverJob(m, 2)); err != nil {
		t.Fatalf("second Work = %v", err)
	}
	got, err = mail.Get(ctx, db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mail.Sent || got.Attempts != 2 || got.LastError != "" || got.SentAt == nil || !got.SentAt.Equal(clock.Now()) {
		t.Errorf("after success: status %q, attempts %d, last_error %q, sent_at %v; want sent, 2, none, %v",
			got.Status, got.Attempts, got.LastError, got.SentAt, clock.Now())
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink received %d messages, want 1", len(msgs))
	}
	checkResetMail(t, msgs[0], m)

	// A third run (River rescuing the job, say) sends nothing more and changes nothing.
	clock.Advance(time.Minute)
	if err := w.Work(ctx, deliverJob(m, 3)); err != nil {
		t.Fatalf("third Work = %v", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("sink received %d messages after a rerun, want still 1", n)
	}
	again, err := mail.Get(ctx, db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Attempts != 2 || !again.SentAt.Equal(*got.SentAt) {
		t.Errorf("rerun changed the row: attempts %d, sent_at %v", again.Attempts, again.SentAt)
	}
}

func TestDeliverWorkerLastAttemptMarksFailed(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	sink.FailNext(1)
	w := &mail.DeliverWorker{DB: db.Bun, Sender: &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, Now: time.Now}
	m := resetMessage("elodie@example.test")
	enqueue(t, db, &mail.Outbox{Jobs: inserter(t, db)}, m, testutil.DefaultNow)

	if err := w.Work(context.Background(), deliverJob(m, 8)); err == nil {
		t.Fatal("Work succeeded against a failing server")
	}
	got, err := mail.Get(context.Background(), db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != mail.Failed || got.Attempts != 1 || got.LastError == "" || got.SentAt != nil {
		t.Errorf("after the last attempt: %+v, want failed with the error recorded", got)
	}
}

func TestDeliverWorkerSkipsSentMessage(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	w := &mail.DeliverWorker{DB: db.Bun, Sender: &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, Now: time.Now}
	m := resetMessage("elodie@example.test")
	enqueue(t, db, &mail.Outbox{Jobs: inserter(t, db)}, m, testutil.DefaultNow)
	sentAt := testutil.DefaultNow.Add(time.Second)
	ctx := context.Background()
	if _, err := db.Bun.NewUpdate().Model((*mail.Message)(nil)).Set("status = ?", mail.Sent).Set("sent_at = ?", sentAt).
		Set("attempts = 1").Where("id = ?", m.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	if err := w.Work(ctx, deliverJob(m, 1)); err != nil {
		t.Fatalf("Work on a sent message = %v, want nil (nothing to do)", err)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("sink received %d messages for an already sent one, want 0", n)
	}
	got, err := mail.Get(ctx, db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempts != 1 || got.SentAt == nil || !got.SentAt.Equal(sentAt) {
		t.Errorf("row changed: attempts %d, sent_at %v", got.Attempts, got.SentAt)
	}
}

// TestDeliverWorkerCancelsPermanentFailure stops retrying a message that can never be sent.
func TestDeliverWorkerCancelsPermanentFailure(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	w := &mail.DeliverWorker{DB: db.Bun, Sender: &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, Now: time.Now}
	m := resetMessage("not an address at all")
	enqueue(t, db, &mail.Outbox{Jobs: inserter(t, db)}, m, testutil.DefaultNow)

	err := w.Work(context.Background(), deliverJob(m, 1))
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("Work = %v, want a JobCancel error", err)
	}
	got, gerr := mail.Get(context.Background(), db.Bun, m.ID)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if got.Status != mail.Failed || got.LastError == "" {
		t.Errorf("after a permanent failure: status %s, error %q; want failed with the error", got.Status, got.LastError)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("sink received %d messages", n)
	}
}
