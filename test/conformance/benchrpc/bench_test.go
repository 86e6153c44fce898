// Package benchrpc measures the TypeScript runtime against a Go plugin built on the same host code, in
// one run: a hook round trip, an API round trip issued from inside a hook, a 1 MiB ServeHTTP response,
// and process start to handshake line. It is a benchmark (go test -bench), never part of the test run.
//
//	go test ./benchrpc -run '^$' -bench RPC -benchtime 1x
package benchrpc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

const (
	hookRounds  = 3000
	apiPerHook  = 200
	apiRounds   = 15
	httpRounds  = 60
	startRounds = 15
	httpBytes   = 1 << 20
)

type result struct {
	hookUs, apiUs, httpMs, startMs float64
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// realisticPost is the size and shape of an everyday post: a paragraph, a few props, some metadata.
func realisticPost(i int) *model.Post {
	return &model.Post{
		Id:        model.NewId(),
		CreateAt:  model.GetMillis(),
		UpdateAt:  model.GetMillis(),
		UserId:    model.NewId(),
		ChannelId: model.NewId(),
		Message: fmt.Sprintf("Deploy #%d of the billing service is done 🚀 — see the dashboard at https://grafana.example.com/d/abc "+
			"and ping @oncall if the error rate goes above 1%%. Thanks everyone for the quick review of the migration plan; "+
			"next up is the search cluster upgrade on Thursday, details in ~release-planning. %s", i, strings.Repeat("·", 600)),
		Props:    model.StringInterface{"conformance_noop": true, "from_webhook": "false", "disable_group_highlight": true},
		Hashtags: "#deploy #billing",
		FileIds:  model.StringArray{model.NewId()},
		Metadata: &model.PostMetadata{
			Embeds:    []*model.PostEmbed{{Type: "opengraph", URL: "https://grafana.example.com/d/abc"}},
			Images:    map[string]*model.PostImage{"https://grafana.example.com/og.png": {Width: 1200, Height: 630, Format: "png"}},
			Emojis:    []*model.Emoji{},
			Files:     []*model.FileInfo{{Id: model.NewId(), Name: "plan.pdf", Extension: "pdf", Size: 48213, MimeType: "application/pdf"}},
			Reactions: []*model.Reaction{{UserId: model.NewId(), PostId: model.NewId(), EmojiName: "tada", CreateAt: model.GetMillis()}},
		},
	}
}

func measure(b *testing.B, source string) result {
	api := fakeapi.New()
	if appErr := api.KVSet("bench:1k", []byte(strings.Repeat("k", 1024))); appErr != nil {
		b.Fatal(appErr)
	}
	h := harness.Start(b, source, api)
	hooks := h.HooksRPC()
	ctx := &plugin.Context{RequestId: model.NewId(), SessionId: model.NewId()}

	// (a) MessageHasBeenPosted round trip
	posts := make([]*model.Post, 64)
	for i := range posts {
		posts[i] = realisticPost(i)
	}
	for i := 0; i < 300; i++ { // warm up: JIT, type definitions on the stream
		_ = hooks.MessageHasBeenPostedWithRPCErr(ctx, posts[i%len(posts)])
	}
	hook := make([]float64, 0, hookRounds)
	for i := 0; i < hookRounds; i++ {
		t0 := time.Now()
		if err := hooks.MessageHasBeenPostedWithRPCErr(ctx, posts[i%len(posts)]); err != nil {
			b.Fatal(err)
		}
		hook = append(hook, float64(time.Since(t0).Nanoseconds())/1e3)
	}

	// (b) KVGet of 1 KiB from inside a hook: (T(n) - T(0)) / n, each the median of several runs
	cmd := func(n int) float64 {
		t0 := time.Now()
		resp, appErr, err := hooks.ExecuteCommandWithRPCErr(ctx, &model.CommandArgs{Command: fmt.Sprintf("/conformance kvget bench:1k %d", n)})
		if err != nil || appErr != nil {
			b.Fatalf("kvget: %v %v", err, appErr)
		}
		if n > 0 && resp.Text != "1024" {
			b.Fatalf("kvget returned %q", resp.Text)
		}
		return float64(time.Since(t0).Nanoseconds()) / 1e3
	}
	cmd(apiPerHook) // warm up
	var withCalls, empty []float64
	for i := 0; i < apiRounds; i++ {
		withCalls = append(withCalls, cmd(apiPerHook))
		empty = append(empty, cmd(0))
	}
	apiUs := (median(withCalls) - median(empty)) / apiPerHook

	// (c) a 1 MiB ServeHTTP response
	get := func() float64 {
		r := httptest.NewRequest("GET", "/plugins/"+harness.PluginID+"/bytes?n="+strconv.Itoa(httpBytes), nil)
		w := httptest.NewRecorder()
		t0 := time.Now()
		harness.ServePluginRequest(h.Hooks(), w, r, "")
		d := float64(time.Since(t0).Nanoseconds()) / 1e6
		if w.Code != 200 || w.Body.Len() != httpBytes {
			b.Fatalf("GET /bytes: status %d, %d bytes", w.Code, w.Body.Len())
		}
		return d
	}
	for i := 0; i < 5; i++ {
		get()
	}
	var httpMs []float64
	for i := 0; i < httpRounds; i++ {
		httpMs = append(httpMs, get())
	}

	return result{hookUs: median(hook), apiUs: apiUs, httpMs: median(httpMs), startMs: startTime(b, source)}
}

// startTime execs the plugin's executable as the host would and times it to the handshake line.
func startTime(b *testing.B, source string) float64 {
	raw, err := os.ReadFile(filepath.Join(source, "plugin.json"))
	if err != nil {
		b.Fatal(err)
	}
	var m model.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	exe := filepath.Join(source, m.Server.Executables[runtime.GOOS+"-"+runtime.GOARCH])
	var ms []float64
	for i := 0; i < startRounds; i++ {
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
			b.Fatalf("no handshake line: %q %v", line, err)
		}
		ms = append(ms, d)
	}
	return median(ms)
}

