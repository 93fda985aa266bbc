package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Lister is a Store that can name every key it holds, in lexical order: backups walk it.
type Lister interface {
	Store
	List(ctx context.Context, fn func(key string) error) error
}

// List calls fn with every stored key, in lexical order; half-written uploads are left out.
func (l *Local) List(ctx context.Context, fn func(key string) error) error {
	err := filepath.WalkDir(l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && p == l.Dir {
				return filepath.SkipDir
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".upload-") {
			return nil
		}
		rel, err := filepath.Rel(l.Dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !keyPattern.MatchString(key) {
			return nil // not a file the application wrote
		}
		return fn(key)
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
