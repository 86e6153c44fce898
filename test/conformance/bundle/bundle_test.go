package bundle

import (
	"bytes"
	"context"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// uploadLimit is Mattermost's default FileSettings.MaxFileSize, the largest bundle an admin can upload.
const uploadLimit = 100 * 1024 * 1024

// portablePlatforms are the platforms the portable bundle has launchers for.
var portablePlatforms = []string{"darwin-amd64", "darwin-arm64", "linux-amd64", "linux-arm64"}

// unpacked caches each bundle unpacked once per run (the standalone one is ~150 MB); harness.New copies
// the plugin folder into each test's own plugin directory, so tests cannot disturb one another.
var (
	unpackRoot string
	unpacked   = map[string]string{}
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dir, err := os.MkdirTemp("", "bundle-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	unpackRoot = dir
	return m.Run()
}

// index loads dist/bundles.json from $BUNDLE_DIST_DIR, or skips the test when it is not set.
func index(t *testing.T) *Index {
	t.Helper()
	dir := os.Getenv(DistDirEnv)
	if dir == "" {
		t.Skipf("$%s is not set: these tests check the bundles `npm run dist` wrote; from the repository root run "+
			"`npm run dist -- --platforms %s && node scripts/sea/test-bundles.mjs`", DistDirEnv, harness.RuntimeKey)
	}
	idx, err := LoadIndex(dir)
	require.NoError(t, err)
	return idx
}

// install unpacks this platform's bundle of the given kind into a fresh directory, as the server does
// with an upload, and returns the plugin folder and its manifest.
func install(t *testing.T, kind string) (string, *model.Manifest, *Entry) {
	t.Helper()
	idx := index(t)
	e, err := idx.Find(kind, harness.RuntimeKey)
	require.NoError(t, err)
	dir, ok := unpacked[e.File]
	if !ok {
		dir, err = Extract(idx.Path(e), filepath.Join(unpackRoot, kind))
		require.NoError(t, err)
		unpacked[e.File] = dir
	}
	m, err := harness.CheckPluginDir(dir)
	require.NoError(t, err)
	return dir, m, e
}

// checkLayout checks what every bundle must satisfy: the folder is named after the id, the manifest
// passes the server's validation and carries package.json's version, the files it names exist, the
// size is under the upload limit.
func checkLayout(t *testing.T, dir string, m *model.Manifest, e *Entry) {
	t.Helper()
	idx := index(t)
	require.Equal(t, PluginID, m.Id)
	require.Equal(t, m.Id, filepath.Base(dir), "the bundle's folder must be named after the plugin id")
	require.NoError(t, m.IsValid(), "plugin.json must pass model.Manifest.IsValid")
	var pkg struct {
		Version string `json:"version"`
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "package.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &pkg))
	require.Equal(t, pkg.Version, m.Version, "plugin.json's version must be package.json's")
	require.Equal(t, idx.Version, m.Version)
	require.Contains(t, e.File, "-"+m.Version)

	for _, f := range []string{m.Webapp.BundlePath, m.IconPath, "assets/bot-icon.png"} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, "the bundle must hold %s", f)
		require.True(t, st.Mode().IsRegular() && st.Size() > 0, "%s must be a non-empty file", f)
	}
	for key, exe := range m.Server.Executables {
		st, err := os.Stat(filepath.Join(dir, exe))
		require.NoError(t, err, "executable for %s", key)
		require.Equal(t, os.FileMode(0o755), st.Mode().Perm(), "%s must be stored with mode 0755", exe)
	}
	st, err := os.Stat(idx.Path(e))
	require.NoError(t, err)
	require.Equal(t, e.Bytes, st.Size(), "bundles.json's size of %s", e.File)
	require.Less(t, st.Size(), int64(uploadLimit), "%s must be under Mattermost's default upload limit", e.File)
}

func TestStandaloneBundleLayout(t *testing.T) {
	dir, m, e := install(t, "standalone")
	checkLayout(t, dir, m, e)
	exe := "server/dist/plugin-" + harness.RuntimeKey
	require.Equal(t, map[string]string{harness.RuntimeKey: exe}, m.Server.Executables,
		"a standalone bundle names exactly its own platform's executable")
	require.Equal(t, PluginID+"-"+m.Version+"-"+harness.RuntimeKey+".tar.gz", e.File)
	require.False(t, e.Unsigned)
	license, err := os.ReadFile(filepath.Join(dir, "server/dist/NODE-LICENSE"))
	require.NoError(t, err, "the executable embeds Node.js: its license ships with it")
	require.Contains(t, string(license), "Node.js is licensed for use as follows")
}

func TestPortableBundleLayout(t *testing.T) {
	dir, m, e := install(t, "portable")
	checkLayout(t, dir, m, e)
	require.Equal(t, PluginID+"-"+m.Version+".tar.gz", e.File)
	keys := make([]string, 0, len(m.Server.Executables))
	for k, exe := range m.Server.Executables {
		keys = append(keys, k)
		require.Equal(t, "server/dist/plugin-"+k, exe)
	}
	slices.Sort(keys)
	require.Equal(t, portablePlatforms, keys)
	_, err := os.Stat(filepath.Join(dir, "server/dist/plugin.cjs"))
	require.NoError(t, err, "the launchers run server/dist/plugin.cjs")
}

// The standalone bundle runs the product under the host code on a machine without Node.js: nothing on
// PATH, so neither the launcher path nor a host node can be what runs.
func TestStandaloneBundleRunsWithoutNode(t *testing.T) {
	dir, _, _ := install(t, "standalone")
	t.Setenv("PATH", t.TempDir())
	runProduct(t, dir)
}

// The portable bundle runs the product with the host's Node.js (this machine's, 20 or newer).
func TestPortableBundleRunsWithHostNode(t *testing.T) {
	dir, _, _ := install(t, "portable")
	_, err := exec.LookPath("node")
	require.NoError(t, err, "the portable bundle's test needs node on PATH")
	runProduct(t, dir)
}

// runProduct activates the installed product and drives one of each: the bot and its icon (read from the
// bundle's assets through GetBundlePath), the HTTP API (PUT and GET words, 401 without a user), and a post
// with a trigger word that must end as an alert DM.
func runProduct(t *testing.T, dir string) {
	w := NewWorld()
	driveProduct(t, dir, w, harness.Start(t, dir, w.API))
}

// driveProduct is runProduct after the plugin in dir was activated on w's API.
func driveProduct(t *testing.T, dir string, w *World, h *harness.Host) {
	bot := w.API.Bot(PluginID)
	require.NotNil(t, bot, "activation must ensure the bot")
	icon, ok := w.API.ProfileImage(bot.UserId)
	require.True(t, ok, "activation must set the bot's icon")
	want, err := os.ReadFile(filepath.Join(dir, "assets", "bot-icon.png"))
	require.NoError(t, err)
	require.Equal(t, want, icon, "the bot icon must be the bundle's assets/bot-icon.png")

	put := h.ServeHTTP(harness.Request{
		Method: http.MethodPut, Path: w.WordsPath(), UserID: w.Alice.Id,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"words":["deploy"]}`),
	})
	require.Equal(t, http.StatusOK, put.Code, "PUT words: %s", put.Body.String())

	get := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: "/api/v1/words", UserID: w.Alice.Id})
	require.Equal(t, http.StatusOK, get.Code, "GET /words: %s", get.Body.String())
	var all struct {
		Channels []struct {
			ChannelID string   `json:"channel_id"`
			Words     []string `json:"words"`
		} `json:"channels"`
	}
	require.NoError(t, json.Unmarshal(get.Body.Bytes(), &all), "GET /words: %s", get.Body.String())
	require.Len(t, all.Channels, 1, "GET /words: %s", get.Body.String())
	require.Equal(t, w.Town.Id, all.Channels[0].ChannelID)
	require.Equal(t, []string{"deploy"}, all.Channels[0].Words)

	anon := h.ServeHTTP(harness.Request{Method: http.MethodGet, Path: "/api/v1/words"})
	require.Equal(t, http.StatusUnauthorized, anon.Code, "GET /words without Mattermost-User-Id: %s", anon.Body.String())

	post := w.Post("ready to deploy the release?")
	var rpcErr error
	h.Do("MessageHasBeenPosted", func() { rpcErr = h.HooksRPC().MessageHasBeenPostedWithRPCErr(HookContext(), post.Clone()) })
	require.NoError(t, rpcErr)
	dm := w.API.DirectChannel(bot.UserId, w.Alice.Id)
	require.NotNil(t, dm, "the post with alice's word must open a DM between the bot and alice")
	dms := w.API.Posts(dm.Id)
	require.Len(t, dms, 1)
	require.Equal(t, bot.UserId, dms[0].UserId)
	require.Contains(t, dms[0].Message, "deploy")
	require.Contains(t, dms[0].Message, post.Id, "the alert links the post")
}

// byHand runs an executable as a person would: no magic cookie, the given PATH.
func byHand(t *testing.T, exe, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = []string{"PATH=" + path}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "%s started by hand did not exit", exe)
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr, "%s started by hand must exit non-zero", exe)
	return exitErr.ExitCode(), stderr.String()
}

func TestStandaloneExecutableStartedByHand(t *testing.T) {
	dir, m, _ := install(t, "standalone")
	code, stderr := byHand(t, filepath.Join(dir, m.Server.Executables[harness.RuntimeKey]), t.TempDir())
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "This binary is a plugin. These are not meant to be executed directly.")
}

func TestPortableLauncherStartedByHand(t *testing.T) {
	dir, m, _ := install(t, "portable")
	path := os.Getenv("PATH")
	code, stderr := byHand(t, filepath.Join(dir, m.Server.Executables[harness.RuntimeKey]), path)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "This binary is a plugin. These are not meant to be executed directly.")
}

// Without node on the server's PATH the launcher says so, the plugin fails to start, and the server's
// log carries the reason at error level.
func TestPortableLauncherWithoutNode(t *testing.T) {
	dir, m, _ := install(t, "portable")
	empty := t.TempDir()
	code, stderr := byHand(t, filepath.Join(dir, m.Server.Executables[harness.RuntimeKey]), empty)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "[ERROR] this plugin bundle runs with the server's Node.js, but there is no 'node' on the PATH")
	require.Contains(t, stderr, "standalone bundle")

	t.Setenv("PATH", empty)
	w := NewWorld()
	h := harness.New(t, dir, w.API)
	require.Error(t, h.Activate(), "activation must fail without Node.js")
	requireLoggedError(t, h, "no 'node' on the PATH")
}

// With a Node.js older than 20 first on PATH the launcher names it and refuses.
func TestPortableLauncherWithOldNode(t *testing.T) {
	dir, m, _ := install(t, "portable")
	fake := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(fake, "node"), []byte("#!/bin/sh\necho v18.20.4\n"), 0o755))
	code, stderr := byHand(t, filepath.Join(dir, m.Server.Executables[harness.RuntimeKey]), fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "needs Node.js 20 or newer")
	require.Contains(t, stderr, filepath.Join(fake, "node")+" is v18.20.4")
}

// requireLoggedError waits briefly for an error-level line holding want in the host log: go-plugin copies
// the plugin's stderr into the server log on its own goroutine.
func requireLoggedError(t *testing.T, h *harness.Host, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, line := range strings.Split(h.Logs.String(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "error ") && strings.Contains(line, want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server log has no error line containing %q:\n%s", want, h.Logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seaFuse is the sentinel Node.js checks to know a single-executable blob was injected; postject sets the
// byte after the colon to '1'.
const seaFuse = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:"

// Every standalone bundle built, including those for platforms this machine cannot run, holds one
// executable of its platform's format and architecture, with the SEA fuse set and the very JavaScript
// the portable bundle runs embedded in it.
func TestStandaloneExecutablesOfEveryPlatform(t *testing.T) {
	idx := index(t)
	portableDir, _, _ := install(t, "portable")
	script, err := os.ReadFile(filepath.Join(portableDir, "server/dist/plugin.cjs"))
	require.NoError(t, err)
	n := 0
	for i := range idx.Bundles {
		e := &idx.Bundles[i]
		if e.Kind != "standalone" {
			continue
		}
		n++
		t.Run(e.Platforms[0], func(t *testing.T) {
			platform := e.Platforms[0]
			dir, err := Extract(idx.Path(e), t.TempDir())
			require.NoError(t, err)
			raw, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
			require.NoError(t, err)
			var m model.Manifest
			require.NoError(t, json.Unmarshal(raw, &m))
			require.NoError(t, m.IsValid())
			name := "server/dist/plugin-" + platform
			if strings.HasPrefix(platform, "windows-") {
				name += ".exe" // Mattermost requires the extension on Windows (model.ManifestServer)
			}
			require.Equal(t, map[string]string{platform: name}, m.Server.Executables)
			exe, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			require.Equal(t, platform, executablePlatform(t, exe), "format and architecture of %s", name)
			at := bytes.Index(exe, []byte(seaFuse))
			require.GreaterOrEqual(t, at, 0, "%s has no SEA fuse: not a Node.js single executable", name)
			require.Equal(t, byte('1'), exe[at+len(seaFuse)], "%s: the SEA fuse is not set (no blob injected)", name)
			require.True(t, bytes.Contains(exe, script), "%s must embed server/dist/plugin.cjs as built", name)
		})
	}
	require.Positive(t, n, "bundles.json lists no standalone bundle")
}

// executablePlatform reads an executable's header: "<os>-<arch>" in Mattermost's terms.
func executablePlatform(t *testing.T, exe []byte) string {
	t.Helper()
	r := bytes.NewReader(exe)
	if f, err := elf.NewFile(r); err == nil {
		switch f.Machine {
		case elf.EM_X86_64:
			return "linux-amd64"
		case elf.EM_AARCH64:
			return "linux-arm64"
		}
		return "linux-" + f.Machine.String()
	}
	if f, err := pe.NewFile(r); err == nil {
		switch f.Machine {
		case pe.IMAGE_FILE_MACHINE_AMD64:
			return "windows-amd64"
		case pe.IMAGE_FILE_MACHINE_ARM64:
			return "windows-arm64"
		}
		return fmt.Sprintf("windows-%#x", f.Machine)
	}
	if f, err := macho.NewFile(r); err == nil {
		switch f.Cpu {
		case macho.CpuAmd64:
			return "darwin-amd64"
		case macho.CpuArm64:
			return "darwin-arm64"
		}
		return "darwin-" + f.Cpu.String()
	}
	t.Fatalf("not an ELF, PE or Mach-O executable")
	return ""
}
