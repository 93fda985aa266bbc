package tickets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/storage"
	"maintenant/app/tickets"
)

// pngFile is a real PNG picture (a screenshot stand-in).
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		img.Set(x, x%48, color.RGBA{R: 200, G: 30, B: 30, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfFile is a real one-page PDF.
func pdfFile(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(40, 10, "Journal d'erreurs")
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedFiles lists the files kept in a local store's folder.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type attachFixture struct {
	*fixture
	dir   string
	store storage.Store
	tk    *tickets.Ticket
}

func setupAttachments(t *testing.T) *attachFixture {
	f := setup(t)
	a := &attachFixture{fixture: f, dir: t.TempDir()}
	a.store = &storage.Local{Dir: a.dir}
	a.tk = f.open(t, f.input(), clientActor(f.alice), at(t, "2026-03-09 10:00"))
	return a
}

func (a *attachFixture) add(t *testing.T, store storage.Store, messageID uuid.UUID, actor tickets.Actor, internal bool, name string, content io.Reader) (*tickets.Attachment, error) {
	t.Helper()
	var out *tickets.Attachment
	err := a.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		out, err = tickets.AddAttachment(ctx, tx, store, a.tk.ID, messageID, actor, internal, name, content, at(t, "2026-03-09 10:05"))
		return err
	})
	return out, err
}

func (a *attachFixture) message(t *testing.T, actor tickets.Actor, internal bool) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	a.tx(t, func(ctx context.Context, tx *database.Tx) error {
		m, _, err := tickets.AddMessage(ctx, tx, a.tk.ID, actor, internal, "Voir pièce jointe.", at(t, "2026-03-09 10:04"))
		if m != nil {
			id = m.ID
		}
		return err
	})
	return id
}

func wantAttachmentError(t *testing.T, err error, key string) {
	t.Helper()
	if got := apperr.FieldsOf(err)["attachments"]; got != key {
		t.Fatalf("err = %v, want attachments: %s", err, key)
	}
}

func TestAttachmentsAccepted(t *testing.T) {
	a := setupAttachments(t)
	ctx := context.Background()
	for _, file := range []struct {
		name, wantType string
		content        []byte
	}{
		{"capture écran.png", "image/png", pngFile(t)},
		{"facture.pdf", "application/pdf", pdfFile(t)},
		{"erreurs.log", "text/plain; charset=utf-8", []byte("2026-03-09 09:58:12 ERROR upstream timed out\n")},
	} {
		att, err := a.add(t, a.store, uuid.Nil, clientActor(a.alice), false, file.name, bytes.NewReader(file.content))
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
		sum := sha256.Sum256(file.content)
		if att.ContentType != file.wantType || att.SizeBytes != int64(len(file.content)) || att.SHA256 != hex.EncodeToString(sum[:]) ||
			att.Filename != file.name || att.UploadedBy.UUID != a.alice.ID || att.MessageID.Valid {
			t.Errorf("%s: recorded %+v", file.name, att)
		}
		if !strings.HasPrefix(att.StorageKey, "tickets/") || strings.Contains(att.StorageKey, file.name) {
			t.Errorf("%s: storage key %q", file.name, att.StorageKey)
		}
		got, rc, err := tickets.OpenAttachmentForClient(ctx, a.db.Bun, a.store, a.client, a.tk.ID, att.ID)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(body, file.content) || got.ID != att.ID {
			t.Errorf("%s: served %d bytes", file.name, len(body))
		}
		if inline := att.Inline(); inline != (file.wantType != "text/plain; charset=utf-8") {
			t.Errorf("%s: inline = %v", file.name, inline)
		}
	}
	d, err := tickets.LoadDetailForClient(ctx, a.db.Bun, a.client, a.tk.ID, time.Now())
	if err != nil || len(d.ReportAttachments) != 3 {
		t.Fatalf("report attachments = %d, %v", len(d.ReportAttachments), err)
	}
}

