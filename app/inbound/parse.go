package inbound

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // every charset golang.org/x/text knows: ISO-8859-1, Windows-1252…
	gomail "github.com/emersion/go-message/mail"
)

// Part is a file carried by a mail (an attachment or an inline picture).
type Part struct {
	// Filename is the name the sender gave, decoded (RFC 2231 or RFC 2047), "" when none.
	Filename string
	// MediaType is what the sender declared; the stored type is decided from the content.
	MediaType string
	Content   []byte
	Inline    bool
}

// Parsed is what the application reads of a mail.
type Parsed struct {
	MessageID   string
	InReplyTo   []string
	References  []string
	FromAddress string
	FromName    string
	Subject     string
	Date        time.Time
	// FullText is the whole text of the mail: its text/plain part, or its HTML part made plain text.
	FullText string
	// Text is FullText without the quoted earlier messages and the signature, when recognisable.
	Text string
	// FromHTML tells that the text came from an HTML part (there was no text/plain one).
	FromHTML bool
	Parts    []Part
	// Automatic is why the mail must never be answered nor become a ticket ("auto_submitted",
	// "bulk", "list", "bounce"), or "".
	Automatic string
}

// maxPartBytes bounds what one part may decode to (the whole mail is bounded before parsing).
const maxPartBytes = 40 << 20

// errUnparseable is a mail without a readable header or sender.
var errUnparseable = errors.New("inbound: unparseable mail")

// Parse reads a mail's source: its header fields (encoded words decoded), its text (plain text
// preferred, HTML made safe text otherwise, both converted to UTF-8 from their charset) and its files.
func Parse(raw []byte) (*Parsed, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && e == nil {
		return nil, fmt.Errorf("%w: %v", errUnparseable, err)
	}
	h := gomail.Header{Header: e.Header}
	p := &Parsed{}
	p.Subject, _ = h.Subject()
	if p.Subject == "" {
		p.Subject = h.Get("Subject")
	}
	p.Subject = oneLine(strings.ToValidUTF8(p.Subject, "�"))
	if id, err := h.MessageID(); err == nil {
		p.MessageID = id
	}
	p.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	p.References, _ = h.MsgIDList("References")
	if d, err := h.Date(); err == nil {
		p.Date = d.UTC()
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) == 0 {
		// A sender written loosely ("Jean <jean@x.fr" or no quotes around a comma): try Go's parser.
		if a, perr := (&mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: message.CharsetReader}}).Parse(h.Get("From")); perr == nil {
			from = []*gomail.Address{{Name: a.Name, Address: a.Address}}
		}
	}
	if len(from) == 0 || !strings.Contains(from[0].Address, "@") {
		return p, fmt.Errorf("%w: no sender", errUnparseable)
	}
	p.FromAddress = strings.ToLower(strings.TrimSpace(from[0].Address))
	p.FromName = oneLine(from[0].Name)
	p.Automatic = automatic(h)

	var plain, html string
	walkErr := e.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		mt, params, _ := part.Header.ContentType()
		if strings.HasPrefix(mt, "multipart/") {
			return nil
		}
		if mt == "" {
			mt = "text/plain"
		}
		disp, dparams, _ := part.Header.ContentDisposition()
		ah := gomail.AttachmentHeader{Header: part.Header}
		name, _ := ah.Filename()
		if name == "" {
			name = dparams["filename"]
		}
		if name == "" {
			if n, ok := params["name"]; ok {
				name = decodeWord(n)
			}
		}
		body, rerr := io.ReadAll(io.LimitReader(part.Body, maxPartBytes))
		if rerr != nil {
			return rerr
		}
		isText := mt == "text/plain" || mt == "text/html"
		if isText && disp != "attachment" && name == "" {
			s := strings.ToValidUTF8(string(body), "�")
			if mt == "text/plain" && plain == "" {
				plain = s
			} else if mt == "text/html" && html == "" {
				html = s
			}
			return nil
		}
		if mt == "message/delivery-status" {
			return nil
		}
		p.Parts = append(p.Parts, Part{Filename: name, MediaType: mt, Content: body, Inline: disp == "inline" || (disp == "" && strings.HasPrefix(mt, "image/"))})
		return nil
	})
	if walkErr != nil {
		return p, fmt.Errorf("%w: %v", errUnparseable, walkErr)
	}
	switch {
	case strings.TrimSpace(plain) != "":
		p.FullText = normalizeText(plain)
	case html != "":
		p.FullText, p.FromHTML = HTMLToText(html), true
	}
	p.Text = TrimReply(p.FullText)
	return p, nil
}

// decodeWord decodes an RFC 2047 encoded word left in a parameter by a careless mailer.
func decodeWord(s string) string {
	d := &mime.WordDecoder{CharsetReader: message.CharsetReader}
	if out, err := d.DecodeHeader(s); err == nil {
		return out
	}
	return s
}

// automatic tells why a mail was written by a machine and must not be answered (RFC 3834
// Auto-Submitted, Precedence bulk/list/junk, mailing-list fields, bounces and vacation notices).
func automatic(h gomail.Header) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return "auto_submitted"
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || strings.EqualFold(h.Get("X-Auto-Response-Suppress"), "All") && strings.Contains(strings.ToLower(h.Get("Subject")), "automatic reply") {
		return "auto_submitted"
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk":
		return "bulk"
	case "list":
		return "list"
	}
	if h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" || h.Get("List-Post") != "" {
		return "list"
	}
	mt, params, _ := h.ContentType()
	if mt == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") {
		return "bounce"
	}
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return "bounce"
	}
	from := strings.ToLower(h.Get("From"))
	if strings.Contains(from, "mailer-daemon@") || strings.Contains(from, "postmaster@") {
		return "bounce"
	}
	return ""
}

// normalizeText gives a text Unix line ends, no trailing spaces and no run of more than one
// empty line.
func normalizeText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// oneLine folds white space into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncateRunes keeps the first n characters of s.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
