package documents

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"
)

// Label is one equipment label: the item's name and owner in words, and the address its QR code
// opens (the item's staff page).
type Label struct {
	Name   string
	Client string
	Kind   string
	Serial string
	URL    string
}

// The sheet: A4 cut in 3 × 8 labels of 70 × 37 mm (the common "L7160"-like stock without margins).
const (
	labelCols = 3
	labelRows = 8
	labelW    = 70.0
	labelH    = 37.0
	qrSize    = 28.0
)

// Labels renders a sheet of equipment labels to print and stick: each with a QR code of its URL,
// the name in large type, the owner, kind and serial number. Several pages when there are more than
// 24 labels.
func Labels(labels []Label, title string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	pdf.AddUTF8FontFromBytes("dejavu", "B", fontBold)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Maintenant", true)
	top := (pageHeight - labelRows*labelH) / 2
	for n, l := range labels {
		slot := n % (labelCols * labelRows)
		if slot == 0 {
			pdf.AddPage()
		}
		x := float64(slot%labelCols) * labelW
		y := top + float64(slot/labelCols)*labelH
		pdf.SetDrawColor(226, 232, 240)
		pdf.Rect(x, y, labelW, labelH, "D")
		img, err := qrPNG(l.URL)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("qr%d", n)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(img))
		pdf.ImageOptions(name, x+3, y+(labelH-qrSize)/2, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		tx, tw := x+qrSize+5, labelW-qrSize-7
		pdf.SetTextColor(15, 23, 42)
		pdf.SetXY(tx, y+5)
		pdf.SetFont("dejavu", "B", 11)
		pdf.MultiCell(tw, 5, l.Name, "", "L", false)
		pdf.SetFont("dejavu", "", 7.5)
		pdf.SetTextColor(51, 65, 85)
		for _, s := range []string{l.Client, l.Kind, l.Serial} {
			if s == "" {
				continue
			}
			pdf.SetX(tx)
			pdf.MultiCell(tw, 3.6, s, "", "L", false)
		}
	}
	if len(labels) == 0 {
		pdf.AddPage()
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: labels: %w", err)
	}
	return buf.Bytes(), nil
}

// qrPNG draws the QR code of s (error correction M, quiet zone included) as a PNG.
func qrPNG(s string) ([]byte, error) {
	code, err := qr.Encode(s, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("documents: qr: %w", err)
	}
	// Eight whole pixels per module, with a 4-module quiet zone on each side.
	side := code.Bounds().Dx() * 8
	scaled, err := barcode.Scale(code, side, side)
	if err != nil {
		return nil, fmt.Errorf("documents: qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, withQuietZone(scaled, 32)); err != nil {
		return nil, fmt.Errorf("documents: qr: %w", err)
	}
	return buf.Bytes(), nil
}

// withQuietZone puts img on a white square with margin pixels on each side (scanners need the white
// border around the code).
func withQuietZone(img image.Image, margin int) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()+2*margin, b.Dy()+2*margin))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(margin, margin, margin+b.Dx(), margin+b.Dy()), img, b.Min, draw.Src)
	return out
}
