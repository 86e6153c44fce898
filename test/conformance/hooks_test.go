package conformance

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/harness"
)

// postAndEcho calls MessageHasBeenPosted and returns the echo members (context, post).
func postAndEcho(t *testing.T, h *harness.Host, c *plugin.Context, post *model.Post) map[string]json.RawMessage {
	t.Helper()
	var rpcErr error
	h.Do("MessageHasBeenPosted", func() { rpcErr = h.HooksRPC().MessageHasBeenPostedWithRPCErr(c, post.Clone()) })
	require.NoError(t, rpcErr)
	echo := decodeEcho(t, h.KV("posted:"+post.Id))
	require.Contains(t, echo, "context")
	require.Contains(t, echo, "post")
	return echo
}

// TestMessageHasBeenPosted: the context and a post with every kind of field arrive intact.
func TestMessageHasBeenPosted(t *testing.T) {
	h := start(t)

	t.Run("rich post", func(t *testing.T) {
		c := testContext()
		post := richPost()
		echo := postAndEcho(t, h, c, post)
		requireNoDiff(t, "context", c, echo["context"], harness.ContextDiffOptions...)
		if d := comparePost(t, post, echo["post"]); len(d) > 0 {
			t.Fatalf("post differs:\n  %s", strings.Join(d, "\n  "))
		}
	})

	t.Run("100 KiB unicode message", func(t *testing.T) {
		c := testContext()
		post := richPost()
		post.Message = bigUnicodeMessage(100 * 1024)
		post.Props["long"] = bigUnicodeMessage(20 * 1024)
		echo := postAndEcho(t, h, c, post)
		var got model.Post
		require.NoError(t, json.Unmarshal(echo["post"], &got))
		require.Equal(t, len(post.Message), len(got.Message), "message length in bytes")
		require.True(t, post.Message == got.Message, "message content differs")
		if d := comparePost(t, post, echo["post"]); len(d) > 0 {
			t.Fatalf("post differs:\n  %s", strings.Join(d, "\n  "))
		}
	})

	t.Run("minimal post", func(t *testing.T) {
		post := &model.Post{Id: model.NewId(), ChannelId: channelID, UserId: aliceID, Message: "m"}
		echo := postAndEcho(t, h, &plugin.Context{}, post)
		requireNoDiff(t, "context", &plugin.Context{}, echo["context"], harness.ContextDiffOptions...)
		if d := comparePost(t, post, echo["post"]); len(d) > 0 {
			t.Fatalf("post differs:\n  %s", strings.Join(d, "\n  "))
		}
	})
}

// TestComparatorDetectsCorruption proves the comparison is not vacuous: with
// props.conformance_corrupt = true the plugin appends "!" to the echoed message, and the
// comparison must report exactly that field.
func TestComparatorDetectsCorruption(t *testing.T) {
	h := start(t)
	post := richPost()
	post.Props["conformance_corrupt"] = true
	echo := postAndEcho(t, h, testContext(), post)

	d := comparePost(t, post, echo["post"])
	require.Len(t, d, 1, "differences: %v", d)
	assert.True(t, strings.HasPrefix(d[0], "$.message:"), "difference: %s", d[0])
	var got model.Post
	require.NoError(t, json.Unmarshal(echo["post"], &got))
	assert.Equal(t, post.Message+"!", got.Message)
}

// TestMessageHasBeenUpdated: the context and both posts arrive intact.
func TestMessageHasBeenUpdated(t *testing.T) {
	h := start(t)
	c := testContext()
	oldPost := richPost()
	newPost := oldPost.Clone()
	newPost.Message = "edited: " + unicodeSample
	newPost.EditAt = oldPost.EditAt + 1000
	newPost.Props = model.StringInterface{"edited": true, "n": int64(2)}

	var rpcErr error
	h.Do("MessageHasBeenUpdated", func() {
		rpcErr = h.HooksRPC().MessageHasBeenUpdatedWithRPCErr(c, newPost.Clone(), oldPost.Clone())
	})
	require.NoError(t, rpcErr)
	echo := decodeEcho(t, h.KV("updated:"+newPost.Id))
	requireNoDiff(t, "context", c, echo["context"], harness.ContextDiffOptions...)
	if d := comparePost(t, newPost, echo["new"]); len(d) > 0 {
		t.Fatalf("new post differs:\n  %s", strings.Join(d, "\n  "))
	}
	if d := comparePost(t, oldPost, echo["old"]); len(d) > 0 {
		t.Fatalf("old post differs:\n  %s", strings.Join(d, "\n  "))
	}
}

