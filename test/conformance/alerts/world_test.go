package alerts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// world is one Mattermost "database": a fake API seeded with a team, channels and users, shared
// by every server (plugin environment) a test starts on it.
type world struct {
	t   *testing.T
	api *fakeapi.API

	team      *model.Team
	town      *model.Channel // open channel: alice, bob, carol, erin, frank, ci-bot
	dev       *model.Channel // private channel: alice, bob
	dmChannel *model.Channel // a direct channel between alice and bob (no team)

	alice *model.User // sets trigger words
	bob   *model.User // posts
	carol *model.User // another member with words
	dave  *model.User // not a member of town
	erin  *model.User // deactivated in some tests
	frank *model.User // timezone set (Asia/Tokyo)
	ciBot *model.User // another integration's bot
}

// defaultSettings is the plugin configuration as the server hands it over: plugin.json's
// defaults, keys lower-cased.
func defaultSettings() map[string]any {
	return map[string]any{
		"enablealerts":       true,
		"botdisplayname":     "Trigger Alerts",
		"maxwordsperchannel": 25,
		"alertsperminute":    10,
		"alertonbotposts":    false,
		"excerptlength":      200,
	}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	api := fakeapi.New()
	w := &world{t: t, api: api}

	w.team = &model.Team{Id: model.NewId(), Name: "acme", DisplayName: "Acme Inc.", Type: model.TeamOpen}
	api.SeedTeam(w.team)

	user := func(name string, mutate ...func(*model.User)) *model.User {
		u := &model.User{Id: model.NewId(), Username: name, Email: name + "@example.com", Roles: model.SystemUserRoleId, CreateAt: 1600000000000}
		for _, f := range mutate {
			f(u)
		}
		api.SeedUser(u)
		return u
	}
	w.alice = user("alice")
	w.bob = user("bob")
	w.carol = user("carol")
	w.dave = user("dave")
	w.erin = user("erin")
	w.frank = user("frank", func(u *model.User) {
		u.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Asia/Tokyo", "automaticTimezone": ""}
	})
	w.ciBot = user("ci-bot", func(u *model.User) { u.IsBot = true })

	w.town = &model.Channel{Id: model.NewId(), TeamId: w.team.Id, Type: model.ChannelTypeOpen, Name: "town-square", DisplayName: "Town Square", CreateAt: 1600000000000}
	w.dev = &model.Channel{Id: model.NewId(), TeamId: w.team.Id, Type: model.ChannelTypePrivate, Name: "dev", DisplayName: "Developers", CreateAt: 1600000000000}
	api.SeedChannel(w.town)
	api.SeedChannel(w.dev)
	for _, u := range []*model.User{w.alice, w.bob, w.carol, w.erin, w.frank, w.ciBot} {
		w.join(w.town, u)
	}
	w.join(w.dev, w.alice)
	w.join(w.dev, w.bob)
	dm, appErr := api.GetDirectChannel(w.alice.Id, w.bob.Id)
	require.Nil(t, appErr)
	w.dmChannel = dm
	w.join(dm, w.alice)
	w.join(dm, w.bob)

	api.SetPluginConfig(defaultSettings())
	return w
}

func (w *world) join(c *model.Channel, u *model.User) {
	w.api.SeedChannelMember(&model.ChannelMember{ChannelId: c.Id, UserId: u.Id, Roles: model.ChannelUserRoleId, NotifyProps: model.GetDefaultChannelNotifyProps()})
}

// settings sets the plugin configuration: the defaults with changes applied.
func (w *world) settings(changes map[string]any) {
	cfg := defaultSettings()
	for k, v := range changes {
		cfg[k] = v
	}
	w.api.SetPluginConfig(cfg)
}

// start starts one server (plugin environment) on the world and activates the plugin.
func (w *world) start() *harness.Host {
	w.t.Helper()
	return harness.Start(w.t, pluginSource, w.api)
}

// reconfigure changes the plugin configuration and tells every given server, as the server's
// config listener does.
func (w *world) reconfigure(changes map[string]any, servers ...*harness.Host) {
	w.t.Helper()
	w.settings(changes)
	for _, h := range servers {
		require.NoError(w.t, h.ConfigurationChanged(), "OnConfigurationChange")
	}
}

// botID is the user id of the plugin's bot (EnsureBotUser must have made it).
func (w *world) botID() string {
	w.t.Helper()
	b := w.api.Bot(pluginID)
	require.NotNil(w.t, b, "no bot with username %q was ensured (EnsureBotUser calls: %d)", pluginID, len(w.api.Calls("EnsureBotUser")))
	return b.UserId
}

