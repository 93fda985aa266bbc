package inbound

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// DemoAddress is the address of the demo support mailbox.
const DemoAddress = "support@demo.maintenant.test"

// Demo is an in-process IMAP server on loopback holding a demo support mailbox, for `make run`
// without IMAP_URL and for the tests. Its mails live in memory only.
type Demo struct {
	Mailbox *Mailbox
	server  *imapserver.Server
}

// StartDemo starts the demo mailbox on a free loopback port, with a random password.
func StartDemo() (*Demo, error) {
	var pw [12]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, err
	}
	mb := &Mailbox{User: DemoAddress, Password: hex.EncodeToString(pw[:]), Folder: "INBOX",
		Processed: DefaultProcessedFolder, Security: "none", Demo: true}
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(mb.User, mb.Password)
	if err := u.Create(mb.Folder, nil); err != nil {
		return nil, fmt.Errorf("inbound: demo: %w", err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true, // loopback only
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("inbound: demo: %w", err)
	}
	mb.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return &Demo{Mailbox: mb, server: srv}, nil
}

// Close stops the demo server.
func (d *Demo) Close() error { return d.server.Close() }
