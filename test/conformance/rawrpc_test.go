package conformance

import (
	"encoding/json"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/require"

	"github.com/mattermost/mattermost/server/public/model"
	"triggeralerts/conformance/harness"
)

// rawHooks hands out the plain net/rpc client of the dispensed "hooks" stream, so a test can send
// calls Mattermost's typed client never would.
type rawHooks struct{}

func (rawHooks) Server(*goplugin.MuxBroker) (any, error) { return nil, nil }
func (rawHooks) Client(_ *goplugin.MuxBroker, c *rpc.Client) (any, error) {
	return c, nil
}

// startRaw starts the plugin under test with go-plugin itself (Mattermost's handshake values), without
// Mattermost's environment on top.
func startRaw(t *testing.T) (*goplugin.Client, *rpc.Client) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(pluginSource, "plugin.json"))
	require.NoError(t, err)
	var m model.Manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	exe := filepath.Join(pluginSource, m.Server.Executables[harness.RuntimeKey])
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  1,
			MagicCookieKey:   "MATTERMOST_PLUGIN",
			MagicCookieValue: "Securely message teams, anywhere.",
		},
		Plugins:      map[string]goplugin.Plugin{"hooks": rawHooks{}},
		Cmd:          exec.Command(exe),
		StartTimeout: 3 * time.Second,
		SyncStdout:   os.Stderr,
		SyncStderr:   os.Stderr,
	})
	t.Cleanup(client.Kill)
	proto, err := client.Client()
	require.NoError(t, err)
	v, err := proto.Dispense("hooks")
	require.NoError(t, err)
	return client, v.(*rpc.Client)
}

// An RPC method the plugin does not know gets Go's exact "can't find method" reply, and the plugin
// keeps serving on the same stream (Mattermost's host relies on that wording to fall back).
func TestUnknownMethodIsAnErrorReply(t *testing.T) {
	client, hooks := startRaw(t)
	var implemented []string
	require.NoError(t, hooks.Call("Plugin.Implemented", struct{}{}, &implemented))
	require.ElementsMatch(t, contractHooks, knownToHost(implemented))

	var reply struct{}
	err := hooks.Call("Plugin.NoSuchHook", struct{ A string }{A: "x"}, &reply)
	require.EqualError(t, err, "rpc: can't find method Plugin.NoSuchHook")

	err = hooks.Call("Nodot", true, &reply)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "rpc: "), err.Error())

	implemented = nil
	require.NoError(t, hooks.Call("Plugin.Implemented", struct{}{}, &implemented), "the stream must stay usable")
	require.ElementsMatch(t, contractHooks, knownToHost(implemented))

	proto, err := client.Client()
	require.NoError(t, err)
	require.NoError(t, proto.Ping(), "the process must still be up")
}

// Arguments of the wrong shape for a known hook are an error reply, not a crash.
func TestMalformedHookArgumentsAreAnErrorReply(t *testing.T) {
	client, hooks := startRaw(t)
	var reply struct{}
	// MessageHasBeenPosted wants {A *Context, B *Post}; a bare string is a different gob type.
	err := hooks.Call("Plugin.MessageHasBeenPosted", "not a struct", &reply)
	require.Error(t, err)
	proto, err := client.Client()
	require.NoError(t, err)
	require.NoError(t, proto.Ping(), "the process must still be up")
	var implemented []string
	require.NoError(t, hooks.Call("Plugin.Implemented", struct{}{}, &implemented))
	require.NotEmpty(t, implemented)
}

// Started by hand, without the host's magic cookie, the executable says what it is and exits non-zero.
func TestStartedByHandRefuses(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(pluginSource, "plugin.json"))
	require.NoError(t, err)
	var m model.Manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	cmd := exec.Command(filepath.Join(pluginSource, m.Server.Executables[harness.RuntimeKey]))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	require.NotEqual(t, 0, exitErr.ExitCode())
	require.Contains(t, string(out), "This binary is a plugin")
}
