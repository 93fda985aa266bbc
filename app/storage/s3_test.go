package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 serves an in-process S3-compatible server (gofakes3, in memory) with one bucket.
func fakeS3(t *testing.T, bucket string) S3Config {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return S3Config{URL: srv.URL, Bucket: bucket, Prefix: "maintenant", Region: "us-east-1", AccessKey: "test", SecretKey: "test-secret"}
}

// stores runs a check on both implementations of Store, so S3 behaves as the local directory does.
func stores(t *testing.T) map[string]Lister {
	s3, err := NewS3(context.Background(), fakeS3(t, "files"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Lister{"local": &Local{Dir: t.TempDir()}, "s3": s3}
}

func TestStoresBehaveAlike(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			big := make([]byte, 3<<20)
			_, _ = rand.Read(big)
			keys := []string{"attachments/0a", "attachments/0b", "signatures/ff"}
			for i, k := range keys {
				content := []byte("fichier " + k)
				if i == 1 {
					content = big
				}
				if n, err := s.Put(ctx, k, bytes.NewReader(content), 10<<20); err != nil || n != int64(len(content)) {
					t.Fatalf("Put %s = %d, %v", k, n, err)
				}
				r, err := s.Open(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(r)
				r.Close()
				if !bytes.Equal(got, content) {
					t.Fatalf("%s: %d bytes back, want %d", k, len(got), len(content))
				}
			}
			if _, err := s.Put(ctx, "attachments/big", bytes.NewReader(big), 1<<20); !errors.Is(err, ErrTooLarge) {
				t.Errorf("oversized Put = %v, want ErrTooLarge", err)
			}
			if _, err := s.Open(ctx, "attachments/big"); !errors.Is(err, ErrNotFound) {
				t.Errorf("an oversized file was kept: %v", err)
			}
			for _, bad := range []string{"../etc/passwd", "attachments/../../x", "/abs", "UPPER", "a//b", ""} {
				if _, err := s.Put(ctx, bad, strings.NewReader("x"), 10); err == nil {
					t.Errorf("key %q accepted", bad)
				}
			}
			var listed []string
			if err := s.List(ctx, func(k string) error { listed = append(listed, k); return nil }); err != nil {
				t.Fatal(err)
			}
			if strings.Join(listed, " ") != strings.Join(keys, " ") {
				t.Errorf("List = %v, want %v", listed, keys)
			}
			if err := s.Delete(ctx, keys[0]); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, keys[0]); err != nil {
				t.Errorf("deleting a missing file: %v", err)
			}
			if _, err := s.Open(ctx, keys[0]); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open after Delete = %v", err)
			}
			// Two instances writing at once: every file arrives whole.
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					k := NewKey("attachments")
					content := bytes.Repeat([]byte{byte(i)}, 100_000)
					if _, err := s.Put(ctx, k, bytes.NewReader(content), 1<<20); err != nil {
						t.Error(err)
						return
					}
					r, err := s.Open(ctx, k)
					if err != nil {
						t.Error(err)
						return
					}
					defer r.Close()
					if got, _ := io.ReadAll(r); !bytes.Equal(got, content) {
						t.Error("a concurrent file came back different")
					}
				}()
			}
			wg.Wait()
		})
	}
}

func TestS3Config(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if _, ok, err := S3ConfigFromEnv(get); ok || err != nil {
		t.Fatalf("no S3_URL: ok=%v err=%v", ok, err)
	}
	env["S3_URL"] = "https://s3.example.test"
	if _, _, err := S3ConfigFromEnv(get); err == nil || !strings.Contains(err.Error(), "S3_BUCKET") {
		t.Errorf("missing bucket: %v", err)
	}
	if _, err := NewS3(context.Background(), S3Config{URL: "s3.example.test", Bucket: "b"}); err == nil {
		t.Error("a URL without scheme was accepted")
	}
	if _, err := NewS3(context.Background(), S3Config{URL: fakeS3(t, "files").URL, Bucket: "absent", AccessKey: "a", SecretKey: "b"}); err == nil {
		t.Error("a missing bucket was accepted")
	}
}
