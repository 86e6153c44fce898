package conformance

import (
	"crypto/rand"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/fakeapi"
	"triggeralerts/conformance/harness"
)

// lastCall returns the most recent recorded call of method, failing the test if none.
func lastCall(t *testing.T, api *fakeapi.API, method string) fakeapi.Call {
	t.Helper()
	c, ok := api.LastCall(method)
	require.True(t, ok, "the fake API did not receive %s", method)
	return c
}

// requireAppError checks an /api answer carrying an AppError equal to want.
func requireAppError(t *testing.T, res harness.APIResult, want *model.AppError) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "status; body %.300s", res.Body)
	require.NotNil(t, res.Error, "error; body %.300s", res.Body)
	assert.True(t, res.IsNull(), "result must be null with an error, got %s", res.Result)
	assert.Equal(t, harness.APIError{
		Type: "AppError", Id: want.Id, Message: want.Message, DetailedError: want.DetailedError,
		StatusCode: want.StatusCode, Where: want.Where,
	}, *res.Error)
}

// requirePlainError checks an /api answer carrying a non-AppError error with that message.
func requirePlainError(t *testing.T, res harness.APIResult, message string) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "status; body %.300s", res.Body)
	require.NotNil(t, res.Error, "error; body %.300s", res.Body)
	assert.True(t, res.IsNull(), "result must be null with an error, got %s", res.Result)
	assert.Equal(t, harness.APIError{Type: "error", Message: message}, *res.Error)
}

func requireNullResult(t *testing.T, res harness.APIResult) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "status; body %.300s", res.Body)
	require.Nil(t, res.Error, "error")
	require.True(t, res.IsNull(), "result: %s", res.Result)
}

func decodeResult[T any](t *testing.T, res harness.APIResult) T {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "status; body %.300s", res.Body)
	require.Nil(t, res.Error, "error")
	var v T
	require.NoError(t, res.Decode(&v), "result: %.300s", res.Result)
	return v
}

