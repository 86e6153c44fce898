// Package faults puts the trigger-alerts plugin through failures, as the server runs it: the
// built product under Mattermost's own plugin host code (plugin.NewEnvironment), two servers
// (two plugin environments, two plugin processes) on one in-memory fake API (package fakeapi),
// driven through ServeHTTP and MessageHasBeenPosted as the server would.
//
//   - crash_test.go: kill -9 of one plugin process in the middle of a burst of word updates and
//     posts; the environment's health check job restarts it; no acknowledged update is lost and
//     alerts resume.
//   - kv_test.go: a KV store that fails, times out, or loses the answer of a write, at every KV
//     call a request makes in turn; the HTTP API answers 503 with a retryable JSON error and
//     nothing half-written remains (the invariants server/alerts/store.ts documents).
//   - hostgone_test.go: the server process dies (SIGKILL); the plugin process exits within 5 s
//     and leaves no process behind.
//
// Run, after `npm run build` at the repository root:
//
//	cd test/conformance && go test ./faults -count=1
//
// $ALERTS_PLUGIN_DIR selects an already laid-out plugin directory instead; CONFORMANCE_VERBOSE=1
// prints the host log of every test.
package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"triggeralerts/conformance/harness"
)

// pluginID is the id in the product's plugin.json.
const pluginID = "trigger-alerts"

// pluginSource is the plugin directory the tests install from.
var pluginSource string

func TestMain(m *testing.M) {
	// hostgone_test.go re-executes this binary as a server process of its own.
	if dir := os.Getenv(hostHelperEnv); dir != "" {
		os.Exit(runHostHelper(dir))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := harness.InitGlobalLogger(os.Getenv("CONFORMANCE_VERBOSE") != ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	dir, cleanup, err := harness.ProductPluginDir(root, pluginID)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults tests:", err)
		return 2
	}
	defer cleanup()
	pluginSource = dir
	return m.Run()
}
