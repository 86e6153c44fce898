// Package benchstart measures what an admin's server pays for the standalone bundle's executable, next to
// the Go reference plugin in the same run: process start to handshake line, and the plugin process's
// resident memory after activation and after 1 000 and 10 000 MessageHasBeenPosted calls. It is a
// benchmark (go test -bench), never part of the test run; `npm run bench:start` builds the bundle and
// runs it:
//
//	BENCH_DIST_DIR=../../dist go test ./benchstart -run '^$' -bench Start -benchtime 1x
//
// Memory is read from /proc (Linux only).
package benchstart

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"triggeralerts/conformance/bundle"
	"triggeralerts/conformance/harness"
)

const (
	startRounds = 15
	hooksFirst  = 1000
	hooksTotal  = 10000
	settle      = 500 * time.Millisecond // idle time before each memory reading
	// Fresh plugin processes whose RSS after activation is read; the median is reported. One reading
	// varies by about a MiB from process to process on one machine (which pages a start touches).
	activationRounds = 5
)

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func round(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// relExecutable is the plugin executable for this platform, relative to an installed plugin folder.
func relExecutable(b *testing.B, dir string) string {
	m, err := harness.CheckPluginDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	return m.GetExecutableForRuntime(runtime.GOOS, runtime.GOARCH)
}

// startTime execs exe as the host does and times it to the handshake line, in ms.
func startTime(b *testing.B, exe string) float64 {
	c := exec.Command(exe)
	c.Env = append(os.Environ(), "MATTERMOST_PLUGIN=Securely message teams, anywhere.", "PLUGIN_PROTOCOL_VERSIONS=1")
	out, err := c.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	d := float64(time.Since(t0).Nanoseconds()) / 1e6
	_ = c.Process.Kill()
	_ = c.Wait()
	if err != nil || !strings.HasPrefix(line, "1|1|") {
		b.Fatalf("%s: no handshake line: %q %v", exe, line, err)
	}
	return d
}

// ---------------------------------------------------------------------------------------------
// /proc

// pluginPID finds the running plugin process: a child of this test process running exe.
func pluginPID(b *testing.B, exe string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(exe)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		if got, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && got == want {
			return pid
		}
	}
	b.Fatalf("no child process of %d runs %s", os.Getpid(), exe)
	return 0
}

// rssMB is the process's resident set size (VmRSS) in MiB.
func rssMB(b *testing.B, pid int) float64 { return statusMB(b, pid, "VmRSS") }

// statusMB reads one "<field>: <n> kB" line of /proc/<pid>/status, in MiB.
func statusMB(b *testing.B, pid int, field string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				b.Fatalf("%s: %q", field, line)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}

// ---------------------------------------------------------------------------------------------
// Memory under hooks

type memory struct {
	active, after1k, after10k float64
	// activeAnon is what the process allocated itself (V8's heap, malloc); activeFile is the pages of its
	// executable it has touched (for the standalone executable: Node.js, the SEA blob), which the kernel
	// shares and can drop, and whose count depends on how the file was written and cached.
	activeAnon, activeFile float64
	hookUs                 float64 // mean MessageHasBeenPosted round trip over the run, µs
}

func (m memory) growthPct() float64 { return (m.after10k - m.after1k) / m.after1k * 100 }

// activationRSS reads RSS after activation (total, anonymous, file-backed; MiB) of activationRounds fresh
// processes of h's plugin (deactivated and activated again in between; ready, when given, runs after
// each activation) and returns the medians, and the pid of the last process, which stays active.
func activationRSS(b *testing.B, h *harness.Host, exe string, ready func()) (active, anon, file float64, pid int) {
	var totals, anons, files []float64
	for i := 0; i < activationRounds; i++ {
		if i > 0 {
			h.Env.Deactivate(h.ID)
			if err := h.Activate(); err != nil {
				b.Fatalf("activating the plugin again: %v", err)
			}
		}
		pid = pluginPID(b, exe)
		if ready != nil {
			ready()
		}
		time.Sleep(settle)
		totals = append(totals, rssMB(b, pid))
		anons = append(anons, statusMB(b, pid, "RssAnon"))
		files = append(files, statusMB(b, pid, "RssFile"))
	}
	return median(totals), median(anons), median(files), pid
}

