// Package benchsoak is the soak run of the trigger-alerts plugin: many posts through two servers
// (two plugin environments, two plugin processes of the built product under Mattermost's own
// plugin host code) sharing one fake API (one KV store, the same users, channels and posts),
// with word updates, snoozes and membership changes interleaved through ServeHTTP on both
// servers. The workload is deterministic and generated together with the alert DMs it must
// cause (workload_test.go); the run checks that every expected DM was delivered exactly once,
// with the right words, and that no other DM was sent, and samples both plugin processes' RSS.
//
// As a test (CI), a short run that fails on any missing, duplicate or unexpected DM:
//
//	cd test/conformance && go test ./benchsoak -count=1
//
// The full run is `npm run bench:soak` (scripts/bench-soak.mjs: 50 000 posts). Environment:
// $SOAK_POSTS (default 2000), $SOAK_WORKERS (concurrent workers, default 4), $SOAK_SEED (default
// 1), $SOAK_MAX_RSS_GROWTH_PCT (fail when a plugin process's RSS grew more than this from the
// end of the warm-up, the first 20% of the posts, to the end; unset: not checked),
// $SOAK_MAX_HEAP_GROWTH_PCT (the same for the live heap after a full GC, see heapprobe_test.go;
// unset: not checked), $SOAK_HEAP_PROBE=0 (do not preload the heap probe),
// $ALERTS_PLUGIN_DIR (a laid-out plugin directory instead of the repository's build). The last
// line printed is the JSON summary.
//
// To look into the plugins' memory, run with NODE_OPTIONS="--heapsnapshot-signal=SIGUSR2
// --diagnostic-dir=<dir>" (the plugin processes inherit it) and send SIGUSR2 to a plugin process.
package benchsoak

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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

const pluginID = "trigger-alerts"

// soak is one run: the world, the two servers, and what the run measured.
type soak struct {
	t        *testing.T
	api      *fakeapi.API
	team     *model.Team
	channels []*model.Channel
	users    []*model.User
	servers  [2]*harness.Host
	hooks    [2]plugin.HooksWithRPCErr
	wl       *workload

	postsDone   atomic.Int64
	postLat     []float64 // ms, per post in script order of all workers
	updLat      []float64
	retried     atomic.Int64 // updates answered 503 and retried
	initialPuts int
	mu          sync.Mutex
	failures    []string
}

func (s *soak) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) < 50 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

