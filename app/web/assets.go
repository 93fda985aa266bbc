package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Assets serves the embedded static files. Each URL carries the file's content hash, so a file is
// cached for a year and a new build changes its URL.
type Assets struct {
	files  map[string][]byte
	hashes map[string]string
}

// NewAssets reads every embedded static file once.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{files: map[string][]byte{}, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.files[p] = b
		a.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// URL returns the versioned URL of a static file, for templates: {{asset "css/app.css"}}.
func (a *Assets) URL(p string) string {
	return "/static/" + p + "?v=" + a.hashes[p]
}

// handleStatic handles the "GET /static/*" route.
func (s *Server) handleStatic(c *fiber.Ctx) error {
	p := path.Clean(c.Params("*"))
	b, ok := s.Assets.files[p]
	if !ok || p == "css/input.css" {
		return fiber.ErrNotFound
	}
	if v := c.Query("v"); v != "" && v == s.Assets.hashes[p] {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	ct := mime.TypeByExtension(path.Ext(p))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	return c.Send(b)
}