// TestMessageWillBePosted: rejection, rewrite and pass-through, both as the plugin sent them
// (MessageWillBePostedWithRPCErr) and as the server sees them (MessageWillBePosted, which
// decodes the reply over the original post).
func TestMessageWillBePosted(t *testing.T) {
	h := start(t)

	t.Run("reject", func(t *testing.T) {
		post := richPost()
		post.Message = "please reject-me ✓ " + unicodeSample
		var got *model.Post
		var reason string
		var rpcErr error
		h.Do("MessageWillBePosted", func() { got, reason, rpcErr = h.HooksRPC().MessageWillBePostedWithRPCErr(testContext(), post.Clone()) })
		require.NoError(t, rpcErr)
		assert.Nil(t, got, "a rejection returns no post")
		assert.Equal(t, "rejected: "+post.Message, reason)

		// The server's view: the reason, and the post it passed in.
		orig := post.Clone()
		h.Do("MessageWillBePosted", func() { got, reason = h.Hooks().MessageWillBePosted(testContext(), orig) })
		assert.Equal(t, "rejected: "+post.Message, reason)
		assert.Same(t, orig, got)
	})

	t.Run("rewrite", func(t *testing.T) {
		post := richPost()
		post.Message = "please rewrite-me: straße ǆ ﬁ é " + unicodeSample
		want := post.Clone()
		want.Message = strings.ToUpper(post.Message)
		want.AddProp("rewritten", true)

		var got *model.Post
		var reason string
		var rpcErr error
		h.Do("MessageWillBePosted", func() { got, reason, rpcErr = h.HooksRPC().MessageWillBePostedWithRPCErr(testContext(), post.Clone()) })
		require.NoError(t, rpcErr)
		require.NotNil(t, got, "a rewrite returns the post")
		assert.Equal(t, "", reason)
		assert.Equal(t, want.Message, got.Message, "upper-cased message")
		assert.Equal(t, true, got.GetProp("rewritten"))
		// Every other field survives, as the plugin sent it (no merge with the original).
		requireNoDiff(t, "rewritten post", gobRT(t, want), got)

		// The server's view.
		orig := post.Clone()
		h.Do("MessageWillBePosted", func() { got, reason = h.Hooks().MessageWillBePosted(testContext(), orig) })
		assert.Equal(t, "", reason)
		require.NotNil(t, got)
		requireNoDiff(t, "rewritten post (server view)", gobRT(t, want), got)
	})

	t.Run("pass-through", func(t *testing.T) {
		post := richPost()
		post.Message = "nothing special " + unicodeSample
		var got *model.Post
		var reason string
		var rpcErr error
		h.Do("MessageWillBePosted", func() { got, reason, rpcErr = h.HooksRPC().MessageWillBePostedWithRPCErr(testContext(), post.Clone()) })
		require.NoError(t, rpcErr)
		assert.Nil(t, got, "pass-through returns no post")
		assert.Equal(t, "", reason)

		orig := post.Clone()
		h.Do("MessageWillBePosted", func() { got, reason = h.Hooks().MessageWillBePosted(testContext(), orig) })
		assert.Equal(t, "", reason)
		assert.Same(t, orig, got, "the server keeps its post")
		requireNoDiff(t, "unchanged post", post, got)
	})
}

func fullCommandArgs() *model.CommandArgs {
	args := &model.CommandArgs{
		UserId: aliceID, ChannelId: channelID, TeamId: teamID, RootId: model.NewId(), ParentId: model.NewId(),
		TriggerId:       "trigger-✓",
		Command:         "/conformance echo ünïcödé 🎉 \"quoted\" \\ <tag> " + unicodeSample,
		SiteURL:         "https://chat.example.com",
		UserMentions:    model.UserMentionMap{"alice": aliceID},
		ChannelMentions: model.ChannelMentionMap{"general": channelID},
	}
	harness.SetFields(args, map[string]any{"ConnectionId": "conn-1"})
	return args
}