func TestAttachmentsRefused(t *testing.T) {
	a := setupAttachments(t)
	html := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	svg := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
	textWithScript := []byte("Bonjour,\nvoici le message d'erreur :\n<script src=//evil.example/x.js></script>\n")
	for _, file := range []struct {
		name    string
		content []byte
		key     string
	}{
		{"capture.png", html, tickets.ErrAttachmentType},
		{"logo.svg", svg, tickets.ErrAttachmentType},
		{"logo.png", svg, tickets.ErrAttachmentType},
		{"notes.txt", textWithScript, tickets.ErrAttachmentType},
		{"archive.zip", []byte("PK\x03\x04\x14\x00\x00\x00"), tickets.ErrAttachmentType},
		{"vide.txt", nil, tickets.ErrAttachmentEmpty},
	} {
		_, err := a.add(t, a.store, uuid.Nil, clientActor(a.alice), false, file.name, bytes.NewReader(file.content))
		wantAttachmentError(t, err, file.key)
	}
	// 11 MiB: refused while stored, and nothing is left behind.
	big := io.MultiReader(bytes.NewReader(pngFile(t)), bytes.NewReader(make([]byte, 11<<20)))
	_, err := a.add(t, a.store, uuid.Nil, clientActor(a.alice), false, "énorme.png", big)
	wantAttachmentError(t, err, tickets.ErrAttachmentTooLarge)
	// Exactly 10 MiB is accepted.
	exact := append(pngFile(t), make([]byte, tickets.MaxAttachmentBytes)...)[:tickets.MaxAttachmentBytes]
	if _, err := a.add(t, a.store, uuid.Nil, clientActor(a.alice), false, "limite.png", bytes.NewReader(exact)); err != nil {
		t.Fatalf("10 MiB: %v", err)
	}
	if got := storedFiles(t, a.dir); len(got) != 1 {
		t.Errorf("stored files = %v, want only the 10 MiB one", got)
	}
}

func TestAttachmentName(t *testing.T) {
	a := setupAttachments(t)
	att, err := a.add(t, a.store, uuid.Nil, staff(a.tech), false, "../../etc/passwd", strings.NewReader("root:x:0:0:root:/root:/bin/bash\n"))
	if err != nil {
		t.Fatal(err)
	}
	if att.Filename != "passwd" {
		t.Errorf("displayed name = %q, want passwd", att.Filename)
	}
	files := storedFiles(t, a.dir)
	if len(files) != 1 || files[0] != att.StorageKey {
		t.Errorf("stored files = %v, want [%s]", files, att.StorageKey)
	}
	if _, err := os.Stat(filepath.Join(a.dir, "..", "etc", "passwd")); err == nil {
		t.Error("a file was written outside the store")
	}
}

func TestAttachmentLimits(t *testing.T) {
	a := setupAttachments(t)
	text := func(i int) io.Reader { return strings.NewReader("ligne de journal " + strings.Repeat("x", i+1) + "\n") }
	msg := a.message(t, clientActor(a.bob), false)
	for i := range tickets.MaxAttachmentsPerMessage {
		if _, err := a.add(t, a.store, msg, clientActor(a.bob), false, "log.txt", text(i)); err != nil {
			t.Fatalf("file %d: %v", i+1, err)
		}
	}
	_, err := a.add(t, a.store, msg, clientActor(a.bob), false, "sixieme.txt", text(9))
	wantAttachmentError(t, err, tickets.ErrAttachmentTooMany)
	// The report itself has its own five.
	if _, err := a.add(t, a.store, uuid.Nil, clientActor(a.bob), false, "rapport.txt", text(1)); err != nil {
		t.Fatal(err)
	}
	// 30 per ticket: 5 + 1 so far, 24 more in five messages, then the ticket is full.
	for n := 6; n < tickets.MaxAttachmentsPerTicket; {
		m := a.message(t, staff(a.tech), false)
		for i := 0; i < tickets.MaxAttachmentsPerMessage && n < tickets.MaxAttachmentsPerTicket; i++ {
			if _, err := a.add(t, a.store, m, staff(a.tech), false, "log.txt", text(n)); err != nil {
				t.Fatalf("file %d: %v", n+1, err)
			}
			n++
		}
	}
	m := a.message(t, staff(a.tech), false)
	_, err = a.add(t, a.store, m, staff(a.tech), false, "trente-et-un.txt", text(31))
	wantAttachmentError(t, err, tickets.ErrAttachmentFull)
	if got := len(storedFiles(t, a.dir)); got != tickets.MaxAttachmentsPerTicket {
		t.Errorf("stored files = %d, want %d", got, tickets.MaxAttachmentsPerTicket)
	}
}

