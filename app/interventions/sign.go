package interventions

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

// SignatureInput is the client's signature as a page sends it.
type SignatureInput struct {
	SignerName string
	// Image is the drawn signature, PNG or JPEG, at most MaxSignatureBytes.
	Image []byte
	// From is SignedOnSite (on the technician's device) or SignedPortal.
	From string
}

// imageType returns the type of a PNG or JPEG image by its first bytes, or "".
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	}
	return ""
}

// Sign records the client's signature of a sheet, once (Conflict ErrAlreadySigned), with the
// evidence: who (actor), when, IP and browser. An open or completed sheet may be signed (signing is
// evidence, not an edit); a cancelled one may not (ErrTransition). clientID is the portal user's
// client (uuid.Nil for staff on site): another client's sheet is NotFound. Bad input: "signer_name",
// "signature" (interventions.error.signature_image: not a PNG or JPEG; interventions.error.signature_size).
func Sign(ctx context.Context, db bun.IDB, clientID, id uuid.UUID, in SignatureInput, actor audit.Actor, now time.Time) (*Signature, error) {
	now = stamp(now)
	i := new(Intervention)
	q := db.NewSelect().Model(i).Where("i.id = ?", id).For("NO KEY UPDATE")
	if clientID != uuid.Nil {
		q = q.Where("i.client_id = ?", clientID)
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("intervention")
		}
		return nil, fmt.Errorf("interventions: sign: %w", err)
	}
	if i.Status == StatusCancelled {
		return nil, apperr.Conflictf(ErrTransition)
	}
	f := apperr.Fields{}
	in.SignerName = strings.TrimSpace(in.SignerName)
	switch n := utf8.RuneCountInString(in.SignerName); {
	case n == 0:
		f.Add("signer_name", "error.required")
	case n > MaxSignerName:
		f.Add("signer_name", "error.too_long")
	}
	typ := imageType(in.Image)
	switch {
	case len(in.Image) > MaxSignatureBytes:
		f.Add("signature", "interventions.error.signature_size")
	case typ == "":
		f.Add("signature", "interventions.error.signature_image")
	}
	if in.From != SignedOnSite && in.From != SignedPortal {
		in.From = SignedOnSite
		if clientID != uuid.Nil {
			in.From = SignedPortal
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	s := &Signature{InterventionID: i.ID, SignerName: in.SignerName, Image: in.Image, ImageType: typ, SignedAt: now,
		SignedBy: nullID(actor.UserID), IP: actor.IP, UserAgent: truncate(actor.UserAgent, 300), SignedFrom: in.From}
	res, err := db.NewInsert().Model(s).On("CONFLICT (intervention_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("interventions: sign: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, apperr.Conflictf(ErrAlreadySigned)
	}
	if err := writeAudit(ctx, db, i, actor, audit.InterventionSigned, map[string]any{"from": in.From}, now); err != nil {
		return nil, err
	}
	return s, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
