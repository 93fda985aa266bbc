package testutil

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is an in-process SMTP server on a loopback port that keeps every message it accepts. It needs
// no authentication and offers no TLS: point mail.SMTPSender at Sink.URL().
type Sink struct {
	srv  *smtp.Server
	addr string

	mu       sync.Mutex
	msgs     []SinkMessage
	failNext int
	failed   int
	changed  chan struct{} // closed and replaced whenever a message arrives
}

// SinkMessage is one accepted message: the envelope and the raw RFC 5322 data.
type SinkMessage struct {
	From string
	To   []string
	Data []byte
}

// SMTPSink starts a sink that stops when the test ends.
func SMTPSink(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testutil: smtp sink: %v", err)
	}
	s := &Sink{addr: ln.Addr().String(), changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s}, nil
	}))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// Addr returns host:port of the sink.
func (s *Sink) Addr() string { return s.addr }

// URL returns an SMTP_URL for the sink, without TLS.
func (s *Sink) URL() string { return "smtp://" + s.addr + "?tls=none" }

// FailNext makes the next n deliveries fail with a temporary SMTP error (451) once their data is
// received; the failed messages are not kept.
func (s *Sink) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Failed returns how many deliveries the sink refused because of FailNext.
func (s *Sink) Failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Messages returns a copy of the messages accepted so far, in arrival order.
func (s *Sink) Messages() []SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SinkMessage, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = SinkMessage{From: m.From, To: append([]string(nil), m.To...), Data: bytes.Clone(m.Data)}
	}
	return out
}

// Reset forgets the messages accepted so far.
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// WaitFor waits until at least n messages were accepted and returns them all; it fails the test
// when the timeout passes first.
func (s *Sink) WaitFor(t testing.TB, n int, timeout time.Duration) []SinkMessage {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("testutil: smtp sink: %d message(s) after %s, want %d", got, timeout, n)
			return nil
		}
	}
}

func (s *Sink) deliver(m SinkMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		s.failed++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "sink: temporary failure (test)"}
	}
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

type sinkSession struct {
	sink *Sink
	from string
	to   []string
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return ss.sink.deliver(SinkMessage{From: ss.from, To: append([]string(nil), ss.to...), Data: b})
}

// ParsedMail is a received message decoded for assertions.
type ParsedMail struct {
	Header  mail.Header
	Subject string // decoded from RFC 2047 encoded-words
	To      []*mail.Address
	Text    string // the first text/plain part, transfer-decoded
	HTML    string // the first text/html part, transfer-decoded
}

// Parse decodes the message: headers, subject, recipients and its text and HTML parts.
func (m SinkMessage) Parse() (*ParsedMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, fmt.Errorf("parse mail: %w", err)
	}
	p := &ParsedMail{Header: msg.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("parse subject: %w", err)
	}
	if p.To, err = msg.Header.AddressList("To"); err != nil && !errors.Is(err, mail.ErrHeaderNotPresent) {
		return nil, fmt.Errorf("parse to: %w", err)
	}
	if err := p.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return nil, err
	}
	return p, nil
}

// MustParse is Parse failing the test on error.
func (m SinkMessage) MustParse(t testing.TB) *ParsedMail {
	t.Helper()
	p, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *ParsedMail) walk(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("parse content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read part: %w", err)
			}
			if err := p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks itself
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mt, err)
	}
	switch {
	case mt == "text/plain" && p.Text == "":
		p.Text = string(b)
	case mt == "text/html" && p.HTML == "":
		p.HTML = string(b)
	}
	return nil
}
