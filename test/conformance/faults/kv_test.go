package faults

import (
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/rpc"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// kvMethods are the plugin API's KV store methods; faults are injected into all of them.
var kvMethods = []string{"KVGet", "KVSet", "KVSetWithExpiry", "KVSetWithOptions", "KVCompareAndSet", "KVCompareAndDelete", "KVDelete", "KVDeleteAll", "KVList"}

// kvFaultKind is one way a KV call can go wrong.
type kvFaultKind struct {
	name  string
	fault fakeapi.Fault
}

var (
	errStoreDown    = &model.AppError{Id: "app.plugin_store.get.app_error", Message: "Failed to query the database.", DetailedError: "dial tcp: connection refused", StatusCode: http.StatusInternalServerError, Where: "PluginStore"}
	errStoreTimeout = &model.AppError{Id: "app.plugin_store.save.app_error", Message: "Failed to save the value.", DetailedError: "context deadline exceeded", StatusCode: http.StatusInternalServerError, Where: "PluginStore"}
)

var kvFaultKinds = []kvFaultKind{
	// The database refuses the query at once.
	{"fails", fakeapi.Fault{Err: errStoreDown}},
	// The query hangs until the server's query timeout, then fails (the delay stands for the timeout).
	{"times out", fakeapi.Fault{Delay: 60 * time.Millisecond, Err: errStoreTimeout}},
	// The write commits but its answer is lost (timeout after the commit): the plugin sees an error.
	{"loses the answer of a write", fakeapi.Fault{Err: errStoreTimeout, AfterWrite: true}},
}

// awaitDirectChannelRemembered waits until u's alert ledger holds the bot's direct channel, which
// setting a first word makes in the background of that request (server/alerts/app.ts, #12), so that
// the faults injected next hit the requests' own KV calls, not that background work's.
func awaitDirectChannelRemembered(t *testing.T, w *world, u *model.User) {
	t.Helper()
	require.Eventually(t, func() bool {
		raw, ok := w.api.KVValue(ledgerPrefix + u.Id)
		return ok && strings.Contains(string(raw), `"dm":`)
	}, 10*time.Second, 5*time.Millisecond, "the direct channel of %s in the alert ledger", u.Username)
}

// faultAt injects f into the n-th KV call (0-based, any KV method) from now on. fired reports
// whether that call happened and which method it was.
func faultAt(api *fakeapi.API, n int, f fakeapi.Fault) (fired func() (bool, string), clear func()) {
	var (
		mu     sync.Mutex // the fake calls fn with its own lock held; this one only guards the results
		seen   int
		hit    bool
		method string
	)
	for _, m := range kvMethods {
		api.InjectFault(m, func([]any) fakeapi.Fault {
			mu.Lock()
			defer mu.Unlock()
			i := seen
			seen++
			if i != n {
				return fakeapi.Fault{}
			}
			hit, method = true, m
			return f
		})
	}
	fired = func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return hit, method
	}
	clear = func() {
		for _, m := range kvMethods {
			api.ClearFault(m)
		}
	}
	return fired, clear
}

// wordOp is one HTTP update of a user's words in a channel.
type wordOp struct {
	name    string
	method  string
	path    string
	body    any
	want    []string // the words afterwards, when it succeeds
	added   string   // a word it adds ("" for none)
	removed string   // a word it removes ("" for none)
	status  int      // its success status
	// retried reports whether status, on a retry after an unclear first attempt, is the answer of
	// a retry whose first attempt did land (409 for a POST, 404 for a DELETE).
	retried int
}

// Kinds of update.
const (
	opPost   = iota // POST a new word
	opPut           // PUT: drop the oldest word, add a new one
	opDelete        // DELETE the oldest word
	opClear         // PUT an empty list (the user's index entry goes)
	opFirst         // POST the first word (the user's index entry comes)
	opKinds
)

