package bundle

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// glibcAndCXX is what every glibc server has, minimal container images included: the C library and the
// C++ runtime. A standalone executable may need these and its platform's dynamic loader, nothing else
// unless the bundle carries it (issue #15: Node.js links libatomic.so.1, which minimal images lack).
var glibcAndCXX = []string{
	"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libstdc++.so.6", "libgcc_s.so.1",
}

// linuxLoaders maps a Linux platform to its dynamic loader's soname and the path executables name in
// PT_INTERP (the same on every glibc distribution, which is what lets one executable run on all of them).
var linuxLoaders = map[string]struct{ soname, interp string }{
	"linux-amd64": {"ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2"},
	"linux-arm64": {"ld-linux-aarch64.so.1", "/lib/ld-linux-aarch64.so.1"},
}

func systemLibrary(platform, soname string) bool {
	return slices.Contains(glibcAndCXX, soname) || linuxLoaders[platform].soname == soname
}

// elfInfo is what the dynamic loader reads of an ELF file to find its libraries.
type elfInfo struct {
	Machine elf.Machine
	Needed  []string // DT_NEEDED
	Runpath []string // DT_RUNPATH entries, or DT_RPATH's when there is no RUNPATH
	Soname  string
	Interp  string // PT_INTERP
}

func readELF(path string) (*elfInfo, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info := &elfInfo{Machine: f.Machine}
	if info.Needed, err = f.ImportedLibraries(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	runpath, err := f.DynString(elf.DT_RUNPATH)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(runpath) == 0 {
		if runpath, err = f.DynString(elf.DT_RPATH); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	for _, r := range runpath {
		info.Runpath = append(info.Runpath, strings.Split(r, ":")...)
	}
	if soname, err := f.DynString(elf.DT_SONAME); err == nil && len(soname) > 0 {
		info.Soname = soname[0]
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			raw := make([]byte, p.Filesz)
			if _, err := p.ReadAt(raw, 0); err != nil {
				return nil, fmt.Errorf("%s: PT_INTERP: %w", path, err)
			}
			info.Interp = strings.TrimRight(string(raw), "\x00")
		}
	}
	return info, nil
}

// checkLibraries returns every reason why the executable exe (a path inside the plugin folder dir) would
// not start on a server that has only the system libraries: a library it needs that is neither a system
// library nor found, inside the bundle, through its RUNPATH, as the loader would search it. read is
// readELF, or a stand-in that alters what it reads (to prove the check can fail).
func checkLibraries(dir, exe, platform string, read func(string) (*elfInfo, error)) (problems []string, shipped map[string]string) {
	shipped = map[string]string{}
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	info, err := read(exe)
	if err != nil {
		return []string{err.Error()}, shipped
	}
	name := filepath.Base(exe)
	if want := linuxLoaders[platform].interp; info.Interp != want {
		bad("%s asks for the loader %q, want %q", name, info.Interp, want)
	}
	// $ORIGIN is the executable's folder; anything else would name a folder of the build machine, or
	// depend on where the server unpacks plugins.
	var dirs []string
	for _, r := range info.Runpath {
		rest, ok := strings.CutPrefix(r, "$ORIGIN")
		if !ok {
			rest, ok = strings.CutPrefix(r, "${ORIGIN}")
		}
		if !ok {
			bad("%s has the RUNPATH entry %q, which is not relative to $ORIGIN (the executable's folder)", name, r)
			continue
		}
		d := filepath.Join(filepath.Dir(exe), rest)
		if rel, err := filepath.Rel(dir, d); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			bad("%s has the RUNPATH entry %q, which leaves the plugin folder", name, r)
			continue
		}
		dirs = append(dirs, d)
	}
	for _, soname := range info.Needed {
		if systemLibrary(platform, soname) {
			continue
		}
		found := ""
		for _, d := range dirs {
			candidate := filepath.Join(d, soname)
			if st, err := os.Lstat(candidate); err == nil && st.Mode().IsRegular() {
				found = candidate
				break
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				bad("%s: %v", candidate, err)
			}
		}
		if found == "" {
			bad("%s needs %s, which is not a library every server has (%s, %s) and which the bundle does not carry where its RUNPATH %q leads",
				name, soname, strings.Join(glibcAndCXX, ", "), linuxLoaders[platform].soname, info.Runpath)
			continue
		}
		lib, err := read(found)
		if err != nil {
			bad("%s: %v", found, err)
			continue
		}
		rel, _ := filepath.Rel(dir, found)
		shipped[soname] = filepath.ToSlash(rel)
		if lib.Machine != info.Machine {
			bad("%s is for %s, the executable for %s", rel, lib.Machine, info.Machine)
		}
		if lib.Soname != soname {
			bad("%s has the SONAME %q, want %q", rel, lib.Soname, soname)
		}
		// The shipped library has no RUNPATH of its own: what it needs must be on every server.
		for _, n := range lib.Needed {
			if !systemLibrary(platform, n) {
				bad("%s needs %s, which a server may lack", rel, n)
			}
		}
	}
	return problems, shipped
}

