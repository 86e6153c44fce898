package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// pluginSource is the directory the plugin under test is installed from: $CONFORMANCE_PLUGIN_DIR,
// or the Go reference plugin built by TestMain.
var pluginSource string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if dir := os.Getenv(harness.PluginDirEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		pluginSource = abs
	} else {
		dir, err := os.MkdirTemp("", "conformance-refplugin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer os.RemoveAll(dir)
		if err := harness.BuildRefPlugin("refplugin", dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		pluginSource = dir
	}
	if err := harness.CheckPluginSource(pluginSource); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return m.Run()
}

// contractHooks is the exact Implemented list of CONTRACT.md.
var contractHooks = []string{
	"OnActivate", "OnDeactivate", "OnConfigurationChange", "ConfigurationWillBeSaved", "MessageHasBeenPosted",
	"MessageHasBeenUpdated", "MessageWillBePosted", "ExecuteCommand", "OnPluginClusterEvent", "ServeHTTP",
}

// Fixture ids.
var (
	aliceID   = model.NewId()
	bobID     = model.NewId()
	teamID    = model.NewId()
	channelID = model.NewId()
	postID    = model.NewId()
)

// pluginConfig is the plugin configuration seeded before activation.
func pluginConfig() map[string]any {
	return map[string]any{
		"Greeting": "Grüezi ✓ 你好",
		"Limit":    42,
		"Ratio":    0.25,
		"Enabled":  true,
		"Nested":   map[string]any{"List": []any{"a", 1, false, nil}, "Empty": map[string]any{}},
	}
}

func fixtureUsers() []*model.User {
	return []*model.User{
		{
			Id: aliceID, CreateAt: 1600000000000, UpdateAt: 1600000000001, Username: "alice",
			Email: "alice@example.com", EmailVerified: true, Nickname: "Äli 👩‍💻", FirstName: "Alice",
			LastName: "Ñúñez", Position: "مهندسة", Roles: "system_user system_admin", Locale: "fr",
			Props:       model.StringMap{"custom": "välue", "empty": ""},
			NotifyProps: model.StringMap{"email": "true", "push": "mention"},
			Timezone:    model.StringMap{"automaticTimezone": "Europe/Zurich", "useAutomaticTimezone": "true"},
			RemoteId:    model.NewPointer("remote-alice"), LastActivityAt: 1700000000000,
		},
		{Id: bobID, Username: "bob", Email: "bob@example.com", Roles: "system_user", Locale: "ja", FirstName: "ボブ"},
	}
}

func fixtureChannel() *model.Channel {
	return &model.Channel{
		Id: channelID, CreateAt: 1600000000000, UpdateAt: 1600000000500, TeamId: teamID,
		Type: model.ChannelTypeOpen, DisplayName: "Général 🎉", Name: "general", Header: "שלום header",
		Purpose: "purpose\nwith newline", TotalMsgCount: 12345, CreatorId: aliceID,
		SchemeId: model.NewPointer("scheme-1"), Props: map[string]any{"k": "v", "n": 3.5},
		GroupConstrained: model.NewPointer(true), Shared: model.NewPointer(false),
	}
}

func fixtureMember() *model.ChannelMember {
	return &model.ChannelMember{
		ChannelId: channelID, UserId: aliceID, Roles: "channel_user channel_admin",
		LastViewedAt: 1700000000000, MsgCount: 10, MentionCount: 2, MentionCountRoot: 1,
		UrgentMentionCount: 1, MsgCountRoot: 9, NotifyProps: model.StringMap{"desktop": "all", "mark_unread": "mention"},
		LastUpdateAt: 1700000000001, SchemeUser: true, SchemeAdmin: true, ExplicitRoles: "custom_role",
	}
}

// newFake returns a fake API seeded with the fixtures and the plugin configuration.
func newFake() *fakeapi.API {
	api := fakeapi.New()
	for _, u := range fixtureUsers() {
		api.SeedUser(u)
	}
	api.SeedChannel(fixtureChannel())
	api.SeedChannelMember(fixtureMember())
	p := richPost()
	p.Id = postID
	api.SeedPost(p)
	api.SetPermission(aliceID, channelID, model.PermissionCreatePost.Id, true)
	api.SetPluginConfig(pluginConfig())
	return api
}

// start activates the plugin under test against a freshly seeded fake.
func start(t *testing.T) *harness.Host {
	t.Helper()
	return harness.Start(t, pluginSource, newFake())
}

// unicodeSample mixes emoji (with skin tones, ZWJ sequences and flags), RTL scripts, CJK,
// combining characters, zero-width and control characters, JSON-special characters and
// characters Go's JSON encoder escapes.
const unicodeSample = "Hello 👋🏽 family 👨‍👩‍👧‍👦 flag 🇨🇭 | RTL: مرحبا بالعالم · שלום עולם | " +
	"CJK: 你好世界 こんにちは 안녕하세요 | combining: e\u0301 a\u0308 Z\u0351\u0359\u0317 | " +
	"zw: a\u200bb\u200dc\ufeffd | ctl: \t\r\n\x00\x1f | json: \"quoted\" \\ / <b>&amp;</b> | " +
	"seps: \u2028\u2029 | math: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ∑∞ | "

// bigUnicodeMessage returns at least n bytes of unicodeSample repeats (valid UTF-8).
func bigUnicodeMessage(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "%d:%s", i, unicodeSample)
	}
	s := sb.String()
	if !utf8.ValidString(s) {
		panic("invalid UTF-8")
	}
	return s
}