// ---------------------------------------------------------------------------------------------
// Posts

type postOpt func(*model.Post)

func withType(typ string) postOpt { return func(p *model.Post) { p.Type = typ } }

func withProp(k string, v any) postOpt { return func(p *model.Post) { p.AddProp(k, v) } }

func asReplyTo(root *model.Post) postOpt { return func(p *model.Post) { p.RootId = root.Id } }

// newPost builds a post as the server stores it.
func (w *world) newPost(author *model.User, c *model.Channel, msg string, opts ...postOpt) *model.Post {
	now := model.GetMillis()
	p := &model.Post{Id: model.NewId(), ChannelId: c.Id, UserId: author.Id, Message: msg, CreateAt: now, UpdateAt: now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// post stores the post in the fake and runs MessageHasBeenPosted on server h, as the server
// does after saving a post. The hook returns when the plugin has handled the post.
func (w *world) post(h *harness.Host, author *model.User, c *model.Channel, msg string, opts ...postOpt) *model.Post {
	w.t.Helper()
	p := w.newPost(author, c, msg, opts...)
	w.deliver(h, p)
	return p
}

// deliver runs MessageHasBeenPosted for an existing post on server h.
func (w *world) deliver(h *harness.Host, p *model.Post) {
	w.t.Helper()
	w.api.SeedPost(p)
	var rpcErr error
	h.Do("MessageHasBeenPosted", func() { rpcErr = h.HooksRPC().MessageHasBeenPostedWithRPCErr(hookContext(), p.Clone()) })
	require.NoError(w.t, rpcErr, "MessageHasBeenPosted")
}

// edit stores an edited version of p and runs MessageHasBeenUpdated(new, old) on server h.
func (w *world) edit(h *harness.Host, old *model.Post, msg string) *model.Post {
	w.t.Helper()
	p := old.Clone()
	p.Message = msg
	p.EditAt = model.GetMillis()
	p.UpdateAt = p.EditAt
	w.api.SeedPost(p)
	var rpcErr error
	h.Do("MessageHasBeenUpdated", func() {
		rpcErr = h.HooksRPC().MessageHasBeenUpdatedWithRPCErr(hookContext(), p.Clone(), old.Clone())
	})
	require.NoError(w.t, rpcErr, "MessageHasBeenUpdated")
	return p
}

func hookContext() *plugin.Context {
	return &plugin.Context{RequestId: model.NewId(), IPAddress: "127.0.0.1", UserAgent: "alerts-test"}
}

// ---------------------------------------------------------------------------------------------
// Alert DMs

// dms returns the posts the bot made in its direct channel with u, first first.
func (w *world) dms(u *model.User) []*model.Post {
	w.t.Helper()
	bot := w.botID()
	dm := w.api.DirectChannel(bot, u.Id)
	if dm == nil {
		return nil
	}
	var out []*model.Post
	for _, p := range w.api.Posts(dm.Id) {
		if p.UserId == bot {
			out = append(out, p)
		}
	}
	return out
}

// allAlerts returns every post CreatePost stored, first first (the plugin posts nothing but
// alert DMs).
func (w *world) allAlerts() []*model.Post {
	var out []*model.Post
	for _, c := range w.api.Calls("CreatePost") {
		if len(c.Returns) > 0 {
			if p, ok := c.Returns[0].(*model.Post); ok && p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// requireDMs checks that u got exactly n alert DMs in all and returns them.
func (w *world) requireDMs(u *model.User, n int, context string) []*model.Post {
	w.t.Helper()
	got := w.dms(u)
	if len(got) != n {
		w.t.Fatalf("%s: @%s got %d alert DMs, want %d:\n%s", context, u.Username, len(got), n, describePosts(got))
	}
	return got
}

// requireNoNewDMs checks that nobody got an alert DM since `before` alerts existed.
func (w *world) requireNoNewDMs(before int, context string) {
	w.t.Helper()
	all := w.allAlerts()
	if len(all) != before {
		w.t.Fatalf("%s: want no alert DM, got %d:\n%s", context, len(all)-before, describePosts(all[before:]))
	}
}

func describePosts(ps []*model.Post) string {
	var b strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&b, "  [%d] channel %s by %s: %q\n", i, p.ChannelId, p.UserId, p.Message)
	}
	return b.String()
}

func (w *world) permalink(p *model.Post) string {
	return fakeapi.DefaultSiteURL + "/" + w.team.Name + "/pl/" + p.Id
}

// requireAlert checks one alert DM: from the bot, in the bot's direct channel with the
// recipient, naming every word, the author (@username), the channel, and linking the post
// (<SiteURL>/<team name>/pl/<post id>).
func (w *world) requireAlert(dm *model.Post, to *model.User, p *model.Post, c *model.Channel, words ...string) {
	w.t.Helper()
	bot := w.botID()
	require.Equal(w.t, bot, dm.UserId, "alert DM author")
	ch := w.api.DirectChannel(bot, to.Id)
	require.NotNil(w.t, ch)
	require.Equal(w.t, ch.Id, dm.ChannelId, "alert DM channel")
	msg := dm.Message
	// The words are named outside the quoted excerpt (which may contain any word of the post).
	header := strings.ToLower(headerOf(msg))
	for _, word := range words {
		require.Contains(w.t, header, strings.ToLower(word), "alert DM must name the word %q (outside the excerpt):\n%s", word, msg)
	}
	author := w.api.User(p.UserId)
	require.NotNil(w.t, author)
	require.Regexp(w.t, regexp.MustCompile(`@`+regexp.QuoteMeta(author.Username)+`\b`), msg, "alert DM must name the author")
	if c.Type == model.ChannelTypeOpen || c.Type == model.ChannelTypePrivate {
		require.True(w.t, strings.Contains(msg, c.DisplayName) || strings.Contains(msg, "~"+c.Name),
			"alert DM must name the channel (%q or ~%s):\n%s", c.DisplayName, c.Name, msg)
	}
	if c.TeamId != "" {
		require.Contains(w.t, msg, w.permalink(p), "alert DM must link the post")
	} else {
		require.Contains(w.t, msg, "/pl/"+p.Id, "alert DM must link the post")
	}
}

// headerOf is the part of an alert DM outside the quoted excerpt (lines starting with ">"):
// where the message says which words matched.
func headerOf(msg string) string {
	var keep []string
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// quotedText is the quoted excerpt of an alert DM as a reader sees it: the ">" lines' text with
// markdown escapes, bold markers and zero-width spaces removed.
func quotedText(msg string) string {
	var parts []string
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, ">") {
			parts = append(parts, strings.TrimSpace(strings.TrimPrefix(line, ">")))
		}
	}
	s := strings.Join(parts, " ")
	s = strings.ReplaceAll(s, "\u200b", "")
	s = strings.ReplaceAll(s, "**", "")
	s = regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	return s
}

// ---------------------------------------------------------------------------------------------
// HTTP API

const apiBase = "/api/v1"

// channelWords is API.md's ChannelWords.
type channelWords struct {
	ChannelID    string   `json:"channel_id"`
	Words        []string `json:"words"`
	SnoozedUntil *int64   `json:"snoozed_until"`
	Limits       struct {
		MaxWords  int `json:"max_words"`
		MaxLength int `json:"max_length"`
	} `json:"limits"`
}

type apiError struct {
	Error   string `json:"error"`
	Details []struct {
		Path    []any  `json:"path"`
		Message string `json:"message"`
	} `json:"details"`
}

type httpResult struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r httpResult) String() string {
	return fmt.Sprintf("%d %s", r.Code, truncate(string(r.Body), 500))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// request builds a harness request: body nil (none), []byte/string (raw) or a value (JSON).
func request(method, path, userID string, body any) harness.Request {
	req := harness.Request{Method: method, Path: path, UserID: userID, Header: http.Header{}}
	switch b := body.(type) {
	case nil:
	case []byte:
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	case string:
		req.Body = []byte(b)
		req.Header.Set("Content-Type", "application/json")
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		req.Body = raw
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func do(t *testing.T, h *harness.Host, method, path, userID string, body any) httpResult {
	t.Helper()
	resp := h.ServeHTTP(request(method, path, userID, body))
	return httpResult{Code: resp.Code, Header: resp.Header(), Body: resp.Body.Bytes()}
}

func wordsPath(c *model.Channel) string { return apiBase + "/channels/" + c.Id + "/words" }

func wordPath(c *model.Channel, word string) string {
	return wordsPath(c) + "/" + url.PathEscape(word)
}

func snoozePath(c *model.Channel) string { return apiBase + "/channels/" + c.Id + "/snooze" }

// decodeWords checks a ChannelWords answer: status, JSON content type, every key of API.md
// present, and the channel id.
func decodeWords(t *testing.T, r httpResult, wantStatus int, c *model.Channel) channelWords {
	t.Helper()
	require.Equal(t, wantStatus, r.Code, "answer: %s", r)
	require.Contains(t, r.Header.Get("Content-Type"), "application/json")
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.Body, &raw), "body: %s", r.Body)
	for _, k := range []string{"channel_id", "words", "snoozed_until", "limits"} {
		_, ok := raw[k]
		require.True(t, ok, "ChannelWords without %q: %s", k, r.Body)
	}
	var cw channelWords
	require.NoError(t, json.Unmarshal(r.Body, &cw))
	require.Equal(t, c.Id, cw.ChannelID)
	require.NotNil(t, cw.Words, "words must be an array, not null: %s", r.Body)
	return cw
}

// decodeError checks an error answer: status, JSON content type, {error: non-empty string,
// details?: [{path: array, message: string}]}.
func decodeError(t *testing.T, r httpResult, wantStatus int) apiError {
	t.Helper()
	require.Equal(t, wantStatus, r.Code, "answer: %s", r)
	require.Contains(t, r.Header.Get("Content-Type"), "application/json", "error answers are JSON: %s", r)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.Body, &raw), "body: %s", r.Body)
	for k := range raw {
		require.Contains(t, []string{"error", "details"}, k, "unexpected key in an error answer: %s", r.Body)
	}
	var e apiError
	require.NoError(t, json.Unmarshal(r.Body, &e), "body: %s", r.Body)
	require.NotEmpty(t, e.Error, "error message: %s", r.Body)
	if d, ok := raw["details"]; ok {
		var list []map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(d, &list), "details must be an array: %s", r.Body)
		for _, item := range list {
			var path []any
			require.NoError(t, json.Unmarshal(item["path"], &path), "details[].path must be an array: %s", r.Body)
			require.NotNil(t, path, "details[].path must be an array: %s", r.Body)
			var msg string
			require.NoError(t, json.Unmarshal(item["message"], &msg), "details[].message must be a string: %s", r.Body)
			require.NotEmpty(t, msg)
		}
	}
	return e
}

