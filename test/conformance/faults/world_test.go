package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// world is one Mattermost "database" (a fake API) with a team, open channels and users, shared
// by every server (plugin environment) a test starts on it.
type world struct {
	t        *testing.T
	api      *fakeapi.API
	team     *model.Team
	channels []*model.Channel
	users    []*model.User // members of every channel; they set words
	poster   *model.User   // member of every channel; posts
}

// settings is the plugin configuration as the server hands it over (keys lower-cased): generous
// limits, so that flood control and the word limit stay out of the way of what is tested.
func settings() map[string]any {
	return map[string]any{
		"enablealerts":       true,
		"botdisplayname":     "Trigger Alerts",
		"maxwordsperchannel": 200,
		"alertsperminute":    1000,
		"alertonbotposts":    false,
		"excerptlength":      200,
	}
}

func newWorld(t *testing.T, nChannels, nUsers int) *world {
	t.Helper()
	api := fakeapi.New()
	w := &world{t: t, api: api}
	w.team = &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme Inc.", Type: model.TeamOpen}
	api.SeedTeam(w.team)
	for i := range nChannels {
		c := &model.Channel{Id: model.NewId(), TeamId: w.team.Id, Type: model.ChannelTypeOpen, Name: fmt.Sprintf("room-%d", i), DisplayName: fmt.Sprintf("Room %d", i), CreateAt: 1600000000000}
		api.SeedChannel(c)
		w.channels = append(w.channels, c)
	}
	user := func(name string) *model.User {
		u := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId, CreateAt: 1600000000000}
		api.SeedUser(u)
		for _, c := range w.channels {
			api.SeedChannelMember(&model.ChannelMember{ChannelId: c.Id, UserId: u.Id, Roles: model.ChannelUserRoleId, NotifyProps: model.GetDefaultChannelNotifyProps()})
		}
		return u
	}
	for i := range nUsers {
		w.users = append(w.users, user(fmt.Sprintf("user%d", i)))
	}
	w.poster = user("poster")
	api.SetPluginConfig(settings())
	return w
}

// start starts one server (plugin environment) on the world and activates the plugin.
func (w *world) start() *harness.Host {
	w.t.Helper()
	return harness.Start(w.t, pluginSource, w.api)
}

func (w *world) botID() string {
	w.t.Helper()
	b := w.api.Bot(pluginID)
	require.NotNil(w.t, b, "the plugin ensured no bot")
	return b.UserId
}

// ---------------------------------------------------------------------------------------------
// HTTP API (server/alerts/API.md), usable from any goroutine: failures are returned.

const apiBase = "/api/v1"

func wordsPath(c *model.Channel) string { return apiBase + "/channels/" + c.Id + "/words" }

func wordPath(c *model.Channel, word string) string {
	return wordsPath(c) + "/" + url.PathEscape(word)
}

func snoozePath(c *model.Channel) string { return apiBase + "/channels/" + c.Id + "/snooze" }

type httpResult struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r httpResult) String() string {
	b := string(r.Body)
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%d %s", r.Code, b)
}

// call sends one request as the server's plugin handler does; body nil (none) or a value (JSON).
func call(h *harness.Host, method, path, userID string, body any) (httpResult, error) {
	req := harness.Request{Method: method, Path: path, UserID: userID, Header: http.Header{}}
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return httpResult{}, err
		}
		req.Body = raw
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.TryServeHTTP(req)
	if err != nil {
		return httpResult{}, err
	}
	return httpResult{Code: resp.Code, Header: resp.Header(), Body: resp.Body.Bytes()}, nil
}

// channelWords is API.md's ChannelWords (the fields the tests read).
type channelWords struct {
	ChannelID    string    `json:"channel_id"`
	Words        *[]string `json:"words"`
	SnoozedUntil *int64    `json:"snoozed_until"`
}

// parseWords decodes a complete ChannelWords answer for channel c. A truncated or foreign body
// (a plugin killed halfway through its answer) is an error.
func parseWords(r httpResult, c *model.Channel) ([]string, *int64, error) {
	var cw channelWords
	if err := json.Unmarshal(r.Body, &cw); err != nil {
		return nil, nil, fmt.Errorf("not a ChannelWords answer: %w (%s)", err, r)
	}
	if cw.ChannelID != c.Id || cw.Words == nil {
		return nil, nil, fmt.Errorf("not a ChannelWords answer for channel %s: %s", c.Id, r)
	}
	return *cw.Words, cw.SnoozedUntil, nil
}

// getWords is GET /channels/{id}/words, which must answer 200.
func getWords(t *testing.T, h *harness.Host, u *model.User, c *model.Channel) []string {
	t.Helper()
	r, err := call(h, http.MethodGet, wordsPath(c), u.Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Code, "GET words: %s", r)
	words, _, err := parseWords(r, c)
	require.NoError(t, err)
	return words
}