func TestAttachmentAccess(t *testing.T) {
	a := setupAttachments(t)
	ctx := context.Background()
	note := a.message(t, staff(a.tech), true)
	public := a.message(t, staff(a.tech), false)
	// A file sent with an internal note is internal, whatever the flag said.
	internal, err := a.add(t, a.store, note, staff(a.tech), false, "config.txt", strings.NewReader("mot de passe FTP : ...\n"))
	if err != nil || !internal.Internal {
		t.Fatalf("internal file: %+v, %v", internal, err)
	}
	shared, err := a.add(t, a.store, public, staff(a.tech), false, "procedure.pdf", bytes.NewReader(pdfFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	// Clients: no internal file, no attaching to a staff message, nothing on another client's ticket.
	_, err = a.add(t, a.store, uuid.Nil, clientActor(a.alice), true, "x.txt", strings.NewReader("x"))
	wantKind(t, err, apperr.Forbidden, "")
	_, err = a.add(t, a.store, public, clientActor(a.alice), false, "x.txt", strings.NewReader("x"))
	wantKind(t, err, apperr.NotFound, "")
	_, err = a.add(t, a.store, uuid.Nil, clientActor(a.eve), false, "x.txt", strings.NewReader("x"))
	wantKind(t, err, apperr.NotFound, "")
	_, err = a.add(t, a.store, uuid.New(), staff(a.tech), false, "x.txt", strings.NewReader("x"))
	wantKind(t, err, apperr.NotFound, "")

	for _, tc := range []struct {
		name     string
		clientID uuid.UUID
		ticketID uuid.UUID
		att      *tickets.Attachment
		ok       bool
	}{
		{"own public file", a.client, a.tk.ID, shared, true},
		{"internal file", a.client, a.tk.ID, internal, false},
		{"another client", a.other, a.tk.ID, shared, false},
		{"no client", uuid.Nil, a.tk.ID, shared, false},
		{"another ticket", a.client, uuid.New(), shared, false},
	} {
		_, rc, err := tickets.OpenAttachmentForClient(ctx, a.db.Bun, a.store, tc.clientID, tc.ticketID, tc.att.ID)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else {
				rc.Close()
			}
			continue
		}
		if apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("%s: err = %v, want NotFound", tc.name, err)
		}
	}
	if _, rc, err := tickets.OpenAttachment(ctx, a.db.Bun, a.store, a.tk.ID, internal.ID); err != nil {
		t.Errorf("staff open internal: %v", err)
	} else {
		rc.Close()
	}
	clientMsgs, _ := tickets.Messages(ctx, a.db.Bun, a.tk.ID, false)
	if len(clientMsgs) != 1 || len(clientMsgs[0].Attachments) != 1 || clientMsgs[0].Attachments[0].ID != shared.ID {
		t.Errorf("the portal's thread = %+v", clientMsgs)
	}
	staffMsgs, _ := tickets.Messages(ctx, a.db.Bun, a.tk.ID, true)
	if len(staffMsgs) != 2 || len(staffMsgs[0].Attachments) != 1 {
		t.Errorf("the staff's thread = %+v", staffMsgs)
	}
	// A closed ticket takes no file.
	tk := a.move(t, a.tk, tickets.StatusAcknowledged, staff(a.tech), at(t, "2026-03-09 11:00"))
	tk = a.move(t, tk, tickets.StatusResolved, staff(a.tech), at(t, "2026-03-09 11:01"))
	a.move(t, tk, tickets.StatusClosed, clientActor(a.alice), at(t, "2026-03-09 11:02"))
	_, err = a.add(t, a.store, uuid.Nil, staff(a.tech), false, "x.txt", strings.NewReader("x"))
	wantKind(t, err, apperr.Conflict, tickets.ErrClosed)
}

// collidingStore stores files in a local folder but, once a file is stored, records another
// attachment under the same key, so that recording the attachment fails.
type collidingStore struct {
	storage.Local
	db      *database.DB
	ticket  uuid.UUID
	deleted []string
}

func (s *collidingStore) Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, error) {
	n, err := s.Local.Put(ctx, key, r, limit)
	if err != nil {
		return n, err
	}
	_, err = s.db.Bun.NewInsert().Model(&tickets.Attachment{
		ID: uuid.New(), TicketID: s.ticket, StorageKey: key, Filename: "autre", ContentType: "text/plain",
		SizeBytes: 1, SHA256: "x", CreatedAt: time.Now(),
	}).Exec(context.Background())
	return n, err
}

func (s *collidingStore) Delete(ctx context.Context, key string) error {
	s.deleted = append(s.deleted, key)
	return s.Local.Delete(ctx, key)
}

func TestAttachmentDeletedWhenNotRecorded(t *testing.T) {
	a := setupAttachments(t)
	store := &collidingStore{Local: storage.Local{Dir: a.dir}, db: a.db, ticket: a.tk.ID}
	_, err := a.add(t, store, uuid.Nil, staff(a.tech), false, "capture.png", bytes.NewReader(pngFile(t)))
	if err == nil {
		t.Fatal("recording under a taken key succeeded")
	}
	if len(store.deleted) != 1 {
		t.Fatalf("deleted = %v, want the stored file", store.deleted)
	}
	if got := storedFiles(t, a.dir); len(got) != 0 {
		t.Errorf("files left = %v", got)
	}
}