func TestSoak(t *testing.T) {
	posts := benchutil.EnvInt("SOAK_POSTS", 2000)
	workers := benchutil.EnvInt("SOAK_WORKERS", 4)
	seed := int64(benchutil.EnvInt("SOAK_SEED", 1))
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	source, cleanup, err := harness.ProductPluginDir(root, pluginID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)

	tGen := time.Now()
	wl := generate(seed, posts, workers)
	perUser := make([]int, nUsers)
	for _, e := range wl.expected {
		perUser[e.user]++
	}
	mostToOneUser := slices.Max(perUser)
	if m := mostToOneUser; m >= 1000 {
		// Flood control (1 000 per user per minute, the maximum) could hold some back if the run
		// were fast: the expectations would no longer be exact.
		t.Fatalf("the workload sends up to %d DMs to one user; keep it under 1000 (fewer posts or more users)", m)
	}
	genMs := time.Since(tGen).Milliseconds()

	s := &soak{t: t, api: fakeapi.New(), wl: wl}
	s.seed()
	probe := installHeapProbe(t)
	for i := range s.servers {
		s.servers[i] = harness.Start(t, source, s.api)
		h, err := s.servers[i].Env.HooksForPluginWithRPCErr(pluginID)
		if err != nil {
			t.Fatal(err)
		}
		s.hooks[i] = h
	}
	pids := [2]int{}
	for i, h := range s.servers {
		if pids[i], err = h.PluginPID(); err != nil {
			t.Fatal(err)
		}
	}
	tWords := time.Now()
	s.setInitialWords()
	wordsMs := time.Since(tWords).Milliseconds()
	if len(s.failures) > 0 {
		t.Fatalf("setting the initial words:\n%s", strings.Join(s.failures, "\n"))
	}

	// Memory: sampled every 250 ms; "start" is the first sample after the warm-up, the first 20% of
	// the posts: until then V8 is still sizing its heap (RSS climbs by some 40 MiB over the first
	// ~10 000 posts, while the heap that stays reachable does not grow: heap snapshots taken at
	// 8 000 and 25 000 posts both hold 18 MiB), and a leak would show as growth after it.
	warmup := int64(max(posts/5, 100))
	sampler := startSampler(pids, s.postsDone.Load, 250*time.Millisecond)
	pressureBefore := readPressure()
	var heapStart, heapEnd [2]heapLive
	var heapErr error
	heapStarted := make(chan struct{})
	go func() {
		defer close(heapStarted)
		if probe == nil {
			return
		}
		for s.postsDone.Load() < warmup {
			time.Sleep(50 * time.Millisecond)
		}
		heapStart, heapErr = probe.measure(pids)
	}()

	// The run: every worker plays its script.
	s.postLat = make([]float64, 0, posts)
	lat := make([][]float64, workers)
	updLat := make([][]float64, workers)
	var wg sync.WaitGroup
	tRun := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[w], updLat[w] = s.play(wl.scripts[w])
		}()
	}
	wg.Wait()
	runTime := time.Since(tRun)
	pressureRun := readPressure().since(pressureBefore)
	endMem := sampler.finish(s.postsDone.Load())
	<-heapStarted
	if probe != nil && heapErr == nil {
		heapEnd, heapErr = probe.measure(pids)
	}
	heapGrowth := 0.0
	if probe != nil && heapErr == nil {
		heapGrowth = growthPct([2]int64{heapStart[0].live(), heapStart[1].live()}, [2]int64{heapEnd[0].live(), heapEnd[1].live()})
	}
	for i, pid := range pids {
		if harness.Exited(pid) {
			t.Fatalf("server %d's plugin process %d died during the run", i+1, pid)
		}
	}
	for w := range workers {
		s.postLat = append(s.postLat, lat[w]...)
		s.updLat = append(s.updLat, updLat[w]...)
	}

	// Check the DMs.
	tCheck := time.Now()
	res := s.checkDMs()
	stateErrs := s.checkFinalWords()
	checkMs := time.Since(tCheck).Milliseconds()

	// Report.
	mem := sampler.report(warmup, int64(wl.posts), endMem)
	slow := 0
	for _, l := range s.postLat {
		if l > 1000 {
			slow++
		}
	}
	sort.Float64s(s.postLat)
	sort.Float64s(s.updLat)
	perSec := float64(wl.posts) / runTime.Seconds()

	fmt.Printf("\nSOAK: %d posts through 2 servers (2 plugin processes, Mattermost's plugin host code) sharing one fake API, %d workers\n", wl.posts, workers)
	fmt.Printf("%s %s/%s, GOMAXPROCS %d, %d CPUs; load average before %s, after %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), loadBefore, benchutil.LoadAverage())
	fmt.Printf("world: %d users, %d channels (%d per user), %d words in the pool (1 in %d a phrase); seed %d\n", nUsers, nChannels, channelsPerUser, wordPool, phraseEvery, seed)
	fmt.Printf("workload generated in %d ms; initial words (%d PUTs) in %d ms; at most %d DMs to one user in the whole run (flood control: 1000 per minute)\n", genMs, s.initialPuts, wordsMs, mostToOneUser)
	var upd []string
	total := 0
	for k := evPutWords; k < evKinds; k++ {
		upd = append(upd, fmt.Sprintf("%s %d", k, wl.updates[k]))
		total += wl.updates[k]
	}
	fmt.Printf("interleaved updates: %d (%s); %d answered 503 and were retried\n", total, strings.Join(upd, ", "), s.retried.Load())
	fmt.Printf("run: %.1f s, %.0f posts/s\n", runTime.Seconds(), perSec)
	fmt.Printf("hook latency (MessageHasBeenPosted, host -> plugin -> KV -> DMs): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		benchutil.Quantile(s.postLat, 0.5), benchutil.Quantile(s.postLat, 0.9), benchutil.Quantile(s.postLat, 0.99), benchutil.Quantile(s.postLat, 1))
	fmt.Printf("update latency (ServeHTTP): p50 %.2f ms, p99 %.2f ms\n", benchutil.Quantile(s.updLat, 0.5), benchutil.Quantile(s.updLat, 0.99))
	fmt.Printf("posts whose hook took over 1 s: %d; machine stalls during the run (PSI, all processes): %s\n", slow, pressureRun)
	mem.print(warmup)
	switch {
	case probe == nil:
		fmt.Printf("live heap: not measured ($SOAK_HEAP_PROBE=0)\n")
	case heapErr != nil:
		fmt.Printf("live heap: not measured: %v\n", heapErr)
	default:
		for i := range heapStart {
			fmt.Printf("server %d live heap after a full GC (heap used + external): start %.1f MiB (%.1f + %.1f), end %.1f MiB (%.1f + %.1f), %+.1f%%\n", i+1,
				mibB(heapStart[i].live()), mibB(heapStart[i].HeapUsed), mibB(heapStart[i].External),
				mibB(heapEnd[i].live()), mibB(heapEnd[i].HeapUsed), mibB(heapEnd[i].External),
				pct(heapStart[i].live(), heapEnd[i].live()))
		}
	}
	fmt.Printf("alert DMs: expected %d, delivered %d, duplicates %d, unexpected %d, wrong words %d (checked in %d ms)\n",
		res.expected, res.delivered, res.duplicates, res.unexpected, res.wrongWords, checkMs)
	line, _ := json.Marshal(struct {
		Bench        string  `json:"bench"`
		Posts        int     `json:"posts"`
		DMExpected   int     `json:"dm_expected"`
		DMDelivered  int     `json:"dm_delivered"`
		DMDuplicates int     `json:"dm_duplicates"`
		DMUnexpected int     `json:"dm_unexpected"`
		PostsPerS    int     `json:"posts_per_s"`
		RSSGrowthPct float64 `json:"rss_growth_pct"`
		DMMissing    int     `json:"dm_missing"`
		DMWrongWords int     `json:"dm_wrong_words"`
		P50Ms        float64 `json:"p50_ms"`
		P99Ms        float64 `json:"p99_ms"`
		RSSStartMiB  float64 `json:"rss_start_mib"`
		RSSEndMiB    float64 `json:"rss_end_mib"`
		AnonGrowth   float64 `json:"rss_anon_growth_pct"`
		Anon2ndHalf  float64 `json:"rss_anon_growth_2nd_half_pct"`
		HeapGrowth   float64 `json:"heap_live_growth_pct"`
		HeapStartMiB float64 `json:"heap_live_start_mib"`
		HeapEndMiB   float64 `json:"heap_live_end_mib"`
		Updates      int     `json:"updates"`
		Workers      int     `json:"workers"`
	}{
		"soak", wl.posts, res.expected, res.delivered, res.duplicates, res.unexpected, int(perSec + 0.5), round2(mem.rssGrowth),
		res.missing, res.wrongWords, round2(benchutil.Quantile(s.postLat, 0.5)), round2(benchutil.Quantile(s.postLat, 0.99)),
		round2(mib(mem.start.rss[0] + mem.start.rss[1])), round2(mib(mem.end.rss[0] + mem.end.rss[1])),
		round2(mem.anonGrowth), round2(mem.anonGrowth2nd),
		round2(heapGrowth), round2(mibB(heapStart[0].live() + heapStart[1].live())), round2(mibB(heapEnd[0].live() + heapEnd[1].live())),
		total, workers,
	})
	// The JSON line is printed last, after the verdict below has been decided.
	defer fmt.Println(string(line))

	if len(s.failures) > 0 {
		t.Errorf("%d failures during the run (first ones):\n%s", len(s.failures), strings.Join(s.failures, "\n"))
	}
	for _, e := range res.examples {
		t.Error(e)
	}
	if res.missing+res.duplicates+res.unexpected+res.wrongWords > 0 {
		t.Errorf("alert DMs: %d missing, %d duplicated, %d unexpected, %d with the wrong words (of %d expected)", res.missing, res.duplicates, res.unexpected, res.wrongWords, res.expected)
	}
	for _, e := range stateErrs {
		t.Error(e)
	}
	if limit := benchutil.EnvInt("SOAK_MAX_RSS_GROWTH_PCT", 0); limit > 0 && mem.rssGrowth > float64(limit) {
		t.Errorf("plugin RSS grew %.1f%% from the end of the warm-up to the end (limit %d%%)", mem.rssGrowth, limit)
	}
	if limit := benchutil.EnvInt("SOAK_MAX_HEAP_GROWTH_PCT", 0); limit > 0 {
		switch {
		case probe == nil || heapErr != nil:
			t.Errorf("$SOAK_MAX_HEAP_GROWTH_PCT is set but the live heap was not measured (%v)", heapErr)
		case heapGrowth > float64(limit):
			t.Errorf("a plugin's live heap grew %.1f%% from the end of the warm-up to the end (limit %d%%): a leak", heapGrowth, limit)
		}
	}
	if un := s.api.Unexpected(); len(un) > 0 {
		t.Errorf("the plugin made %d API calls the fake does not implement (first: %s)", len(un), un[0].Method)
	}
	for _, l := range s.api.Logs() {
		if l.Level == "Error" || l.Level == "Warn" {
			t.Errorf("the plugin logged %s: %s %v", l.Level, l.Message, l.KeyValuePairs)
			break
		}
	}
}

var loadBefore = benchutil.LoadAverage()

func mib(kib int64) float64 { return float64(kib) / 1024 }

func mibB(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func pct(from, to int64) float64 {
	if from == 0 {
		return 0
	}
	return 100 * float64(to-from) / float64(from)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// ---------------------------------------------------------------------------------------------
// The world

func (s *soak) seed() {
	s.team = &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme Inc.", Type: model.TeamOpen}
	s.api.SeedTeam(s.team)
	for c := range nChannels {
		ch := &model.Channel{Id: model.NewId(), TeamId: s.team.Id, Type: model.ChannelTypeOpen, Name: fmt.Sprintf("room-%d", c), DisplayName: fmt.Sprintf("Room %d", c), CreateAt: 1600000000000}
		s.api.SeedChannel(ch)
		s.channels = append(s.channels, ch)
	}
	for u := range nUsers {
		name := fmt.Sprintf("user%03d", u)
		usr := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId, CreateAt: 1600000000000}
		s.api.SeedUser(usr)
		s.users = append(s.users, usr)
	}
	for c, members := range s.wl.members {
		for u := range members {
			s.join(c, u)
		}
	}
	s.api.SetPluginConfig(map[string]any{
		"enablealerts":       true,
		"botdisplayname":     "Trigger Alerts",
		"maxwordsperchannel": 25,
		"alertsperminute":    1000, // the maximum; the workload keeps every user below it for the whole run
		"alertonbotposts":    false,
		"excerptlength":      200,
	})
}

func (s *soak) join(c, u int) {
	s.api.SeedChannelMember(&model.ChannelMember{ChannelId: s.channels[c].Id, UserId: s.users[u].Id, Roles: model.ChannelUserRoleId, NotifyProps: model.GetDefaultChannelNotifyProps()})
}

// setInitialWords PUTs every user's starting words, alternating servers.
func (s *soak) setInitialWords() {
	n := 0
	for c, byUser := range s.wl.initial {
		for _, u := range sortedUsers(byUser) {
			s.apply(event{kind: evPutWords, server: n % 2, channel: c, user: u, words: byUser[u], want: byUser[u]})
			n++
		}
	}
	s.initialPuts = n
}

// ---------------------------------------------------------------------------------------------
// The run

// play runs one worker's script and returns the latencies of its posts and updates (ms).
func (s *soak) play(script []event) (posts, updates []float64) {
	for _, ev := range script {
		t0 := time.Now()
		if ev.kind == evPost {
			s.postIt(ev)
			posts = append(posts, float64(time.Since(t0).Microseconds())/1e3)
			s.postsDone.Add(1)
			continue
		}
		s.apply(ev)
		updates = append(updates, float64(time.Since(t0).Microseconds())/1e3)
	}
	return posts, updates
}

func (s *soak) postIt(ev event) {
	now := model.GetMillis()
	p := ev.post.Clone()
	p.ChannelId, p.UserId, p.CreateAt, p.UpdateAt = s.channels[ev.channel].Id, s.users[ev.user].Id, now, now
	s.api.SeedPost(p)
	var err error
	if !harness.Within(harness.CallTimeout, func() {
		err = s.hooks[ev.server].MessageHasBeenPostedWithRPCErr(&plugin.Context{RequestId: model.NewId()}, p)
	}) {
		err = fmt.Errorf("did not return within %s", harness.CallTimeout)
	}
	if err != nil {
		s.fail("server %d: MessageHasBeenPosted %s: %v", ev.server+1, p.Id, err)
	}
}

// apply performs an update and checks the answer; a 503 (store busy) is retried, as a client does.
func (s *soak) apply(ev event) {
	c, u := s.channels[ev.channel], s.users[ev.user]
	switch ev.kind {
	case evLeave:
		s.api.RemoveChannelMember(c.Id, u.Id)
		return
	case evJoin:
		s.join(ev.channel, ev.user)
		return
	}
	base := "/api/v1/channels/" + c.Id
	var req harness.Request
	want := http.StatusOK
	switch ev.kind {
	case evPutWords:
		req = jsonRequest(http.MethodPut, base+"/words", map[string]any{"words": ev.words})
	case evAddWord:
		req = jsonRequest(http.MethodPost, base+"/words", map[string]any{"word": ev.words[0]})
		want = http.StatusCreated
	case evDeleteWord:
		req = harness.Request{Method: http.MethodDelete, Path: base + "/words/" + url.PathEscape(ev.words[0])}
	case evSnooze:
		req = jsonRequest(http.MethodPut, base+"/snooze", map[string]any{"duration": "1h"})
	case evUnsnooze:
		req = jsonRequest(http.MethodPut, base+"/snooze", map[string]any{"duration": "off"})
	}
	req.UserID = u.Id
	what := fmt.Sprintf("server %d: %s %s as %s", ev.server+1, ev.kind, c.Name, u.Username)
	for attempt := 0; ; attempt++ {
		resp, err := s.servers[ev.server].TryServeHTTP(req)
		if err != nil {
			s.fail("%s: %v", what, err)
			return
		}
		if resp.Code == http.StatusServiceUnavailable && attempt < 20 {
			s.retried.Add(1)
			time.Sleep(time.Duration(20*(attempt+1)) * time.Millisecond)
			continue
		}
		// A retried POST/DELETE whose first attempt landed answers 409/404: the update is done.
		done := resp.Code == want || (attempt > 0 && (ev.kind == evAddWord && resp.Code == http.StatusConflict || ev.kind == evDeleteWord && resp.Code == http.StatusNotFound))
		if !done {
			s.fail("%s: %d %s", what, resp.Code, resp.Body.String())
			return
		}
		if resp.Code != want {
			return
		}
		var body struct {
			Words        []string `json:"words"`
			SnoozedUntil *int64   `json:"snoozed_until"`
		}
		if err := json.Unmarshal(resp.Body.Bytes(), &body); err != nil {
			s.fail("%s: answer %q: %v", what, resp.Body.String(), err)
			return
		}
		if !slices.Equal(body.Words, ev.want) && !(len(body.Words) == 0 && len(ev.want) == 0) {
			s.fail("%s: the answer lists %v, want %v", what, body.Words, ev.want)
		}
		if (ev.kind == evSnooze) != (body.SnoozedUntil != nil) && (ev.kind == evSnooze || ev.kind == evUnsnooze) {
			s.fail("%s: snoozed_until %v", what, body.SnoozedUntil)
		}
		return
	}
}

func jsonRequest(method, path string, body any) harness.Request {
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return harness.Request{Method: method, Path: path, Body: raw, Header: http.Header{"Content-Type": {"application/json"}}}
}

// ---------------------------------------------------------------------------------------------
// Verification

type dmResult struct {
	expected, delivered, duplicates, unexpected, missing, wrongWords int
	examples                                                         []string
}

// checkDMs compares the alert DMs the bot posted with the expected ones, per (post, user).
func (s *soak) checkDMs() dmResult {
	bot := s.api.Bot(pluginID)
	if bot == nil {
		s.t.Fatal("the plugin ensured no bot")
	}
	type key struct{ post, user string }
	want := map[key][]string{}
	for _, e := range s.wl.expected {
		want[key{e.postID, s.users[e.user].Id}] = e.words
	}
	got := map[key][][]string{}
	res := dmResult{expected: len(want)}
	names := map[string]string{}
	for _, u := range s.users {
		names[u.Id] = "@" + u.Username
	}
	example := func(format string, k key, args ...any) {
		if len(res.examples) < 10 {
			res.examples = append(res.examples, fmt.Sprintf(format, append([]any{names[k.user], k.post}, args...)...))
		}
	}
	for _, u := range s.users {
		dm := s.api.DirectChannel(bot.UserId, u.Id)
		if dm == nil {
			continue
		}
		for _, p := range s.api.Posts(dm.Id) {
			if p.UserId != bot.UserId {
				continue
			}
			res.delivered++
			ta, _ := p.GetProp("trigger_alert").(map[string]any)
			postID, _ := ta["post_id"].(string)
			var words []string
			if ws, ok := ta["words"].([]any); ok {
				for _, w := range ws {
					if str, ok := w.(string); ok {
						words = append(words, str)
					}
				}
			}
			got[key{postID, u.Id}] = append(got[key{postID, u.Id}], words)
		}
	}
	for k, list := range got {
		w, ok := want[k]
		if !ok {
			res.unexpected += len(list)
			example("unexpected alert DM to %s about post %s (words %v)", k, list[0])
			continue
		}
		if len(list) > 1 {
			res.duplicates += len(list) - 1
			example("alert DMs to %s about post %s: %d", k, len(list))
		}
		if !sameSet(w, list[0]) {
			res.wrongWords++
			example("alert DM to %s about post %s names %v, want %v", k, list[0], w)
		}
	}
	for k, w := range want {
		if _, ok := got[k]; !ok {
			res.missing++
			example("missing alert DM to %s about post %s (words %v)", k, w)
		}
	}
	return res
}

// checkFinalWords reads, through the servers (alternately), every user's words in every channel
// where the run gave them some, and compares with the model's final state: no update lost.
func (s *soak) checkFinalWords() []string {
	final := make([]map[int][]string, nChannels)
	for c := range final {
		final[c] = cloneWords(s.wl.initial[c])
	}
	touched := make([]map[int]bool, nChannels)
	for c := range touched {
		touched[c] = map[int]bool{}
		for u := range final[c] {
			touched[c][u] = true
		}
	}
	member := make([]map[int]bool, nChannels)
	for c := range member {
		member[c] = cloneMembers(s.wl.members[c])
	}
	for _, script := range s.wl.scripts {
		for _, ev := range script {
			switch ev.kind {
			case evPutWords, evAddWord, evDeleteWord:
				final[ev.channel][ev.user] = ev.want
				touched[ev.channel][ev.user] = true
			case evLeave:
				member[ev.channel][ev.user] = false
			case evJoin:
				member[ev.channel][ev.user] = true
			}
		}
	}
	var errs []string
	n := 0
	for c := range nChannels {
		for u := range touched[c] {
			if !member[c][u] {
				continue // the API answers 403 to a non-member
			}
			n++
			resp, err := s.servers[n%2].TryServeHTTP(harness.Request{Method: http.MethodGet, Path: "/api/v1/channels/" + s.channels[c].Id + "/words", UserID: s.users[u].Id})
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			var body struct {
				Words []string `json:"words"`
			}
			if resp.Code != http.StatusOK || json.Unmarshal(resp.Body.Bytes(), &body) != nil {
				errs = append(errs, fmt.Sprintf("GET words of %s in %s: %d %s", s.users[u].Username, s.channels[c].Name, resp.Code, resp.Body.String()))
				continue
			}
			if !sameSet(body.Words, final[c][u]) {
				errs = append(errs, fmt.Sprintf("%s in %s: the store has %v, the acknowledged updates say %v", s.users[u].Username, s.channels[c].Name, body.Words, final[c][u]))
			}
		}
		if len(errs) >= 10 {
			break
		}
	}
	return errs
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