// allWords is GET /words: the caller's words in every channel (read through the user's index).
func allWords(t *testing.T, h *harness.Host, u *model.User) map[string][]string {
	t.Helper()
	r, err := call(h, http.MethodGet, apiBase+"/words", u.Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, r.Code, "GET /words: %s", r)
	var body struct {
		Channels []struct {
			ChannelID string   `json:"channel_id"`
			Words     []string `json:"words"`
		} `json:"channels"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &body), "GET /words: %s", r)
	out := map[string][]string{}
	for _, c := range body.Channels {
		out[c.ChannelID] = c.Words
	}
	return out
}

// requireRetryable checks a 503 answer: JSON {error, details?}, and a Retry-After header with a
// number of seconds, so that a client knows it may retry.
func requireRetryable(t *testing.T, r httpResult, context string) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, r.Code, "%s: %s", context, r)
	require.Contains(t, r.Header.Get("Content-Type"), "application/json", "%s: a 503 is JSON: %s", context, r)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.Body, &raw), "%s: %s", context, r)
	for k := range raw {
		require.Contains(t, []string{"error", "details"}, k, "%s: unexpected key in an error answer: %s", context, r)
	}
	var msg string
	require.NoError(t, json.Unmarshal(raw["error"], &msg), "%s: error must be a string: %s", context, r)
	require.NotEmpty(t, msg, "%s", context)
	ra := r.Header.Get("Retry-After")
	secs, err := strconv.Atoi(ra)
	require.NoError(t, err, "%s: Retry-After %q must be a number of seconds", context, ra)
	require.GreaterOrEqual(t, secs, 0, "%s", context)
}

// ---------------------------------------------------------------------------------------------
// Posts and alert DMs

func hookContext() *plugin.Context {
	return &plugin.Context{RequestId: model.NewId(), IPAddress: "127.0.0.1", UserAgent: "faults-test"}
}

// post stores a post in the fake and runs MessageHasBeenPosted on server h, as the server does
// after saving a post. Usable from any goroutine.
func (w *world) post(h *harness.Host, author *model.User, c *model.Channel, msg string) (*model.Post, error) {
	now := model.GetMillis()
	p := &model.Post{Id: model.NewId(), ChannelId: c.Id, UserId: author.Id, Message: msg, CreateAt: now, UpdateAt: now}
	w.api.SeedPost(p)
	hooks, err := h.Env.HooksForPluginWithRPCErr(pluginID)
	if err != nil {
		return p, err
	}
	var rpcErr error
	if !harness.Within(harness.CallTimeout, func() { rpcErr = hooks.MessageHasBeenPostedWithRPCErr(hookContext(), p.Clone()) }) {
		return p, errors.New("MessageHasBeenPosted did not return in time")
	}
	return p, rpcErr
}

// alert is one alert DM the bot sent.
type alert struct {
	To     string // recipient user id
	PostID string // the post it is about (props.trigger_alert.post_id)
	Words  []string
}

// alerts returns every alert DM CreatePost stored, first first.
func (w *world) alerts() []alert {
	w.t.Helper()
	bot := w.botID()
	byDM := map[string]string{} // direct channel id -> recipient
	for _, u := range append(slices.Clone(w.users), w.poster) {
		if ch := w.api.DirectChannel(bot, u.Id); ch != nil {
			byDM[ch.Id] = u.Id
		}
	}
	var out []alert
	for _, c := range w.api.Calls("CreatePost") {
		if len(c.Returns) == 0 {
			continue
		}
		p, ok := c.Returns[0].(*model.Post)
		if !ok || p == nil || p.UserId != bot {
			continue
		}
		to, ok := byDM[p.ChannelId]
		require.True(w.t, ok, "a bot post outside the bot's direct channels: %q", p.Message)
		a := alert{To: to}
		if ta, ok := p.GetProp("trigger_alert").(map[string]any); ok {
			a.PostID, _ = ta["post_id"].(string)
			if ws, ok := ta["words"].([]any); ok {
				for _, x := range ws {
					s, _ := x.(string)
					a.Words = append(a.Words, s)
				}
			}
		}
		require.NotEmpty(w.t, a.PostID, "an alert DM without props.trigger_alert.post_id: %v", p.Props)
		out = append(out, a)
	}
	return out
}

// requireNoDuplicateAlerts checks that no user got two DMs about one post.
func requireNoDuplicateAlerts(t *testing.T, all []alert) {
	t.Helper()
	seen := map[[2]string]int{}
	for _, a := range all {
		seen[[2]string{a.PostID, a.To}]++
	}
	for k, n := range seen {
		require.Equal(t, 1, n, "user %s got %d alert DMs about post %s", k[1], n, k[0])
	}
}

func alertsAbout(all []alert, postID string) []alert {
	var out []alert
	for _, a := range all {
		if a.PostID == postID {
			out = append(out, a)
		}
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// The KV layout's invariants (server/alerts/store.ts)

const (
	docPrefix    = "tw1:ch:"
	stampPrefix  = "tw1:st:"
	indexPrefix  = "tw1:u:"
	ledgerPrefix = "tw1:al:" // server/alerts/recipient_ledger.ts
)

// alertLedger is a user's alert ledger: flood counters, the direct channel and the posts decided.
type alertLedger struct {
	Minute *int64   `json:"minute"`
	Count  *int     `json:"count"`
	Held   *int     `json:"held"`
	DM     string   `json:"dm"`
	Posts  [][2]any `json:"posts"`
}

type storedWord struct {
	Word string `json:"word"`
	Key  string `json:"key"`
}

type channelDoc struct {
	Version      int                     `json:"version"`
	WordsVersion *int                    `json:"words_version"`
	Users        map[string][]storedWord `json:"users"`
	Snoozed      map[string]int64        `json:"snoozed"`
}

// storeState is the word store as the KV holds it.
type storeState struct {
	docs    map[string]channelDoc // channel id -> doc
	stamps  map[string]int        // channel id -> stamp
	indexes map[string][]string   // user id -> channel ids
}

// readStore reads the word store from the KV and checks what must hold whatever happened
// (crashes and KV failures included): every key is one of the layout's; every doc parses with
// version >= 1 and words_version <= version, its snoozes epoch times; a stamp, when present, is a
// number <= its doc's version; every user with words in a doc has that channel in their index (the
// index is a superset of the truth); every alert ledger parses with its counters.
func readStore(t *testing.T, api *fakeapi.API) storeState {
	t.Helper()
	s := storeState{docs: map[string]channelDoc{}, stamps: map[string]int{}, indexes: map[string][]string{}}
	for key, raw := range api.KVSnapshot() {
		switch {
		case strings.HasPrefix(key, docPrefix):
			var d channelDoc
			require.NoError(t, json.Unmarshal(raw, &d), "%s: %s", key, raw)
			require.GreaterOrEqual(t, d.Version, 1, "%s: %s", key, raw)
			s.docs[strings.TrimPrefix(key, docPrefix)] = d
		case strings.HasPrefix(key, stampPrefix):
			n, err := strconv.Atoi(string(raw))
			require.NoError(t, err, "%s: %q", key, raw)
			s.stamps[strings.TrimPrefix(key, stampPrefix)] = n
		case strings.HasPrefix(key, indexPrefix):
			var list []string
			require.NoError(t, json.Unmarshal(raw, &list), "%s: %s", key, raw)
			s.indexes[strings.TrimPrefix(key, indexPrefix)] = list
		case strings.HasPrefix(key, ledgerPrefix):
			var l alertLedger
			require.NoError(t, json.Unmarshal(raw, &l), "%s: %s", key, raw)
			require.True(t, l.Minute != nil && l.Count != nil && l.Held != nil && l.Posts != nil, "%s: %s", key, raw)
			require.LessOrEqual(t, len(l.Posts), 100, "%s: more markers than MAX_MARKERS", key)
		default:
			t.Fatalf("a key outside the KV layout: %s = %s", key, raw)
		}
	}
	for ch, d := range s.docs {
		if d.WordsVersion != nil {
			require.LessOrEqual(t, *d.WordsVersion, d.Version, "channel %s: words_version above version", ch)
		}
		for u, until := range d.Snoozed {
			require.Positive(t, until, "channel %s: snooze of %s", ch, u)
		}
	}
	for ch, stamp := range s.stamps {
		d, ok := s.docs[ch]
		require.True(t, ok, "a stamp (%d) without a channel doc for %s", stamp, ch)
		require.LessOrEqual(t, stamp, d.Version, "channel %s: stamp above the doc's version", ch)
	}
	for ch, d := range s.docs {
		for u, words := range d.Users {
			if len(words) > 0 {
				require.Contains(t, s.indexes[u], ch, "user %s has words %v in channel %s but the channel is not in their index", u, words, ch)
			}
		}
	}
	return s
}

// wordsIn returns the words (as typed) of user u in channel ch according to the KV.
func (s storeState) wordsIn(ch, u string) []string {
	var out []string
	for _, w := range s.docs[ch].Users[u] {
		out = append(out, w.Word)
	}
	return out
}

// requireSettled checks that no write is half done: every stamp equals its doc's version.
func (s storeState) requireSettled(t *testing.T) {
	t.Helper()
	for ch, d := range s.docs {
		require.Equal(t, d.Version, s.stamps[ch], "channel %s: stamp behind the doc after a successful write", ch)
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// requireReachable checks, on every server, that every word the channel docs hold is what the
// owner reads back: GET /channels/{id}/words gives exactly the doc's words, and GET /words (which
// goes through the user's index) lists the channel with the same words.
func requireReachable(t *testing.T, w *world, s storeState, servers ...*harness.Host) {
	t.Helper()
	for _, u := range w.users {
		for i, h := range servers {
			listed := allWords(t, h, u)
			for _, c := range w.channels {
				want := s.wordsIn(c.Id, u.Id)
				got := getWords(t, h, u, c)
				require.True(t, sameSet(want, got), "server %d, @%s in %s: GET words %v, KV doc %v", i+1, u.Username, c.Name, got, want)
				if len(want) == 0 {
					require.NotContains(t, listed, c.Id, "server %d, @%s: GET /words lists %s without words", i+1, u.Username, c.Name)
					continue
				}
				require.True(t, sameSet(want, listed[c.Id]), "server %d, @%s: GET /words has %v for %s, KV doc %v", i+1, u.Username, listed[c.Id], c.Name, want)
			}
		}
	}
}
