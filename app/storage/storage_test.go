package storage

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLocal(t *testing.T) {
	s := &Local{Dir: t.TempDir()}
	ctx := context.Background()
	key := NewKey("attachments")
	if n, err := s.Put(ctx, key, strings.NewReader("hello"), 10); err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	r, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "hello" {
		t.Errorf("content %q", b)
	}
	if _, err := s.Put(ctx, NewKey("attachments"), strings.NewReader("too long content"), 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized Put = %v, want ErrTooLarge", err)
	}
	for _, bad := range []string{"../etc/passwd", "attachments/../../x", "/abs", "UPPER", "a//b", ""} {
		if _, err := s.Put(ctx, bad, strings.NewReader("x"), 10); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open after Delete = %v", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("second Delete = %v", err)
	}
}