// TestAPIKV covers the KV methods: arguments arrive intact (bytes with every value), results
// come back intact, and the store has the server's semantics.
func TestAPIKV(t *testing.T) {
	h := start(t)
	api := h.API
	const key = "kv ünïcode ✓ key"
	bin := allBytes(256)

	t.Run("KVSet", func(t *testing.T) {
		requireNullResult(t, h.CallAPI("KVSet", key, bin))
		c := lastCall(t, api, "KVSet")
		assert.Equal(t, key, c.Args[0])
		assert.Equal(t, bin, c.Args[1])
		assert.Equal(t, bin, h.KV(key))
	})

	t.Run("KVSet 300 KiB", func(t *testing.T) {
		big := make([]byte, 300*1024)
		_, _ = rand.Read(big)
		requireNullResult(t, h.CallAPI("KVSet", "big", big))
		assert.True(t, string(big) == string(h.KV("big")), "value differs")
	})

	t.Run("KVGet", func(t *testing.T) {
		api.KVPut("get-me", bin)
		got := decodeResult[[]byte](t, h.CallAPI("KVGet", "get-me"))
		assert.Equal(t, bin, got)
		assert.Equal(t, []any{"get-me"}, lastCall(t, api, "KVGet").Args)

		res := h.CallAPI("KVGet", "absent")
		requireNullResult(t, res)
	})

	t.Run("KVSetWithOptions", func(t *testing.T) {
		type opts = model.PluginKVSetOptions
		call := func(key string, value []byte, o opts) harness.APIResult {
			t.Helper()
			res := h.CallAPI("KVSetWithOptions", key, value, o)
			c := lastCall(t, api, "KVSetWithOptions")
			require.Equal(t, key, c.Args[0])
			require.Equal(t, value, c.Args[1], "value")
			require.Equal(t, o, c.Args[2], "options")
			return res
		}
		// Only if absent.
		assert.True(t, decodeResult[bool](t, call("atomic", []byte("v1"), opts{Atomic: true})))
		assert.False(t, decodeResult[bool](t, call("atomic", []byte("v2"), opts{Atomic: true})))
		assert.Equal(t, []byte("v1"), h.KV("atomic"))
		// Compare and set.
		assert.False(t, decodeResult[bool](t, call("atomic", []byte("v3"), opts{Atomic: true, OldValue: []byte("wrong")})))
		assert.True(t, decodeResult[bool](t, call("atomic", bin, opts{Atomic: true, OldValue: []byte("v1")})))
		assert.Equal(t, bin, h.KV("atomic"))
		// Compare and delete (nil value).
		assert.True(t, decodeResult[bool](t, call("atomic", nil, opts{Atomic: true, OldValue: bin})))
		_, ok := api.KVValue("atomic")
		assert.False(t, ok)
		// Expiry.
		assert.True(t, decodeResult[bool](t, call("expiring", []byte("soon gone"), opts{ExpireInSeconds: 60})))
		expireAt, ok := api.KVExpireAt("expiring")
		require.True(t, ok)
		assert.Equal(t, api.Now().Add(60*time.Second), expireAt)
		assert.Equal(t, []byte("soon gone"), decodeResult[[]byte](t, h.CallAPI("KVGet", "expiring")))
		api.Advance(61 * time.Second)
		requireNullResult(t, h.CallAPI("KVGet", "expiring"))
		// Invalid: OldValue without Atomic.
		res := call("invalid", []byte("x"), opts{OldValue: []byte("y")})
		requireAppError(t, res, lastCall(t, api, "KVSetWithOptions").Returns[1].(*model.AppError))
		assert.Equal(t, 400, res.Error.StatusCode)
	})

	t.Run("KVCompareAndSet", func(t *testing.T) {
		api.KVPut("cas", []byte("old"))
		assert.False(t, decodeResult[bool](t, h.CallAPI("KVCompareAndSet", "cas", []byte("nope"), bin)))
		assert.True(t, decodeResult[bool](t, h.CallAPI("KVCompareAndSet", "cas", []byte("old"), bin)))
		c := lastCall(t, api, "KVCompareAndSet")
		assert.Equal(t, []any{"cas", []byte("old"), bin}, c.Args)
		assert.Equal(t, bin, h.KV("cas"))
		// nil old value: only if absent.
		assert.True(t, decodeResult[bool](t, h.CallAPI("KVCompareAndSet", "cas-new", nil, []byte("first"))))
		assert.False(t, decodeResult[bool](t, h.CallAPI("KVCompareAndSet", "cas-new", nil, []byte("second"))))
		assert.Equal(t, []byte("first"), h.KV("cas-new"))
	})

	t.Run("KVCompareAndDelete", func(t *testing.T) {
		api.KVPut("cad", bin)
		assert.False(t, decodeResult[bool](t, h.CallAPI("KVCompareAndDelete", "cad", []byte("nope"))))
		assert.True(t, decodeResult[bool](t, h.CallAPI("KVCompareAndDelete", "cad", bin)))
		assert.Equal(t, []any{"cad", bin}, lastCall(t, api, "KVCompareAndDelete").Args)
		_, ok := api.KVValue("cad")
		assert.False(t, ok)
	})

	t.Run("KVDelete", func(t *testing.T) {
		api.KVPut("del ✓", []byte("x"))
		requireNullResult(t, h.CallAPI("KVDelete", "del ✓"))
		assert.Equal(t, []any{"del ✓"}, lastCall(t, api, "KVDelete").Args)
		_, ok := api.KVValue("del ✓")
		assert.False(t, ok)
	})

	t.Run("KVList", func(t *testing.T) {
		all := api.KVKeys()
		require.Greater(t, len(all), 4)
		got := decodeResult[[]string](t, h.CallAPI("KVList", 0, 1000))
		assert.Equal(t, all, got)
		assert.Equal(t, []any{0, 1000}, lastCall(t, api, "KVList").Args)
		page := decodeResult[[]string](t, h.CallAPI("KVList", 1, 2))
		assert.Equal(t, all[2:4], page)
		beyond := decodeResult[[]string](t, h.CallAPI("KVList", 1000, 10))
		assert.Empty(t, beyond)
	})

	t.Run("injected failures", func(t *testing.T) {
		injected := &model.AppError{Id: "store.unavailable ✓", Message: "store unavailable ✓", DetailedError: "db down: 🔥", StatusCode: 503, Where: "SqlPluginStore.Get"}
		api.InjectError("KVGet", injected)
		requireAppError(t, h.CallAPI("KVGet", key), injected)
		api.ClearError("KVGet")

		api.InjectError("KVSet", injected)
		requireAppError(t, h.CallAPI("KVSet", key, []byte("x")), injected)
		api.ClearError("KVSet")

		api.InjectError("KVSetWithOptions", injected)
		requireAppError(t, h.CallAPI("KVSetWithOptions", key, []byte("x"), model.PluginKVSetOptions{}), injected)
		api.ClearError("KVSetWithOptions")

		api.InjectError("KVList", injected)
		requireAppError(t, h.CallAPI("KVList", 0, 10), injected)
		api.ClearError("KVList")
	})
}

