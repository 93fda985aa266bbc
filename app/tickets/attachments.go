package tickets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/storage"
)

// Limits of attachments. Remember the web server's body limit: a message may carry
// MaxAttachmentsPerMessage files of MaxAttachmentBytes.
const (
	// MaxAttachmentBytes is the largest file accepted: 10 MiB.
	MaxAttachmentBytes = 10 << 20
	// MaxAttachmentsPerMessage bounds the files of one message (or of the report itself).
	MaxAttachmentsPerMessage = 5
	// MaxAttachmentsPerTicket bounds the files of one ticket, all messages together.
	MaxAttachmentsPerTicket = 30
	// MaxFilename is the longest displayed file name, in bytes.
	MaxFilename = 255
	// FallbackFilename is the name shown when the uploaded one has nothing left after cleaning.
	FallbackFilename = "fichier"
	// StoragePrefix is the prefix of the storage keys of attachments.
	StoragePrefix = "tickets"
)

// Catalogue keys of the problems with an attachment, reported as Invalid on the field
// "attachments".
const (
	ErrAttachmentTooLarge = "tickets.error.attachment_too_large"
	ErrAttachmentTooMany  = "tickets.error.attachment_too_many"
	ErrAttachmentFull     = "tickets.error.attachment_ticket_full"
	ErrAttachmentType     = "tickets.error.attachment_type"
	ErrAttachmentEmpty    = "tickets.error.attachment_empty"
)

