package inbound_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/inbound"
	"maintenant/app/mail"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// fixture is the demo application with a demo mailbox and the poller reading it.
type fixture struct {
	app    *testutil.App
	demo   *inbound.Demo
	svc    *inbound.Service
	poller *inbound.Poller
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := testutil.NewApp(t, testutil.Options{})
	demo, err := inbound.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.Close() })
	app.Outbox.ReplyTo = inbound.DemoAddress
	svc := &inbound.Service{
		DB: app.DB, Files: app.Files, Outbox: app.Outbox, Composer: app.Composer, Now: app.Clock.Now,
		Location: app.Config.Location, BaseURL: app.Config.BaseURL.String(),
		OwnAddresses: []string{"no-reply@localhost", inbound.DemoAddress}, AcksPerHour: 100,
	}
	return &fixture{app: app, demo: demo, svc: svc, poller: &inbound.Poller{Service: svc, Mailbox: demo.Mailbox}}
}

// deliver appends mails to the mailbox and polls it once.
func (f *fixture) deliver(t *testing.T, raws ...string) *inbound.Result {
	t.Helper()
	for _, raw := range raws {
		if err := f.demo.Mailbox.Append([]byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := f.poller.Poll(context.Background())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	return res
}

// record returns the inbound record of a Message-ID.
func (f *fixture) record(t *testing.T, messageID string) *inbound.Message {
	t.Helper()
	var id uuid.UUID
	if err := f.app.DB.Bun.NewRaw("SELECT id FROM inbound_messages WHERE message_id = ?", messageID).Scan(context.Background(), &id); err != nil {
		t.Fatalf("record %s: %v", messageID, err)
	}
	m, err := inbound.Get(context.Background(), f.app.DB.Bun, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// processed counts the mails in the processed folder.
func (f *fixture) processed(t *testing.T) int {
	t.Helper()
	waiting, processed, err := f.demo.Mailbox.Count()
	if err != nil || waiting != 0 {
		t.Fatalf("mailbox: %d waiting (%v), want none", waiting, err)
	}
	return processed
}

// plain is a simple text mail.
func plain(id, from, subject, body string, extra ...string) string {
	h := "From: " + from + "\r\nTo: " + inbound.DemoAddress + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" +
		"Date: Sun, 22 Nov 2026 09:30:00 +0100\r\nMIME-Version: 1.0\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
}

// openByMail delivers a new fault report from the Boulangerie's admin and returns its ticket.
func (f *fixture) openByMail(t *testing.T, id string) *tickets.Ticket {
	t.Helper()
	f.deliver(t, plain(id, "Martin <"+testutil.BoulangerieUser+">", "=?UTF-8?Q?Caisse_bloqu=C3=A9e_=C3=A0_l'ouverture?=",
		"Bonjour,\nla caisse ne démarre plus depuis ce matin.\nMerci"))
	rec := f.record(t, id)
	if rec.Status != inbound.StatusTicket || !rec.TicketID.Valid {
		t.Fatalf("record %s: status %s reason %s, want a ticket", id, rec.Status, rec.Reason)
	}
	tk, err := tickets.Get(context.Background(), f.app.DB.Bun, rec.TicketID.UUID)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func checkNewTicketFromKnownContact(t *testing.T, f *fixture) {
	before := f.processed(t)
	tk := f.openByMail(t, "new-1@client.example")
	if got, want := tk.Title, "Caisse bloquée à l'ouverture"; got != want {
		t.Errorf("title %q, want %q (encoded words decoded)", got, want)
	}
	if tk.Channel != tickets.ChannelEmail || tk.ClientName != "Boulangerie Martin" {
		t.Errorf("channel %s client %q", tk.Channel, tk.ClientName)
	}
	if !strings.Contains(tk.Description, "la caisse ne démarre plus") {
		t.Errorf("description %q", tk.Description)
	}
	if !tk.ReporterID.Valid {
		t.Error("the contact should be the reporter")
	}
	// The acknowledgement: reference in the subject, threaded, Reply-To the support mailbox, deadlines.
	var acks []mail.Message
	if err := f.app.DB.Bun.NewSelect().Model(&acks).Where("kind = 'inbound_ack'").Where("thread_ref = ?", tk.Reference()).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(acks))
	}
	a := acks[0]
	if !strings.Contains(a.Subject, "["+tk.Reference()+"]") || a.ThreadRef != tk.Reference() || a.ReplyTo != inbound.DemoAddress || a.ToAddress != testutil.BoulangerieUser {
		t.Errorf("ack subject %q thread %q reply-to %q to %q", a.Subject, a.ThreadRef, a.ReplyTo, a.ToAddress)
	}
	if !tk.HasSLA() || tk.ContractID.UUID == uuid.Nil {
		t.Errorf("the ticket is not under the client's only contract with its SLA")
	}
	if !strings.Contains(a.TextBody, "Prise en charge au plus tard le") || !strings.Contains(a.TextBody, "Résolution prévue au plus tard le") {
		t.Errorf("ack without the deadlines: %s", a.TextBody)
	}
	// Moved, never deleted.
	if n := f.processed(t) - before; n != 1 {
		t.Errorf("%d mails moved to the processed folder, want 1", n)
	}
	st, err := inbound.GetState(context.Background(), f.app.DB.Bun)
	if err != nil || st.LastSuccessAt.IsZero() || st.LastError != "" || st.ProcessedLast != 1 {
		t.Errorf("state %+v %v", st, err)
	}
}

func checkReplyThreadsBySubjectAndInReplyTo(t *testing.T, f *fixture) {
	tk := f.openByMail(t, "thread-1@client.example")
	// By the subject's reference, with the quoted earlier message and a signature trimmed.
	f.deliver(t, plain("thread-2@client.example", testutil.BoulangerieUser, "RE: ["+tk.Reference()+"] Caisse",
		"Elle refonctionne après redémarrage.\n\n-- \nMartin, Boulangerie\n\nLe 22 nov. 2026 à 10:00, Support <support@demo.maintenant.test> a écrit :\n> Nous avons pris en charge votre signalement\n> à bientôt"))
	rec := f.record(t, "thread-2@client.example")
	if rec.Status != inbound.StatusMessage || rec.TicketID.UUID != tk.ID {
		t.Fatalf("reply: status %s reason %s ticket %v", rec.Status, rec.Reason, rec.TicketID)
	}
	msgs, err := tickets.Messages(context.Background(), f.app.DB.Bun, tk.ID, true)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %d %v", len(msgs), err)
	}
	if got, want := msgs[0].Body, "Elle refonctionne après redémarrage."; got != want {
		t.Errorf("trimmed body %q, want %q", got, want)
	}
	if msgs[0].FromStaff || !strings.Contains(rec.FullText, "> Nous avons pris en charge") {
		t.Errorf("the full text must keep the quotation: %q", rec.FullText)
	}
	// By In-Reply-To: the acknowledgement's Message-ID, and no reference in the subject.
	var ackID uuid.UUID
	if err := f.app.DB.Bun.NewRaw("SELECT id FROM outbox_messages WHERE kind = 'inbound_ack' AND thread_ref = ?", tk.Reference()).Scan(context.Background(), &ackID); err != nil {
		t.Fatal(err)
	}
	f.deliver(t, plain("thread-3@client.example", testutil.BoulangerieUser, "Encore une question",
		"Faut-il changer le câble ?", "In-Reply-To: <"+mail.OutboxMessageID(ackID)+">"))
	if rec := f.record(t, "thread-3@client.example"); rec.Status != inbound.StatusMessage || rec.TicketID.UUID != tk.ID {
		t.Fatalf("in-reply-to: status %s reason %s", rec.Status, rec.Reason)
	}
	// By References: the ticket's thread id.
	f.deliver(t, plain("thread-4@client.example", testutil.BoulangerieUser, "Suite",
		"Merci !", "References: <other@x.example> <"+mail.ThreadMessageID(tk.Reference())+">"))
	if rec := f.record(t, "thread-4@client.example"); rec.Status != inbound.StatusMessage || rec.TicketID.UUID != tk.ID {
		t.Fatalf("references: status %s reason %s", rec.Status, rec.Reason)
	}
	if n := f.count(t, "SELECT count(*) FROM inbound_messages WHERE status = 'ticket' AND message_id LIKE 'thread-%'"); n != 1 {
		t.Errorf("replies opened %d tickets", n-1)
	}
}

func checkUnknownSenderAndOtherClientGoToTriage(t *testing.T, f *fixture) {
	tk := f.openByMail(t, "triage-1@client.example")
	before := f.count(t, "SELECT count(*) FROM outbox_messages")
	f.deliver(t,
		plain("triage-2@x.example", "Inconnu <someone@unknown.example>", "Panne", "Mon site ne marche plus"),
		plain("triage-3@x.example", testutil.CabinetUser, "Re: ["+tk.Reference()+"] Caisse", "Je réponds sur le ticket d'un autre client"),
	)
	if rec := f.record(t, "triage-2@x.example"); rec.Status != inbound.StatusTriage || rec.Reason != inbound.ReasonUnknownSender || rec.TicketID.Valid {
		t.Errorf("unknown sender: %s %s", rec.Status, rec.Reason)
	}
	rec := f.record(t, "triage-3@x.example")
	if rec.Status != inbound.StatusTriage || rec.Reason != inbound.ReasonNotTicketClient || rec.TicketID.Valid || rec.ClientID.Valid {
		t.Errorf("other client's ticket: %s %s ticket %v client %v", rec.Status, rec.Reason, rec.TicketID, rec.ClientID)
	}
	if msgs, _ := tickets.Messages(context.Background(), f.app.DB.Bun, tk.ID, true); len(msgs) != 0 {
		t.Errorf("a message landed on another client's ticket")
	}
	if after := f.count(t, "SELECT count(*) FROM outbox_messages"); after != before {
		t.Errorf("%d mails written to triaged senders", after-before)
	}
}

const pngPixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

func checkHTMLOnlyWithInlineImageAndScript(t *testing.T, f *fixture) {
	raw := "From: " + testutil.BoulangerieUser + "\r\nTo: support@demo.maintenant.test\r\nSubject: Capture\r\nMessage-ID: <html-1@client.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<html><head><style>p{color:red}</style><script>alert('x')</script></head><body><p>Voici l'écran&nbsp;:</p>" +
		"<img src=\"cid:shot\" alt=\"capture\"><img src=\"https://tracker.example/p.gif\"><p>Voir <a href=\"https://boulangerie-martin.fr/panier\">le panier</a>" +
		"<a href=\"javascript:alert(1)\">ici</a></p><script>document.location='https://evil.example'</script></body></html>\r\n" +
		"--b1\r\nContent-Type: image/png\r\nContent-ID: <shot>\r\nContent-Disposition: inline; filename=\"ecran.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		pngPixel + "\r\n--b1--\r\n"
	f.deliver(t, raw)
	rec := f.record(t, "html-1@client.example")
	if rec.Status != inbound.StatusTicket {
		t.Fatalf("status %s %s", rec.Status, rec.Reason)
	}
	tk, _ := tickets.Get(context.Background(), f.app.DB.Bun, rec.TicketID.UUID)
	d := tk.Description
	for _, bad := range []string{"alert", "evil", "<", "color:red", "javascript"} {
		if strings.Contains(d, bad) {
			t.Errorf("description keeps %q: %q", bad, d)
		}
	}
	for _, good := range []string{"Voici l'écran", "[image: capture]", "le panier (https://boulangerie-martin.fr/panier)"} {
		if !strings.Contains(d, good) {
			t.Errorf("description lacks %q: %q", good, d)
		}
	}
	atts, err := tickets.Attachments(context.Background(), f.app.DB.Bun, tk.ID, true)
	if err != nil || len(atts) != 1 || atts[0].Filename != "ecran.png" || atts[0].ContentType != "image/png" {
		t.Fatalf("attachments %+v %v", atts, err)
	}
}

func checkLatin1AttachmentWithEncodedName(t *testing.T, f *fixture) {
	raw := "From: =?ISO-8859-1?Q?Andr=E9_Martin?= <" + testutil.BoulangerieUser + ">\r\nSubject: =?ISO-8859-1?Q?Re=E7u_le_journal?=\r\n" +
		"Message-ID: <latin-1@client.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"x\"\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLe journal de la caisse est joint, d=E9sol=E9.\r\n" +
		"--x\r\nContent-Type: text/plain; charset=ISO-8859-1; name=\"=?ISO-8859-1?Q?r=E9sum=E9_caisse.txt?=\"\r\n" +
		"Content-Disposition: attachment; filename=\"=?ISO-8859-1?Q?r=E9sum=E9_caisse.txt?=\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Erreur: imprimante d=E9connect=E9e\r\n--x--\r\n"
	f.deliver(t, raw)
	rec := f.record(t, "latin-1@client.example")
	if rec.Status != inbound.StatusTicket || rec.FromName != "André Martin" || rec.Subject != "Reçu le journal" {
		t.Fatalf("status %s name %q subject %q", rec.Status, rec.FromName, rec.Subject)
	}
	tk, _ := tickets.Get(context.Background(), f.app.DB.Bun, rec.TicketID.UUID)
	if !strings.Contains(tk.Description, "désolé") {
		t.Errorf("description %q", tk.Description)
	}
	atts, _ := tickets.Attachments(context.Background(), f.app.DB.Bun, tk.ID, true)
	if len(atts) != 1 || atts[0].Filename != "résumé caisse.txt" {
		t.Fatalf("attachments %+v", atts)
	}
	a, rc, err := tickets.OpenAttachment(context.Background(), f.app.DB.Bun, f.app.Files, tk.ID, atts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	if !strings.Contains(string(body), "déconnectée") || !strings.HasPrefix(a.ContentType, "text/plain") {
		t.Errorf("content %q type %s", body, a.ContentType)
	}
}

func checkMachineMailIgnored(t *testing.T, f *fixture) {
	tk := f.openByMail(t, "auto-0@client.example")
	before := f.count(t, "SELECT count(*) FROM outbox_messages")
	f.deliver(t,
		plain("auto-1@client.example", testutil.BoulangerieUser, "Réponse automatique : ["+tk.Reference()+"]", "Je suis absent.", "Auto-Submitted: auto-replied"),
		plain("auto-2@list.example", testutil.BoulangerieUser, "Newsletter", "Promo", "List-Id: <promo.list.example>", "Precedence: bulk"),
		plain("auto-3@x.example", "MAILER-DAEMON@mx.example", "Undelivered Mail", "failed", "Return-Path: <>"),
		plain("auto-4@x.example", "Maintenant <no-reply@localhost>", "["+tk.Reference()+"] Nouveau message", "loop"),
	)
	for id, reason := range map[string]string{
		"auto-1@client.example": inbound.ReasonAutoSubmitted, "auto-2@list.example": inbound.ReasonBulk,
		"auto-3@x.example": inbound.ReasonBounce, "auto-4@x.example": inbound.ReasonOwnMessage,
	} {
		if rec := f.record(t, id); rec.Status != inbound.StatusIgnored || rec.Reason != reason {
			t.Errorf("%s: %s %s, want ignored %s", id, rec.Status, rec.Reason, reason)
		}
	}
	if msgs, _ := tickets.Messages(context.Background(), f.app.DB.Bun, tk.ID, true); len(msgs) != 0 {
		t.Errorf("an automatic mail became a message")
	}
	if after := f.count(t, "SELECT count(*) FROM outbox_messages"); after != before {
		t.Errorf("machine mail answered")
	}
}

func checkProcessedOnceEvenAfterACrash(t *testing.T, f *fixture) {
	before := f.processed(t)
	raw := plain("once-1@client.example", testutil.BoulangerieUser, "Imprimante", "Elle ne répond plus.")
	// The same mail twice in the mailbox (two copies, or two instances reading at once).
	res := f.deliver(t, raw, raw)
	if res.Read != 2 || res.Duplicates != 1 {
		t.Errorf("read %d duplicates %d", res.Read, res.Duplicates)
	}
	// A crash between the ticket's commit and the move: the mail was recorded but is still there.
	raw2 := plain("once-2@client.example", testutil.BoulangerieUser, "Écran", "Il clignote.")
	if _, err := f.svc.Ingest(context.Background(), []byte(raw2), int64(len(raw2)), true); err != nil {
		t.Fatal(err)
	}
	res = f.deliver(t, raw2)
	if res.Read != 1 || res.Duplicates != 1 {
		t.Errorf("after crash: read %d duplicates %d", res.Read, res.Duplicates)
	}
	if n := f.count(t, "SELECT count(*) FROM tickets AS t JOIN inbound_messages AS im ON im.ticket_id = t.id WHERE im.message_id LIKE 'once-%'"); n != 2 {
		t.Errorf("%d emailed tickets, want 2", n)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox_messages AS o JOIN inbound_messages AS im ON o.dedupe_key = 'inbound-ack:' || im.id WHERE im.message_id LIKE 'once-%'"); n != 2 {
		t.Errorf("%d acknowledgements, want 2", n)
	}
	if n := f.processed(t) - before; n != 3 {
		t.Errorf("%d mails moved to the processed folder, want 3", n)
	}
}

func checkAcknowledgementsRateLimited(t *testing.T, f *fixture) {
	f.app.Clock.Advance(2 * time.Hour) // the acknowledgements of the other cases are out of the window
	f.svc.AcksPerHour = 2
	defer func() { f.svc.AcksPerHour = 100 }()
	for i := range 3 {
		f.deliver(t, plain(fmt.Sprintf("rate-%d@client.example", i), testutil.BoulangerieUser, fmt.Sprintf("Panne %d", i), "Encore une panne."))
	}
	if n := f.count(t, "SELECT count(*) FROM tickets AS t JOIN inbound_messages AS im ON im.ticket_id = t.id WHERE im.message_id LIKE 'rate-%'"); n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}
	if n := f.count(t, "SELECT count(*) FROM outbox_messages AS o JOIN inbound_messages AS im ON o.dedupe_key = 'inbound-ack:' || im.id WHERE im.message_id LIKE 'rate-%'"); n != 2 {
		t.Errorf("%d acknowledgements, want 2 (the limit)", n)
	}
}

func checkTooLargeAndUnparseableKeptInTriage(t *testing.T, f *fixture) {
	before := f.processed(t)
	var b bytes.Buffer
	b.WriteString("From: " + testutil.BoulangerieUser + "\r\nSubject: Sauvegarde\r\nMessage-ID: <big-1@client.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"z\"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nLa sauvegarde.\r\n--z\r\n" +
		"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"backup.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 57)) + "\r\n"
	for b.Len() < 30<<20 {
		b.WriteString(line)
	}
	b.WriteString("--z--\r\n")
	f.deliver(t, b.String(), "From: <<<not a mail at all\r\nSubject: ?\r\n\r\ngarbage\r\n")
	rec := f.record(t, "big-1@client.example")
	if rec.Status != inbound.StatusTriage || rec.Reason != inbound.ReasonTooLarge || rec.RawComplete || rec.SizeBytes < 30<<20 || len(rec.Raw) > 4096 {
		t.Errorf("30 MB: status %s reason %s complete %v size %d raw %d", rec.Status, rec.Reason, rec.RawComplete, rec.SizeBytes, len(rec.Raw))
	}
	var garbled inbound.Message
	if err := f.app.DB.Bun.NewSelect().Model(&garbled).Where("reason = ?", inbound.ReasonUnparseable).Scan(context.Background()); err != nil {
		t.Fatalf("unparseable mail not kept: %v", err)
	}
	if garbled.Status != inbound.StatusTriage || !strings.Contains(string(garbled.Raw), "not a mail") {
		t.Errorf("unparseable: %s raw %q", garbled.Status, garbled.Raw)
	}
	if n := f.processed(t) - before; n != 2 {
		t.Errorf("%d mails moved to the processed folder, want 2", n)
	}
}

// A poll that waits with IDLE reads a mail arriving meanwhile without another poll. (Run against
// dovecot: imapmemserver does not announce another session's APPEND to an idle session.)
func checkIdleReadsNewMailAtOnce(t *testing.T, f *fixture, mb *inbound.Mailbox) {
	p := *f.poller
	p.Mailbox = mb
	p.Idle = time.Minute
	idling := make(chan struct{}, 4)
	p.OnIdle = func() { idling <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := p.Poll(ctx); done <- err }()
	wait := func(what string) {
		t.Helper()
		select {
		case <-idling:
		case err := <-done:
			t.Fatalf("the poll ended before %s: %v", what, err)
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatalf("no IDLE %s", what)
		}
	}
	wait("after the first read")
	if err := mb.Append([]byte(plain("idle-1@client.example", testutil.BoulangerieUser, "Souris", "Elle ne clique plus."))); err != nil {
		t.Fatal(err)
	}
	wait("after the new mail was read") // woken by the server, read, and waiting again
	cancel()
	if err := <-done; err != nil {
		t.Errorf("poll ended with %v", err)
	}
	if rec := f.record(t, "idle-1@client.example"); rec.Status != inbound.StatusTicket {
		t.Errorf("status %s %s", rec.Status, rec.Reason)
	}
}

// TestInbound runs the cases on one application and one demo mailbox (each case uses its own
// Message-IDs and counts what it changed), so that the package stays quick.
func TestInbound(t *testing.T) {
	f := newFixture(t)
	t.Run("NewTicketFromKnownContact", func(t *testing.T) { checkNewTicketFromKnownContact(t, f) })
	t.Run("ReplyThreadsBySubjectAndInReplyTo", func(t *testing.T) { checkReplyThreadsBySubjectAndInReplyTo(t, f) })
	t.Run("UnknownSenderAndOtherClientGoToTriage", func(t *testing.T) { checkUnknownSenderAndOtherClientGoToTriage(t, f) })
	t.Run("HTMLOnlyWithInlineImageAndScript", func(t *testing.T) { checkHTMLOnlyWithInlineImageAndScript(t, f) })
	t.Run("Latin1AttachmentWithEncodedName", func(t *testing.T) { checkLatin1AttachmentWithEncodedName(t, f) })
	t.Run("MachineMailIgnored", func(t *testing.T) { checkMachineMailIgnored(t, f) })
	t.Run("ProcessedOnceEvenAfterACrash", func(t *testing.T) { checkProcessedOnceEvenAfterACrash(t, f) })
	t.Run("TooLargeAndUnparseableKeptInTriage", func(t *testing.T) { checkTooLargeAndUnparseableKeptInTriage(t, f) })
	t.Run("AcknowledgementsRateLimited", func(t *testing.T) { checkAcknowledgementsRateLimited(t, f) })
}

func TestTrimReply(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Merci\n\nOn Mon, Nov 23, 2026 at 10:00 AM Support <s@x> wrote:\n> hello", "Merci"},
		{"Ok pour moi\n\nLe lun. 23 nov. 2026 à 10:00, Support <s@x> a\nécrit :\n> bonjour", "Ok pour moi"},
		{"Voir plus bas\n\n-----Original Message-----\nFrom: a\nSent: b", "Voir plus bas"},
		{"Réponse\n\nDe : Support <s@x>\nEnvoyé : lundi\nÀ : moi\nObjet : test\n\ntexte", "Réponse"},
		{"Bien reçu\n\nEnvoyé de mon iPhone", "Bien reçu"},
		{"> tout cité", "> tout cité"},
		{"Ligne 1\n> citée\nma réponse\n> citée", "Ligne 1\n> citée\nma réponse"},
	} {
		if got := inbound.TrimReply(c.in); got != c.want {
			t.Errorf("TrimReply(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