// measureMemory installs the plugin on a fresh world, gives alice a trigger word (the product answers
// 200; the reference plugin has no such route and is not asked), then reads the process's RSS after
// activation and after hooksFirst and hooksTotal MessageHasBeenPosted calls. One post in ten holds
// alice's word, so the product sends alerts (up to its flood limit) besides matching every post.
func measureMemory(b *testing.B, dir string, product bool) memory {
	w := bundle.NewWorld()
	h := harness.Start(b, dir, w.API)
	var ready func()
	if product {
		ready = func() {
			put := h.ServeHTTP(harness.Request{
				Method: http.MethodPut, Path: w.WordsPath(), UserID: w.Alice.Id,
				Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"words":["deploy","on call"]}`),
			})
			if put.Code != http.StatusOK {
				b.Fatalf("PUT words: %d %s", put.Code, put.Body.String())
			}
		}
	}
	var m memory
	var pid int
	m.active, m.activeAnon, m.activeFile, pid = activationRSS(b, h, filepath.Join(h.BundlePath(), relExecutable(b, dir)), ready)
	hooks := h.HooksRPC()
	ctx := bundle.HookContext()
	var busy time.Duration
	for i := 1; i <= hooksTotal; i++ {
		msg := fmt.Sprintf("status update %d: the nightly build is green, the search cluster is healthy and nothing needs doing", i)
		if i%10 == 0 {
			msg = fmt.Sprintf("ready to deploy build %d to production after lunch", i)
		}
		post := w.Post(msg)
		t0 := time.Now()
		if err := hooks.MessageHasBeenPostedWithRPCErr(ctx, post); err != nil {
			b.Fatalf("MessageHasBeenPosted %d: %v", i, err)
		}
		busy += time.Since(t0)
		if i == hooksFirst {
			time.Sleep(settle)
			m.after1k = rssMB(b, pid)
		}
	}
	time.Sleep(settle)
	m.after10k = rssMB(b, pid)
	m.hookUs = float64(busy.Microseconds()) / hooksTotal
	if product {
		dm := w.API.DirectChannel(w.API.Bot(bundle.PluginID).UserId, w.Alice.Id)
		if dm == nil || len(w.API.Posts(dm.Id)) == 0 {
			b.Fatal("the product sent no alert: the hooks did not do the product's work")
		}
	}
	return m
}

// ---------------------------------------------------------------------------------------------

func BenchmarkStart(b *testing.B) {
	distDir := os.Getenv("BENCH_DIST_DIR")
	if distDir == "" {
		b.Skip("set BENCH_DIST_DIR to the directory `npm run dist` wrote (npm run bench:start does)")
	}
	if runtime.GOOS != "linux" {
		b.Skip("reads memory from /proc: Linux only")
	}
	if err := harness.InitGlobalLogger(false); err != nil {
		b.Fatal(err)
	}
	idx, err := bundle.LoadIndex(distDir)
	if err != nil {
		b.Fatal(err)
	}
	install := func(kind string) string {
		e, err := idx.Find(kind, harness.RuntimeKey)
		if err != nil {
			b.Fatal(err)
		}
		dir, err := bundle.Extract(idx.Path(e), filepath.Join(b.TempDir(), kind))
		if err != nil {
			b.Fatal(err)
		}
		return dir
	}
	seaDir, portableDir := install("standalone"), install("portable")
	goDir := b.TempDir()
	if err := harness.BuildRefPlugin("../refplugin", goDir); err != nil {
		b.Fatal(err)
	}
	exe := func(dir string) string { return filepath.Join(dir, relExecutable(b, dir)) }
	seaExe, portableExe, goExe := exe(seaDir), exe(portableDir), exe(goDir)

	// Alternate the three so machine noise weighs on all alike; one unmeasured round loads the page cache.
	startTime(b, seaExe)
	startTime(b, portableExe)
	startTime(b, goExe)
	var sea, portable, gor []float64
	for i := 0; i < startRounds; i++ {
		sea = append(sea, startTime(b, seaExe))
		portable = append(portable, startTime(b, portableExe))
		gor = append(gor, startTime(b, goExe))
	}
	seaMem := measureMemory(b, seaDir, true)
	goMem := measureMemory(b, goDir, false)

	fmt.Printf("\n%-52s %12s %12s %12s\n", fmt.Sprintf("median of %d starts / RSS in MiB (after activation: of %d)", startRounds, activationRounds), "standalone", "portable", "Go ref")
	fmt.Printf("%-52s %10.1fms %10.1fms %10.1fms\n", "process start to handshake line", median(sea), median(portable), median(gor))
	fmt.Printf("%-52s %12.1f %12s %12.1f\n", "RSS after activation", seaMem.active, "", goMem.active)
	fmt.Printf("%-52s %12.1f %12s %12.1f\n", "  of which anonymous (heap, malloc)", seaMem.activeAnon, "", goMem.activeAnon)
	fmt.Printf("%-52s %12.1f %12s %12.1f\n", "  of which pages of the executable and libraries", seaMem.activeFile, "", goMem.activeFile)
	fmt.Printf("%-52s %12.1f %12s %12.1f\n", fmt.Sprintf("RSS after %d MessageHasBeenPosted", hooksFirst), seaMem.after1k, "", goMem.after1k)
	fmt.Printf("%-52s %12.1f %12s %12.1f\n", fmt.Sprintf("RSS after %d MessageHasBeenPosted", hooksTotal), seaMem.after10k, "", goMem.after10k)
	fmt.Printf("%-52s %11.1f%% %12s %11.1f%%\n", fmt.Sprintf("RSS growth %d → %d hooks", hooksFirst, hooksTotal), seaMem.growthPct(), "", goMem.growthPct())
	fmt.Printf("%-52s %10.0fµs %12s %10.0fµs\n", "MessageHasBeenPosted round trip, mean (different work)", seaMem.hookUs, "", goMem.hookUs)
	fmt.Printf("targets: standalone start ≤ 50 ms, RSS after activation ≤ 60 MiB, growth ≤ 10 %%\n")
	line, _ := json.Marshal(map[string]any{
		"bench":              "start",
		"start_ms":           round(median(sea)),
		"go_start_ms":        round(median(gor)),
		"rss_mb_active":      round(seaMem.active),
		"rss_mb_active_anon": round(seaMem.activeAnon),
		"rss_growth_pct":     round(seaMem.growthPct()),
	})
	fmt.Println(string(line))
}

// BenchmarkRuntimeAlone measures the package's own cost with examples/hello, the smallest plugin on it
// (a command, a post filter, a KV counter), so that the product's matcher, tables and express do not
// count: start to handshake and RSS after activation and after hooksFirst/hooksTotal
// MessageWillBePosted calls (its filter runs on each). BENCH_HELLO_DIST_DIR is examples/hello/dist
// (`npm run dist:hello`); `npm run bench:start` sets it when that directory has a bundles.json.
func BenchmarkRuntimeAlone(b *testing.B) {
	distDir := os.Getenv("BENCH_HELLO_DIST_DIR")
	if distDir == "" {
		b.Skip("set BENCH_HELLO_DIST_DIR to examples/hello/dist (npm run dist:hello)")
	}
	if runtime.GOOS != "linux" {
		b.Skip("reads memory from /proc: Linux only")
	}
	if err := harness.InitGlobalLogger(false); err != nil {
		b.Fatal(err)
	}
	idx, err := bundle.LoadIndex(distDir)
	if err != nil {
		b.Fatal(err)
	}
	e, err := idx.Find("standalone", harness.RuntimeKey)
	if err != nil {
		b.Fatal(err)
	}
	dir, err := bundle.Extract(idx.Path(e), filepath.Join(b.TempDir(), "hello"))
	if err != nil {
		b.Fatal(err)
	}
	exe := filepath.Join(dir, relExecutable(b, dir))
	startTime(b, exe)
	var starts []float64
	for i := 0; i < startRounds; i++ {
		starts = append(starts, startTime(b, exe))
	}

	w := bundle.NewWorld()
	h := harness.Start(b, dir, w.API)
	active, anon, file, pid := activationRSS(b, h, filepath.Join(h.BundlePath(), relExecutable(b, dir)), nil)
	hooks := h.HooksRPC()
	ctx := bundle.HookContext()
	var after1k float64
	for i := 1; i <= hooksTotal; i++ {
		if _, _, err := hooks.MessageWillBePostedWithRPCErr(ctx, w.Post(fmt.Sprintf("status update %d: nothing to mask here", i))); err != nil {
			b.Fatalf("MessageWillBePosted %d: %v", i, err)
		}
		if i == hooksFirst {
			time.Sleep(settle)
			after1k = rssMB(b, pid)
		}
	}
	time.Sleep(settle)
	after10k := rssMB(b, pid)

	fmt.Printf("\nruntime alone (examples/hello, standalone executable), median of %d starts / RSS in MiB (after activation: median of %d processes)\n", startRounds, activationRounds)
	fmt.Printf("%-52s %10.1fms\n", "process start to handshake line", median(starts))
	fmt.Printf("%-52s %12.1f  (anonymous %.1f, executable pages %.1f)\n", "RSS after activation", active, anon, file)
	fmt.Printf("%-52s %12.1f\n", fmt.Sprintf("RSS after %d MessageWillBePosted", hooksFirst), after1k)
	fmt.Printf("%-52s %12.1f\n", fmt.Sprintf("RSS after %d MessageWillBePosted", hooksTotal), after10k)
	fmt.Printf("targets: start ≤ 50 ms, RSS after activation ≤ 60 MiB\n")
	line, _ := json.Marshal(map[string]any{
		"bench":              "runtime_alone",
		"start_ms":           round(median(starts)),
		"rss_mb_active":      round(active),
		"rss_mb_active_anon": round(anon),
		"rss_mb_after_10k":   round(after10k),
	})
	fmt.Println(string(line))
}
