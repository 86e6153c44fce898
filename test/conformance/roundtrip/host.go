package roundtrip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/shared/mlog"

	"triggeralerts/conformance/harness"
)

// CallTimeout bounds every call into a plugin, so that a plugin that hangs fails the case instead of
// the run.
var CallTimeout = 30 * time.Second

// Host is one plugin environment (Mattermost's plugin.NewEnvironment, as the server creates it) with one
// round-trip plugin, answered by a Recorder.
type Host struct {
	Env    *plugin.Environment
	ID     string
	Logs   *mlog.Buffer
	logger *mlog.Logger
}

// StartHost installs the plugin directory source into a fresh plugin directory under root and activates
// it. Close it when done.
func StartHost(root, source string, api plugin.API) (*Host, error) {
	pluginDir := filepath.Join(root, "plugins")
	webappDir := filepath.Join(root, "client", "plugins")
	for _, d := range []string{pluginDir, webappDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	id, err := harness.InstallPlugin(source, pluginDir)
	if err != nil {
		return nil, err
	}
	logger, err := mlog.NewLogger()
	if err != nil {
		return nil, err
	}
	logs := &mlog.Buffer{}
	if err := mlog.AddWriterTarget(logger, logs, false, mlog.StdAll...); err != nil {
		return nil, err
	}
	env, err := plugin.NewEnvironment(func(*model.Manifest) plugin.API { return api }, nil, pluginDir, webappDir, logger, nil)
	if err != nil {
		return nil, err
	}
	h := &Host{Env: env, ID: id, Logs: logs, logger: logger}
	var activated bool
	if !harness.Within(CallTimeout, func() { _, activated, err = env.Activate(id) }) {
		err = errors.New("Activate did not return in time")
	} else if err == nil && !activated {
		err = errors.New("Activate reported the plugin as not activated")
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("activating %s: %w\n%s", id, err, logs.String())
	}
	return h, nil
}

// Close shuts the environment down (and with it the plugin process).
func (h *Host) Close() {
	harness.Within(CallTimeout, h.Env.Shutdown)
	_ = h.logger.Flush()
	_ = h.logger.Shutdown()
}

// Log returns the host log so far.
func (h *Host) Log() string {
	_ = h.logger.Flush()
	return h.Logs.String()
}

// Hooks returns the hooks of the plugin as the host calls them.
func (h *Host) Hooks() (plugin.Hooks, error) {
	return h.Env.HooksForPlugin(h.ID)
}

// Control sends one request of the control protocol through the ServeHTTP hook, as the server's plugin
// request handler does, and decodes the JSON answer into out (when out is not nil).
func (h *Host) Control(method, path string, body, out any) error {
	var raw []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		raw = b
	}
	hooks, err := h.Hooks()
	if err != nil {
		return err
	}
	r := httptest.NewRequest(method, "/plugins/"+h.ID+path, bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	if !harness.Within(CallTimeout, func() { harness.ServePluginRequestFor(hooks, h.ID, w, r, "") }) {
		return fmt.Errorf("%s %s did not answer within %s", method, path, CallTimeout)
	}
	if w.Code/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, w.Code, short(w.Body.String()))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(w.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: answer is not JSON: %w", method, path, err)
	}
	return nil
}

func short(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}