// TestExecuteCommand: the arguments arrive intact, the response comes back intact, and an
// AppError comes back with every field.
func TestExecuteCommand(t *testing.T) {
	h := start(t)

	t.Run("echo", func(t *testing.T) {
		args := fullCommandArgs()
		var resp *model.CommandResponse
		var appErr *model.AppError
		var rpcErr error
		h.Do("ExecuteCommand", func() { resp, appErr, rpcErr = h.HooksRPC().ExecuteCommandWithRPCErr(testContext(), args) })
		require.NoError(t, rpcErr)
		require.Nil(t, appErr)
		require.NotNil(t, resp)
		assert.Equal(t, "ephemeral", resp.ResponseType)
		assert.Equal(t, map[string]any{"echo": args.Command}, map[string]any(resp.Props))
		var echoed model.CommandArgs
		require.NoError(t, json.Unmarshal([]byte(resp.Text), &echoed), "text: %.200s", resp.Text)
		requireNoDiff(t, "echoed command args", args, &echoed)
		// The other response fields are empty.
		rest := *resp
		rest.ResponseType, rest.Text, rest.Props = "", "", nil
		requireNoDiff(t, "other response fields", &model.CommandResponse{}, &rest)
	})

	t.Run("AppError", func(t *testing.T) {
		args := fullCommandArgs()
		args.Command = "/conformance fail"
		var resp *model.CommandResponse
		var appErr *model.AppError
		var rpcErr error
		h.Do("ExecuteCommand", func() { resp, appErr, rpcErr = h.HooksRPC().ExecuteCommandWithRPCErr(testContext(), args) })
		require.NoError(t, rpcErr)
		assert.Nil(t, resp)
		require.NotNil(t, appErr)
		assert.Equal(t, "conformance.fail", appErr.Id)
		assert.Equal(t, "failed on purpose", appErr.Message)
		assert.Equal(t, "detail", appErr.DetailedError)
		assert.Equal(t, 418, appErr.StatusCode)
		assert.Equal(t, "ExecuteCommand", appErr.Where)
		assert.Equal(t, "ExecuteCommand: failed on purpose, detail", appErr.Error())

		// The plain hook (what the server calls) gives the same.
		h.Do("ExecuteCommand", func() { resp, appErr = h.Hooks().ExecuteCommand(testContext(), args) })
		assert.Nil(t, resp)
		require.NotNil(t, appErr)
		assert.Equal(t, 418, appErr.StatusCode)
	})
}

// TestOnPluginClusterEvent: binary event data arrives intact.
func TestOnPluginClusterEvent(t *testing.T) {
	h := start(t)
	random := make([]byte, 1<<20)
	_, _ = rand.Read(random)
	cases := map[string][]byte{
		"all-bytes":      allBytes(256),
		"all-bytes-x4":   allBytes(1024),
		"one-zero-byte":  {0},
		"utf8-invalid":   {0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80},
		"random-1MiB":    random,
		"id ünïcode ✓ 🎉": []byte("data"),
	}
	for id, data := range cases {
		t.Run(id, func(t *testing.T) {
			var rpcErr error
			h.Do("OnPluginClusterEvent", func() {
				rpcErr = h.HooksRPC().OnPluginClusterEventWithRPCErr(testContext(), model.PluginClusterEvent{Id: id, Data: data})
			})
			require.NoError(t, rpcErr)
			got := h.KV("cluster:" + id)
			require.Equal(t, len(data), len(got), "length")
			require.True(t, string(data) == string(got), "data differs")
		})
	}
}

// willBeSavedConfig is the fake server's configuration with the conformance plugin's setting
// "willbesaved" = mode, beside settings of another plugin of every JSON kind (they cross as
// interfaces inside map[string]map[string]any).
func willBeSavedConfig(t *testing.T, h *harness.Host, mode string) *model.Config {
	t.Helper()
	cfg := h.API.Config()
	cfg.ServiceSettings.SiteURL = model.NewPointer("https://chat.example.com/ünï ✓")
	cfg.PluginSettings.Plugins = map[string]map[string]any{
		harness.PluginID: {"willbesaved": mode, "limit": 25.0},
		"other.plugin": {
			"text": unicodeSample, "number": 0.5, "flag": true, "none": nil,
			"list": []any{"a", 1.0, false}, "nested": map[string]any{"k": "v"},
		},
	}
	return cfg
}

// saveConfigHooks runs the hook over every plugin implementing it, the way the server's SaveConfig
// does before it stores a configuration: a plugin's error stops the save, a returned config replaces
// the one passed on.
func saveConfigHooks(h *harness.Host, newCfg *model.Config) (*model.Config, error) {
	var hookErr error
	h.Do("ConfigurationWillBeSaved", func() {
		h.Env.RunMultiPluginHook(func(hooks plugin.Hooks, _ *model.Manifest) bool {
			var out *model.Config
			out, hookErr = hooks.ConfigurationWillBeSaved(newCfg)
			if hookErr == nil && out != nil {
				newCfg = out
			}
			return hookErr == nil
		}, plugin.ConfigurationWillBeSavedID)
	})
	return newCfg, hookErr
}

