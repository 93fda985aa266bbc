package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// receivedFile is an attachment as the mail server received it.
type receivedFile struct {
	Name, Type string
	Content    []byte
}

// receivedFiles walks a received message and returns its attachments, decoded.
func receivedFiles(t *testing.T, raw []byte) []receivedFile {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out []receivedFile
	var walk func(contentType, encoding, disposition string, body io.Reader)
	walk = func(contentType, encoding, disposition string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				part, err := mr.NextRawPart()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Disposition"), part)
			}
		}
		d, dparams, _ := mime.ParseMediaType(disposition)
		if d != "attachment" {
			return
		}
		if strings.EqualFold(encoding, "base64") {
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		// go-mail writes a non-ASCII name as an RFC 2047 encoded-word, which mail clients decode.
		name, err := new(mime.WordDecoder).DecodeHeader(dparams["filename"])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, receivedFile{Name: name, Type: mt, Content: b})
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return out
}

// fakePDF is a few bytes that start like a PDF, with bytes that are not text.
var fakePDF = append([]byte("%PDF-1.3\n"), 0, 1, 2, 0xff, 0xfe, '\n', '%', '%', 'E', 'O', 'F')

// A message with attachments keeps them in the outbox, in order, and the mail server receives them
// as files next to the text and HTML bodies.
func TestDeliverAttachments(t *testing.T) {
	db := testutil.DB(t)
	sink := testutil.SMTPSink(t)
	o := startRiver(t, db, &mail.SMTPSender{URL: sink.URL(), From: fromHeader}, time.Now)

	m := resetMessage("elodie@example.test")
	m.Attachments = []mail.Attachment{
		{Filename: "I-0042.pdf", ContentType: "application/pdf", Content: fakePDF},
		{Filename: "relevé été.txt", ContentType: "text/plain; charset=utf-8", Content: []byte("Ligne 1\nLigne 2 — é\n")},
	}
	enqueue(t, db, o, m, testutil.DefaultNow)

	ctx := context.Background()
	list, err := mail.Attachments(ctx, db.Bun, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Filename != "I-0042.pdf" || list[0].Size != len(fakePDF) || list[0].Content != nil ||
		list[1].Position != 1 || list[1].ContentType != "text/plain; charset=utf-8" {
		t.Errorf("listed attachments %+v", list)
	}
	page, err := mail.List(ctx, db.Bun, "", "", 10)
	if err != nil || len(page.Messages) != 1 || page.Messages[0].AttachmentCount != 2 {
		t.Errorf("the list does not count the attachments: %v %+v", err, page)
	}
	a, err := mail.GetAttachment(ctx, db.Bun, m.ID, 0)
	if err != nil || !bytes.Equal(a.Content, fakePDF) {
		t.Errorf("attachment 0: %v, %+v", err, a)
	}
	if _, err := mail.GetAttachment(ctx, db.Bun, m.ID, 2); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("attachment 2: %v, want NotFound", err)
	}

	msgs := sink.WaitFor(t, 1, deliverWait)
	waitMessage(t, db, m, "sent", func(g *mail.Message) bool { return g.Status == mail.Sent })
	p := msgs[0].MustParse(t)
	if !strings.Contains(p.Text, resetLink) || !strings.Contains(p.HTML, resetLink) {
		t.Errorf("the bodies are lost next to the attachments: %q / %q", p.Text, p.HTML)
	}
	files := receivedFiles(t, msgs[0].Data)
	if len(files) != 2 {
		t.Fatalf("received %d attachments, want 2:\n%s", len(files), msgs[0].Data)
	}
	if f := files[0]; f.Name != "I-0042.pdf" || f.Type != "application/pdf" || !bytes.Equal(f.Content, fakePDF) {
		t.Errorf("first attachment %q %q %q", f.Name, f.Type, f.Content)
	}
	if f := files[1]; f.Name != "relevé été.txt" || f.Type != "text/plain" || string(f.Content) != "Ligne 1\nLigne 2 — é\n" {
		t.Errorf("second attachment %q %q %q", f.Name, f.Type, f.Content)
	}
}

// Attachments are written in the message's transaction: a rollback leaves neither; a message
// skipped by its dedupe key adds no attachment; a bad file refuses the whole message.
func TestEnqueueAttachmentsTransaction(t *testing.T) {
	db := testutil.DB(t)
	o := &mail.Outbox{}
	ctx := context.Background()
	withPDF := func(to string) *mail.Message {
		m := newMessage(to)
		m.Attachments = []mail.Attachment{{Filename: "I-0001.pdf", ContentType: "application/pdf", Content: fakePDF}}
		return m
	}

	boom := errors.New("boom")
	err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		if err := o.Enqueue(ctx, tx, withPDF("a@example.test"), testutil.DefaultNow); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count(t, db, "outbox_messages") != 0 || count(t, db, "outbox_attachments") != 0 {
		t.Fatalf("rollback: %v, %d messages, %d attachments", err, count(t, db, "outbox_messages"), count(t, db, "outbox_attachments"))
	}

	key := "sheet:1:a@example.test"
	for range 2 {
		m := withPDF("a@example.test")
		m.DedupeKey = &key
		enqueue(t, db, o, m, testutil.DefaultNow)
	}
	if n, a := count(t, db, "outbox_messages"), count(t, db, "outbox_attachments"); n != 1 || a != 1 {
		t.Errorf("dedupe: %d messages and %d attachments, want 1 and 1", n, a)
	}

	for name, bad := range map[string]mail.Attachment{
		"empty":           {Filename: "a.pdf", ContentType: "application/pdf"},
		"no name":         {ContentType: "application/pdf", Content: fakePDF},
		"a path":          {Filename: "../etc/passwd", ContentType: "text/plain", Content: fakePDF},
		"a quote":         {Filename: `a".pdf`, ContentType: "application/pdf", Content: fakePDF},
		"a line break":    {Filename: "a\r\nBcc: x@y.test", ContentType: "application/pdf", Content: fakePDF},
		"a bad type":      {Filename: "a.pdf", ContentType: "pdf", Content: fakePDF},
		"too large":       {Filename: "a.bin", ContentType: "application/octet-stream", Content: make([]byte, mail.MaxAttachmentBytes+1)},
		"a name too long": {Filename: strings.Repeat("é", mail.MaxAttachmentFilename+1), ContentType: "application/pdf", Content: fakePDF},
	} {
		m := newMessage("b@example.test")
		m.Attachments = []mail.Attachment{bad}
		err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error { return o.Enqueue(ctx, tx, m, testutil.DefaultNow) })
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	if n := count(t, db, "outbox_messages"); n != 1 {
		t.Errorf("%d messages after the refused ones, want 1", n)
	}
}
