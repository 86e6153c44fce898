package conformance

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/harness"
)

// TestHealthCheckRestart: the health check passes; after the plugin process is killed the
// environment's health check job restarts and re-activates the plugin, and hooks work again.
func TestHealthCheckRestart(t *testing.T) {
	h := start(t)
	api := h.API

	pid := h.PID()
	require.True(t, harness.ProcessAlive(pid), "plugin process %d", pid)
	h.Do("PerformHealthCheck", func() { require.NoError(t, h.Env.PerformHealthCheck(harness.PluginID)) })
	require.Equal(t, 1, api.CountCalls("KVSet", "activated"))
	api.KVRemove("activated")

	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	require.True(t, harness.WaitProcessGone(pid, 10*time.Second), "process %d still there after SIGKILL", pid)

	// The supervisor's ping now fails.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		h.Do("PerformHealthCheck", func() { err = h.Env.PerformHealthCheck(harness.PluginID) })
		if err != nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "the health check still passes after the plugin was killed")
		time.Sleep(50 * time.Millisecond)
	}

	// Run the environment's health check job once, as its ticker would.
	h.Env.TogglePluginHealthCheckJob(true)
	job := h.Env.GetPluginHealthCheckJob()
	require.NotNil(t, job)
	h.Do("CheckPlugin", func() { job.CheckPlugin(harness.PluginID) })
	h.Env.TogglePluginHealthCheckJob(false)

	require.True(t, h.Env.IsActive(harness.PluginID), "plugin not active after the restart (state %d)", h.Env.GetPluginState(harness.PluginID))
	assert.Equal(t, 2, api.CountCalls("KVSet", "activated"), "OnActivate ran again")
	assert.Equal(t, api.ServerVersion(), string(h.KV("activated")))

	newPID := h.PID()
	assert.NotEqual(t, pid, newPID)
	assert.True(t, harness.ProcessAlive(newPID))
	h.Do("PerformHealthCheck", func() { require.NoError(t, h.Env.PerformHealthCheck(harness.PluginID)) })

	// Hooks work again.
	post := richPost()
	posted := postAndEcho(t, h, testContext(), post)
	if d := comparePost(t, post, posted["post"]); len(d) > 0 {
		t.Fatalf("post differs after restart: %v", d)
	}
	_, e := echo(t, h, harness.Request{Method: http.MethodGet, Path: "/echo?after=restart"})
	assert.Equal(t, "after=restart", e.RawQuery)
}

// TestDeactivate: deactivation runs OnDeactivate and the plugin process exits.
func TestDeactivate(t *testing.T) {
	h := start(t)
	pid := h.PID()
	require.True(t, harness.ProcessAlive(pid))

	var deactivated bool
	h.Do("Deactivate", func() { deactivated = h.Env.Deactivate(harness.PluginID) })
	require.True(t, deactivated)
	assert.Equal(t, "yes", string(h.KV("deactivated")))
	assert.Equal(t, 1, h.API.CountCalls("KVSet", "deactivated"))
	assert.Equal(t, model.PluginStateNotRunning, h.Env.GetPluginState(harness.PluginID))
	assert.True(t, harness.WaitProcessGone(pid, 5*time.Second), "plugin process %d still running after Deactivate", pid)
	_, err := h.Env.HooksForPlugin(harness.PluginID)
	assert.Error(t, err, "hooks of a deactivated plugin")

	// And it can be activated again.
	require.NoError(t, h.Activate())
	assert.Equal(t, 2, h.API.CountCalls("KVSet", "activated"))
	newPID := h.PID()
	assert.NotEqual(t, pid, newPID)
}
