package alerts

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// TestHighAvailability: two servers (two plugin environments, two plugin processes) on one
// database (one fake API: one KV store, the same users, channels and posts). A write answered
// by one server is what the other matches the very next post against.
func TestHighAvailability(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s1 := w.start()
	s2 := w.start()
	require.NotEqual(t, s1.BundlePath(), s2.BundlePath())
	bot := w.botID()
	require.Equal(t, 2, w.api.CountCalls("EnsureBotUser", nil), "each server ensures the bot at activation")

	// Word set through server 1, post handled by server 2.
	cw := putWords(t, s1, w.alice, w.town, "deploy")
	require.Equal(t, []string{"deploy"}, cw.Words)
	// Server 1 also handles a post, so whatever it caches about the channel is warm.
	w.post(s1, w.bob, w.town, "good morning")
	w.requireNoNewDMs(0, "a post without the word")
	p1 := w.post(s2, w.bob, w.town, "Starting the deploy of v2.3 now")
	all := w.allAlerts()
	require.Len(t, all, 1, "exactly one alert DM in all:\n%s", describePosts(all))
	dms := w.requireDMs(w.alice, 1, "post on server 2 after PUT on server 1")
	w.requireAlert(dms[0], w.alice, p1, w.town, "deploy")
	assert.Equal(t, bot, dms[0].UserId)

	// Words replaced through server 2, post handled by server 1 (which has seen "deploy" before:
	// any cache it keeps must not outlive the write).
	cw = putWords(t, s2, w.alice, w.town, "rollback")
	require.Equal(t, []string{"rollback"}, cw.Words)
	p2 := w.post(s1, w.bob, w.town, "deploy failed, rollback please")
	dms = w.requireDMs(w.alice, 2, "post on server 1 after PUT on server 2")
	w.requireAlert(dms[1], w.alice, p2, w.town, "rollback")
	assert.NotContains(t, headerOf(dms[1].Message), "deploy", "the removed word must not be listed:\n%s", dms[1].Message)
	before := len(w.allAlerts())
	w.post(s1, w.bob, w.town, "another deploy today")
	w.requireNoNewDMs(before, "the removed word on server 1")
	w.post(s2, w.bob, w.town, "another deploy tomorrow")
	w.requireNoNewDMs(before, "the removed word on server 2")

	// Both servers read the same words.
	for i, s := range []*harness.Host{s1, s2} {
		assert.Equal(t, []string{"rollback"}, getWords(t, s, w.alice, w.town).Words, "server %d", i+1)
	}

	// The same post handled by both servers (a redelivery) alerts once.
	p3 := w.newPost(w.bob, w.town, "rollback done")
	w.deliver(s1, p3)
	w.deliver(s2, p3)
	dms = w.requireDMs(w.alice, 3, "one post delivered to both servers")
	w.requireAlert(dms[2], w.alice, p3, w.town, "rollback")

	// A snooze set through one server holds on the other, and so does its end.
	r := do(t, s1, http.MethodPut, snoozePath(w.town), w.alice.Id, map[string]any{"duration": "1h"})
	require.NotNil(t, decodeWords(t, r, http.StatusOK, w.town).SnoozedUntil)
	before = len(w.allAlerts())
	w.post(s2, w.bob, w.town, "rollback #2")
	w.requireNoNewDMs(before, "snoozed through server 1, post on server 2")
	r = do(t, s2, http.MethodPut, snoozePath(w.town), w.alice.Id, map[string]any{"duration": "off"})
	require.Nil(t, decodeWords(t, r, http.StatusOK, w.town).SnoozedUntil)
	w.post(s1, w.bob, w.town, "rollback #3")
	w.requireDMs(w.alice, 4, "snooze ended through server 2, post on server 1")

	// A server started later (a new process, nothing in memory) has the same state.
	s3 := w.start()
	assert.Equal(t, []string{"rollback"}, getWords(t, s3, w.alice, w.town).Words)
	p4 := w.post(s3, w.bob, w.town, "rollback #4")
	dms = w.requireDMs(w.alice, 5, "post on a server started later")
	w.requireAlert(dms[4], w.alice, p4, w.town, "rollback")
	assert.Equal(t, bot, w.botID(), "every server uses the same bot")

	// The same post delivered to three servers at once, several times over: one DM.
	p5 := w.newPost(w.bob, w.town, "rollback #5")
	w.api.SeedPost(p5)
	var wg sync.WaitGroup
	for i := range 9 {
		hooks := []*harness.Host{s1, s2, s3}[i%3].HooksRPC()
		wg.Add(1)
		go func() {
			defer wg.Done()
			harness.Within(harness.CallTimeout, func() { _ = hooks.MessageHasBeenPostedWithRPCErr(hookContext(), p5.Clone()) })
		}()
	}
	wg.Wait()
	dms = w.requireDMs(w.alice, 6, "one post delivered concurrently 9 times to 3 servers")
	w.requireAlert(dms[5], w.alice, p5, w.town, "rollback")
}

