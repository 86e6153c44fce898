package alerts

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// heldBack finds the sentence of an alert that reports alerts held back by flood control.
var heldBack = regexp.MustCompile(`(?i)held back|suppressed|skipped|not sent|withheld|rate.?limit`)

// TestFloodControl: with alertsperminute=10, twelve matching posts within one minute give the
// user ten DMs; the 11th and 12th are held back and counted, and the user's next DM, in a later
// minute, says that 2 were held back.
//
// Time: flood control counts per wall-clock minute of the plugin process (Date.now), which the
// fake cannot move (its clock only drives KV expiry). So the burst is started early in a minute
// (waiting for the next one if fewer than 20 s remain), and the "next minute" part waits for the
// wall clock's next minute, at most 60 s; -short skips that part. The held-back counter is also
// checked in the KV store where recipient_ledger.ts documents it (tw1:al:<userId>, "held").
func TestFloodControl(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.settings(map[string]any{"alertsperminute": 10})
	h := w.start()
	putWords(t, h, w.alice, w.town, "deploy")
	putWords(t, h, w.carol, w.town, "release")

	waitForMinuteStart(20 * time.Second)
	minute := time.Now().Truncate(time.Minute)
	var posts []*model.Post
	for i := range 12 {
		posts = append(posts, w.post(h, w.bob, w.town, fmt.Sprintf("deploy number %d", i+1)))
	}
	require.Equal(t, minute, time.Now().Truncate(time.Minute), "the burst took too long: it crossed a minute boundary")

	dms := w.requireDMs(w.alice, 10, "12 matching posts in one minute with alertsperminute=10")
	for i, dm := range dms {
		w.requireAlert(dm, w.alice, posts[i], w.town, "deploy")
		assert.NotRegexp(t, heldBack, headerOf(dm.Message), "DM %d: nothing was held back yet", i+1)
	}
	for _, p := range posts[10:] {
		for _, dm := range dms {
			assert.NotContains(t, dm.Message, p.Id, "post %q must be held back", p.Message)
		}
	}
	held, ok := heldBackCount(t, w, w.alice)
	assert.True(t, ok && held == 2, "held-back counter (tw1:al:<alice>): want 2, got %d (present %v)", held, ok)

	// The limit is per user: carol still gets hers in the same minute.
	p := w.post(h, w.bob, w.town, "release notes are out")
	cdms := w.requireDMs(w.carol, 1, "another user in the same minute")
	w.requireAlert(cdms[0], w.carol, p, w.town, "release")

	if testing.Short() {
		t.Log("-short: not waiting for the next minute")
		return
	}
	next := minute.Add(time.Minute)
	time.Sleep(time.Until(next) + 500*time.Millisecond)

	p13 := w.post(h, w.bob, w.town, "deploy number 13")
	dms = w.requireDMs(w.alice, 11, "the first matching post of the next minute")
	w.requireAlert(dms[10], w.alice, p13, w.town, "deploy")
	header := headerOf(dms[10].Message)
	line := ""
	for _, l := range strings.Split(header, "\n") {
		if heldBack.MatchString(l) {
			line = l
		}
	}
	require.NotEmpty(t, line, "the DM after the window must say how many alerts were held back:\n%s", dms[10].Message)
	assert.Regexp(t, `\b2\b`, line, "2 alerts were held back:\n%s", dms[10].Message)
	if held, ok := heldBackCount(t, w, w.alice); ok {
		assert.Equal(t, 0, held, "the held-back counter is reset once reported")
	}

	p14 := w.post(h, w.bob, w.town, "deploy number 14")
	dms = w.requireDMs(w.alice, 12, "the next post")
	w.requireAlert(dms[11], w.alice, p14, w.town, "deploy")
	assert.NotRegexp(t, heldBack, headerOf(dms[11].Message), "nothing held back since the last DM:\n%s", dms[11].Message)
}

// TestFloodControlCluster: the limit holds across servers and concurrent posts: with
// alertsperminute=5, eight matching posts handled at once by two servers give exactly five DMs.
func TestFloodControlCluster(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.settings(map[string]any{"alertsperminute": 5})
	s1 := w.start()
	s2 := w.start()
	putWords(t, s1, w.alice, w.town, "deploy")

	var posts []*model.Post
	for i := range 8 {
		p := w.newPost(w.bob, w.town, fmt.Sprintf("deploy number %d", i+1))
		w.api.SeedPost(p)
		posts = append(posts, p)
	}
	waitForMinuteStart(20 * time.Second)
	minute := time.Now().Truncate(time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, len(posts))
	for i, p := range posts {
		h := []*harness.Host{s1, s2}[i%2]
		hooks := h.HooksRPC()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !harness.Within(harness.CallTimeout, func() {
				if err := hooks.MessageHasBeenPostedWithRPCErr(hookContext(), p.Clone()); err != nil {
					errs <- err
				}
			}) {
				errs <- fmt.Errorf("MessageHasBeenPosted did not return within %s", harness.CallTimeout)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Equal(t, minute, time.Now().Truncate(time.Minute), "the burst crossed a minute boundary")
	dms := w.requireDMs(w.alice, 5, "8 concurrent matching posts on two servers with alertsperminute=5")
	seen := map[string]bool{}
	for _, dm := range dms {
		for _, p := range posts {
			if strings.Contains(dm.Message, w.permalink(p)) {
				assert.False(t, seen[p.Id], "two DMs for one post")
				seen[p.Id] = true
			}
		}
	}
	assert.Len(t, seen, 5, "each DM is for a different post")
	// The 3 held-back alerts are counted exactly once: either still in the counter, or already reported
	// by an admitted DM that read and reset it (admissions and suppressions interleave across servers).
	held, _ := heldBackCount(t, w, w.alice)
	reported := regexp.MustCompile(`\((\d+) more alerts? (?:was|were) held back`)
	for _, dm := range dms {
		if m := reported.FindStringSubmatch(dm.Message); m != nil {
			n, _ := strconv.Atoi(m[1])
			held += n
		}
	}
	assert.Equal(t, 3, held, "held-back alerts counted in tw1:al:<alice> plus those reported in DMs")
}

// heldBackCount reads the held-back alert count of u's alert ledger (tw1:al:<userId>, its "held"
// field); false when there is no ledger.
func heldBackCount(t *testing.T, w *world, u *model.User) (int, bool) {
	t.Helper()
	raw, ok := w.api.KVValue("tw1:al:" + u.Id)
	if !ok {
		return 0, false
	}
	var ledger struct {
		Held *int `json:"held"`
	}
	require.NoError(t, json.Unmarshal(raw, &ledger), "alert ledger of @%s: %s", u.Username, raw)
	require.NotNil(t, ledger.Held, "alert ledger of @%s has no held-back count: %s", u.Username, raw)
	return *ledger.Held, true
}
