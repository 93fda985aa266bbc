// Package storage keeps uploaded files (ticket attachments, signatures, documents) behind one small
// interface: a local directory by default; an S3-compatible store can implement the same interface
// for several instances.
package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrNotFound says no file is stored under a key.
var ErrNotFound = errors.New("storage: not found")

// Store keeps files under opaque keys chosen by the application, never by the uploader.
type Store interface {
	// Put writes the content under key, failing if size would exceed limit bytes.
	Put(ctx context.Context, key string, r io.Reader, limit int64) (int64, error)
	// Open returns the content stored under key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the file under key; a missing file is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrTooLarge says the content exceeded the limit given to Put.
var ErrTooLarge = errors.New("storage: content too large")

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9.-]{0,126}){0,4}$`)

// NewKey returns a random key under a prefix ("attachments/…").
func NewKey(prefix string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("storage: random: %v", err))
	}
	return prefix + "/" + hex.EncodeToString(b)
}

// Local stores files in a directory of the machine: enough for one instance.
type Local struct {
	Dir string
}

func (l *Local) path(key string) (string, error) {
	if !keyPattern.MatchString(key) || strings.Contains(key, "..") {
		return "", fmt.Errorf("storage: invalid key %q", key)
	}
	return filepath.Join(l.Dir, filepath.FromSlash(key)), nil
}

// Put writes the content atomically: a temporary file renamed into place once complete.
func (l *Local) Put(_ context.Context, key string, r io.Reader, limit int64) (int64, error) {
	p, err := l.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, fmt.Errorf("storage: mkdir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return 0, fmt.Errorf("storage: create: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("storage: write: %w", err)
	}
	if n > limit {
		return 0, ErrTooLarge
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return 0, fmt.Errorf("storage: rename: %w", err)
	}
	return n, nil
}

// Open returns the stored content.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Delete removes a stored file.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: delete: %w", err)
	}
	return nil
}