// linuxStandalone unpacks every Linux standalone bundle bundles.json lists and calls f with each plugin
// folder and its executable.
func linuxStandalone(t *testing.T, f func(t *testing.T, e *Entry, dir, exe string)) {
	idx := index(t)
	n := 0
	for i := range idx.Bundles {
		e := &idx.Bundles[i]
		platform := e.Platforms[0]
		if e.Kind != "standalone" || linuxLoaders[platform].soname == "" {
			continue
		}
		n++
		t.Run(platform, func(t *testing.T) {
			dir, err := Extract(idx.Path(e), t.TempDir())
			require.NoError(t, err)
			f(t, e, dir, filepath.Join(dir, "server/dist/plugin-"+platform))
		})
	}
	require.Positive(t, n, "bundles.json lists no Linux standalone bundle")
}

// Issue #15: every Linux standalone executable starts on a server that has only glibc and the C++
// runtime. Every library it needs is one of those, or ships in the bundle where its RUNPATH leads, and
// then bundles.json records it with its Debian origin and its licence ships too.
func TestStandaloneLibraries(t *testing.T) {
	linuxStandalone(t, func(t *testing.T, e *Entry, dir, exe string) {
		info, err := readELF(exe)
		require.NoError(t, err)
		t.Logf("%s: NEEDED %v, RUNPATH %v, interpreter %s", filepath.Base(exe), info.Needed, info.Runpath, info.Interp)
		problems, shipped := checkLibraries(dir, exe, e.Platforms[0], readELF)
		require.Empty(t, problems, "%s would not start on a minimal server", e.File)

		recorded := map[string]string{}
		for _, l := range e.Libraries {
			recorded[l.Soname] = l.File
			raw, err := os.ReadFile(filepath.Join(dir, l.File))
			require.NoError(t, err, "bundles.json lists %s", l.File)
			sum := sha256.Sum256(raw)
			require.Equal(t, l.Sha256, hex.EncodeToString(sum[:]), "%s's SHA-256 in bundles.json", l.File)
			require.True(t, strings.HasSuffix(l.DebianPackage, ":"+strings.TrimPrefix(e.Platforms[0], "linux-")), "%s comes from %s", l.File, l.DebianPackage)
			license, err := os.ReadFile(filepath.Join(dir, l.License))
			require.NoError(t, err, "%s ships without its licence", l.File)
			for _, want := range []string{
				l.Soname, l.Version, "apt-get source " + l.Source + "=" + l.Version,
				"GCC RUNTIME LIBRARY EXCEPTION", "GNU GENERAL PUBLIC LICENSE", "Version 3, 29 June 2007",
			} {
				require.True(t, strings.Contains(string(license), want), "%s must contain %q", l.License, want)
			}
		}
		require.Equal(t, shipped, recorded, "bundles.json must list exactly the libraries the executable loads from the bundle")
	})
}

// The check above is real: with the shipped library gone, with the RUNPATH gone or pointing at the build
// machine, or with a library nobody ships, it reports the executable.
func TestLibraryCheckFails(t *testing.T) {
	linuxStandalone(t, func(t *testing.T, e *Entry, dir, exe string) {
		platform := e.Platforms[0]
		problems, shipped := checkLibraries(dir, exe, platform, readELF)
		require.Empty(t, problems)

		with := func(change func(*elfInfo)) func(string) (*elfInfo, error) {
			return func(p string) (*elfInfo, error) {
				info, err := readELF(p)
				if err == nil && p == exe {
					change(info)
				}
				return info, err
			}
		}
		problems, _ = checkLibraries(dir, exe, platform, with(func(i *elfInfo) { i.Needed = append(i.Needed, "libfoo.so.3") }))
		require.Len(t, problems, 1)
		require.Contains(t, problems[0], "needs libfoo.so.3")

		problems, _ = checkLibraries(dir, exe, platform, with(func(i *elfInfo) { i.Interp = "/nix/store/ld.so" }))
		require.NotEmpty(t, problems)

		if len(shipped) == 0 {
			t.Logf("%s ships no library: nothing to remove", e.File)
			return
		}
		problems, _ = checkLibraries(dir, exe, platform, with(func(i *elfInfo) { i.Runpath = nil }))
		require.Len(t, problems, len(shipped), "without its RUNPATH the loader never looks into the bundle")
		problems, _ = checkLibraries(dir, exe, platform, with(func(i *elfInfo) { i.Runpath = []string{"/usr/lib/x86_64-linux-gnu"} }))
		require.NotEmpty(t, problems, "an absolute RUNPATH names a folder of the build machine")
		problems, _ = checkLibraries(dir, exe, platform, with(func(i *elfInfo) { i.Runpath = []string{"$ORIGIN/../../.."} }))
		require.NotEmpty(t, problems, "a RUNPATH leaving the plugin folder")

		for _, rel := range shipped {
			require.NoError(t, os.Remove(filepath.Join(dir, rel)))
		}
		problems, _ = checkLibraries(dir, exe, platform, readELF)
		require.Len(t, problems, len(shipped), "with the shipped libraries removed")
		for soname := range shipped {
			require.Contains(t, strings.Join(problems, "\n"), "needs "+soname)
		}
	})
}
