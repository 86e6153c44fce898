// Package bundle tests the installable bundles `npm run dist` writes, as an admin installs them: each
// .tar.gz is unpacked the way the Mattermost server unpacks an uploaded plugin, and the unpacked plugin
// runs under Mattermost's own plugin host code (package harness) against the fake API. This file holds
// what the benchmark in ../benchstart shares: finding the bundles (dist/bundles.json) and unpacking them.
//
// Run, from the repository root:
//
//	npm run dist -- --platforms linux-amd64 && node scripts/sea/test-bundles.mjs
//
// or by hand: cd test/conformance && BUNDLE_DIST_DIR=../../dist go test ./bundle -count=1. Without
// $BUNDLE_DIST_DIR the tests skip (so `go test ./...` does not test a stale dist/ by accident).
package bundle

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DistDirEnv names the environment variable that points at the directory `npm run dist` wrote.
const DistDirEnv = "BUNDLE_DIST_DIR"

// Entry is one bundle in dist/bundles.json.
type Entry struct {
	File      string   `json:"file"`
	Kind      string   `json:"kind"` // "standalone" or "portable"
	Platforms []string `json:"platforms"`
	Node      string   `json:"node"`
	Unsigned  bool     `json:"unsigned"`
	// Libraries are the shared libraries a Linux standalone bundle carries next to its executable.
	Libraries []Library `json:"libraries"`
	Bytes     int64     `json:"bytes"`
}

// Library is one shared library a standalone bundle ships (dist/bundles.json), taken from Debian.
type Library struct {
	Soname        string `json:"soname"`        // e.g. "libatomic.so.1"
	DebianPackage string `json:"debianPackage"` // e.g. "libatomic1:arm64"
	Version       string `json:"version"`       // the Debian package's version
	Source        string `json:"source"`        // the Debian source package it is built from
	Sha256        string `json:"sha256"`        // of the library file
	File          string `json:"file"`          // path inside the plugin folder
	License       string `json:"license"`       // its licence file inside the plugin folder
}

// Index is dist/bundles.json: what the last `npm run dist` built.
type Index struct {
	Dir     string  `json:"-"`
	ID      string  `json:"id"`
	Version string  `json:"version"`
	Bundles []Entry `json:"bundles"`
}

// LoadIndex reads dir/bundles.json.
func LoadIndex(dir string) (*Index, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(abs, "bundles.json"))
	if err != nil {
		return nil, fmt.Errorf("%w (run `npm run dist` first)", err)
	}
	var idx Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("bundles.json: %w", err)
	}
	idx.Dir = abs
	return &idx, nil
}

// Find returns the bundle of the given kind that serves platform (e.g. "linux-amd64").
func (idx *Index) Find(kind, platform string) (*Entry, error) {
	for i := range idx.Bundles {
		b := &idx.Bundles[i]
		if b.Kind != kind {
			continue
		}
		for _, p := range b.Platforms {
			if p == platform {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("%s has no %s bundle for %s (built: %v)", filepath.Join(idx.Dir, "bundles.json"), kind, platform, idx.files())
}

// Path is the bundle file's path.
func (idx *Index) Path(e *Entry) string { return filepath.Join(idx.Dir, e.File) }

func (idx *Index) files() []string {
	var out []string
	for _, b := range idx.Bundles {
		out = append(out, b.File)
	}
	return out
}

// Extract unpacks a plugin bundle into dst as the Mattermost server does (directories and regular files,
// files created with the mode in the archive) and returns the plugin folder, the archive's single
// top-level directory. It is stricter than the server where the server would install something broken:
// anything but directories and regular files (the server skips symlinks), paths leaving dst, and more
// than one top-level entry are errors.
func Extract(tarball, dst string) (string, error) {
	f, err := os.Open(tarball)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tarball, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	top := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", tarball, err)
		}
		name := path.Clean(hdr.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return "", fmt.Errorf("%s: entry %q leaves the plugin folder", tarball, hdr.Name)
		}
		first, _, _ := strings.Cut(name, "/")
		if top == "" {
			top = first
		} else if first != top {
			return "", fmt.Errorf("%s: more than one top-level entry (%q and %q); the server expects one plugin folder", tarball, top, first)
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return "", err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, os.FileMode(hdr.Mode).Perm())
			if err != nil {
				return "", err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return "", err
			}
			if err := out.Close(); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("%s: entry %q has type %q; the server installs only directories and regular files", tarball, hdr.Name, hdr.Typeflag)
		}
	}
	if top == "" {
		return "", fmt.Errorf("%s: empty archive", tarball)
	}
	return filepath.Join(dst, top), nil
}
