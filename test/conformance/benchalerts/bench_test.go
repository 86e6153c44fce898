// Package benchalerts measures posts per second through the trigger-alerts plugin's whole hook path, as
// the server runs it: Mattermost's plugin host code calls MessageHasBeenPosted over RPC, the plugin reads
// the channel's words from the KV store, matches, checks snooze / membership / user / sent marker / flood
// control, and sends the alert DMs, all through the in-memory fake API (package fakeapi), which answers at
// once. It is a benchmark (go test -bench), never part of the test run.
//
// One plugin environment on the product bundle; one team, one open channel, 1 000 member users with 5
// words each (4 words of their own, w<user>-<k>, and one of a few phrases shared by ~100 users each, set
// through the plugin's own HTTP API so that the KV layout is the plugin's), and one author. N posts of
// 300-700 characters: 1 in 10 names 1-3 users' own words, the rest match nobody. The posts are sent from a
// few goroutines at once; the DM count in the fake must equal the expected count.
//
// Run after `npm run build` at the repository root (or with $ALERTS_PLUGIN_DIR set to a laid-out plugin
// directory); npm run bench:alerts does both:
//
//	go test ./benchalerts -run '^$' -bench Alerts -benchtime 1x -count 1
//
// $BENCH_ALERTS_POSTS and $BENCH_ALERTS_WORKERS change the post count (3000) and concurrency (4).
package benchalerts

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/benchutil"
	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

const (
	pluginID     = "trigger-alerts"
	users        = 1000
	wordsPerUser = 5
	warmupPosts  = 300
)

// sharedPhrases are every user's fifth word (each phrase shared by ~users/len users). No post contains
// one, so they weigh on the matcher but send nothing.
var sharedPhrases = []string{
	"quarterly business review", "database failover drill", "design system sync", "security audit window",
	"customer escalation call", "capacity planning", "on call handover", "postmortem action items",
	"budget freeze", "vendor contract renewal",
}

// filler is everyday chat; none of it contains a user's word or a shared phrase.
var filler = []string{
	"We will ship the new release tonight; whoever is around please watch the dashboards and ping the team if error rates go up.",
	"Thanks! Merged, the build is green. Next: the migration script, then the docs (https://docs.example.com/guide#setup).",
	"Can someone review PR 4211? It touches the cache layer, so a second pair of eyes would help. :+1:",
	"Standup moved to 10:30 tomorrow. Agenda: incidents, the roadmap, hiring.",
	"lol yes 😅 that was me, sorry — fixed in main now",
	"The staging cluster is back after the node pool resize; latency looks normal again, p95 under 180 ms.",
	"Reminder: the office is closed on Friday, so plan the deploys for Thursday afternoon at the latest.",
	"I pushed a draft of the onboarding guide, comments welcome — especially on the section about local setup.",
}

func userWords(u int) []string {
	out := make([]string, 0, wordsPerUser)
	for k := 0; k < wordsPerUser-1; k++ {
		out = append(out, fmt.Sprintf("w%d-%d", u, k))
	}
	return append(out, sharedPhrases[u%len(sharedPhrases)])
}

type benchPost struct {
	post       *model.Post
	recipients int // distinct users whose own words the post names
}

// makePost builds post i: 300-700 characters of filler, and for 1 in 10 posts 1-3 users' own words
// inserted between words.
func makePost(rng *rand.Rand, i int, channelID, authorID string) benchPost {
	target := 300 + rng.Intn(401)
	var b strings.Builder
	for b.Len() < target {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(filler[rng.Intn(len(filler))])
	}
	msg := b.String()
	if len(msg) > target {
		if cut := strings.LastIndexByte(msg[:target], ' '); cut > 0 {
			msg = msg[:cut]
		}
	}
	named := map[int]bool{}
	if i%10 == 0 {
		n := 1 + rng.Intn(3)
		for len(named) < n {
			u := rng.Intn(users)
			if named[u] {
				continue
			}
			named[u] = true
			word := fmt.Sprintf("w%d-%d", u, rng.Intn(wordsPerUser-1))
			at := strings.LastIndexByte(msg[:rng.Intn(len(msg))+1], ' ')
			msg = msg[:at+1] + word + " " + msg[at+1:]
		}
	}
	now := model.GetMillis()
	return benchPost{
		post:       &model.Post{Id: model.NewId(), ChannelId: channelID, UserId: authorID, Message: msg, CreateAt: now, UpdateAt: now},
		recipients: len(named),
	}
}

