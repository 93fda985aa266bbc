package inbound_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maintenant/app/inbound"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

// startDovecot runs Debian's dovecot-imapd in the foreground on a free loopback port with a
// throw-away mailbox, and returns that mailbox. The test is skipped where dovecot is not installed
// (scripts/system-deps.sh installs it).
func startDovecot(t *testing.T) *inbound.Mailbox {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("dovecot is not installed (Debian dovecot-imapd): the IMAP integration test did not run")
	}
	dir, err := os.MkdirTemp("", "dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	internal, login, uid, gid := "", "", os.Getuid(), os.Getgid()
	if me, err := user.Current(); err == nil {
		internal, login = me.Username, me.Username
	}
	if os.Getuid() == 0 {
		// As root dovecot drops privileges: its own users, and the mail owned by "dovecot".
		u, err := user.Lookup("dovecot")
		if err != nil {
			t.Skip("dovecot user missing: the IMAP integration test did not run")
		}
		fmt.Sscan(u.Uid, &uid)
		fmt.Sscan(u.Gid, &gid)
		internal, login = "dovecot", "dovenull"
		if _, err := user.Lookup("dovenull"); err != nil {
			login = "dovecot"
		}
	}
	for _, d := range []string{"run", "state", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(dir, "home"), uid, gid); err != nil && os.Getuid() == 0 {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	const userName, password = "support@dovecot.test", "secret-pw"
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(userName+":{PLAIN}"+password+"::::::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = %[2]s
default_login_user = %[3]s
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=%[4]d gid=%[5]d home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]d
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`, dir, internal, login, uid, gid, port)
	if err := os.WriteFile(filepath.Join(dir, "dovecot.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("dovecot: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if i > 100 {
			logs, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %s\n%s", out.String(), logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &inbound.Mailbox{Addr: addr, Security: "none", User: userName, Password: password, Folder: "INBOX", Processed: "Processed"}
}

// TestDovecotIntegration runs the poller against a real IMAP server: a new ticket from a known
// contact, a reply threaded by its subject, a mail seen twice, all moved to the processed folder,
// and a mail arriving while the poll waits with IDLE read at once.
func TestDovecotIntegration(t *testing.T) {
	mb := startDovecot(t)
	f := newFixture(t)
	f.poller.Mailbox = mb
	deliver := func(raws ...string) {
		t.Helper()
		for _, raw := range raws {
			if err := mb.Append([]byte(raw)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.poller.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	first := plain("dovecot-1@client.example", "Martin <"+testutil.BoulangerieUser+">", "=?UTF-8?Q?Wi-Fi_coup=C3=A9?=", "Plus de Wi-Fi dans la boutique.")
	deliver(first, first)
	rec := f.record(t, "dovecot-1@client.example")
	if rec.Status != inbound.StatusTicket {
		t.Fatalf("status %s reason %s", rec.Status, rec.Reason)
	}
	tk, err := tickets.Get(context.Background(), f.app.DB.Bun, rec.TicketID.UUID)
	if err != nil || tk.Title != "Wi-Fi coupé" {
		t.Fatalf("ticket %+v %v", tk, err)
	}
	deliver(plain("dovecot-2@client.example", testutil.BoulangerieUser, "Re: ["+tk.Reference()+"] Wi-Fi coupé", "Il revient par moments."))
	if rec := f.record(t, "dovecot-2@client.example"); rec.Status != inbound.StatusMessage || rec.TicketID.UUID != tk.ID {
		t.Errorf("reply: %s %s", rec.Status, rec.Reason)
	}
	if n := f.count(t, "SELECT count(*) FROM inbound_messages WHERE status = 'ticket'"); n != 1 {
		t.Errorf("%d tickets from the same mail twice", n)
	}
	if waiting, processed, err := mb.Count(); err != nil || waiting != 0 || processed != 3 {
		t.Errorf("dovecot mailbox: waiting %d processed %d (%v), want 0 and 3", waiting, processed, err)
	}
	checkIdleReadsNewMailAtOnce(t, f, mb)
}
