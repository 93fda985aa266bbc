package inbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// DefaultProcessedFolder is where processed mails are moved (IMAP_PROCESSED_FOLDER): never deleted.
const DefaultProcessedFolder = "Processed"

// Mailbox is the support mailbox the application reads.
type Mailbox struct {
	// Addr is host:port.
	Addr string
	// Security is "tls" (imaps://, port 993), "starttls" (imap://, port 143, STARTTLS required) or
	// "none" (imap://…?tls=none, accepted for a loopback address only).
	Security string
	User     string
	Password string
	// Folder is the folder read (INBOX by default); Processed the one mails are moved to.
	Folder    string
	Processed string
	// Demo marks the in-process demo mailbox of `make run`.
	Demo bool
}

// ParseURL reads IMAP_URL: imaps://user:password@host:993/INBOX, or imap://…:143/INBOX with
// STARTTLS, or imap://…?tls=none on a loopback address. processed is IMAP_PROCESSED_FOLDER.
func ParseURL(raw, processed string) (*Mailbox, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "imap" && u.Scheme != "imaps") {
		return nil, errors.New("must look like imaps://user:password@host:993/INBOX")
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, errors.New("needs a user and a password: imaps://user:password@host:993/INBOX")
	}
	mb := &Mailbox{User: u.User.Username(), Folder: strings.Trim(u.Path, "/"), Processed: processed}
	mb.Password, _ = u.User.Password()
	if mb.Folder == "" {
		mb.Folder = "INBOX"
	}
	if mb.Processed == "" {
		mb.Processed = DefaultProcessedFolder
	}
	if mb.Processed == mb.Folder {
		return nil, errors.New("the processed folder must differ from the folder read")
	}
	port := u.Port()
	switch {
	case u.Scheme == "imaps":
		mb.Security = "tls"
		if port == "" {
			port = "993"
		}
	case u.Query().Get("tls") == "none":
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, errors.New("tls=none is accepted on a loopback address only")
		}
		mb.Security = "none"
	default:
		mb.Security = "starttls"
	}
	if port == "" {
		port = "143"
	}
	mb.Addr = net.JoinHostPort(u.Hostname(), port)
	return mb, nil
}

// String describes the mailbox without its password.
func (mb *Mailbox) String() string {
	return mb.User + "@" + mb.Addr + "/" + mb.Folder
}

