package web

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	_ "image/jpeg" // a signature may be a JPEG
	_ "image/png"  // what the signature pad sends
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
	"maintenant/app/interventions"
)

// Catalogue keys of the problems with a drawn signature that the page finds before the store.
const (
	// ErrSignatureMissing: nothing was drawn (or the browser ran no JavaScript).
	ErrSignatureMissing = "signature.error.missing"
	// ErrSignatureBlank: the image has no stroke.
	ErrSignatureBlank = "signature.error.blank"
)

// maxSignaturePixels bounds the size of a signature picture once decoded (a small PNG can claim a
// huge canvas).
const maxSignaturePixels = 4000 * 2000

// SignatureForm is a submitted signature form: the typed name and the drawing, which the signature
// pad (static/js/signature.js) puts in the hidden field "signature" as a data: URL.
type SignatureForm struct {
	Input interventions.SignatureInput
	// Form is the user's input to show again after a refusal: the name, and the drawing when it
	// was a readable image (the pad draws it again).
	Form map[string]string
	// Problems are what is wrong before the store is asked: the name (as interventions.Sign
	// checks it) and the drawing (missing, unreadable, blank). Empty when the store may be asked.
	Problems apperr.Fields
}

// ReadSignature reads and checks a signature form; from is interventions.SignedOnSite or
// SignedPortal. A picture too large or that is no PNG or JPEG is left to interventions.Sign, which
// says so with its own messages.
func ReadSignature(c *fiber.Ctx, from string) SignatureForm {
	name, raw := c.FormValue("signer_name"), strings.TrimSpace(c.FormValue("signature"))
	f := SignatureForm{Form: map[string]string{"signer_name": name}, Problems: apperr.Fields{},
		Input: interventions.SignatureInput{SignerName: name, From: from}}
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		f.Problems.Add("signer_name", "error.required")
	case n > interventions.MaxSignerName:
		f.Problems.Add("signer_name", "error.too_long")
	}
	if raw == "" {
		f.Problems.Add("signature", ErrSignatureMissing)
		return f
	}
	img, ok := decodeDataURL(raw)
	if !ok {
		f.Problems.Add("signature", "interventions.error.signature_image")
		return f
	}
	f.Input.Image = img
	if len(img) > interventions.MaxSignatureBytes {
		return f
	}
	switch problem := checkDrawing(img); {
	case problem != "":
		f.Problems.Add("signature", problem)
	default:
		f.Form["signature"] = raw
	}
	return f
}

// decodeDataURL returns the bytes of a base64 data: URL ("data:image/png;base64,…").
func decodeDataURL(s string) ([]byte, bool) {
	head, data, ok := strings.Cut(s, ",")
	if !ok || !strings.HasPrefix(head, "data:") || !strings.HasSuffix(head, ";base64") {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, false
	}
	return b, true
}

// checkDrawing decodes a PNG or JPEG signature and returns the catalogue key of its problem: not a
// readable image of a sensible size, or nothing drawn on it. Other data is left to the store.
func checkDrawing(b []byte) string {
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) && !bytes.HasPrefix(b, []byte("\xff\xd8\xff")) {
		return ""
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxSignaturePixels {
		return "interventions.error.signature_image"
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "interventions.error.signature_image"
	}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if inked(img.At(x, y)) {
				return ""
			}
		}
	}
	return ErrSignatureBlank
}

// inked tells whether a pixel is part of a stroke: visible and darker than paper.
func inked(c color.Color) bool {
	r, g, b, a := c.RGBA()
	if a < 0x4000 {
		return false
	}
	// Colours are premultiplied: compare the luminance with the opacity.
	lum := (299*r + 587*g + 114*b) / 1000
	return lum < a*3/4
}

// SendSignature answers the image of a signature, shown in a page of this site only and never kept
// by a shared cache.
func SendSignature(c *fiber.Ctx, s *interventions.Signature) error {
	c.Set(fiber.HeaderContentType, s.ImageType)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	return c.Send(s.Image)
}