// TestAPIUsersAndChannels covers the lookups: results come back intact, and a miss gives
// the 404 AppError with every field.
func TestAPIUsersAndChannels(t *testing.T) {
	h := start(t)
	api := h.API

	// checkResult compares the JSON result with what the fake returned.
	checkResult := func(t *testing.T, method string, res harness.APIResult, newT func() any) {
		t.Helper()
		require.Nil(t, res.Error, "error: %+v", res.Error)
		got := newT()
		require.NoError(t, res.Decode(got))
		returned := lastCall(t, api, method).Returns[0]
		requireNoDiff(t, method+" result", gobRT(t, returned), got)
	}

	t.Run("GetUser", func(t *testing.T) {
		checkResult(t, "GetUser", h.MustCallAPI("GetUser", aliceID), func() any { return &model.User{} })
		assert.Equal(t, []any{aliceID}, lastCall(t, api, "GetUser").Args)
		u := decodeResult[model.User](t, h.CallAPI("GetUser", aliceID))
		assert.Equal(t, "Äli 👩‍💻", u.Nickname)

		res := h.CallAPI("GetUser", "missing-user")
		requireAppError(t, res, lastCall(t, api, "GetUser").Returns[1].(*model.AppError))
		assert.Equal(t, "app.user.missing", res.Error.Id)
		assert.Equal(t, 404, res.Error.StatusCode)
	})

	t.Run("GetUserByUsername", func(t *testing.T) {
		checkResult(t, "GetUserByUsername", h.MustCallAPI("GetUserByUsername", "bob"), func() any { return &model.User{} })
		assert.Equal(t, []any{"bob"}, lastCall(t, api, "GetUserByUsername").Args)
		res := h.CallAPI("GetUserByUsername", "nobody ✓")
		requireAppError(t, res, lastCall(t, api, "GetUserByUsername").Returns[1].(*model.AppError))
	})

	t.Run("GetChannel", func(t *testing.T) {
		checkResult(t, "GetChannel", h.MustCallAPI("GetChannel", channelID), func() any { return &model.Channel{} })
		c := decodeResult[model.Channel](t, h.CallAPI("GetChannel", channelID))
		assert.Equal(t, "Général 🎉", c.DisplayName)
		res := h.CallAPI("GetChannel", "missing")
		requireAppError(t, res, lastCall(t, api, "GetChannel").Returns[1].(*model.AppError))
		assert.Equal(t, 404, res.Error.StatusCode)
	})

	t.Run("GetChannelMember", func(t *testing.T) {
		checkResult(t, "GetChannelMember", h.MustCallAPI("GetChannelMember", channelID, aliceID), func() any { return &model.ChannelMember{} })
		assert.Equal(t, []any{channelID, aliceID}, lastCall(t, api, "GetChannelMember").Args)
		res := h.CallAPI("GetChannelMember", channelID, bobID)
		requireAppError(t, res, lastCall(t, api, "GetChannelMember").Returns[1].(*model.AppError))
	})

	t.Run("GetDirectChannel", func(t *testing.T) {
		checkResult(t, "GetDirectChannel", h.MustCallAPI("GetDirectChannel", aliceID, bobID), func() any { return &model.Channel{} })
		assert.Equal(t, []any{aliceID, bobID}, lastCall(t, api, "GetDirectChannel").Args)
		c := decodeResult[model.Channel](t, h.CallAPI("GetDirectChannel", bobID, aliceID))
		assert.Equal(t, model.ChannelTypeDirect, c.Type)
		assert.Equal(t, model.GetDMNameFromIds(aliceID, bobID), c.Name)
		res := h.CallAPI("GetDirectChannel", aliceID, "ghost")
		requireAppError(t, res, lastCall(t, api, "GetDirectChannel").Returns[1].(*model.AppError))
	})

	t.Run("HasPermissionToChannel", func(t *testing.T) {
		assert.True(t, decodeResult[bool](t, h.CallAPI("HasPermissionToChannel", aliceID, channelID, model.PermissionCreatePost.Id)))
		c := lastCall(t, api, "HasPermissionToChannel")
		assert.Equal(t, aliceID, c.Args[0])
		assert.Equal(t, channelID, c.Args[1])
		require.NotNil(t, c.Args[2])
		assert.Equal(t, model.PermissionCreatePost.Id, c.Args[2].(*model.Permission).Id)
		assert.False(t, decodeResult[bool](t, h.CallAPI("HasPermissionToChannel", bobID, channelID, model.PermissionCreatePost.Id)))
		assert.False(t, decodeResult[bool](t, h.CallAPI("HasPermissionToChannel", aliceID, channelID, model.PermissionManageSystem.Id)))
	})

	t.Run("injected failures", func(t *testing.T) {
		injected := &model.AppError{Id: "injected.id", Message: "injected ✓", DetailedError: "details ✓", StatusCode: 502, Where: "Somewhere.Else"}
		for _, m := range []struct {
			method string
			args   []any
		}{
			{"GetUser", []any{aliceID}},
			{"GetUserByUsername", []any{"alice"}},
			{"GetChannel", []any{channelID}},
			{"GetChannelMember", []any{channelID, aliceID}},
			{"GetDirectChannel", []any{aliceID, bobID}},
		} {
			api.InjectError(m.method, injected)
			requireAppError(t, h.CallAPI(m.method, m.args...), injected)
			api.ClearError(m.method)
		}
		// A plain error injected into an AppError method arrives as the fake's 500 AppError.
		api.InjectError("GetUser", errors.New("plain failure"))
		res := h.CallAPI("GetUser", aliceID)
		requireAppError(t, res, lastCall(t, api, "GetUser").Returns[1].(*model.AppError))
		assert.Equal(t, 500, res.Error.StatusCode)
		api.ClearError("GetUser")
	})
}