func BenchmarkRPC(b *testing.B) {
	tsDir := os.Getenv("BENCH_TS_PLUGIN_DIR")
	if tsDir == "" {
		tsDir = "../build/tsplugin"
	}
	tsDir, _ = filepath.Abs(tsDir)
	goDir := b.TempDir()
	if err := harness.BuildRefPlugin("../refplugin", goDir); err != nil {
		b.Fatal(err)
	}
	if err := harness.InitGlobalLogger(false); err != nil {
		b.Fatal(err)
	}

	var ts, gor result
	b.Run("go", func(b *testing.B) { gor = measure(b, goDir) })
	b.Run("ts", func(b *testing.B) { ts = measure(b, tsDir) })

	fmt.Printf("\n%-44s %12s %12s %8s\n", "median", "TypeScript", "Go", "TS/Go")
	row := func(name string, t, g float64, unit string) {
		fmt.Printf("%-44s %10.1f%-2s %10.1f%-2s %8.2f\n", name, t, unit, g, unit, t/g)
	}
	row("(a) MessageHasBeenPosted round trip", ts.hookUs, gor.hookUs, "µs")
	row("(b) KVGet 1 KiB from inside a hook", ts.apiUs, gor.apiUs, "µs")
	row("(c) ServeHTTP 1 MiB response", ts.httpMs, gor.httpMs, "ms")
	row("process start to handshake line", ts.startMs, gor.startMs, "ms")
	line, _ := json.Marshal(map[string]any{
		"bench":       "rpc",
		"hook_ratio":  round(ts.hookUs / gor.hookUs),
		"api_ratio":   round(ts.apiUs / gor.apiUs),
		"http_ratio":  round(ts.httpMs / gor.httpMs),
		"start_ms":    round(ts.startMs),
		"go_start_ms": round(gor.startMs),
	})
	fmt.Println(string(line))
}

func round(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
