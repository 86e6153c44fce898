//go:build linux

package bundle

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"triggeralerts/conformance/harness"
)

// The standalone bundles on the systems they are for (issue #15), beyond this machine: the linux-amd64
// bundle inside the root filesystem of a server without Node.js, and the linux-arm64 bundle under
// user-mode emulation. scripts/sea/test-bundles.mjs --os prepares both and sets:
const (
	// MinbaseRootEnv: an unpacked Debian minbase root filesystem with the official server image's
	// packages (scripts/sea/minbase.mjs), entered with chroot; needs root.
	MinbaseRootEnv = "BUNDLE_MINBASE_ROOT"
	// QemuAarch64Env: Debian's qemu-aarch64 (qemu-user); the arm64 C and C++ runtime must be installed
	// through multiarch (libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64), libatomic1:arm64 must not.
	QemuAarch64Env = "BUNDLE_QEMU_AARCH64"
	// OSTestsEnv: when set, a missing MinbaseRootEnv or QemuAarch64Env fails the tests instead of
	// skipping them, so that CI cannot pass without running them.
	OSTestsEnv = "BUNDLE_OS_TESTS"
)

// serverUID is the user Mattermost's official image runs the server (and so its plugins) as.
const serverUID = 2000

const refusal = "This binary is a plugin. These are not meant to be executed directly."

func requireEnv(t *testing.T, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv(OSTestsEnv) != "" {
			t.Fatalf("$%s is set but $%s is not: %s", OSTestsEnv, name, what)
		}
		t.Skipf("$%s is not set (%s); `node scripts/sea/test-bundles.mjs --os` sets it", name, what)
	}
	return v
}

// runCmd starts argv with only env, as a person would start it by hand, and returns its exit code and output.
func runCmd(t *testing.T, attr *syscall.SysProcAttr, env []string, argv ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = "/"
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	require.NoError(t, ctx.Err(), "%v did not exit", argv)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), string(out)
	}
	require.NoError(t, err, "%v", argv)
	return 0, string(out)
}

// copyWithout makes a copy of the plugin folder src in a new folder beside it, leaving out the files
// named in skip (paths inside the folder), hard-linking the large files (the executable).
func copyWithout(t *testing.T, src string, skip ...string) string {
	t.Helper()
	dst, err := os.MkdirTemp(filepath.Dir(filepath.Dir(src)), "copy-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dst, 0o755))
	t.Cleanup(func() { os.RemoveAll(dst) })
	dst = filepath.Join(dst, filepath.Base(src))
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		for _, s := range skip {
			if filepath.ToSlash(rel) == s {
				return nil
			}
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return os.Link(p, target)
	})
	require.NoError(t, err)
	return dst
}

