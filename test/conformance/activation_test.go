package conformance

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/harness"
)

// TestActivation: activation succeeds, the plugin implements exactly the contract's hooks,
// OnActivate stored the server version and OnConfigurationChange stored the configuration.
func TestActivation(t *testing.T) {
	api := newFake()
	api.SetServerVersion("10.11.0-conformance")
	h := harness.Start(t, pluginSource, api)

	require.True(t, h.Env.IsActive(harness.PluginID))
	assert.Equal(t, model.PluginStateRunning, h.Env.GetPluginState(harness.PluginID))

	t.Run("Implemented", func(t *testing.T) {
		var impl []string
		var err error
		h.Do("Implemented", func() { impl, err = h.Hooks().Implemented() })
		require.NoError(t, err)
		assert.ElementsMatch(t, contractHooks, knownToHost(impl), "Implemented list")
		sorted := slices.Clone(impl)
		slices.Sort(sorted)
		assert.Equal(t, len(sorted), len(slices.Compact(sorted)), "Implemented has duplicates: %v", impl)

		// What the host derived from the list at start-up. The host has no name-to-id entry for
		// OnActivate (it always calls OnActivate), so it never counts as implemented there.
		ids := map[string]int{
			"OnDeactivate": plugin.OnDeactivateID, "ConfigurationWillBeSaved": plugin.ConfigurationWillBeSavedID,
			"OnConfigurationChange": plugin.OnConfigurationChangeID, "MessageHasBeenPosted": plugin.MessageHasBeenPostedID,
			"MessageHasBeenUpdated": plugin.MessageHasBeenUpdatedID, "MessageWillBePosted": plugin.MessageWillBePostedID,
			"ExecuteCommand": plugin.ExecuteCommandID, "OnPluginClusterEvent": plugin.OnPluginClusterEventID,
			"ServeHTTP": plugin.ServeHTTPID,
		}
		for name, id := range manualContractHookIDs {
			ids[name] = id
		}
		for id := 0; id < plugin.TotalHooksID; id++ {
			want := false
			for _, hid := range ids {
				want = want || hid == id
			}
			assert.Equal(t, want, h.HasPluginImplementing(id), "HasPluginImplementing(%d)", id)
		}
	})

	t.Run("activated key", func(t *testing.T) {
		assert.Equal(t, "10.11.0-conformance", string(h.KV("activated")))
		assert.Equal(t, 1, api.CountCalls("KVSet", "activated"))
		assert.GreaterOrEqual(t, api.CountCalls("GetServerVersion", nil), 1)
	})

	t.Run("config key", func(t *testing.T) {
		requireNoDiff(t, "stored config", pluginConfig(), json.RawMessage(h.KV("config")))
		assert.GreaterOrEqual(t, api.CountCalls("LoadPluginConfiguration", nil), 1)
	})

	t.Run("OnConfigurationChange again", func(t *testing.T) {
		newCfg := map[string]any{"Greeting": "changed ✓", "List": []any{1, 2, 3}, "Deep": map[string]any{"x": map[string]any{"y": "z"}}}
		api.SetPluginConfig(newCfg)
		var err, rpcErr error
		h.Do("OnConfigurationChange", func() { err, rpcErr = h.HooksRPC().OnConfigurationChangeWithRPCErr() })
		require.NoError(t, rpcErr)
		require.NoError(t, err)
		requireNoDiff(t, "stored config", newCfg, json.RawMessage(h.KV("config")))
	})

	t.Run("health check passes", func(t *testing.T) {
		h.Do("PerformHealthCheck", func() { require.NoError(t, h.Env.PerformHealthCheck(harness.PluginID)) })
	})
}

// TestActivationRefused: OnActivate returning an error fails the activation, with the
// plugin's message, and nothing is stored under "activated".
func TestActivationRefused(t *testing.T) {
	api := newFake()
	api.SetPluginConfig(map[string]any{"FailActivate": true})
	h := harness.New(t, pluginSource, api)

	err := h.Activate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "activation refused by configuration")
	assert.Equal(t, model.PluginStateFailedToStart, h.Env.GetPluginState(harness.PluginID))
	assert.False(t, h.Env.IsActive(harness.PluginID))
	_, ok := api.KVValue("activated")
	assert.False(t, ok, "activated must not be stored when activation is refused")
	assert.Zero(t, api.CountCalls("KVSet", "activated"))
}
