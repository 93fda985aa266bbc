package mail_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/database"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// A ticket mail threads under its ticket so that the client's reply comes back to it: the reference
// is taken from the subject, Reply-To is the support mailbox, and delivery writes In-Reply-To and
// References naming the ticket's thread; an acknowledgement is marked Auto-Submitted.
func TestTicketMailThreadHeaders(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{ReplyTo: "support@maintenant.test"}
	ticket := &mail.Message{ToAddress: "client@example.test", Subject: "[T-1042] Nouveau message de notre équipe", TextBody: "Bonjour", Kind: "inbound_ack"}
	other := &mail.Message{ToAddress: "client@example.test", Subject: "Votre facture F-2026-0001", TextBody: "Bonjour", Kind: "invoice_issued"}
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		if err := o.Enqueue(ctx, tx, ticket, testutil.DefaultNow); err != nil {
			return err
		}
		return o.Enqueue(ctx, tx, other, testutil.DefaultNow)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := mail.Get(context.Background(), db.Bun, ticket.ID)
	if err != nil || got.ThreadRef != "T-1042" || got.ReplyTo != "support@maintenant.test" {
		t.Fatalf("stored ticket mail: thread %q reply-to %q (%v)", got.ThreadRef, got.ReplyTo, err)
	}
	if o, _ := mail.Get(context.Background(), db.Bun, other.ID); o.ThreadRef != "" || o.ReplyTo != "" {
		t.Errorf("a mail about no ticket got thread %q reply-to %q", o.ThreadRef, o.ReplyTo)
	}

	sink := testutil.SMTPSink(t)
	s := &mail.SMTPSender{URL: sink.URL(), From: "Maintenant <noreply@maintenant.test>"}
	if err := s.Send(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	sink.WaitFor(t, 1, deliverWait)
	p := sink.Messages()[0].MustParse(t)
	root := "<" + mail.ThreadMessageID("T-1042") + ">"
	for k, want := range map[string]string{
		"Message-Id": "<" + mail.OutboxMessageID(got.ID) + ">", "In-Reply-To": root, "References": root,
		"Reply-To": "<support@maintenant.test>", "Auto-Submitted": "auto-replied",
	} {
		if v := p.Header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
}

func TestParseMessageID(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	for _, c := range []struct {
		in  string
		ref string
		id  uuid.UUID
		ok  bool
	}{
		{"<" + mail.ThreadMessageID("T-1042") + ">", "T-1042", uuid.Nil, true},
		{mail.OutboxMessageID(id), "", id, true},
		{"<" + id.String() + "@elsewhere.example>", "", uuid.Nil, false},
		{"<ticket-t-12x@maintenant>", "", uuid.Nil, false},
		{"garbage", "", uuid.Nil, false},
	} {
		ref, got, ok := mail.ParseMessageID(c.in)
		if ref != c.ref || got != c.id || ok != c.ok {
			t.Errorf("ParseMessageID(%q) = %q, %v, %v", c.in, ref, got, ok)
		}
	}
}