// TestAPIPosts covers CreatePost, GetPost and SendEphemeralPost with a rich post.
func TestAPIPosts(t *testing.T) {
	h := start(t)
	api := h.API

	t.Run("CreatePost", func(t *testing.T) {
		post := richPost()
		post.Id = ""
		post.Message = bigUnicodeMessage(64 * 1024)
		res := h.MustCallAPI("CreatePost", post)
		c := lastCall(t, api, "CreatePost")
		// The argument as the plugin decoded it from JSON and sent it over gob.
		requireNoDiff(t, "CreatePost argument", gobRT(t, jsonRT(t, post)), c.Args[0])
		var got model.Post
		require.NoError(t, res.Decode(&got))
		requireNoDiff(t, "CreatePost result", gobRT(t, c.Returns[0]), &got)
		assert.NotEmpty(t, got.Id)
		assert.Equal(t, post.Message, got.Message)

		bad := richPost()
		bad.ChannelId = "no-such-channel"
		requireAppError(t, h.CallAPI("CreatePost", bad), lastCall(t, api, "CreatePost").Returns[1].(*model.AppError))
	})

	t.Run("GetPost", func(t *testing.T) {
		res := h.MustCallAPI("GetPost", postID)
		var got model.Post
		require.NoError(t, res.Decode(&got))
		c := lastCall(t, api, "GetPost")
		assert.Equal(t, []any{postID}, c.Args)
		requireNoDiff(t, "GetPost result", gobRT(t, c.Returns[0]), &got)
		// And against the seeded post itself.
		requireNoDiff(t, "GetPost result", gobRT(t, api.Post(postID)), &got)

		miss := h.CallAPI("GetPost", "missing")
		requireAppError(t, miss, lastCall(t, api, "GetPost").Returns[1].(*model.AppError))
		assert.Equal(t, 404, miss.Error.StatusCode)
	})

	t.Run("SendEphemeralPost", func(t *testing.T) {
		post := richPost()
		post.Id = ""
		res := h.MustCallAPI("SendEphemeralPost", bobID, post)
		c := lastCall(t, api, "SendEphemeralPost")
		assert.Equal(t, bobID, c.Args[0])
		requireNoDiff(t, "SendEphemeralPost argument", gobRT(t, jsonRT(t, post)), c.Args[1])
		var got model.Post
		require.NoError(t, res.Decode(&got))
		requireNoDiff(t, "SendEphemeralPost result", gobRT(t, c.Returns[0]), &got)
		assert.Equal(t, model.PostTypeEphemeral, got.Type)
	})
}

