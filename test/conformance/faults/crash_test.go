package faults

import (
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// wordState is what a writer knows about one of its words.
type wordState int

const (
	absent  wordState = iota // acknowledged as not there
	present                  // acknowledged as there
	unknown                  // an update touching it was not acknowledged: it may or may not have landed
)

// writer updates one user's words in one channel, one request after the other, and keeps the
// acknowledged state: the word list of the last 2xx answer, with the words touched by an update
// whose outcome is unknown (no answer, a 5xx, a broken answer) marked unknown.
type writer struct {
	u     *model.User
	c     *model.Channel
	rng   *rand.Rand
	state map[string]wordState
	order []string // words in the order they were first used
	next  int      // number of the next new word
	ops   int      // updates sent

	acked, unsure int
	failures      []string
}

func (wr *writer) words(s wordState) []string {
	var out []string
	for _, word := range wr.order {
		if wr.state[word] == s {
			out = append(out, word)
		}
	}
	return out
}

func (wr *writer) newWord() string {
	word := fmt.Sprintf("%sw%d", wr.u.Username, wr.next)
	wr.next++
	wr.order = append(wr.order, word)
	wr.state[word] = absent
	return word
}

// step sends one update to server h: mostly POST (a new word), sometimes PUT (the present words
// but the oldest, plus a new one) or DELETE (a present word). killed reports whether h's plugin
// has been killed by now (a failed answer is then expected).
func (wr *writer) step(h *harness.Host, server int, killed func() bool) {
	have := wr.words(present)
	var (
		method, path string
		body         any
		touched      []string
		check        func(got []string) bool
	)
	n := wr.ops
	wr.ops++
	switch {
	case len(have) > 0 && (n%6 == 5 || len(have)+len(wr.words(unknown)) > 150):
		word := have[wr.rng.Intn(len(have))]
		method, path, touched = http.MethodDelete, wordPath(wr.c, word), []string{word}
		check = func(got []string) bool { return !slices.Contains(got, word) }
	case n%6 == 3:
		word := wr.newWord()
		list := append(slices.Clone(have[min(1, len(have)):]), word)
		method, path, body = http.MethodPut, wordsPath(wr.c), map[string]any{"words": list}
		// Unacknowledged, it may have added the new word and dropped the oldest; the rest stays.
		touched = append([]string{word}, have[:min(1, len(have))]...)
		check = func(got []string) bool { return sameSet(list, got) }
	default:
		word := wr.newWord()
		method, path, body, touched = http.MethodPost, wordsPath(wr.c), map[string]any{"word": word}, []string{word}
		check = func(got []string) bool { return slices.Contains(got, word) }
	}
	what := fmt.Sprintf("server %d: %s %s as @%s", server, method, strings.TrimPrefix(path, apiBase), wr.u.Username)

	r, err := call(h, method, path, wr.u.Id, body)
	ok := err == nil && r.Code >= 200 && r.Code < 300
	var got []string
	if ok {
		got, _, err = parseWords(r, wr.c)
		ok = err == nil
	}
	if ok {
		if !check(got) {
			wr.failures = append(wr.failures, fmt.Sprintf("%s: the answer %v does not show the update", what, got))
		}
		// The answer is the whole list as written: it settles every word, unknown ones included.
		for _, word := range wr.order {
			wr.state[word] = absent
		}
		for _, word := range got {
			if _, known := wr.state[word]; !known {
				wr.failures = append(wr.failures, fmt.Sprintf("%s: the answer lists %q, which this writer never sent", what, word))
				continue
			}
			wr.state[word] = present
		}
		wr.acked++
		return
	}
	for _, word := range touched {
		wr.state[word] = unknown
	}
	wr.unsure++
	// Without a kill, the only failure allowed is a 503 (store busy: the client retries).
	if !killed() && !(err == nil && r.Code == http.StatusServiceUnavailable) {
		if err != nil {
			wr.failures = append(wr.failures, fmt.Sprintf("%s: %v", what, err))
		} else {
			wr.failures = append(wr.failures, fmt.Sprintf("%s: %s", what, r))
		}
	}
}

// TestKillDuringBurst: two servers take word updates (POST, PUT, DELETE through ServeHTTP) and
// posts (MessageHasBeenPosted) from several goroutines; in the middle, server 1's plugin process
// is killed with SIGKILL. The burst goes on through the outage (server 1 fails its requests).
// Then the environment's health check job restarts the plugin, as the server's does every 30 s.
// Every update answered 2xx is in the store afterwards, on both servers (no lost update), the
// KV layout's invariants hold, and alerts resume on the restarted server, once per post and user.
func TestKillDuringBurst(t *testing.T) {
	w := newWorld(t, 2, 6)
	s1 := w.start()
	s2 := w.start()
	servers := []*harness.Host{s1, s2}
	pid, err := s1.PluginPID()
	require.NoError(t, err)
	pid2, err := s2.PluginPID()
	require.NoError(t, err)

	writers := make([]*writer, len(w.users))
	for i, u := range w.users {
		writers[i] = &writer{u: u, c: w.channels[i%len(w.channels)], rng: rand.New(rand.NewSource(int64(i + 1))), state: map[string]wordState{}}
	}

	var (
		isKilled   atomic.Bool
		acked      atomic.Int64
		postsSent  atomic.Int64
		postErrsS1 atomic.Int64
		mu         sync.Mutex
		postFails  []string
	)
	killed := func() bool { return isKilled.Load() }
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	for i, wr := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; !stopped(); k++ {
				server := (i + k) % 2
				before := wr.acked
				wr.step(servers[server], server+1, killed)
				if wr.acked > before {
					acked.Add(1)
				} else {
					time.Sleep(10 * time.Millisecond) // a dead server fails at once: do not spin
				}
			}
		}()
	}
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(100 + g)))
			for k := 0; !stopped(); k++ {
				server := (g + k) % 2
				wr := writers[rng.Intn(len(writers))]
				msg := fmt.Sprintf("status of %sw%d and %sw%d: done", wr.u.Username, rng.Intn(40), wr.u.Username, rng.Intn(40))
				_, err := w.post(servers[server], w.poster, wr.c, msg)
				postsSent.Add(1)
				if err == nil {
					continue
				}
				if server == 0 && killed() {
					postErrsS1.Add(1)
					time.Sleep(10 * time.Millisecond)
					continue
				}
				mu.Lock()
				postFails = append(postFails, fmt.Sprintf("server %d: MessageHasBeenPosted: %v", server+1, err))
				mu.Unlock()
			}
		}()
	}

	// Kill server 1's plugin in the middle of the burst.
	deadline := time.Now().Add(60 * time.Second)
	for acked.Load() < 60 || postsSent.Load() < 40 {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("the burst did not get going: %d updates acknowledged, %d posts sent", acked.Load(), postsSent.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	ackedAtKill := acked.Load()
	isKilled.Store(true)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	killedAt := time.Now()
	require.True(t, harness.WaitProcessGone(pid, 10*time.Second), "plugin process %d still there after SIGKILL", pid)
	// The burst goes on through the outage: server 2 keeps working, server 1 fails.
	time.Sleep(700 * time.Millisecond)
	ackedInOutage := acked.Load() - ackedAtKill
	close(stop)
	wg.Wait()
	require.Empty(t, postFails, "posts failed on a live server")
	require.Positive(t, ackedInOutage, "server 2 acknowledged no update while server 1 was down")

	// The server's health check job finds the plugin dead and restarts it.
	s1.Env.TogglePluginHealthCheckJob(true)
	job := s1.Env.GetPluginHealthCheckJob()
	require.NotNil(t, job)
	s1.Do("CheckPlugin", func() { job.CheckPlugin(pluginID) })
	s1.Env.TogglePluginHealthCheckJob(false)
	require.True(t, s1.Env.IsActive(pluginID), "plugin not active after the health check's restart (state %d)", s1.Env.GetPluginState(pluginID))
	newPID, err := s1.PluginPID()
	require.NoError(t, err)
	require.NotEqual(t, pid, newPID)
	require.False(t, harness.Exited(pid2), "server 2's plugin process died")

	total, unsure := 0, 0
	for _, wr := range writers {
		require.Empty(t, wr.failures, "@%s", wr.u.Username)
		total += wr.acked
		unsure += wr.unsure
	}
	t.Logf("%d updates acknowledged (%d while server 1 was down), %d without a definite answer; %d posts sent, %d failed on the killed server; restart %.0f ms after the kill",
		total, ackedInOutage, unsure, postsSent.Load(), postErrsS1.Load(), float64(time.Since(killedAt).Milliseconds()))

	// No acknowledged update lost, on either server; the KV layout is consistent.
	for _, wr := range writers {
		for i, h := range servers {
			got := getWords(t, h, wr.u, wr.c)
			for _, word := range wr.order {
				switch wr.state[word] {
				case present:
					assert.Contains(t, got, word, "server %d, @%s: acknowledged word lost", i+1, wr.u.Username)
				case absent:
					assert.NotContains(t, got, word, "server %d, @%s: acknowledged removal undone", i+1, wr.u.Username)
				}
			}
			for _, word := range got {
				assert.Contains(t, wr.order, word, "server %d, @%s: a word nobody sent", i+1, wr.u.Username)
			}
		}
	}
	requireReachable(t, w, readStore(t, w.api), s1, s2)

	// Alerts resume: a fresh word per user, set through the restarted server, alerts on both.
	for i, wr := range writers {
		word := wr.newWord()
		r, err := call(servers[i%2], http.MethodPost, wordsPath(wr.c), wr.u.Id, map[string]any{"word": word})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.Code, "POST %q after the restart: %s", word, r)
		for j, h := range servers {
			p, err := w.post(h, w.poster, wr.c, "after the restart: "+word+" works again")
			require.NoError(t, err, "server %d: MessageHasBeenPosted after the restart", j+1)
			got := alertsAbout(w.alerts(), p.Id)
			require.Len(t, got, 1, "server %d: one alert DM for a post naming @%s's word %q: %+v", j+1, wr.u.Username, word, got)
			assert.Equal(t, wr.u.Id, got[0].To)
			assert.Equal(t, []string{word}, got[0].Words)
		}
	}
	requireNoDuplicateAlerts(t, w.alerts())
	readStore(t, w.api).requireSettled(t)
}
