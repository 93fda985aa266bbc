package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	stripeMockOnce sync.Once
	stripeMockURL  string
	stripeMockErr  error
)

// stripeMockPath finds stripe-mock on the PATH or where `go install` puts it.
func stripeMockPath() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "stripe-mock")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("stripe-mock missing: go install github.com/stripe/stripe-mock@v0.203.0 (make test does)")
	}
	return p, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StripeMock starts stripe-mock (Stripe's API simulator) once per test process on free loopback
// ports and returns its HTTP URL, for STRIPE_API_URL. It stops with the test process. Without
// stripe-mock the test is skipped, or fails when the CI variable is set.
func StripeMock(t testing.TB) string {
	t.Helper()
	stripeMockOnce.Do(func() {
		path, err := stripeMockPath()
		if err != nil {
			stripeMockErr = err
			return
		}
		httpPort, err := freePort()
		if err != nil {
			stripeMockErr = err
			return
		}
		httpsPort, err := freePort()
		if err != nil {
			stripeMockErr = err
			return
		}
		cmd := exec.Command(path, "-http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "-https-addr", fmt.Sprintf("127.0.0.1:%d", httpsPort))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			stripeMockErr = fmt.Errorf("start stripe-mock: %w", err)
			return
		}
		addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				stripeMockURL = "http://" + addr
				return
			}
		}
		_ = cmd.Process.Kill()
		stripeMockErr = fmt.Errorf("stripe-mock did not listen on %s", addr)
	})
	if stripeMockErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(stripeMockErr)
		}
		t.Skip(stripeMockErr.Error())
	}
	return stripeMockURL
}
