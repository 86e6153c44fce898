package alerts

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"

	"triggeralerts/conformance/fakeapi"
)

// The product's log lines at activation and on a configuration change: a Warn at activation when
// the Site URL is empty, a Debug "settings applied" each time the settings are read.
const (
	siteURLWarning  = "Site URL is not set in the System Console: alert permalinks will be relative"
	settingsApplied = "settings applied"
)

// serverLogLevel sets the server's console and file sinks (both enabled) to level, with an
// empty Site URL so that activation logs a warning.
func serverLogLevel(api *fakeapi.API, console, file string) {
	cfg := api.Config()
	cfg.ServiceSettings.SiteURL = model.NewPointer("")
	cfg.LogSettings.EnableConsole = model.NewPointer(true)
	cfg.LogSettings.ConsoleLevel = model.NewPointer(console)
	cfg.LogSettings.EnableFile = model.NewPointer(true)
	cfg.LogSettings.FileLevel = model.NewPointer(file)
	api.SetConfig(cfg)
}

func countLogs(api *fakeapi.API, level, message string) int {
	n := 0
	for _, l := range api.Logs() {
		if l.Level == level && l.Message == message {
			n++
		}
	}
	return n
}

// Log calls are fire and forget: a hook can return before its line reaches the server.
func waitForLog(t *testing.T, api *fakeapi.API, level, message string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return countLogs(api, level, message) >= n }, 5*time.Second, 10*time.Millisecond,
		"no %s %q in the server log (logs: %v)", level, message, api.Logs())
}

// TestLogLevelFollowsServer: the plugin logs through the API (LogWarn/LogDebug reach the server
// with the plugin's message and pairs), reads the server's LogSettings at activation and on
// every OnConfigurationChange, and sends no line at a level that no enabled sink keeps.
func TestLogLevelFollowsServer(t *testing.T) {
	t.Parallel()

	t.Run("the more verbose sink decides", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		serverLogLevel(w.api, "ERROR", "WARN")
		w.start()
		waitForLog(t, w.api, "Warn", siteURLWarning, 1)
		// "settings applied" was logged before the warning, at Debug: the server keeps no Debug.
		assert.Zero(t, countLogs(w.api, "Debug", settingsApplied), "a Debug line reached a server that keeps none")
		assert.GreaterOrEqual(t, w.api.CountCalls("GetConfig", nil), 1)
	})

	t.Run("a change of the server's level applies from the next configuration change", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		serverLogLevel(w.api, "ERROR", "ERROR")
		h := w.start()

		serverLogLevel(w.api, "DEBUG", "ERROR")
		require.NoError(t, h.ConfigurationChanged())
		waitForLog(t, w.api, "Debug", settingsApplied, 1)
		entry := lastLog(w.api, "Debug", settingsApplied)
		assert.Contains(t, entry.KeyValuePairs, "enableAlerts", "the settings go as key-value pairs")
		// The activation warning came while the server kept only errors.
		assert.Zero(t, countLogs(w.api, "Warn", siteURLWarning), "a Warn line reached a server that keeps only errors")

		serverLogLevel(w.api, "INFO", "ERROR")
		require.NoError(t, h.ConfigurationChanged())
		time.Sleep(300 * time.Millisecond)
		assert.Equal(t, 1, countLogs(w.api, "Debug", settingsApplied), "Debug lines still sent after the server dropped to INFO")
	})
}

func lastLog(api *fakeapi.API, level, message string) fakeapi.LogEntry {
	var last fakeapi.LogEntry
	for _, l := range api.Logs() {
		if l.Level == level && l.Message == message {
			last = l
		}
	}
	return last
}