// nextOp builds an update of kind for a user whose current words in channel c are cur; seq
// makes the new word's name.
func nextOp(kind, seq int, c *model.Channel, cur []string) wordOp {
	word := fmt.Sprintf("fresh%d", seq)
	switch {
	case kind == opPut:
		list := append(slices.Clone(cur[min(1, len(cur)):]), word)
		op := wordOp{name: "PUT words", method: http.MethodPut, path: wordsPath(c), body: map[string]any{"words": list}, want: list, added: word, status: http.StatusOK}
		if len(cur) > 0 {
			op.removed = cur[0]
		}
		return op
	case kind == opClear && len(cur) > 0:
		return wordOp{name: "PUT no words", method: http.MethodPut, path: wordsPath(c), body: map[string]any{"words": []string{}}, want: []string{}, removed: cur[0], status: http.StatusOK}
	case kind == opDelete && len(cur) > 1:
		return wordOp{name: "DELETE word", method: http.MethodDelete, path: wordPath(c, cur[0]), want: slices.Clone(cur[1:]), removed: cur[0], status: http.StatusOK, retried: http.StatusNotFound}
	default:
		return wordOp{name: "POST word", method: http.MethodPost, path: wordsPath(c), body: map[string]any{"word": word}, want: append(slices.Clone(cur), word), added: word, status: http.StatusCreated, retried: http.StatusConflict}
	}
}

// TestKVFailuresInUpdates: for each kind of update (POST, PUT, DELETE of words, PUT of no words,
// POST of a first word), each kind of KV
// fault (the call fails, times out, or commits but loses its answer), and each KV call the update
// makes in turn: the faulted request answers either its usual 2xx with the update fully done, or
// 503 with a retryable JSON error (Retry-After); the store is then in the state before or after
// the update, nothing in between (server/alerts/store.ts's invariants; every word in a channel doc
// is what GET words and GET /words show, on both servers); the client's retry succeeds; and the
// other server, whose cache is warm, alerts on exactly the words of the final state at once.
func TestKVFailuresInUpdates(t *testing.T) {
	w := newWorld(t, 1, 1)
	s1 := w.start()
	s2 := w.start()
	u, c := w.users[0], w.channels[0]
	var cur []string
	for i := range 5 {
		cur = append(cur, fmt.Sprintf("seed%d", i))
	}
	r, err := call(s1, http.MethodPut, wordsPath(c), u.Id, map[string]any{"words": cur})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Code, "%s", r)
	awaitDirectChannelRemembered(t, w, u)

	seq := 0
	points, unavailable := 0, 0
	for _, kind := range kvFaultKinds {
		for opKind := range opKinds {
			for n := 0; ; n++ {
				if opKind == opFirst && len(cur) > 0 {
					// Start from no words (and no index entry), cleared without a fault.
					r, err := call(s1, http.MethodPut, wordsPath(c), u.Id, map[string]any{"words": []string{}})
					require.NoError(t, err)
					require.Equal(t, http.StatusOK, r.Code, "%s", r)
					cur = nil
				}
				for (opKind == opClear && len(cur) == 0) || (opKind == opDelete && len(cur) < 2) {
					// Something to clear or delete, added without a fault.
					word := fmt.Sprintf("fresh%d", seq)
					seq++
					r, err := call(s1, http.MethodPost, wordsPath(c), u.Id, map[string]any{"word": word})
					require.NoError(t, err)
					require.Equal(t, http.StatusCreated, r.Code, "%s", r)
					cur = append(cur, word)
				}
				op := nextOp(opKind, seq, c, cur)
				seq++
				context := fmt.Sprintf("%s, KV call #%d %s", op.name, n, kind.name)

				// Server 2 has handled a post since the last write: its cache of the channel is warm.
				_, err := w.post(s2, w.poster, c, "nothing to see")
				require.NoError(t, err)

				fired, clear := faultAt(w.api, n, kind.fault)
				r, err := call(s1, op.method, op.path, u.Id, op.body)
				clear()
				require.NoError(t, err, "%s", context)
				hit, method := fired()
				if !hit {
					// The update made fewer than n+1 KV calls: every one of its calls has been faulted.
					require.Equal(t, op.status, r.Code, "%s: without a fault: %s", context, r)
					got, _, err := parseWords(r, c)
					require.NoError(t, err)
					require.True(t, sameSet(op.want, got), "%s: answer %v, want %v", context, got, op.want)
					cur = op.want
					break
				}
				context += " (" + method + ")"
				points++

				// Either done (2xx) or 503, and the store before or after the update.
				s := readStore(t, w.api)
				requireReachable(t, w, s, s1, s2)
				now := s.wordsIn(c.Id, u.Id)
				if r.Code == op.status {
					got, _, err := parseWords(r, c)
					require.NoError(t, err, "%s", context)
					require.True(t, sameSet(op.want, got), "%s: answer %v, want %v", context, got, op.want)
					require.True(t, sameSet(op.want, now), "%s: answered %d but the store holds %v, want %v", context, r.Code, now, op.want)
				} else {
					requireRetryable(t, r, context)
					unavailable++
					require.True(t, sameSet(cur, now) || sameSet(op.want, now), "%s: half-written: the store holds %v; before %v, after %v", context, now, cur, op.want)
				}

				// The client retries (without a fault): the update is done, and visible everywhere.
				if r.Code != op.status {
					r, err = call(s1, op.method, op.path, u.Id, op.body)
					require.NoError(t, err)
					require.True(t, r.Code == op.status || (op.retried != 0 && r.Code == op.retried), "%s: the retry answered %s", context, r)
				}
				s = readStore(t, w.api)
				s.requireSettled(t)
				require.True(t, sameSet(op.want, s.wordsIn(c.Id, u.Id)), "%s: after the retry the store holds %v, want %v", context, s.wordsIn(c.Id, u.Id), op.want)
				for i, h := range []*harness.Host{s1, s2} {
					require.True(t, sameSet(op.want, getWords(t, h, u, c)), "%s: server %d after the retry", context, i+1)
				}
				cur = op.want
				requireAlertsExactly(t, w, s2, c, op, context)
			}
		}
	}
	t.Logf("%d KV calls faulted in turn; %d answered 503 (retried), the others were best-effort steps after the write", points, unavailable)
	require.Positive(t, unavailable)
}