// TestConfigurationWillBeSaved: the whole configuration arrives intact; the plugin can let it pass
// (nil: the server keeps its own), replace it, or refuse it with an AppError (every field, including
// SkipTranslation) or a plain error.
func TestConfigurationWillBeSaved(t *testing.T) {
	h := start(t)

	t.Run("pass-through echoes the whole config", func(t *testing.T) {
		cfg := willBeSavedConfig(t, h, "echo")
		var out *model.Config
		var err, rpcErr error
		h.Do("ConfigurationWillBeSaved", func() { out, err, rpcErr = h.HooksRPC().ConfigurationWillBeSavedWithRPCErr(cfg.Clone()) })
		require.NoError(t, rpcErr)
		require.NoError(t, err)
		assert.Nil(t, out, "pass-through returns no config")
		echoed := h.KV("willbesaved")
		if harness.NewestHost {
			requireNoDiff(t, "echoed config", gobRT(t, cfg), json.RawMessage(echoed))
		} else {
			requireNoDiff(t, "echoed config", gobRT(t, cfg), json.RawMessage(echoed), harness.AcrossModels())
		}

		// The server's view: it saves the very config it passed in.
		orig := cfg.Clone()
		saved, err := saveConfigHooks(h, orig)
		require.NoError(t, err)
		assert.Same(t, orig, saved)
	})

	t.Run("rewrite", func(t *testing.T) {
		cfg := willBeSavedConfig(t, h, "rewrite")
		want := cfg.Clone()
		want.ServiceSettings.SiteURL = model.NewPointer(*cfg.ServiceSettings.SiteURL + "/rewritten")
		want.PluginSettings.Plugins[harness.PluginID]["rewritten"] = true

		var out *model.Config
		var err, rpcErr error
		h.Do("ConfigurationWillBeSaved", func() { out, err, rpcErr = h.HooksRPC().ConfigurationWillBeSavedWithRPCErr(cfg.Clone()) })
		require.NoError(t, rpcErr)
		require.NoError(t, err)
		require.NotNil(t, out, "a rewrite returns the config")
		require.NotNil(t, out.ServiceSettings.SiteURL)
		assert.Equal(t, *want.ServiceSettings.SiteURL, *out.ServiceSettings.SiteURL)
		assert.Equal(t, true, out.PluginSettings.Plugins[harness.PluginID]["rewritten"])
		if harness.NewestHost {
			// Every other setting survives the trip through the plugin's model.
			requireNoDiff(t, "rewritten config", gobRT(t, want), out)
		}
		// (A plugin built on a newer model than an older server's returns that server's settings the
		// newer model dropped at zero: why a plugin should return nil unless it must replace.)

		saved, err := saveConfigHooks(h, cfg.Clone())
		require.NoError(t, err)
		require.NotNil(t, saved.ServiceSettings.SiteURL)
		assert.Equal(t, *want.ServiceSettings.SiteURL, *saved.ServiceSettings.SiteURL)
	})

	t.Run("reject with an AppError", func(t *testing.T) {
		cfg := willBeSavedConfig(t, h, "reject-app")
		var out *model.Config
		var err, rpcErr error
		h.Do("ConfigurationWillBeSaved", func() { out, err, rpcErr = h.HooksRPC().ConfigurationWillBeSavedWithRPCErr(cfg.Clone()) })
		require.NoError(t, rpcErr)
		assert.Nil(t, out)
		var appErr *model.AppError
		require.ErrorAs(t, err, &appErr)
		assert.Equal(t, "conformance.config_rejected", appErr.Id)
		assert.Equal(t, "rejected: "+*cfg.ServiceSettings.SiteURL, appErr.Message)
		assert.Equal(t, "detail", appErr.DetailedError)
		assert.Equal(t, 422, appErr.StatusCode)
		assert.Equal(t, "ConfigurationWillBeSaved", appErr.Where)
		assert.True(t, appErr.SkipTranslation, "SkipTranslation keeps the message from being replaced by the id")

		// The server's view: the save stops with that AppError (which it answers as is).
		_, err = saveConfigHooks(h, cfg.Clone())
		require.ErrorAs(t, err, &appErr)
		assert.Equal(t, 422, appErr.StatusCode)
	})

	t.Run("reject with a plain error", func(t *testing.T) {
		cfg := willBeSavedConfig(t, h, "reject-plain")
		var err, rpcErr error
		h.Do("ConfigurationWillBeSaved", func() { _, err, rpcErr = h.HooksRPC().ConfigurationWillBeSavedWithRPCErr(cfg.Clone()) })
		require.NoError(t, rpcErr)
		require.Error(t, err)
		assert.Equal(t, "rejected plainly: "+*cfg.ServiceSettings.SiteURL, err.Error())
		var appErr *model.AppError
		assert.False(t, errors.As(err, &appErr), "a plain error is not an AppError (the server wraps it in its own 400)")

		_, err = saveConfigHooks(h, cfg.Clone())
		require.Error(t, err)
		assert.Equal(t, "rejected plainly: "+*cfg.ServiceSettings.SiteURL, err.Error())
	})
}