// richPost is a post with every kind of field set: props of every JSON type, metadata
// (embeds, emojis, files, images, reactions, priority, acknowledgements) and a participant.
func richPost() *model.Post {
	ack := &model.PostAcknowledgement{UserId: bobID, PostId: "p", AcknowledgedAt: 1600000000002}
	harness.SetFields(ack, map[string]any{"ChannelId": channelID})
	p := &model.Post{
		Id: model.NewId(), CreateAt: 1700000000123, UpdateAt: 1700000000456, EditAt: 1700000000789,
		IsPinned: true, UserId: aliceID, ChannelId: channelID, RootId: model.NewId(),
		OriginalId: "", Message: "rich " + unicodeSample, MessageSource: "source ✓", Type: "custom_conformance",
		Hashtags: "#a #b", FileIds: model.StringArray{"file1", "file2"}, PendingPostId: "pending-1",
		HasReactions: true, RemoteId: model.NewPointer("remote-1"), ReplyCount: 3, LastReplyAt: 1700000000999,
		IsFollowing:  model.NewPointer(true),
		Participants: []*model.User{{Id: bobID, Username: "bob", FirstName: "ボブ", Props: model.StringMap{"x": "y"}}},
		Props: model.StringInterface{
			"string":        "välue ✓ 🎉",
			"int64":         int64(42),
			"int":           -7,
			"float":         3.25,
			"tiny":          1e-7,
			"large":         int64(9007199254740991),
			"bool_true":     true,
			"bool_false":    false,
			"empty":         "",
			"array":         []any{"x", 1.5, false, int64(-3)},
			"nested":        map[string]any{"a": map[string]any{"b": []any{int64(1), "two", 3.5, true, map[string]any{"deep": "ÿes"}}}},
			"attachments":   []any{map[string]any{"title": "Attachment ✓", "fields": []any{map[string]any{"title": "f", "value": "v", "short": true}}}},
			"unicode key ✓": unicodeSample,
		},
		Metadata: &model.PostMetadata{
			Embeds: []*model.PostEmbed{
				{Type: model.PostEmbedLink, URL: "https://example.com/ünï?q=1&r=2"},
				{Type: model.PostEmbedOpengraph, URL: "https://example.com/og", Data: map[string]any{"title": "OG tïtle", "count": int64(3)}},
			},
			Emojis: []*model.Emoji{{Id: model.NewId(), CreateAt: 1600000000000, CreatorId: aliceID, Name: "party_parrot"}},
			Files: []*model.FileInfo{{
				Id: "file1", CreatorId: aliceID, PostId: "p", ChannelId: channelID, CreateAt: 1600000000000,
				Name: "résumé 📄.pdf", Extension: "pdf", Size: 123456789, MimeType: "application/pdf",
				Width: 640, Height: 480, HasPreviewImage: true, MiniPreview: &[]byte{0, 1, 2, 0x7f, 0x80, 0xfe, 0xff},
				RemoteId: model.NewPointer("remote-file"), Archived: true,
			}},
			Images:           map[string]*model.PostImage{"https://example.com/a.png": {Width: 640, Height: 480, Format: "png", FrameCount: 2}},
			Reactions:        []*model.Reaction{{UserId: bobID, PostId: "p", EmojiName: "+1", CreateAt: 1600000000001, ChannelId: channelID}},
			Priority:         &model.PostPriority{Priority: model.NewPointer("urgent"), RequestedAck: model.NewPointer(true), PersistentNotifications: model.NewPointer(true)},
			Acknowledgements: []*model.PostAcknowledgement{ack},
		},
	}
	// Fields of newer servers (harness.SetFields skips them on lines whose models lack them).
	harness.SetFields(p.Metadata, map[string]any{"ExpireAt": int64(1900000000000), "Recipients": []string{aliceID, bobID}})
	return p
}

// testContext is a plugin.Context with every field set.
func testContext() *plugin.Context {
	c := &plugin.Context{
		SessionId:      model.NewId(),
		RequestId:      model.NewId(),
		IPAddress:      "2001:db8::1",
		AcceptLanguage: "fr-CH, fr;q=0.9, 日本語;q=0.1",
		UserAgent:      "Mozilla/5.0 (X11; Linux x86_64) conformance/1.0 ü",
	}
	harness.SetConnectionID(c, "conn-✓-"+model.NewId())
	return c
}

// allBytes returns n bytes cycling through all 256 byte values.
func allBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// gobRT is harness.GobRoundTrip that fails the test on error.
func gobRT[T any](t *testing.T, v T) T {
	t.Helper()
	out, err := harness.GobRoundTrip(v)
	require.NoError(t, err)
	return out
}

// jsonRT is harness.JSONRoundTrip that fails the test on error.
func jsonRT[T any](t *testing.T, v T) T {
	t.Helper()
	out, err := harness.JSONRoundTrip(v)
	require.NoError(t, err)
	return out
}

// requireNoDiff fails the test with the differences, if any.
func requireNoDiff(t *testing.T, what string, want, got any, opts ...harness.DiffOption) {
	t.Helper()
	if d := harness.Diff(want, got, opts...); len(d) > 0 {
		if len(d) > 40 {
			d = append(d[:40], fmt.Sprintf("… and %d more", len(d)-40))
		}
		t.Fatalf("%s differs:\n  %s", what, strings.Join(d, "\n  "))
	}
}

// decodeEcho decodes a JSON echo stored by the plugin into a map of raw members.
func decodeEcho(t *testing.T, raw []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m), "echo is not a JSON object: %.200s", raw)
	return m
}

// comparePost decodes postJSON into a model.Post and returns its differences from want (as
// want arrives over gob).
func comparePost(t *testing.T, want *model.Post, postJSON json.RawMessage) []string {
	t.Helper()
	var got model.Post
	require.NoError(t, json.Unmarshal(postJSON, &got), "post JSON: %.200s", postJSON)
	return harness.Diff(gobRT(t, want), &got)
}