func pluginSource(b *testing.B) string {
	if dir := os.Getenv("ALERTS_PLUGIN_DIR"); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := harness.CheckPluginDir(abs); err != nil {
			b.Fatalf("$ALERTS_PLUGIN_DIR: %v", err)
		}
		return abs
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), pluginID)
	m, err := harness.LayoutPluginDir(root, dst)
	if err != nil {
		b.Fatalf("laying out the plugin from the repository root (run `npm run build` there): %v", err)
	}
	if m.Id != pluginID {
		b.Fatalf("plugin.json id is %q, want %q", m.Id, pluginID)
	}
	return dst
}

// alertDMs counts the posts CreatePost stored by the bot in its direct channel with one of members.
func alertDMs(api *fakeapi.API, botID string, members []*model.User) int {
	dmChannels := map[string]bool{}
	for _, u := range members {
		if ch := api.DirectChannel(botID, u.Id); ch != nil {
			dmChannels[ch.Id] = true
		}
	}
	n := 0
	for _, c := range api.Calls("CreatePost") {
		if len(c.Returns) == 0 {
			continue
		}
		if p, ok := c.Returns[0].(*model.Post); ok && p != nil && p.UserId == botID && dmChannels[p.ChannelId] {
			n++
		}
	}
	return n
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func BenchmarkAlerts(b *testing.B) {
	posts := benchutil.EnvInt("BENCH_ALERTS_POSTS", 3000)
	workers := benchutil.EnvInt("BENCH_ALERTS_WORKERS", 4)
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		b.Fatal(err)
	}
	source := pluginSource(b)

	// ---- the world: a team, an open channel, 1 000 members with words, an author ----
	api := fakeapi.New()
	team := &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme Inc.", Type: model.TeamOpen}
	api.SeedTeam(team)
	channel := &model.Channel{Id: model.NewId(), TeamId: team.Id, Type: model.ChannelTypeOpen, Name: "town-square", DisplayName: "Town Square", CreateAt: 1600000000000}
	api.SeedChannel(channel)
	seedUser := func(name string) *model.User {
		u := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId, CreateAt: 1600000000000}
		api.SeedUser(u)
		api.SeedChannelMember(&model.ChannelMember{ChannelId: channel.Id, UserId: u.Id, Roles: model.ChannelUserRoleId, NotifyProps: model.GetDefaultChannelNotifyProps()})
		return u
	}
	members := make([]*model.User, users)
	for i := range members {
		members[i] = seedUser(fmt.Sprintf("user%04d", i))
	}
	author := seedUser("author")
	api.SetPluginConfig(map[string]any{
		"enablealerts":       true,
		"botdisplayname":     "Trigger Alerts",
		"maxwordsperchannel": 25,
		"alertsperminute":    1000, // the run is not about flood control
		"alertonbotposts":    false,
		"excerptlength":      200,
	})

	tStart := time.Now()
	h := harness.Start(b, source, api)
	startMs := float64(time.Since(tStart).Microseconds()) / 1e3
	bot := api.Bot(pluginID)
	if bot == nil {
		b.Fatal("the plugin ensured no bot")
	}
	hooks := h.HooksRPC()

	// ---- words, through the plugin's HTTP API: PUT /api/v1/channels/<id>/words as each user ----
	plainHooks, err := h.Env.HooksForPlugin(pluginID)
	if err != nil {
		b.Fatal(err)
	}
	tWords := time.Now()
	for i, u := range members {
		body, _ := json.Marshal(map[string]any{"words": userWords(i)})
		r := httptest.NewRequest(http.MethodPut, "/plugins/"+pluginID+"/api/v1/channels/"+channel.Id+"/words", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		harness.ServePluginRequestFor(plainHooks, pluginID, w, r, u.Id)
		if w.Code != http.StatusOK {
			b.Fatalf("PUT words as %s: %d %s", u.Username, w.Code, w.Body.String())
		}
		var got struct {
			Words []string `json:"words"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got.Words) != wordsPerUser {
			b.Fatalf("PUT words as %s: %v, answer %s", u.Username, err, w.Body.String())
		}
	}
	wordsMs := float64(time.Since(tWords).Microseconds()) / 1e3

	rng := rand.New(rand.NewSource(7))
	send := func(p *model.Post) {
		if err := hooks.MessageHasBeenPostedWithRPCErr(&plugin.Context{RequestId: model.NewId()}, p.Clone()); err != nil {
			b.Fatalf("MessageHasBeenPosted: %v", err)
		}
	}

	// ---- cold first post (reads the channel doc, builds the matcher), then a warm-up ----
	expected := 0
	first := makePost(rng, 1, channel.Id, author.Id)
	tCold := time.Now()
	send(first.post)
	coldMs := float64(time.Since(tCold).Microseconds()) / 1e3
	expected += first.recipients
	for i := 0; i < warmupPosts; i++ {
		p := makePost(rng, i, channel.Id, author.Id)
		send(p.post)
		expected += p.recipients
	}
	if got := alertDMs(api, bot.UserId, members); got != expected {
		b.Fatalf("warm-up: %d alert DMs, want %d", got, expected)
	}
	before := expected

	// ---- the measured run: N posts from `workers` goroutines ----
	prepared := make([]benchPost, posts)
	want := 0
	chars := 0
	for i := range prepared {
		prepared[i] = makePost(rng, i, channel.Id, author.Id)
		want += prepared[i].recipients
		chars += len([]rune(prepared[i].post.Message))
	}
	lat := make([]float64, posts)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	tRun := time.Now()
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= posts {
					return
				}
				t0 := time.Now()
				if err := hooks.MessageHasBeenPostedWithRPCErr(&plugin.Context{RequestId: model.NewId()}, prepared[i].post.Clone()); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
			}
		}()
	}
	wg.Wait()
	total := time.Since(tRun)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("MessageHasBeenPosted: %v", err)
	}
	dms := alertDMs(api, bot.UserId, members) - before
	if dms != want {
		b.Fatalf("the run sent %d alert DMs, want %d", dms, want)
	}
	if un := api.Unexpected(); len(un) > 0 {
		b.Fatalf("the plugin made %d API calls the fake does not implement (first: %s)", len(un), un[0].Method)
	}
	for _, l := range api.Logs() {
		if l.Level == "Error" || l.Level == "Warn" {
			b.Fatalf("plugin logged %s: %s %v", l.Level, l.Message, l.KeyValuePairs)
		}
	}

	calls := countCallsPerPost(b, api, rng, channel.Id, author.Id, send, bot.UserId, members)

	var noMatch, withMatch []float64
	for i, p := range prepared {
		if p.recipients > 0 {
			withMatch = append(withMatch, lat[i])
		} else {
			noMatch = append(noMatch, lat[i])
		}
	}
	sort.Float64s(lat)
	sort.Float64s(noMatch)
	sort.Float64s(withMatch)
	perSec := float64(posts) / total.Seconds()
	p50, p90, p99, pmax := benchutil.Quantile(lat, 0.5), benchutil.Quantile(lat, 0.9), benchutil.Quantile(lat, 0.99), lat[len(lat)-1]

	fmt.Printf("\nHOST PATH: Mattermost plugin host -> MessageHasBeenPosted over RPC -> plugin -> KV -> alert DMs (fake API)\n")
	fmt.Printf("%s %s/%s, GOMAXPROCS %d; load average %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), benchutil.LoadAverage())
	fmt.Printf("channel: %d users x %d words (%d own + 1 of %d shared phrases), set by %d PUTs in %.0f ms; plugin start %.0f ms\n",
		users, wordsPerUser, wordsPerUser-1, len(sharedPhrases), users, wordsMs, startMs)
	fmt.Printf("posts: %d measured (avg %d chars, 1 in 10 naming 1-3 users' words) from %d goroutines, after %d warm-up; first post (cold) %.2f ms\n",
		posts, chars/posts, workers, warmupPosts+1, coldMs)
	fmt.Printf("%-34s %12s\n", "", "host path")
	row := func(name string, v float64, unit string) { fmt.Printf("%-34s %10.3f %s\n", name, v, unit) }
	row("throughput", perSec, "posts/s")
	row("wall time", total.Seconds()*1e3, "ms")
	row("latency p50", p50, "ms")
	row("latency p90", p90, "ms")
	row("latency p99", p99, "ms")
	row("latency max", pmax, "ms")
	row("no-match posts p50", benchutil.Quantile(noMatch, 0.5), "ms")
	row("posts with 1-3 alerts p50", benchutil.Quantile(withMatch, 0.5), "ms")
	fmt.Printf("%-34s %10d (expected %d: verified)\n", "alert DMs created", dms, want)
	calls.print()
	line, _ := json.Marshal(struct {
		Bench           string  `json:"bench"`
		PostsPerS       int     `json:"posts_per_s"`
		P99Ms           float64 `json:"p99_ms"`
		P50Ms           float64 `json:"p50_ms"`
		DMs             int     `json:"dms"`
		CallsPerNoMatch float64 `json:"calls_per_nomatch_post"`
		CallsPerAlert   float64 `json:"calls_per_alert"`
		CallsPerFirst   float64 `json:"calls_per_first_alert"`
		Path            string  `json:"path"`
	}{"alerts", int(perSec + 0.5), round3(p99), round3(p50), dms, round3(calls.perNoMatchPost()), round3(calls.perAlert(calls.again)),
		round3(calls.perAlert(calls.first)), "host"})
	fmt.Println(string(line))
}