// TestAPIConfigAndMisc covers configuration, bots, commands, events, the server version and
// logging.
func TestAPIConfigAndMisc(t *testing.T) {
	h := start(t)
	api := h.API

	t.Run("GetConfig", func(t *testing.T) {
		res := h.MustCallAPI("GetConfig")
		var got model.Config
		require.NoError(t, res.Decode(&got))
		if harness.NewestHost {
			requireNoDiff(t, "GetConfig result", gobRT(t, api.Config()), &got)
		} else {
			// A plugin built against a newer server/public sees an older server's config through
			// its own model: without the settings the newer model dropped, and with the newer
			// settings at their zero value (as a Go plugin built so does after gob decoding).
			// Every setting both models have must be the server's.
			requireNoDiff(t, "GetConfig result", gobRT(t, api.Config()), res.Result, harness.AcrossModels())
		}
		require.NotNil(t, got.ServiceSettings.SiteURL)
		assert.Equal(t, fakeapi.DefaultSiteURL, *got.ServiceSettings.SiteURL)
	})

	t.Run("GetPluginConfig", func(t *testing.T) {
		res := h.MustCallAPI("GetPluginConfig")
		requireNoDiff(t, "GetPluginConfig result", pluginConfig(), res.Result)
	})

	t.Run("LoadPluginConfiguration", func(t *testing.T) {
		res := h.MustCallAPI("LoadPluginConfiguration")
		requireNoDiff(t, "LoadPluginConfiguration result", pluginConfig(), res.Result)
	})

	t.Run("GetServerVersion", func(t *testing.T) {
		api.SetServerVersion("9.8.7-ünï")
		assert.Equal(t, "9.8.7-ünï", decodeResult[string](t, h.CallAPI("GetServerVersion")))
	})

	t.Run("EnsureBotUser", func(t *testing.T) {
		bot := &model.Bot{Username: "conformance-bot", DisplayName: "Conformance Bot ✓", Description: "A bot — with ünïcode", OwnerId: aliceID}
		id := decodeResult[string](t, h.CallAPI("EnsureBotUser", bot))
		assert.Equal(t, lastCall(t, api, "EnsureBotUser").Returns[0], id)
		assert.True(t, model.IsValidId(id), "bot user id %q", id)
		requireNoDiff(t, "EnsureBotUser argument", gobRT(t, bot), lastCall(t, api, "EnsureBotUser").Args[0])
		again := decodeResult[string](t, h.CallAPI("EnsureBotUser", bot))
		assert.Equal(t, id, again)

		api.InjectError("EnsureBotUser", errors.New("bot creation failed ✓"))
		requirePlainError(t, h.CallAPI("EnsureBotUser", bot), "bot creation failed ✓")
		appErr := &model.AppError{Id: "bot.fail", Message: "bot failed", DetailedError: "d", StatusCode: 409, Where: "EnsureBot"}
		api.InjectError("EnsureBotUser", appErr)
		requireAppError(t, h.CallAPI("EnsureBotUser", bot), appErr)
		api.ClearError("EnsureBotUser")
	})

	t.Run("RegisterCommand", func(t *testing.T) {
		cmd := &model.Command{
			Trigger: "conformance", AutoComplete: true, AutoCompleteDesc: "Conformance ✓", AutoCompleteHint: "[echo|fail]",
			DisplayName: "Conformance", Description: "Test command — ünï", Username: "bot", IconURL: "https://example.com/i.png",
			AutocompleteData: &model.AutocompleteData{
				Trigger: "conformance", Hint: "[action]", HelpText: "help ✓", RoleID: model.SystemUserRoleId,
				Arguments: []*model.AutocompleteArg{
					{Name: "text", HelpText: "free text", Type: model.AutocompleteArgTypeText, Required: true, Data: &model.AutocompleteTextArg{Hint: "hint", Pattern: "^.*$"}},
					{Name: "choice", HelpText: "one of", Type: model.AutocompleteArgTypeStaticList, Data: &model.AutocompleteStaticListArg{PossibleArguments: []model.AutocompleteListItem{{Item: "yes", Hint: "h", HelpText: "ht"}, {Item: "nö"}}}},
					{Name: "dyn", Type: model.AutocompleteArgTypeDynamicList, Data: &model.AutocompleteDynamicListArg{FetchURL: "/plugins/x/list"}},
				},
				SubCommands: []*model.AutocompleteData{{Trigger: "echo", HelpText: "echo it"}},
			},
			AutocompleteIconData: "PHN2Zz48L3N2Zz4=",
		}
		requireNullResult(t, h.CallAPI("RegisterCommand", cmd))
		got := lastCall(t, api, "RegisterCommand").Args[0]
		requireNoDiff(t, "RegisterCommand argument", gobRT(t, jsonRT(t, cmd)), got)
		requireNoDiff(t, "RegisterCommand argument", cmd, got)

		appErr := &model.AppError{Id: "cmd.exists", Message: "command exists", DetailedError: "trigger=conformance", StatusCode: 400, Where: "RegisterCommand"}
		api.InjectError("RegisterCommand", appErr)
		requireAppError(t, h.CallAPI("RegisterCommand", cmd), appErr)
		api.InjectError("RegisterCommand", errors.New("plain ✓"))
		requirePlainError(t, h.CallAPI("RegisterCommand", cmd), "plain ✓")
		api.ClearError("RegisterCommand")
	})

	t.Run("PublishPluginClusterEvent", func(t *testing.T) {
		ev := model.PluginClusterEvent{Id: "ev ✓", Data: allBytes(512)}
		opts := model.PluginClusterEventSendOptions{SendType: model.PluginClusterEventSendTypeReliable, TargetId: "node-ünï"}
		requireNullResult(t, h.CallAPI("PublishPluginClusterEvent", ev, opts))
		c := lastCall(t, api, "PublishPluginClusterEvent")
		assert.Equal(t, []any{ev, opts}, c.Args)

		api.InjectError("PublishPluginClusterEvent", errors.New("cluster down"))
		requirePlainError(t, h.CallAPI("PublishPluginClusterEvent", ev, opts), "cluster down")
		api.ClearError("PublishPluginClusterEvent")
	})

	t.Run("PublishWebSocketEvent", func(t *testing.T) {
		payload := map[string]any{
			"text": "ünï ✓ 🎉", "n": 1.5, "i": 7, "b": true, "f": false,
			"list": []any{"a", 2, map[string]any{"k": "v"}}, "nested": map[string]any{"x": map[string]any{"y": []any{}}},
		}
		broadcast := &model.WebsocketBroadcast{
			OmitUsers: map[string]bool{bobID: true}, UserId: aliceID, ChannelId: channelID, TeamId: teamID,
			ConnectionId: "conn-1", OmitConnectionId: "conn-2", ContainsSanitizedData: true, ContainsSensitiveData: true,
			BroadcastHooks: []string{"hook1"}, BroadcastHookArgs: []map[string]any{{"arg": "v", "n": 2}},
		}
		harness.SetFields(broadcast, map[string]any{"RequiredPermissions": []string{"manage_system"}})
		requireNullResult(t, h.CallAPI("PublishWebSocketEvent", "custom_event ✓", payload, broadcast))
		evs := api.WebSocketEvents()
		require.NotEmpty(t, evs)
		ev := evs[len(evs)-1]
		assert.Equal(t, "custom_event ✓", ev.Event)
		requireNoDiff(t, "payload", payload, ev.Payload)
		requireNoDiff(t, "broadcast", broadcast, ev.Broadcast)
		assert.Equal(t, map[string]bool{bobID: true}, ev.Broadcast.OmitUsers)
	})

	t.Run("logging", func(t *testing.T) {
		for _, level := range []string{"Debug", "Info", "Warn", "Error"} {
			msg := level + " message ✓ " + unicodeSample
			res := h.CallAPI("Log"+level, msg, "key1", "välue 1", "key ✓", "", "k3", "\"quoted\"\n")
			requireNullResult(t, res)
			logs := api.Logs()
			require.NotEmpty(t, logs)
			got := logs[len(logs)-1]
			assert.Equal(t, level, got.Level)
			assert.Equal(t, msg, got.Message)
			assert.Equal(t, []any{"key1", "välue 1", "key ✓", "", "k3", "\"quoted\"\n"}, got.KeyValuePairs)
		}
		requireNullResult(t, h.CallAPI("LogInfo", "no pairs"))
		logs := api.Logs()
		assert.Equal(t, fakeapi.LogEntry{Level: "Info", Message: "no pairs"}, logs[len(logs)-1])
	})

	t.Run("unknown method", func(t *testing.T) {
		res := h.CallAPI("NoSuchMethod", "x")
		assert.Equal(t, http.StatusNotFound, res.Status)
		require.NotNil(t, res.Error)
		assert.Equal(t, harness.APIError{Type: "error", Message: "unknown method"}, *res.Error)
	})
}