// findLibatomic lists the libatomic files under the library folders of root.
func findLibatomic(root string, dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		_ = filepath.WalkDir(filepath.Join(root, d), func(p string, e fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(e.Name(), "libatomic.so") {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}

// ldList is what the dynamic loader resolves soname to for exe (`ld.so --list`): the proof of where a
// library is taken from, which a successful start alone does not give.
func ldList(t *testing.T, attr *syscall.SysProcAttr, loader []string, exe, soname string) string {
	t.Helper()
	code, out := runCmd(t, attr, []string{"PATH=/usr/bin:/bin"}, append(loader, "--list", exe)...)
	require.Equal(t, 0, code, "ld.so --list %s:\n%s", exe, out)
	for _, line := range strings.Split(out, "\n") {
		if name, rest, ok := strings.Cut(strings.TrimSpace(line), " => "); ok && name == soname {
			path, _, _ := strings.Cut(rest, " (")
			return path
		}
	}
	t.Fatalf("ld.so --list %s does not list %s:\n%s", exe, soname, out)
	return ""
}

// Issue #15: the linux-amd64 bundle, unpacked in a root filesystem like Mattermost's official image
// (Debian minbase plus ca-certificates curl mime-support unrtf wv poppler-utils tidy tzdata, no Node.js,
// no libatomic), starts when run as the image's server user: started by hand it refuses with the
// plugin message. The copy of libatomic it loads is the bundle's, and without it it does not start.
func TestStandaloneInMinbase(t *testing.T) {
	root := requireEnv(t, MinbaseRootEnv, "a Debian minbase root filesystem to chroot into")
	require.Equal(t, 0, os.Getuid(), "chroot needs root")
	_, err := os.Stat(filepath.Join(root, "usr/lib/os-release"))
	require.NoError(t, err, "$%s=%s is not an unpacked root filesystem", MinbaseRootEnv, root)
	require.Empty(t, findLibatomic(root, "lib", "lib64", "usr/lib", "usr/lib64", "usr/local/lib"),
		"the root filesystem has libatomic: the test would not show that the bundle brings its own")

	idx := index(t)
	e, err := idx.Find("standalone", "linux-amd64")
	require.NoError(t, err)
	// Where the official image keeps plugins, one fresh folder per run.
	parent := filepath.Join(root, "mattermost")
	require.NoError(t, os.MkdirAll(parent, 0o755))
	plugins, err := os.MkdirTemp(parent, "plugins-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(plugins) })
	require.NoError(t, os.Chmod(plugins, 0o755))
	dir, err := Extract(idx.Path(e), plugins)
	require.NoError(t, err)
	inRoot := func(p string) string { return "/" + strings.TrimPrefix(strings.TrimPrefix(p, root), "/") }

	// glibc finds $ORIGIN through /proc/self/exe; every server (every container) has /proc.
	proc := filepath.Join(root, "proc")
	require.NoError(t, syscall.Mount("proc", proc, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""))
	t.Cleanup(func() {
		if err := syscall.Unmount(proc, 0); err != nil {
			t.Errorf("unmounting %s: %v", proc, err)
			_ = syscall.Unmount(proc, syscall.MNT_DETACH)
		}
	})
	asServer := &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: serverUID, Gid: serverUID}}
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

	exe := inRoot(filepath.Join(dir, "server/dist/plugin-linux-amd64"))
	code, out := runCmd(t, asServer, env, exe)
	require.Equal(t, 1, code, "%s in the minbase root filesystem:\n%s", exe, out)
	require.Contains(t, out, refusal)

	got := ldList(t, asServer, []string{"/lib64/ld-linux-x86-64.so.2"}, exe, "libatomic.so.1")
	require.Equal(t, inRoot(filepath.Join(dir, "server/dist/libatomic.so.1")), got)

	bare := copyWithout(t, dir, "server/dist/libatomic.so.1")
	code, out = runCmd(t, asServer, env, inRoot(filepath.Join(bare, "server/dist/plugin-linux-amd64")))
	require.Equal(t, 127, code, "without the shipped libatomic the executable must not start here:\n%s", out)
	require.Contains(t, out, "libatomic.so.1: cannot open shared object file")
}

// Issue #15: the linux-arm64 bundle, never run on arm64 hardware here, runs under qemu-user with the
// arm64 C and C++ runtime of Debian's multiarch packages and NO libatomic on the system: started by hand
// it refuses with the plugin message; its libatomic is the bundle's (and without it, it does not start);
// and Mattermost's host code activates it and drives the product (the bundle test's runProduct).
func TestStandaloneArm64UnderQemu(t *testing.T) {
	qemu := requireEnv(t, QemuAarch64Env, "qemu-aarch64, to run the linux-arm64 bundle")
	const loader = "/lib/ld-linux-aarch64.so.1"
	_, err := os.Stat(loader)
	require.NoError(t, err, "the arm64 C library is missing: dpkg --add-architecture arm64 && apt-get update && apt-get install libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64")
	require.Empty(t, findLibatomic("/", "lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu"),
		"libatomic1:arm64 is installed here, so the test could not tell whether the bundle finds its own copy: apt-get remove libatomic1:arm64")

	idx := index(t)
	e, err := idx.Find("standalone", "linux-arm64")
	require.NoError(t, err)
	dir, ok := unpacked[e.File]
	if !ok {
		dir, err = Extract(idx.Path(e), filepath.Join(unpackRoot, "standalone-linux-arm64"))
		require.NoError(t, err)
		unpacked[e.File] = dir
	}
	exe := filepath.Join(dir, "server/dist/plugin-linux-arm64")
	emulated := []string{qemu, "-L", "/"}
	env := []string{"PATH=" + t.TempDir()}

	start := time.Now()
	code, out := runCmd(t, nil, env, append(emulated, exe)...)
	t.Logf("started by hand under qemu: exit %d after %s", code, time.Since(start).Round(time.Millisecond))
	require.Equal(t, 1, code, "%s under qemu:\n%s", exe, out)
	require.Contains(t, out, refusal)

	got := ldList(t, nil, append(emulated, loader), exe, "libatomic.so.1")
	require.Equal(t, filepath.Join(dir, "server/dist/libatomic.so.1"), got)

	bare := copyWithout(t, dir, "server/dist/libatomic.so.1")
	code, out = runCmd(t, nil, env, append(emulated, filepath.Join(bare, "server/dist/plugin-linux-arm64"))...)
	require.Equal(t, 127, code, "without the shipped libatomic the executable must not start:\n%s", out)
	require.Contains(t, out, "libatomic.so.1: cannot open shared object file")

	t.Run("product", func(t *testing.T) {
		pluginDir := qemuCopy(t, dir, qemu)
		t.Setenv("PATH", t.TempDir()) // no Node.js: what runs is the bundle's executable
		w, h := activateEmulated(t, pluginDir)
		driveProduct(t, pluginDir, w, h)
	})
}

// qemuCopy makes a test-only copy of the arm64 plugin folder whose plugin.json names, for this machine's
// platform, a script starting the arm64 executable under qemu: the host code starts that as it would the
// executable itself.
func qemuCopy(t *testing.T, dir, qemu string) string {
	t.Helper()
	cp := copyWithout(t, dir, "plugin.json")
	raw, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	m["server"].(map[string]any)["executables"] = map[string]string{harness.RuntimeKey: "server/dist/plugin-under-qemu"}
	raw, err = json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(cp, "plugin.json"), raw, 0o644))
	// --jitless: under emulation the code V8 generates must be translated once more by qemu, which puts
	// the start to handshake (≈ 2-4 s on a busy 2-vCPU machine) past the host's fixed 3 s start timeout;
	// the interpreter alone starts in about half the time. The JavaScript run is the same.
	// ${0%/*}, not dirname: the test runs with an empty PATH (no Node.js, and so no other programs).
	script := "#!/bin/sh\nNODE_OPTIONS=--jitless exec '" + qemu + "' -L / \"${0%/*}/plugin-linux-arm64\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(cp, "server/dist/plugin-under-qemu"), []byte(script), 0o755))
	return cp
}

// activateEmulated activates the plugin, trying up to three times when the only failure is the host's
// 3 s start timeout (a property of emulation on a busy machine, not of the bundle: on arm64 hardware the
// executable completes the handshake in a fraction of that). Any other failure fails at once.
func activateEmulated(t *testing.T, dir string) (*World, *harness.Host) {
	t.Helper()
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		w := NewWorld()
		h := harness.New(t, dir, w.API)
		start := time.Now()
		err := h.Activate()
		if err == nil {
			t.Logf("activated under qemu in %s (attempt %d)", time.Since(start).Round(time.Millisecond), attempt)
			return w, h
		}
		if !strings.Contains(err.Error(), "timeout while waiting for plugin to start") {
			t.Fatalf("activating the arm64 plugin under qemu: %v", err)
		}
		t.Logf("attempt %d: %v", attempt, err)
		last = err
	}
	t.Fatalf("the arm64 plugin under qemu never completed the handshake within the host's start timeout: %v", last)
	return nil, nil
}