// Attachment is a file sent with a ticket's report or one of its messages. The file lives in the
// storage under StorageKey, a random key: the uploaded name is only displayed.
type Attachment struct {
	bun.BaseModel `bun:"table:ticket_attachments,alias:a"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	TicketID uuid.UUID `bun:"ticket_id,type:uuid"`
	// MessageID is the message the file came with; empty for the report itself.
	MessageID  uuid.NullUUID `bun:"message_id,type:uuid"`
	StorageKey string        `bun:"storage_key"`
	// Filename is the uploaded name, cleaned (SanitizeFilename), for display and download only.
	Filename string `bun:"filename"`
	// ContentType is decided from the content (SniffType), never from the name or the browser.
	ContentType string        `bun:"content_type"`
	SizeBytes   int64         `bun:"size_bytes"`
	SHA256      string        `bun:"sha256"`
	UploadedBy  uuid.NullUUID `bun:"uploaded_by,type:uuid"`
	// Internal files are staff only, like internal notes.
	Internal  bool      `bun:"internal"`
	CreatedAt time.Time `bun:"created_at"`
}

// IsImage tells whether the file is a picture (pages may show a thumbnail).
func (a *Attachment) IsImage() bool { return strings.HasPrefix(a.ContentType, "image/") }

// Inline tells whether the file may be shown in the browser (images and PDF); any other file is
// served with Content-Disposition: attachment. Serve every file with its ContentType and
// X-Content-Type-Options: nosniff.
func (a *Attachment) Inline() bool { return a.IsImage() || a.ContentType == "application/pdf" }

// allowedTypes are the content types accepted, as http.DetectContentType names them; text is any
// "text/plain; charset=…".
var allowedTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}

// markup are the fragments that make a file refused whatever it sniffs as: a browser could run
// them as a page or an image with scripts.
var markup = [][]byte{[]byte("<svg"), []byte("<script"), []byte("<html")}

// SniffType decides the type of a file from its first bytes (at least the first KiB when the file
// is that long): http.DetectContentType on the first 512 bytes, accepted when it is PNG, JPEG, GIF,
// WebP, PDF or plain text (logs), and refused whenever the first KiB contains "<svg", "<script" or
// "<html" in any case, even in a file that sniffs as text. ok is false for a refused type.
func SniffType(head []byte) (contentType string, ok bool) {
	ct := http.DetectContentType(head[:min(len(head), 512)])
	low := asciiLower(head[:min(len(head), 1024)])
	for _, m := range markup {
		if bytes.Contains(low, m) {
			return ct, false
		}
	}
	for _, t := range allowedTypes {
		if ct == t {
			return ct, true
		}
	}
	return ct, strings.HasPrefix(ct, "text/plain;")
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// SanitizeFilename cleans an uploaded file name for display: its base name only (after "/" or
// "\"), without control or invisible formatting characters (such as right-to-left overrides),
// valid UTF-8, trimmed, at most MaxFilename bytes (keeping a short extension), and
// FallbackFilename when nothing is left. "../../etc/passwd" becomes "passwd".
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return FallbackFilename
	}
	if len(name) > MaxFilename {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:len(name)-len(ext)]
		cut := MaxFilename - len(ext)
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		name = strings.TrimSpace(base[:cut]) + ext
	}
	return name
}

// AddAttachment stores a file sent by uploader with a ticket's report (messageID uuid.Nil) or
// with one of its messages, and records it at now. Run it in the caller's transaction, after the
// message it belongs to; a file sent with an internal note is internal too. The content's type is
// decided by SniffType, the file is stored under a new random key (storage.NewKey(StoragePrefix)),
// the cleaned name is kept for display only (SanitizeFilename) and the SHA-256 of the content is
// recorded. When recording fails the stored file is deleted. (If the caller's transaction rolls
// back later, the stored file stays orphaned under a key nothing points to.)
//
// Errors: NotFound (unknown ticket or message, another client's ticket for a client actor, or a
// staff message for a client actor); Forbidden for an internal file from a client; Conflict
// ErrClosed; Invalid on field "attachments": ErrAttachmentTooLarge (over MaxAttachmentBytes),
// ErrAttachmentTooMany (MaxAttachmentsPerMessage already), ErrAttachmentFull
// (MaxAttachmentsPerTicket already), ErrAttachmentType (refused type), ErrAttachmentEmpty.
func AddAttachment(ctx context.Context, db bun.IDB, store storage.Store, ticketID, messageID uuid.UUID,
	uploader Actor, internal bool, filename string, r io.Reader, now time.Time) (*Attachment, error) {
	now = stamp(now)
	if internal && uploader.IsClient() {
		return nil, apperr.Forbiddenf("tickets: internal files are for staff")
	}
	t, err := lock(ctx, db, ticketID, uploader)
	if err != nil {
		return nil, err
	}
	if t.Status == StatusClosed {
		return nil, apperr.Conflictf(ErrClosed)
	}
	if messageID != uuid.Nil {
		m := new(Message)
		q := db.NewSelect().Model(m).Where("m.id = ?", messageID).Where("m.ticket_id = ?", t.ID)
		if uploader.IsClient() {
			q = q.Where("NOT m.from_staff")
		}
		if err := q.Scan(ctx); err != nil {
			if database.NoRows(err) {
				return nil, apperr.NotFoundf("message")
			}
			return nil, fmt.Errorf("tickets: add attachment: %w", err)
		}
		internal = internal || m.Internal
	}
	var counts struct {
		Total      int `bun:"total"`
		SameParent int `bun:"same_parent"`
	}
	err = db.NewSelect().TableExpr("ticket_attachments").ColumnExpr("count(*) AS total").
		ColumnExpr("count(*) FILTER (WHERE message_id IS NOT DISTINCT FROM ?) AS same_parent",
			uuid.NullUUID{UUID: messageID, Valid: messageID != uuid.Nil}).
		Where("ticket_id = ?", t.ID).Scan(ctx, &counts)
	if err != nil {
		return nil, fmt.Errorf("tickets: add attachment: count: %w", err)
	}
	invalid := func(key string) error { return apperr.Fields{"attachments": key}.Err() }
	switch {
	case counts.Total >= MaxAttachmentsPerTicket:
		return nil, invalid(ErrAttachmentFull)
	case counts.SameParent >= MaxAttachmentsPerMessage:
		return nil, invalid(ErrAttachmentTooMany)
	}
	head := make([]byte, 1024)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("tickets: add attachment: read: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return nil, invalid(ErrAttachmentEmpty)
	}
	ct, ok := SniffType(head)
	if !ok {
		return nil, invalid(ErrAttachmentType)
	}
	a := &Attachment{
		ID: uuid.Must(uuid.NewV7()), TicketID: t.ID, StorageKey: storage.NewKey(StoragePrefix),
		MessageID: uuid.NullUUID{UUID: messageID, Valid: messageID != uuid.Nil},
		Filename:  SanitizeFilename(filename), ContentType: ct, UploadedBy: uploader.userID(),
		Internal: internal, CreatedAt: now,
	}
	sum := sha256.New()
	size, err := store.Put(ctx, a.StorageKey, io.TeeReader(io.MultiReader(bytes.NewReader(head), r), sum), MaxAttachmentBytes)
	if errors.Is(err, storage.ErrTooLarge) {
		return nil, invalid(ErrAttachmentTooLarge)
	}
	if err != nil {
		return nil, fmt.Errorf("tickets: add attachment: store: %w", err)
	}
	a.SizeBytes, a.SHA256 = size, hex.EncodeToString(sum.Sum(nil))
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		if derr := store.Delete(context.WithoutCancel(ctx), a.StorageKey); derr != nil {
			return nil, fmt.Errorf("tickets: add attachment: %w (and deleting the file: %v)", err, derr)
		}
		return nil, fmt.Errorf("tickets: add attachment: %w", err)
	}
	return a, nil
}

// Attachments returns the files of a ticket, the oldest first; internal ones only with
// includeInternal.
func Attachments(ctx context.Context, db bun.IDB, ticketID uuid.UUID, includeInternal bool) ([]*Attachment, error) {
	var as []*Attachment
	q := db.NewSelect().Model(&as).Where("a.ticket_id = ?", ticketID).OrderExpr("a.created_at, a.id").Limit(1000)
	if !includeInternal {
		q = q.Where("NOT a.internal")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("tickets: attachments: %w", err)
	}
	return as, nil
}

// OpenAttachment returns a ticket's file and its content, for staff. The caller closes the
// content. An attachment of another ticket is NotFound.
func OpenAttachment(ctx context.Context, db bun.IDB, store storage.Store, ticketID, attachmentID uuid.UUID) (*Attachment, io.ReadCloser, error) {
	return openAttachment(ctx, db, store, uuid.Nil, ticketID, attachmentID)
}

// OpenAttachmentForClient returns a file of one of client clientID's tickets, for the portal:
// internal files, other tickets' files and other clients' are NotFound, exactly like missing ones.
func OpenAttachmentForClient(ctx context.Context, db bun.IDB, store storage.Store, clientID, ticketID, attachmentID uuid.UUID) (*Attachment, io.ReadCloser, error) {
	if clientID == uuid.Nil {
		return nil, nil, apperr.NotFoundf("attachment")
	}
	return openAttachment(ctx, db, store, clientID, ticketID, attachmentID)
}

func openAttachment(ctx context.Context, db bun.IDB, store storage.Store, clientID, ticketID, attachmentID uuid.UUID) (*Attachment, io.ReadCloser, error) {
	a := new(Attachment)
	q := db.NewSelect().Model(a).Where("a.id = ?", attachmentID).Where("a.ticket_id = ?", ticketID)
	if clientID != uuid.Nil {
		q = q.Join("JOIN tickets AS t ON t.id = a.ticket_id").Where("t.client_id = ?", clientID).Where("NOT a.internal")
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, nil, apperr.NotFoundf("attachment")
		}
		return nil, nil, fmt.Errorf("tickets: open attachment: %w", err)
	}
	rc, err := store.Open(ctx, a.StorageKey)
	if err != nil {
		return nil, nil, fmt.Errorf("tickets: open attachment %s: %w", a.ID, err)
	}
	return a, rc, nil
}
