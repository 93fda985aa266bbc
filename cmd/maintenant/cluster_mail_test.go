package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// smtpGate is a TCP relay in front of the SMTP sink, one per instance (its SMTP_URL). Closed, it
// accepts connections and holds them without a byte, so that the instance's mail jobs stay running
// (in flight) for as long as the drill wants; opened, it relays them and the next ones to the sink.
// A held connection whose instance died reaches the sink as an empty session: no message.
type smtpGate struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	opened   chan struct{} // closed while the gate is open
	held     int
}

func newSMTPGate(t *testing.T, upstream string) *smtpGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &smtpGate{ln: ln, upstream: upstream, opened: make(chan struct{})}
	close(g.opened)
	t.Cleanup(func() { _ = ln.Close(); g.Open() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go g.relay(c)
		}
	}()
	return g
}

func (g *smtpGate) relay(c net.Conn) {
	defer c.Close()
	g.mu.Lock()
	opened := g.opened
	g.held++
	g.mu.Unlock()
	<-opened
	g.mu.Lock()
	g.held--
	g.mu.Unlock()
	up, err := net.Dial("tcp", g.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// URL is the instance's SMTP_URL.
func (g *smtpGate) URL() string { return "smtp://" + g.ln.Addr().String() + "?tls=none" }

// Close holds the connections from now on.
func (g *smtpGate) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.opened:
		g.opened = make(chan struct{})
	default:
	}
}

// Open relays the held connections and the next ones.
func (g *smtpGate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.opened:
	default:
		close(g.opened)
	}
}

// Held is the number of connections (mail jobs in flight) waiting at the gate.
func (g *smtpGate) Held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// waitUntil polls cond until it holds, or fails the test after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mailQueueIdle waits until no delivery job is waiting or running, so that the next burst is
// alone in flight.
func mailQueueIdle(t *testing.T, db *database.DB) {
	t.Helper()
	waitUntil(t, 60*time.Second, "the mail queue idle", func() bool {
		var n int
		if err := db.Bun.NewRaw(`SELECT count(*) FROM river_job WHERE kind = 'mail.deliver'
			AND state IN ('available', 'running', 'retryable', 'scheduled')`).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// mailBurst writes n mails the way the application does (the outbox row and its River delivery job
// in one transaction) and returns their outbox ids and subjects.
func mailBurst(t *testing.T, db *database.DB, phase string, n int) ([]uuid.UUID, []string) {
	t.Helper()
	rc, err := jobs.New(jobs.Config{DB: db}) // insert-only, as the CLI commands
	if err != nil {
		t.Fatal(err)
	}
	outbox := &mail.Outbox{Jobs: rc}
	var ids []uuid.UUID
	var subjects []string
	err = db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		for i := range n {
			m := &mail.Message{ToAddress: testutil.BoulangerieUser, Subject: fmt.Sprintf("Exercice %s %02d", phase, i+1),
				TextBody: "Message de l'exercice de panne.", Kind: "drill"}
			if err := outbox.Enqueue(ctx, tx, m, time.Now()); err != nil {
				return err
			}
			ids, subjects = append(ids, m.ID), append(subjects, m.Subject)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, subjects
}

// deliveries counts, for each subject, the messages of the sink that carry it.
func deliveries(sink *testutil.Sink, subjects []string) (perSubject map[string]int, total int) {
	perSubject = map[string]int{}
	for _, s := range subjects {
		perSubject[s] = 0
	}
	for _, msg := range sink.Messages() {
		for _, s := range subjects {
			if bytes.Contains(msg.Data, []byte("Subject: "+s+"\r\n")) {
				perSubject[s]++
				total++
			}
		}
	}
	return perSubject, total
}

// deliveredExactlyOnce waits until every subject was delivered, lets late duplicates arrive, and
// checks that each was delivered once.
func deliveredExactlyOnce(t *testing.T, sink *testutil.Sink, subjects []string, timeout time.Duration) {
	t.Helper()
	waitUntil(t, timeout, "every mail of the burst delivered", func() bool {
		per, _ := deliveries(sink, subjects)
		for _, n := range per {
			if n == 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(2 * time.Second)
	per, _ := deliveries(sink, subjects)
	for s, n := range per {
		if n != 1 {
			t.Errorf("%q delivered %d times, want once", s, n)
		}
	}
}

// jobAttempts returns the River state and attempt of each outbox message's delivery job.
func jobAttempts(t *testing.T, db *database.DB, ids []uuid.UUID) (states map[string]int, rescued int) {
	t.Helper()
	var strs []string
	for _, id := range ids {
		strs = append(strs, id.String())
	}
	var rows []struct {
		State   string
		Attempt int
	}
	if err := db.Bun.NewRaw(`SELECT state::text AS state, attempt FROM river_job
		WHERE kind = 'mail.deliver' AND args->>'message_id' IN (?)`, bun.List(strs)).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	states = map[string]int{}
	for _, r := range rows {
		states[r.State]++
		if r.Attempt > 1 {
			rescued++
		}
	}
	return states, rescued
}

// duplicateMessageIDs lists the Message-IDs the sink received more than once.
func duplicateMessageIDs(sink *testutil.Sink) (dups []string, total int) {
	seen := map[string]int{}
	for _, msg := range sink.Messages() {
		m, err := netmail.ReadMessage(bytes.NewReader(msg.Data))
		if err != nil {
			continue
		}
		id := strings.TrimSpace(m.Header.Get("Message-Id"))
		if id == "" {
			continue
		}
		total++
		seen[id]++
		if seen[id] == 2 {
			dups = append(dups, id)
		}
	}
	return dups, total
}

// inFlight waits until the delivery jobs of ids run on two instances, and returns how many run on
// each, the instance started first (its River id, made of its start time, sorts first) first.
func inFlight(t *testing.T, db *database.DB, ids []uuid.UUID) [2]int {
	t.Helper()
	var strs []string
	for _, id := range ids {
		strs = append(strs, id.String())
	}
	running := func() []struct {
		Worker string
		N      int
	} {
		var rows []struct {
			Worker string
			N      int
		}
		if err := db.Bun.NewRaw(`SELECT attempted_by[array_length(attempted_by, 1)] AS worker, count(*) AS n FROM river_job
			WHERE kind = 'mail.deliver' AND state = 'running' AND args->>'message_id' IN (?) GROUP BY 1 ORDER BY 1`,
			bun.List(strs)).Scan(context.Background(), &rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	waitUntil(t, 30*time.Second, "delivery jobs running on both instances", func() bool { return len(running()) == 2 })
	time.Sleep(time.Second) // the workers free of other jobs take their share
	rows := running()
	if len(rows) != 2 {
		t.Fatalf("delivery jobs running: %v, want on both instances", rows)
	}
	return [2]int{rows[0].N, rows[1].N}
}
