// Package alerts tests the trigger-alerts plugin as the server runs it: the built plugin is
// installed into Mattermost's own plugin host code (plugin.NewEnvironment) against the in-memory
// fake API of package fakeapi, and the tests drive it through hooks, ServeHTTP and
// ExecuteCommand as the server would. The behaviour checked is server/alerts/API.md, plugin.json's
// settings and the product's alert rules.
//
// Run, after `npm run build` at the repository root:
//
//	cd test/conformance && go test ./alerts -count=1
//
// The plugin is installed from a directory laid out like the bundle (plugin.json, server/dist/,
// assets/, webapp/dist/) copied from the repository root, or from $ALERTS_PLUGIN_DIR when set
// (a directory already laid out so). CONFORMANCE_VERBOSE=1 prints the host log of every test.
// -short skips the waits for the wall clock's next minute (flood control's window).
package alerts

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"triggeralerts/conformance/harness"
)

// PluginDirEnv names the environment variable that selects a built plugin directory.
const PluginDirEnv = "ALERTS_PLUGIN_DIR"

// pluginID is the id in the product's plugin.json.
const pluginID = "trigger-alerts"

// pluginSource is the plugin directory the tests install from.
var pluginSource string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dir, cleanup, err := resolvePluginSource()
	if err != nil {
		fmt.Fprintln(os.Stderr, "alerts tests:", err)
		return 2
	}
	defer cleanup()
	pluginSource = dir
	return m.Run()
}

func resolvePluginSource() (string, func(), error) {
	noop := func() {}
	if dir := os.Getenv(PluginDirEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", noop, err
		}
		m, err := harness.CheckPluginDir(abs)
		if err != nil {
			return "", noop, fmt.Errorf("$%s: %w", PluginDirEnv, err)
		}
		if m.Id != pluginID {
			return "", noop, fmt.Errorf("$%s: plugin id is %q, want %q", PluginDirEnv, m.Id, pluginID)
		}
		return abs, noop, nil
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		return "", noop, err
	}
	tmp, err := os.MkdirTemp("", "alerts-plugin-")
	if err != nil {
		return "", noop, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	dst := filepath.Join(tmp, pluginID)
	m, err := harness.LayoutPluginDir(root, dst)
	if err != nil {
		cleanup()
		return "", noop, fmt.Errorf("laying out the plugin from the repository root (run `npm run build` there, or set $%s): %w", PluginDirEnv, err)
	}
	if m.Id != pluginID {
		cleanup()
		return "", noop, fmt.Errorf("plugin.json id is %q, want %q", m.Id, pluginID)
	}
	return dst, cleanup, nil
}
