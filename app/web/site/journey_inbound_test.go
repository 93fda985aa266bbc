package site_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/inbound"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// TestJourneyInbound walks a fault reported by email: a mail of the Boulangerie's administrator lands
// in the demo mailbox; the manager polls it from the mailbox page, finds the ticket in the queue
// marked as emailed, and answers it; the mail in the outbox carries the reference and the threading
// headers; the client's reply to that mail lands in the same ticket.
func TestJourneyInbound(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	demo, err := inbound.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.Close() })
	app.Outbox.ReplyTo = inbound.DemoAddress
	poller := &inbound.Poller{Mailbox: demo.Mailbox, Service: &inbound.Service{
		DB: app.DB, Files: app.Files, Outbox: app.Outbox, Composer: app.Composer, Now: app.Clock.Now,
		Location: app.Config.Location, BaseURL: app.Config.BaseURL.String(), OwnAddresses: []string{inbound.DemoAddress},
	}}
	app.Server.Inbound = poller
	base := app.Listen(t)
	j := newJourney(t, "inbound-journey")

	report := "From: Martin <" + testutil.BoulangerieUser + ">\r\nTo: " + inbound.DemoAddress + "\r\n" +
		"Subject: =?UTF-8?Q?Imprimante_=C3=A0_tickets_muette?=\r\nMessage-ID: <journey-1@boulangerie.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nL'imprimante à tickets ne sort plus rien depuis ce matin.\r\n"
	stranger := "From: =?UTF-8?Q?Ren=C3=A9e_Dupr=C3=A9?= <renee@nouvelle-boutique.example>\r\nTo: " + inbound.DemoAddress + "\r\n" +
		"Subject: Devis pour un site\r\nMessage-ID: <journey-0@nouvelle-boutique.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour, pouvez-vous nous faire un devis ?\r\n\r\n-- \r\nRenée Dupré, gérante\r\n"
	for _, raw := range []string{stranger, report} {
		if err := demo.Mailbox.Append([]byte(raw)); err != nil {
			t.Fatal(err)
		}
	}

	// The manager polls the demo mailbox (clearly marked as a demo) and finds the ticket in the queue.
	j.run(chromedp.Navigate(base + "/login"))
	j.login(testutil.Manager, "/admin")
	j.clickNav("/admin/inbound")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/admin/inbound/mailbox"]`)))
	j.waitPath("/admin/inbound/mailbox")
	j.expectText("Boîte de démonstration")
	j.run(chromedp.Click(chromedp.CSS(`#poll-now`)))
	j.waitFor(`document.body.innerText.includes("2 message(s) traité(s)")`)
	j.inspect("mailbox")

	// The unknown sender waits in triage, with the whole text and the source at hand.
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/admin/inbound"]`)))
	j.waitPath("/admin/inbound")
	j.expectText("Devis pour un site", "Expéditeur inconnu")
	j.inspect("triage")
	j.run(chromedp.Click(chromedp.CSS(`#inbound-list a[href^="/admin/inbound/"]`)))
	j.waitFor(`/^\/admin\/inbound\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Renée Dupré <renee@nouvelle-boutique.example>", "Bonjour, pouvez-vous nous faire un devis ?", "Rattacher à un client")
	j.inspect("triage-mail")
	j.clickNav("/admin/tickets")
	j.expectText("Imprimante à tickets muette")
	testutil.Eval[bool](t, j.ctx, `(() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/tickets/0"]')].find(a => a.innerText.includes('Imprimante à tickets muette'));
		a.click();
		return true;
	})()`)
	j.waitFor(`/^\/admin\/tickets\/[0-9a-f-]{36}$/.test(location.pathname)`)
	ticketPath := j.path()
	j.expectText("Reçu par e-mail", "ne sort plus rien")

	// The manager answers the client.
	j.run(
		chromedp.Click(chromedp.CSS(`input[name="internal"][value="off"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-body"), "Pouvez-vous éteindre et rallumer l'imprimante ?"),
		chromedp.Click(chromedp.CSS(`form[action$="/messages"] button.bg-blue-700`)),
	)
	j.waitFor(`document.body.innerText.includes("Pouvez-vous éteindre et rallumer")`)

	// The mail in the outbox carries the reference and threads under the ticket.
	ctx := context.Background()
	var out struct {
		ID        uuid.UUID `bun:"id"`
		Subject   string    `bun:"subject"`
		ThreadRef string    `bun:"thread_ref"`
		ReplyTo   string    `bun:"reply_to"`
	}
	if err := app.DB.Bun.NewRaw(`SELECT id, subject, thread_ref, reply_to FROM outbox_messages
		WHERE kind = 'ticket_client_update' AND text_body LIKE '%éteindre et rallumer%'`).Scan(ctx, &out); err != nil {
		t.Fatalf("the answer is not in the outbox: %v", err)
	}
	if out.ThreadRef == "" || !strings.Contains(out.Subject, "["+out.ThreadRef+"]") || out.ReplyTo != inbound.DemoAddress {
		t.Fatalf("outbox mail: subject %q thread %q reply-to %q", out.Subject, out.ThreadRef, out.ReplyTo)
	}

	// The client answers that mail: the reply lands in the same ticket.
	reply := "From: " + testutil.BoulangerieUser + "\r\nTo: " + inbound.DemoAddress + "\r\nSubject: Re: " + out.Subject + "\r\n" +
		"Message-ID: <journey-2@boulangerie.example>\r\nIn-Reply-To: <" + mail.OutboxMessageID(out.ID) + ">\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nC'est reparti, merci !\r\n\r\n> Pouvez-vous éteindre et rallumer l'imprimante ?\r\n"
	if err := demo.Mailbox.Append([]byte(reply)); err != nil {
		t.Fatal(err)
	}
	if _, err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	j.run(chromedp.Navigate(base + ticketPath))
	j.waitPath(ticketPath)
	j.expectText("C'est reparti, merci !")
	if n := testutil.Eval[int](t, j.ctx, `document.querySelectorAll('#conversation .email-badge').length`); n != 1 {
		t.Errorf("%d emailed messages marked in the conversation, want 1", n)
	}
	j.inspect("ticket-replied")
}
