package alerts

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// TestHTTPRoutes: every route of API.md, happy path.
func TestHTTPRoutes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.start()

	// GET of a channel without words.
	cw := getWords(t, h, w.alice, w.town)
	assert.Empty(t, cw.Words)
	assert.Nil(t, cw.SnoozedUntil)
	assert.Equal(t, 25, cw.Limits.MaxWords, "limits.max_words is the maxwordsperchannel setting")
	assert.Equal(t, 64, cw.Limits.MaxLength)

	// PUT replaces: trimmed, duplicates after normalisation removed (first kept), order kept.
	cw = putWords(t, h, w.alice, w.town, "Deploy", "  on call ", "deploy", "DEPLOY", "Rollback")
	assert.Equal(t, []string{"Deploy", "on call", "Rollback"}, cw.Words)
	assert.Equal(t, cw.Words, getWords(t, h, w.alice, w.town).Words)
	cw = putWords(t, h, w.alice, w.town, "rollback", "pager")
	assert.Equal(t, []string{"rollback", "pager"}, cw.Words, "PUT replaces the list")

	// POST adds one, at the end: 201.
	cw = addWord(t, h, w.alice, w.town, "  Incident ")
	assert.Equal(t, []string{"rollback", "pager", "Incident"}, cw.Words)

	// DELETE, URL-encoded, matched after normalisation.
	addWord(t, h, w.alice, w.town, "on call")
	r := do(t, h, http.MethodDelete, wordPath(w.town, "ON CALL"), w.alice.Id, nil)
	cw = decodeWords(t, r, http.StatusOK, w.town)
	assert.Equal(t, []string{"rollback", "pager", "Incident"}, cw.Words)
	r = do(t, h, http.MethodDelete, wordPath(w.town, "incident"), w.alice.Id, nil)
	cw = decodeWords(t, r, http.StatusOK, w.town)
	assert.Equal(t, []string{"rollback", "pager"}, cw.Words)

	// A 64-character word is fine (65 is not: TestHTTPErrors).
	long := strings.Repeat("y", 64)
	addWord(t, h, w.alice, w.town, long)
	r = do(t, h, http.MethodDelete, wordPath(w.town, long), w.alice.Id, nil)
	assert.Equal(t, []string{"rollback", "pager"}, decodeWords(t, r, http.StatusOK, w.town).Words)

	// Words are per user: bob sees none of alice's.
	assert.Empty(t, getWords(t, h, w.bob, w.town).Words)

	// GET /words: every channel where the caller has words and is still a member.
	putWords(t, h, w.alice, w.dev, "build")
	putWords(t, h, w.carol, w.town, "carol-only")
	type entry struct {
		ChannelID   string   `json:"channel_id"`
		ChannelName string   `json:"channel_name"`
		DisplayName string   `json:"display_name"`
		TeamID      string   `json:"team_id"`
		TeamName    string   `json:"team_name"`
		Words       []string `json:"words"`
	}
	listWords := func(u *model.User) []entry {
		t.Helper()
		r := do(t, h, http.MethodGet, apiBase+"/words", u.Id, nil)
		require.Equal(t, http.StatusOK, r.Code, "GET /words: %s", r)
		require.Contains(t, r.Header.Get("Content-Type"), "application/json")
		var body struct {
			Channels []entry `json:"channels"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body), "%s", r.Body)
		require.NotNil(t, body.Channels, "channels must be an array: %s", r.Body)
		return body.Channels
	}
	byID := map[string]entry{}
	for _, e := range listWords(w.alice) {
		byID[e.ChannelID] = e
	}
	require.Len(t, byID, 2, "alice has words in two channels: %v", byID)
	assert.Equal(t, entry{ChannelID: w.town.Id, ChannelName: "town-square", DisplayName: "Town Square", TeamID: w.team.Id, TeamName: "acme", Words: []string{"rollback", "pager"}}, byID[w.town.Id])
	assert.Equal(t, entry{ChannelID: w.dev.Id, ChannelName: "dev", DisplayName: "Developers", TeamID: w.team.Id, TeamName: "acme", Words: []string{"build"}}, byID[w.dev.Id])
	assert.Empty(t, listWords(w.bob), "bob has no words")
	// Left a channel: it is no longer listed.
	w.api.RemoveChannelMember(w.dev.Id, w.alice.Id)
	got := listWords(w.alice)
	require.Len(t, got, 1)
	assert.Equal(t, w.town.Id, got[0].ChannelID)
	w.join(w.dev, w.alice)
	// A channel emptied with PUT [] is no longer listed.
	putWords(t, h, w.alice, w.dev)
	got = listWords(w.alice)
	require.Len(t, got, 1)
	assert.Equal(t, w.town.Id, got[0].ChannelID)

	// PUT snooze: 1h, 8h, tomorrow, off.
	snooze := func(u *model.User, c *model.Channel, d string) channelWords {
		t.Helper()
		return decodeWords(t, do(t, h, http.MethodPut, snoozePath(c), u.Id, map[string]any{"duration": d}), http.StatusOK, c)
	}
	for _, tc := range []struct {
		d   string
		dur time.Duration
	}{{"1h", time.Hour}, {"8h", 8 * time.Hour}} {
		before := time.Now()
		cw = snooze(w.alice, w.town, tc.d)
		after := time.Now()
		require.NotNil(t, cw.SnoozedUntil, tc.d)
		until := time.UnixMilli(*cw.SnoozedUntil)
		assert.False(t, until.Before(before.Add(tc.dur).Add(-time.Second)) || until.After(after.Add(tc.dur).Add(time.Second)),
			"%s: snoozed_until %s, want now+%s", tc.d, until, tc.dur)
		assert.Equal(t, []string{"rollback", "pager"}, cw.Words)
		got := getWords(t, h, w.alice, w.town)
		require.NotNil(t, got.SnoozedUntil)
		assert.Equal(t, *cw.SnoozedUntil, *got.SnoozedUntil, "GET shows the snooze")
	}
	assert.Nil(t, getWords(t, h, w.alice, w.dev).SnoozedUntil, "snooze is per channel")
	cw = snooze(w.alice, w.town, "off")
	assert.Nil(t, cw.SnoozedUntil)
	assert.Nil(t, getWords(t, h, w.alice, w.town).SnoozedUntil)

	// tomorrow: 09:00 the next day in the user's timezone (frank: Asia/Tokyo, manual; carol:
	// America/New_York, automatic; alice: unset, UTC).
	carol := w.api.User(w.carol.Id)
	carol.Timezone = model.StringMap{"useAutomaticTimezone": "true", "automaticTimezone": "America/New_York", "manualTimezone": "Asia/Tokyo"}
	w.api.SeedUser(carol)
	for _, tc := range []struct {
		u    *model.User
		zone string
	}{{w.frank, "Asia/Tokyo"}, {w.alice, "UTC"}, {w.carol, "America/New_York"}} {
		loc, err := time.LoadLocation(tc.zone)
		require.NoError(t, err)
		before := time.Now()
		cw = snooze(tc.u, w.town, "tomorrow")
		after := time.Now()
		require.NotNil(t, cw.SnoozedUntil)
		until := time.UnixMilli(*cw.SnoozedUntil)
		want := func(now time.Time) time.Time {
			n := now.In(loc)
			return time.Date(n.Year(), n.Month(), n.Day()+1, 9, 0, 0, 0, loc)
		}
		assert.True(t, until.Equal(want(before)) || until.Equal(want(after)),
			"tomorrow for %s (%s): snoozed_until %s, want %s", tc.u.Username, tc.zone, until.In(loc), want(before))
		snooze(tc.u, w.town, "off")
	}
}

// TestHTTPErrors: API.md's error table, each answer {error, details?}.
func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.start()
	putWords(t, h, w.alice, w.town, "deploy")
	// Setting words prepares the bot's direct channel in the background and remembers it in the
	// user's alert ledger: the snapshot is taken once that write is in.
	require.Eventually(t, func() bool {
		_, ok := w.api.KVSnapshot()["tw1:al:"+w.alice.Id]
		return ok
	}, 10*time.Second, 10*time.Millisecond, "alice's alert ledger remembers the direct channel")
	stored := w.api.KVSnapshot()

	t.Run("401 without Mattermost-User-Id", func(t *testing.T) {
		for _, tc := range []struct{ method, path string }{
			{http.MethodGet, wordsPath(w.town)},
			{http.MethodPut, wordsPath(w.town)},
			{http.MethodPost, wordsPath(w.town)},
			{http.MethodDelete, wordPath(w.town, "deploy")},
			{http.MethodGet, apiBase + "/words"},
			{http.MethodPut, snoozePath(w.town)},
		} {
			var body any
			if tc.method == http.MethodPut || tc.method == http.MethodPost {
				body = map[string]any{"word": "x", "words": []string{"x"}}
			}
			decodeError(t, do(t, h, tc.method, tc.path, "", body), http.StatusUnauthorized)
		}
	})

	t.Run("403 not a member", func(t *testing.T) {
		decodeError(t, do(t, h, http.MethodGet, wordsPath(w.town), w.dave.Id, nil), http.StatusForbidden)
		decodeError(t, do(t, h, http.MethodPut, wordsPath(w.town), w.dave.Id, map[string]any{"words": []string{"x"}}), http.StatusForbidden)
		decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.dave.Id, map[string]any{"word": "x"}), http.StatusForbidden)
		decodeError(t, do(t, h, http.MethodDelete, wordPath(w.town, "deploy"), w.dave.Id, nil), http.StatusForbidden)
		decodeError(t, do(t, h, http.MethodPut, snoozePath(w.town), w.dave.Id, map[string]any{"duration": "1h"}), http.StatusForbidden)
		// bob is in town but not in a private channel he was never added to.
		private := &model.Channel{Id: model.NewId(), TeamId: w.team.Id, Type: model.ChannelTypePrivate, Name: "secret", DisplayName: "Secret"}
		w.api.SeedChannel(private)
		decodeError(t, do(t, h, http.MethodGet, wordsPath(private), w.bob.Id, nil), http.StatusForbidden)
	})

	t.Run("400 bad channel id", func(t *testing.T) {
		for _, id := range []string{"town-square", strings.ToUpper(w.town.Id), w.town.Id[:25], w.town.Id + "a", "..", "x"} {
			decodeError(t, do(t, h, http.MethodGet, apiBase+"/channels/"+id+"/words", w.alice.Id, nil), http.StatusBadRequest)
		}
		decodeError(t, do(t, h, http.MethodPut, apiBase+"/channels/nope/words", w.alice.Id, map[string]any{"words": []string{"x"}}), http.StatusBadRequest)
	})

	t.Run("404 unknown channel", func(t *testing.T) {
		decodeError(t, do(t, h, http.MethodGet, apiBase+"/channels/"+model.NewId()+"/words", w.alice.Id, nil), http.StatusNotFound)
	})

	t.Run("400 bad body", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path string
			body               any
		}{
			{"malformed JSON", http.MethodPut, wordsPath(w.town), `{"words": [`},
			{"not an object", http.MethodPut, wordsPath(w.town), `["deploy"]`},
			{"words not an array", http.MethodPut, wordsPath(w.town), map[string]any{"words": "deploy"}},
			{"word not a string", http.MethodPut, wordsPath(w.town), map[string]any{"words": []any{"ok", 3}}},
			{"missing words", http.MethodPut, wordsPath(w.town), map[string]any{}},
			{"unknown key", http.MethodPut, wordsPath(w.town), map[string]any{"words": []string{"ok"}, "extra": 1}},
			{"empty word", http.MethodPut, wordsPath(w.town), map[string]any{"words": []string{"ok", "   "}}},
			{"word too long", http.MethodPost, wordsPath(w.town), map[string]any{"word": strings.Repeat("x", 65)}},
			{"control character", http.MethodPost, wordsPath(w.town), map[string]any{"word": "line\nbreak"}},
			{"POST word missing", http.MethodPost, wordsPath(w.town), map[string]any{"words": []string{"x"}}},
			{"POST malformed", http.MethodPost, wordsPath(w.town), `{"word":`},
			{"snooze duration", http.MethodPut, snoozePath(w.town), map[string]any{"duration": "2h"}},
			{"snooze malformed", http.MethodPut, snoozePath(w.town), `duration=1h`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := decodeError(t, do(t, h, tc.method, tc.path, w.alice.Id, tc.body), http.StatusBadRequest)
				if tc.name != "malformed JSON" && tc.name != "POST malformed" && tc.name != "snooze malformed" {
					assert.NotEmpty(t, e.Details, "a validation error has details: %+v", e)
				}
			})
		}
	})

	t.Run("413 body over 16 KiB", func(t *testing.T) {
		big := map[string]any{"words": []string{strings.Repeat("z", 17*1024)}}
		decodeError(t, do(t, h, http.MethodPut, wordsPath(w.town), w.alice.Id, big), http.StatusRequestEntityTooLarge)
		big = map[string]any{"word": strings.Repeat("z", 17*1024)}
		decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.alice.Id, big), http.StatusRequestEntityTooLarge)
	})

	t.Run("409 duplicate POST", func(t *testing.T) {
		decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.alice.Id, map[string]any{"word": " DEPLOY "}), http.StatusConflict)
		assert.Equal(t, []string{"deploy"}, getWords(t, h, w.alice, w.town).Words)
	})

	t.Run("404 unknown route", func(t *testing.T) {
		for _, path := range []string{apiBase + "/nope", apiBase + "/channels/" + w.town.Id + "/nope", "/nope", "/api/v2/words", apiBase + "/channels/" + w.town.Id} {
			decodeError(t, do(t, h, http.MethodGet, path, w.alice.Id, nil), http.StatusNotFound)
		}
		decodeError(t, do(t, h, http.MethodPatch, wordsPath(w.town), w.alice.Id, map[string]any{"words": []string{"x"}}), http.StatusNotFound)
	})

	t.Run("404 DELETE of an unknown word", func(t *testing.T) {
		decodeError(t, do(t, h, http.MethodDelete, wordPath(w.town, "never-set"), w.alice.Id, nil), http.StatusNotFound)
		decodeError(t, do(t, h, http.MethodDelete, wordPath(w.town, "deploy"), w.bob.Id, nil), http.StatusNotFound)
	})

	// None of the failed requests changed the store.
	assert.Equal(t, stored, w.api.KVSnapshot(), "failed requests wrote to the KV store")
}

// TestHTTPWordLimit: the per-channel limit (maxwordsperchannel) gives 422 and writes nothing;
// a configuration change applies at once.
func TestHTTPWordLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.start()

	// Default: 25.
	var words []string
	for i := range 26 {
		words = append(words, fmt.Sprintf("w%02d", i))
	}
	decodeError(t, do(t, h, http.MethodPut, wordsPath(w.town), w.alice.Id, map[string]any{"words": words}), http.StatusUnprocessableEntity)
	assert.Empty(t, getWords(t, h, w.alice, w.town).Words, "nothing written")
	cw := putWords(t, h, w.alice, w.town, words[:25]...)
	assert.Len(t, cw.Words, 25)
	decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.alice.Id, map[string]any{"word": "one-more"}), http.StatusUnprocessableEntity)
	assert.Len(t, getWords(t, h, w.alice, w.town).Words, 25)
	// Duplicates are removed before counting.
	putWords(t, h, w.alice, w.town, append(words[:25:25], "W00", "w01")...)

	// Limit 3 from the System Console.
	w.reconfigure(map[string]any{"maxwordsperchannel": 3}, h)
	cw = putWords(t, h, w.bob, w.town, "a1", "a2", "a3")
	assert.Equal(t, 3, cw.Limits.MaxWords)
	decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.bob.Id, map[string]any{"word": "a4"}), http.StatusUnprocessableEntity)
	decodeError(t, do(t, h, http.MethodPut, wordsPath(w.town), w.bob.Id, map[string]any{"words": []string{"b1", "b2", "b3", "b4"}}), http.StatusUnprocessableEntity)
	assert.Equal(t, []string{"a1", "a2", "a3"}, getWords(t, h, w.bob, w.town).Words)
	// The limit is per user and channel.
	putWords(t, h, w.carol, w.town, "c1", "c2", "c3")
	putWords(t, h, w.bob, w.dev, "d1", "d2", "d3")

	// An out-of-range value (plugin.json: 1-200) does not replace the working setting.
	w.settings(map[string]any{"maxwordsperchannel": 0})
	_ = h.ConfigurationChanged() // the plugin may report the invalid configuration as an error
	cw = getWords(t, h, w.bob, w.town)
	assert.Equal(t, 3, cw.Limits.MaxWords, "maxwordsperchannel=0 is invalid: the previous limit stays")
	decodeError(t, do(t, h, http.MethodPost, wordsPath(w.town), w.bob.Id, map[string]any{"word": "a4"}), http.StatusUnprocessableEntity)
}

// TestHTTPStoreFailure: a failing KV store gives 503 with Retry-After and leaves nothing
// half-written: either the request wrote nothing, or (a failure after the write committed) a
// retry sees it; every server then agrees, and alerts follow what the last successful answer
// said.
func TestHTTPStoreFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.settings(map[string]any{"alertsperminute": 1000})
	s1 := w.start()
	s2 := w.start()
	putWords(t, s1, w.alice, w.town, "deploy")
	getWords(t, s2, w.alice, w.town) // s2 has read the channel once (any cache is warm)
	w.post(s2, w.bob, w.town, "deploy")
	w.requireDMs(w.alice, 1, "before the failure")

	kvWrites := []string{"KVSet", "KVSetWithExpiry", "KVSetWithOptions", "KVCompareAndSet", "KVCompareAndDelete", "KVDelete"}
	kvAll := append([]string{"KVGet", "KVList"}, kvWrites...)
	kvDown := errors.New("database is down")
	clear := func() {
		for _, m := range kvAll {
			w.api.ClearError(m)
		}
	}
	require503 := func(r httpResult) {
		t.Helper()
		decodeError(t, r, http.StatusServiceUnavailable)
		assert.Equal(t, "1", r.Header.Get("Retry-After"), "503 carries Retry-After")
	}

	t.Run("every KV call fails", func(t *testing.T) {
		defer clear()
		before := w.api.KVSnapshot()
		for _, m := range kvAll {
			w.api.InjectError(m, kvDown)
		}
		require503(do(t, s1, http.MethodGet, wordsPath(w.town), w.alice.Id, nil))
		require503(do(t, s1, http.MethodPut, wordsPath(w.town), w.alice.Id, map[string]any{"words": []string{"rollback"}}))
		require503(do(t, s1, http.MethodPost, wordsPath(w.town), w.alice.Id, map[string]any{"word": "rollback"}))
		require503(do(t, s1, http.MethodDelete, wordPath(w.town, "deploy"), w.alice.Id, nil))
		require503(do(t, s1, http.MethodPut, snoozePath(w.town), w.alice.Id, map[string]any{"duration": "1h"}))
		require503(do(t, s1, http.MethodGet, apiBase+"/words", w.alice.Id, nil))
		clear()
		assert.Equal(t, before, w.api.KVSnapshot(), "nothing written")
		for i, s := range []*harness.Host{s1, s2} {
			assert.Equal(t, []string{"deploy"}, getWords(t, s, w.alice, w.town).Words, "server %d", i+1)
		}
	})

	t.Run("writes fail, reads work", func(t *testing.T) {
		defer clear()
		before := w.api.KVSnapshot()
		for _, m := range kvWrites {
			w.api.InjectError(m, kvDown)
		}
		require503(do(t, s1, http.MethodPut, wordsPath(w.town), w.alice.Id, map[string]any{"words": []string{"rollback"}}))
		require503(do(t, s1, http.MethodPost, wordsPath(w.town), w.alice.Id, map[string]any{"word": "rollback"}))
		require503(do(t, s1, http.MethodDelete, wordPath(w.town, "deploy"), w.alice.Id, nil))
		require503(do(t, s1, http.MethodPut, snoozePath(w.town), w.alice.Id, map[string]any{"duration": "1h"}))
		clear()
		assert.Equal(t, before, w.api.KVSnapshot(), "nothing written")
		for i, s := range []*harness.Host{s1, s2} {
			cw := getWords(t, s, w.alice, w.town)
			assert.Equal(t, []string{"deploy"}, cw.Words, "server %d", i+1)
			assert.Nil(t, cw.SnoozedUntil, "server %d", i+1)
		}
	})

	// The n-th KV write of the request fails, for every n: the answer is 503 or a success; a
	// server's GET is then the old or the new list, never a mix; after a successful retry
	// both servers have the new list and alert on it.
	t.Run("failure at each write of a PUT", func(t *testing.T) {
		old := []string{"deploy"}
		for n := 0; n < 8; n++ {
			t.Run(fmt.Sprintf("after %d writes", n), func(t *testing.T) {
				defer clear()
				putWords(t, s1, w.alice, w.town, old...)
				getWords(t, s2, w.alice, w.town)
				newWords := []string{fmt.Sprintf("new%d", n), "shared"}

				left := n // shared by the write methods; the fake runs these under its lock
				for _, m := range kvWrites {
					w.api.InjectErrorFunc(m, func([]any) error {
						if left > 0 {
							left--
							return nil
						}
						return kvDown
					})
				}
				r := do(t, s1, http.MethodPut, wordsPath(w.town), w.alice.Id, map[string]any{"words": newWords})
				clear()
				switch r.Code {
				case http.StatusOK:
					assert.Equal(t, newWords, decodeWords(t, r, http.StatusOK, w.town).Words)
				case http.StatusServiceUnavailable:
					require503(r)
				default:
					t.Fatalf("PUT with a KV failure after %d writes: %s", n, r)
				}
				for i, s := range []*harness.Host{s1, s2} {
					got := getWords(t, s, w.alice, w.town).Words
					assert.True(t, sameWords(old, got) || sameWords(newWords, got), "server %d: half-written list %v (old %v, new %v)", i+1, got, old, newWords)
					if r.Code == http.StatusOK {
						assert.Equal(t, newWords, got, "server %d after a 200", i+1)
					}
				}
				if r.Code != http.StatusOK {
					putWords(t, s1, w.alice, w.town, newWords...) // the client's retry
				}
				for i, s := range []*harness.Host{s1, s2} {
					assert.Equal(t, newWords, getWords(t, s, w.alice, w.town).Words, "server %d after the retry", i+1)
				}
				dmsBefore := len(w.dms(w.alice))
				w.post(s2, w.bob, w.town, old[0]+" went fine")
				w.requireDMs(w.alice, dmsBefore, "the replaced word, on server 2")
				p := w.post(s2, w.bob, w.town, newWords[0]+" is live")
				dms := w.requireDMs(w.alice, dmsBefore+1, "the new word, on server 2")
				w.requireAlert(dms[dmsBefore], w.alice, p, w.town, newWords[0])
				old = newWords
			})
		}
	})
}

// TestHTTPDeleteWordWithSlash: API.md's DELETE takes the word URL-encoded, so a word containing
// "/" ("CI/CD", "and/or") is sent as %2F. The server hands the plugin the decoded path (it
// strips /plugins/<id> from r.URL.Path, and the forwarded URL is re-escaped from that), so the
// plugin sees ".../words/ci/cd".
func TestHTTPDeleteWordWithSlash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.start()
	putWords(t, h, w.alice, w.town, "CI/CD", "and/or", "deploy")
	r := do(t, h, http.MethodDelete, wordPath(w.town, "ci/cd"), w.alice.Id, nil)
	cw := decodeWords(t, r, http.StatusOK, w.town)
	assert.Equal(t, []string{"and/or", "deploy"}, cw.Words)
	r = do(t, h, http.MethodDelete, wordPath(w.town, "AND/OR"), w.alice.Id, nil)
	cw = decodeWords(t, r, http.StatusOK, w.town)
	assert.Equal(t, []string{"deploy"}, cw.Words)
}