// TestHighAvailabilityDelete: a DELETE answered by one server stops the other alerting at once,
// and a POST answered by one makes the other alert.
func TestHighAvailabilityDelete(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s1 := w.start()
	s2 := w.start()

	addWord(t, s1, w.alice, w.town, "pager")
	w.post(s2, w.bob, w.town, "pager went off")
	w.requireDMs(w.alice, 1, "POST on 1, post on 2")

	r := do(t, s2, http.MethodDelete, wordPath(w.town, "pager"), w.alice.Id, nil)
	cw := decodeWords(t, r, http.StatusOK, w.town)
	require.Empty(t, cw.Words)
	before := len(w.allAlerts())
	w.post(s1, w.bob, w.town, "pager again")
	w.requireNoNewDMs(before, "DELETE on 2, post on 1")

	addWord(t, s2, w.alice, w.town, "PAGER")
	w.post(s1, w.bob, w.town, "the pager")
	w.requireDMs(w.alice, 2, "POST on 2, post on 1")
}

// TestConcurrentWriters: many POST /words at once, spread over two servers, for one channel:
// by different users and by the same user. Every word answered 201 must be there afterwards on
// both servers (no lost update). A 503 (store busy) is a legitimate answer the client retries.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.settings(map[string]any{"maxwordsperchannel": 200})
	s1 := w.start()
	s2 := w.start()
	servers := []*harness.Host{s1, s2}

	// Extra members, each adding one word.
	var others []*model.User
	for i := range 8 {
		u := &model.User{Id: model.NewId(), Username: fmt.Sprintf("writer%d", i), Email: fmt.Sprintf("writer%d@example.com", i)}
		w.api.SeedUser(u)
		w.join(w.town, u)
		others = append(others, u)
	}

	type job struct {
		user *model.User
		word string
	}
	var jobs []job
	for i := range 16 {
		jobs = append(jobs, job{w.alice, fmt.Sprintf("alice%02d", i)})
	}
	for i, u := range others {
		jobs = append(jobs, job{u, fmt.Sprintf("word%02d", i)}, job{u, fmt.Sprintf("extra%02d", i)})
	}

	var mu sync.Mutex
	var failures []string
	busy := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s := servers[i%2]
			deadline := time.Now().Add(60 * time.Second)
			for {
				resp, err := s.TryServeHTTP(request(http.MethodPost, wordsPath(w.town), j.user.Id, map[string]any{"word": j.word}))
				mu.Lock()
				switch {
				case err != nil:
					failures = append(failures, fmt.Sprintf("%s %q: %v", j.user.Username, j.word, err))
				case resp.Code == http.StatusCreated:
				case resp.Code == http.StatusServiceUnavailable && time.Now().Before(deadline):
					busy++
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
					continue
				default:
					failures = append(failures, fmt.Sprintf("%s %q: %d %s", j.user.Username, j.word, resp.Code, resp.Body.String()))
				}
				mu.Unlock()
				return
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Empty(t, failures)
	if busy > 0 {
		t.Logf("%d answers were 503 (retried)", busy)
	}

	want := map[string][]string{}
	for _, j := range jobs {
		want[j.user.Id] = append(want[j.user.Id], j.word)
	}
	for i, s := range servers {
		for _, u := range append([]*model.User{w.alice}, others...) {
			got := getWords(t, s, u, w.town).Words
			assert.True(t, sameWords(want[u.Id], got), "server %d, @%s: want %v, got %v (lost update)", i+1, u.Username, want[u.Id], got)
		}
	}

	// And every word alerts its owner.
	p := w.post(s1, w.bob, w.town, "alice07 word03 extra05")
	w.requireDMs(w.alice, 1, "alice07")
	w.requireAlert(w.dms(w.alice)[0], w.alice, p, w.town, "alice07")
	w.requireDMs(others[3], 1, "word03")
	w.requireDMs(others[5], 1, "extra05")
	w.requireDMs(others[0], 0, "no word of writer0")
}