// dial connects and logs in; handler, when not nil, hears of the mailbox's changes (IDLE).
func (mb *Mailbox) dial(handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	opts := &imapclient.Options{Dialer: &net.Dialer{Timeout: 20 * time.Second}, UnilateralDataHandler: handler}
	var c *imapclient.Client
	var err error
	switch mb.Security {
	case "tls":
		c, err = imapclient.DialTLS(mb.Addr, opts)
	case "none":
		c, err = imapclient.DialInsecure(mb.Addr, opts)
	default:
		c, err = imapclient.DialStartTLS(mb.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", mb.Addr, err)
	}
	if err := c.Login(mb.User, mb.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", mb.User, err)
	}
	return c, nil
}

// Append puts a mail into the folder read (the demo mailbox's "drop a test message", tests).
func (mb *Mailbox) Append(raw []byte) error {
	c, err := mb.dial(nil)
	if err != nil {
		return fmt.Errorf("inbound: append: %w", err)
	}
	defer c.Close()
	cmd := c.Append(mb.Folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return fmt.Errorf("inbound: append: %w", err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("inbound: append: %w", err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("inbound: append: %w", err)
	}
	return c.Logout().Wait()
}

// Count returns how many mails are in the folder read and in the processed folder.
func (mb *Mailbox) Count() (waiting, processed int, err error) {
	c, err := mb.dial(nil)
	if err != nil {
		return 0, 0, fmt.Errorf("inbound: count: %w", err)
	}
	defer c.Close()
	for i, f := range []string{mb.Folder, mb.Processed} {
		d, err := c.Status(f, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			if i == 1 {
				return waiting, 0, nil // not created yet
			}
			return 0, 0, fmt.Errorf("inbound: count: %w", err)
		}
		if d.NumMessages != nil {
			if i == 0 {
				waiting = int(*d.NumMessages)
			} else {
				processed = int(*d.NumMessages)
			}
		}
	}
	return waiting, processed, nil
}

// Poller reads the mailbox and hands each mail to the Service.
type Poller struct {
	Service *Service
	Mailbox *Mailbox
	// Batch bounds the mails read at once (the rest is read right after); 50 by default.
	Batch int
	// Idle is how long a poll stays connected after reading the folder, waiting with IMAP IDLE for
	// new mail to read at once, where the server offers IDLE; 0 reads once and leaves. The periodic
	// job sets it a little under the poll interval, so mail is read within seconds on the leader.
	Idle time.Duration
	// OnIdle, when set, is called each time the poll starts waiting with IDLE (tests, logs).
	OnIdle func()
}

// Result is what one poll did.
type Result struct {
	// Busy is true when another poll held the lease: this one did nothing.
	Busy       bool
	Read       int
	Duplicates int
	// Waiting is how many mails were left in the folder.
	Waiting int
}

// lease is how long a poll may hold the mailbox before another one may start.
const lease = 10 * time.Minute

// Poll reads the waiting mails once: each is recorded and acted on (Service.Ingest), then moved to
// the processed folder. A mail over the size limit is recorded with its header only. The outcome
// (or the error) is written to the mailbox state shown in the settings.
func (p *Poller) Poll(ctx context.Context) (*Result, error) {
	s := p.Service
	now := s.now()
	if _, err := s.DB.Bun.NewRaw("INSERT INTO inbound_state (id) VALUES (1) ON CONFLICT DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("inbound: poll state: %w", err)
	}
	res, err := s.DB.Bun.NewUpdate().Table("inbound_state").Set("polling_until = ?", now.Add(lease)).
		Where("id = 1").Where("polling_until IS NULL OR polling_until < ?", now).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("inbound: poll lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &Result{Busy: true}, nil
	}
	r, pollErr := p.poll(ctx)
	q := s.DB.Bun.NewUpdate().Table("inbound_state").Set("polling_until = NULL").Set("last_poll_at = ?", s.now()).Where("id = 1")
	if pollErr != nil {
		q = q.Set("last_error = ?", truncateRunes(pollErr.Error(), 1000)).Set("last_error_at = ?", s.now())
	} else {
		q = q.Set("last_success_at = ?", s.now()).Set("waiting = ?", r.Waiting).Set("processed_last = ?", r.Read)
	}
	if _, err := q.Exec(context.WithoutCancel(ctx)); err != nil && pollErr == nil {
		pollErr = fmt.Errorf("inbound: poll state: %w", err)
	}
	if pollErr != nil {
		return r, fmt.Errorf("inbound: poll %s: %w", p.Mailbox, pollErr)
	}
	return r, nil
}

func (p *Poller) poll(ctx context.Context) (*Result, error) {
	r := &Result{}
	mb := p.Mailbox
	arrived := make(chan struct{}, 1)
	c, err := mb.dial(&imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}
	}})
	if err != nil {
		return r, err
	}
	defer c.Close()
	if err := ensureFolder(c, mb.Processed); err != nil {
		return r, err
	}
	if _, err := c.Select(mb.Folder, nil).Wait(); err != nil {
		return r, fmt.Errorf("select %s: %w", mb.Folder, err)
	}
	until := time.Now().Add(p.Idle)
	for {
		more, err := p.readBatch(ctx, c, r)
		if err != nil {
			return r, err
		}
		if more {
			continue
		}
		wait := time.Until(until)
		if p.Idle <= 0 || wait <= 0 || !c.Caps().Has(imap.CapIdle) {
			break
		}
		if p.OnIdle != nil {
			p.OnIdle()
		}
		woken, err := idle(ctx, c, arrived, wait)
		if err != nil {
			return r, err
		}
		if !woken {
			break
		}
	}
	st, err := c.Status(mb.Folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err == nil && st.NumMessages != nil {
		r.Waiting = int(*st.NumMessages)
	}
	_ = c.Logout().Wait()
	return r, nil
}

// idle waits with IMAP IDLE until the server announces new mail (woken), wait runs out or ctx
// ends (not an error: the poll just stops waiting).
func idle(ctx context.Context, c *imapclient.Client, arrived <-chan struct{}, wait time.Duration) (woken bool, err error) {
	cmd, err := c.Idle()
	if err != nil {
		return false, fmt.Errorf("idle: %w", err)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-arrived:
		woken = true
	case <-timer.C:
	case <-ctx.Done():
	}
	if err := cmd.Close(); err != nil {
		return false, fmt.Errorf("idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return false, fmt.Errorf("idle: %w", err)
	}
	return woken && ctx.Err() == nil, nil
}

// IdleFor is how long the periodic poll waits with IDLE for a poll interval: a little less than
// the interval (the next poll takes over), at most four minutes (the job's timeout is five).
func IdleFor(interval time.Duration) time.Duration {
	return max(0, min(interval-10*time.Second, 4*time.Minute))
}

// readBatch reads up to Batch mails of the selected folder; more tells that some were left.
func (p *Poller) readBatch(ctx context.Context, c *imapclient.Client, r *Result) (more bool, err error) {
	mb := p.Mailbox
	found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return false, fmt.Errorf("search: %w", err)
	}
	uids := found.AllUIDs()
	batch := p.Batch
	if batch <= 0 {
		batch = 50
	}
	if len(uids) > batch {
		uids, more = uids[:batch], true
	}
	header := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	whole := &imap.FetchItemBodySection{Peek: true}
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		set := imap.UIDSetNum(uid)
		msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{header}}).Collect()
		if err != nil {
			return false, fmt.Errorf("fetch %d: %w", uid, err)
		}
		if len(msgs) == 0 {
			continue // gone meanwhile
		}
		size := msgs[0].RFC822Size
		raw, complete := msgs[0].FindBodySection(header), false
		if size <= p.Service.maxBytes() {
			full, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{whole}}).Collect()
			if err != nil {
				return false, fmt.Errorf("fetch %d: %w", uid, err)
			}
			if len(full) == 0 {
				continue
			}
			raw, complete = full[0].FindBodySection(whole), true
			size = int64(len(raw))
		}
		out, err := p.Service.Ingest(ctx, raw, size, complete)
		if err != nil {
			return false, err
		}
		r.Read++
		if out.Duplicate {
			r.Duplicates++
		}
		// Only now, after the commit: a crash before this line leaves the mail in the folder, and
		// the next poll finds it recorded (Duplicate) and moves it.
		if _, err := c.Move(set, mb.Processed).Wait(); err != nil {
			return false, fmt.Errorf("move %d to %s: %w", uid, mb.Processed, err)
		}
	}
	return more, nil
}

// ensureFolder creates the processed folder when missing.
func ensureFolder(c *imapclient.Client, name string) error {
	list, err := c.List("", name, nil).Collect()
	if err != nil {
		return fmt.Errorf("list %s: %w", name, err)
	}
	if len(list) > 0 {
		return nil
	}
	if err := c.Create(name, nil).Wait(); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}