// requireAlertsExactly posts, on server s, a message naming the word an update added and the one
// it removed: exactly one alert DM, for the added word, goes to the words' owner.
func requireAlertsExactly(t *testing.T, w *world, s *harness.Host, c *model.Channel, op wordOp, context string) {
	t.Helper()
	msg := "status:"
	for _, word := range []string{op.added, op.removed} {
		if word != "" {
			msg += " " + word
		}
	}
	p, err := w.post(s, w.poster, c, msg)
	require.NoError(t, err)
	got := alertsAbout(w.alerts(), p.Id)
	if op.added == "" {
		require.Empty(t, got, "%s: alert for a removed word %q", context, op.removed)
		return
	}
	require.Len(t, got, 1, "%s: alerts for %q", context, msg)
	require.Equal(t, w.users[0].Id, got[0].To, "%s", context)
	require.Equal(t, []string{op.added}, got[0].Words, "%s: a removed word alerted", context)
}

// TestKVFailuresInReads: reads (GET words, GET /words) and the snooze update with a failing KV
// answer 503 with a retryable error, change nothing, and work once the store is back.
func TestKVFailuresInReads(t *testing.T) {
	w := newWorld(t, 1, 1)
	s1 := w.start()
	u, c := w.users[0], w.channels[0]
	r, err := call(s1, http.MethodPut, wordsPath(c), u.Id, map[string]any{"words": []string{"alpha"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Code)
	awaitDirectChannelRemembered(t, w, u)
	before := w.api.KVSnapshot()

	for _, req := range []struct {
		name, method, path string
		body               any
	}{
		{"GET words", http.MethodGet, wordsPath(c), nil},
		{"GET /words", http.MethodGet, apiBase + "/words", nil},
		{"PUT snooze", http.MethodPut, snoozePath(c), map[string]any{"duration": "1h"}},
	} {
		for _, kind := range kvFaultKinds[:2] {
			fired, clear := faultAt(w.api, 0, kind.fault)
			r, err := call(s1, req.method, req.path, u.Id, req.body)
			clear()
			require.NoError(t, err)
			hit, _ := fired()
			require.True(t, hit, "%s made no KV call", req.name)
			requireRetryable(t, r, req.name+", first KV call "+kind.name)
			require.Equal(t, before, w.api.KVSnapshot(), "%s: a failed request changed the store", req.name)
		}
	}
	assert.Equal(t, []string{"alpha"}, getWords(t, s1, u, c))
	r, err = call(s1, http.MethodPut, snoozePath(c), u.Id, map[string]any{"duration": "1h"})
	require.NoError(t, err)
	_, until, err := parseWords(r, c)
	require.NoError(t, err)
	require.NotNil(t, until, "snoozed once the store is back: %s", r)
}

// TestSlowKV: a KV store that answers slowly, but answers, slows requests down and fails none of
// them.
func TestSlowKV(t *testing.T) {
	w := newWorld(t, 1, 1)
	s1 := w.start()
	u, c := w.users[0], w.channels[0]
	const delay = 150 * time.Millisecond
	for _, m := range kvMethods {
		w.api.InjectFault(m, func([]any) fakeapi.Fault { return fakeapi.Fault{Delay: delay} })
	}
	t0 := time.Now()
	r, err := call(s1, http.MethodPost, wordsPath(c), u.Id, map[string]any{"word": "slow"})
	took := time.Since(t0)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Code, "%s", r)
	require.GreaterOrEqual(t, took, delay)
	_, err = w.post(s1, w.poster, c, "a slow day")
	require.NoError(t, err)
	for _, m := range kvMethods {
		w.api.ClearFault(m)
	}
	alerts := w.alerts()
	require.Len(t, alerts, 1)
	assert.Equal(t, []string{"slow"}, alerts[0].Words)
	t.Logf("POST word with every KV call %s slow: %.0f ms", delay, float64(took.Milliseconds()))
}

// TestKVFailuresInPosts: posts arriving while a third of the KV calls fail: the hook returns
// (at worst with the plugin's error answer, which the server logs; never a broken connection),
// the plugin stays healthy, no user gets two DMs about one post, and
// once the store is back every post alerts.
func TestKVFailuresInPosts(t *testing.T) {
	w := newWorld(t, 1, 3)
	s1 := w.start()
	c := w.channels[0]
	for i, u := range w.users {
		r, err := call(s1, http.MethodPut, wordsPath(c), u.Id, map[string]any{"words": []string{fmt.Sprintf("word%d", i)}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.Code)
	}
	pid, err := s1.PluginPID()
	require.NoError(t, err)

	var mu sync.Mutex
	rng := rand.New(rand.NewSource(3))
	for _, m := range kvMethods {
		w.api.InjectFault(m, func([]any) fakeapi.Fault {
			mu.Lock()
			defer mu.Unlock()
			switch rng.Intn(6) {
			case 0:
				return fakeapi.Fault{Err: errStoreDown}
			case 1:
				return fakeapi.Fault{Err: errStoreTimeout, AfterWrite: true}
			}
			return fakeapi.Fault{}
		})
	}
	errorAnswers := 0
	for i := range 60 {
		_, err := w.post(s1, w.poster, c, fmt.Sprintf("post %d: word%d word%d", i, i%3, (i+1)%3))
		var answered rpc.ServerError
		if errors.As(err, &answered) {
			errorAnswers++ // the plugin answered with an error: the server logs it and goes on
			continue
		}
		require.NoError(t, err, "MessageHasBeenPosted with a failing KV store")
	}
	for _, m := range kvMethods {
		w.api.ClearFault(m)
	}
	failedAlerts := 60*2 - len(w.alerts())
	require.False(t, harness.Exited(pid), "the plugin process died")
	var hcErr error
	s1.Do("PerformHealthCheck", func() { hcErr = s1.Env.PerformHealthCheck(pluginID) })
	require.NoError(t, hcErr)
	requireNoDuplicateAlerts(t, w.alerts())

	for i := range 3 {
		p, err := w.post(s1, w.poster, c, fmt.Sprintf("store is back: word%d", i))
		require.NoError(t, err)
		got := alertsAbout(w.alerts(), p.Id)
		require.Len(t, got, 1, "after the store is back")
		assert.Equal(t, w.users[i].Id, got[0].To)
	}
	t.Logf("%d of 120 alerts not sent while a third of the KV calls failed; %d of 60 hooks answered with an error", failedAlerts, errorAnswers)
	if failedAlerts == 0 {
		t.Error(errors.New("no alert was lost: the faults did not reach the alert path"))
	}
}