func getWords(t *testing.T, h *harness.Host, u *model.User, c *model.Channel) channelWords {
	t.Helper()
	return decodeWords(t, do(t, h, http.MethodGet, wordsPath(c), u.Id, nil), http.StatusOK, c)
}

func putWords(t *testing.T, h *harness.Host, u *model.User, c *model.Channel, words ...string) channelWords {
	t.Helper()
	if words == nil {
		words = []string{}
	}
	return decodeWords(t, do(t, h, http.MethodPut, wordsPath(c), u.Id, map[string]any{"words": words}), http.StatusOK, c)
}

func addWord(t *testing.T, h *harness.Host, u *model.User, c *model.Channel, word string) channelWords {
	t.Helper()
	return decodeWords(t, do(t, h, http.MethodPost, wordsPath(c), u.Id, map[string]any{"word": word}), http.StatusCreated, c)
}

// sameWords compares word lists as sets.
func sameWords(want, got []string) bool {
	a, b := slices.Clone(want), slices.Clone(got)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// ---------------------------------------------------------------------------------------------
// Slash command

func (w *world) command(h *harness.Host, u *model.User, c *model.Channel, cmd string) *model.CommandResponse {
	w.t.Helper()
	args := &model.CommandArgs{
		Command: cmd, UserId: u.Id, ChannelId: c.Id, TeamId: c.TeamId, SiteURL: fakeapi.DefaultSiteURL,
		T: func(id string, _ ...any) string { return id },
	}
	var resp *model.CommandResponse
	var appErr *model.AppError
	var rpcErr error
	h.Do("ExecuteCommand", func() { resp, appErr, rpcErr = h.HooksRPC().ExecuteCommandWithRPCErr(hookContext(), args) })
	require.NoError(w.t, rpcErr, "ExecuteCommand %q", cmd)
	require.Nil(w.t, appErr, "ExecuteCommand %q", cmd)
	require.NotNil(w.t, resp, "ExecuteCommand %q: no response", cmd)
	require.Equal(w.t, model.CommandResponseTypeEphemeral, resp.ResponseType, "%q: replies are ephemeral", cmd)
	require.NotEmpty(w.t, resp.Text, "%q: empty reply", cmd)
	return resp
}

// ---------------------------------------------------------------------------------------------
// Time

// waitForMinuteStart waits, if fewer than `margin` remain in the current wall-clock minute,
// until the next one starts, so that a burst of posts falls into one minute of flood control's
// window.
func waitForMinuteStart(margin time.Duration) {
	now := time.Now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	if next.Sub(now) < margin {
		time.Sleep(next.Sub(now) + 200*time.Millisecond)
	}
}

func kvString(api *fakeapi.API, key string) (string, bool) {
	v, ok := api.KVValue(key)
	return string(v), ok
}
