// Package harness starts a plugin (the conformance plugin, or any plugin directory) with Mattermost's own plugin host code
// (plugin.NewEnvironment, as the server does) against the fake API of package fakeapi, and
// gives the tests helpers to drive it: hooks, ServeHTTP requests shaped as the server shapes
// them, the /api/{Method} route, process inspection and a JSON comparator.
package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/shared/mlog"

	"triggeralerts/conformance/fakeapi"
)

// Timeouts used by the helpers. They bound every call into the plugin so that a hung plugin
// fails the test instead of hanging it.
var (
	ActivateTimeout = 30 * time.Second
	CallTimeout     = 30 * time.Second
	ShutdownTimeout = 30 * time.Second
)

// Host is one plugin environment (one server) with one plugin installed: the conformance
// plugin or any other. Several hosts may share one fake API, as the servers of a cluster share
// one database.
type Host struct {
	T         testing.TB
	API       *fakeapi.API
	Env       *plugin.Environment
	ID        string // the plugin's id, from the source's plugin.json
	PluginDir string // the environment's plugin directory (<tmp>/plugins)
	Logs      *mlog.Buffer
	logger    *mlog.Logger
}

// BundlePath is where the plugin is installed (what GetBundlePath answers the plugin).
func (h *Host) BundlePath() string {
	return filepath.Join(h.PluginDir, h.ID)
}

// New installs the plugin from source into a fresh temporary plugin directory and creates the
// environment, without activating the plugin. The plugin is installed under the id of
// source/plugin.json. Cleanup (t.Cleanup) shuts the environment down, fails the test if the
// plugin made API calls the fake does not implement, and prints the host log when the test
// failed.
func New(t testing.TB, source string, api *fakeapi.API) *Host {
	t.Helper()
	manifest, err := CheckPluginDir(source)
	if err != nil {
		t.Fatal(err)
	}
	id := manifest.Id
	root := t.TempDir()
	pluginDir := filepath.Join(root, "plugins")
	webappDir := filepath.Join(root, "client", "plugins")
	for _, d := range []string{pluginDir, webappDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTree(source, filepath.Join(pluginDir, id)); err != nil {
		t.Fatalf("installing the plugin: %v", err)
	}

	logger, err := mlog.NewLogger()
	if err != nil {
		t.Fatal(err)
	}
	logs := &mlog.Buffer{}
	if err := mlog.AddWriterTarget(logger, logs, false, mlog.StdAll...); err != nil {
		t.Fatal(err)
	}

	newAPIImpl := func(m *model.Manifest) plugin.API { return api.ForBundle(filepath.Join(pluginDir, m.Id)) }
	env, err := plugin.NewEnvironment(newAPIImpl, nil, pluginDir, webappDir, logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{T: t, API: api, Env: env, ID: id, PluginDir: pluginDir, Logs: logs, logger: logger}
	t.Cleanup(h.cleanup)
	return h
}

// Start is New followed by a successful Activate.
func Start(t testing.TB, source string, api *fakeapi.API) *Host {
	t.Helper()
	h := New(t, source, api)
	if err := h.Activate(); err != nil {
		t.Fatalf("activating the plugin: %v", err)
	}
	return h
}

func (h *Host) cleanup() {
	t := h.T
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Env.Shutdown()
	}()
	select {
	case <-done:
	case <-time.After(ShutdownTimeout):
		t.Errorf("environment shutdown did not finish within %s", ShutdownTimeout)
	}
	for _, c := range h.API.Unexpected() {
		t.Errorf("the plugin called %s, which the fake API does not implement (args %v)", c.Method, c.Args)
	}
	_ = h.logger.Flush()
	if t.Failed() || os.Getenv("CONFORMANCE_VERBOSE") != "" {
		t.Logf("host log:\n%s", h.Logs.String())
	}
	_ = h.logger.Shutdown()
}

// Activate activates the plugin, bounded by ActivateTimeout.
func (h *Host) Activate() error {
	var err error
	if !Within(ActivateTimeout, func() {
		var activated bool
		_, activated, err = h.Env.Activate(h.ID)
		if err == nil && !activated {
			err = errors.New("Activate reported the plugin as not activated")
		}
	}) {
		return fmt.Errorf("Activate did not return within %s", ActivateTimeout)
	}
	return err
}

// Hooks returns the hooks of the active plugin (failing the test if it is not active).
func (h *Host) Hooks() plugin.Hooks {
	h.T.Helper()
	hooks, err := h.Env.HooksForPlugin(h.ID)
	if err != nil {
		h.T.Fatal(err)
	}
	return hooks
}

// HooksRPC (compat_*.go) returns the hooks with the *WithRPCErr variants.

// ConfigurationChanged tells the plugin its configuration changed, as the server's config
// listener does (RunMultiPluginHook over OnConfigurationChange), and returns the hook's error.
// Change the configuration first (fakeapi.API.SetPluginConfig or SetConfig).
func (h *Host) ConfigurationChanged() error {
	h.T.Helper()
	var err error
	ran := false
	h.Do("OnConfigurationChange", func() {
		h.Env.RunMultiPluginHook(func(hooks plugin.Hooks, m *model.Manifest) bool {
			if m.Id == h.ID {
				ran = true
				err = hooks.OnConfigurationChange()
			}
			return true
		}, plugin.OnConfigurationChangeID)
	})
	if !ran {
		return fmt.Errorf("plugin %s is not active or does not implement OnConfigurationChange", h.ID)
	}
	return err
}

// Within runs fn and reports whether it returned within d. On timeout fn keeps running in
// its goroutine.
func Within(d time.Duration, fn func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// Do runs fn bounded by CallTimeout and fails the test on timeout.
func (h *Host) Do(what string, fn func()) {
	h.T.Helper()
	if !Within(CallTimeout, fn) {
		h.T.Fatalf("%s did not return within %s", what, CallTimeout)
	}
}

// KV returns a key of the fake KV store, failing the test if it is absent.
func (h *Host) KV(key string) []byte {
	h.T.Helper()
	v, ok := h.API.KVValue(key)
	if !ok {
		h.T.Fatalf("KV key %q is absent (keys: %v)", key, h.API.KVKeys())
	}
	return v
}

// ---------------------------------------------------------------------------------------------
// ServeHTTP

// Request is an HTTP request to the plugin, as a client sends it to the server.
type Request struct {
	Method string
	Path   string // the path below /plugins/<id>, with an optional query: "/echo?a=1"
	Header http.Header
	Body   []byte
	UserID string // the authenticated user (Mattermost-User-Id), empty for none
}

// Response is the recorded response together with the plugin.Context the host sent.
type Response struct {
	*httptest.ResponseRecorder
	Context *plugin.Context
}

// ServeHTTP sends req to the plugin's ServeHTTP hook the way the server's plugin request
// handler does, bounded by CallTimeout.
func (h *Host) ServeHTTP(req Request) Response {
	h.T.Helper()
	resp, err := h.TryServeHTTP(req)
	if err != nil {
		h.T.Fatal(err)
	}
	return resp
}

// TryServeHTTP is ServeHTTP returning its failures (plugin not active, timeout) instead of
// failing the test, so that it may run on goroutines other than the test's.
func (h *Host) TryServeHTTP(req Request) (Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, "/plugins/"+h.ID+req.Path, bytes.NewReader(req.Body))
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	hooks, err := h.Env.HooksForPlugin(h.ID)
	if err != nil {
		return Response{}, err
	}
	var c *plugin.Context
	if !Within(CallTimeout, func() { c = ServePluginRequestFor(hooks, h.ID, w, r, req.UserID) }) {
		return Response{}, fmt.Errorf("ServeHTTP %s %s did not return within %s", method, req.Path, CallTimeout)
	}
	return Response{ResponseRecorder: w, Context: c}, nil
}

// ServePluginRequest does what the server's plugin request handler does before it calls the
// ServeHTTP hook: it builds the plugin.Context, removes the headers a client may not set,
// re-encodes the query without access_token, strips /plugins/<id> from r.URL.Path (RequestURI
// keeps the full path), and sets Mattermost-User-Id for an authenticated user.
func ServePluginRequest(hooks plugin.Hooks, w http.ResponseWriter, r *http.Request, userID string) *plugin.Context {
	return ServePluginRequestFor(hooks, PluginID, w, r, userID)
}

// ServePluginRequestFor is ServePluginRequest for the plugin with id pluginID.
func ServePluginRequestFor(hooks plugin.Hooks, pluginID string, w http.ResponseWriter, r *http.Request, userID string) *plugin.Context {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	c := &plugin.Context{
		RequestId:      model.NewId(),
		IPAddress:      ip,
		AcceptLanguage: r.Header.Get("Accept-Language"),
		UserAgent:      r.UserAgent(),
	}
	SetConnectionID(c, r.Header.Get(model.ConnectionId))
	r.Header.Del("Mattermost-Plugin-ID")
	r.Header.Del("Mattermost-User-Id")
	r.Header.Del("Referer")
	q := r.URL.Query()
	q.Del("access_token")
	r.URL.RawQuery = q.Encode()
	r.URL.Path = strings.TrimPrefix(r.URL.Path, "/plugins/"+pluginID)
	if userID != "" {
		r.Header.Set("Mattermost-User-Id", userID)
		c.SessionId = "session-" + userID
	}
	hooks.ServeHTTP(c, w, r)
	return c
}

// ---------------------------------------------------------------------------------------------
// /api/{Method}

// APIError is the contract's JSON shape of an error returned by /api/{Method}.
type APIError struct {
	Type          string `json:"type"`
	Id            string `json:"id"`
	Message       string `json:"message"`
	DetailedError string `json:"detailed_error"`
	StatusCode    int    `json:"status_code"`
	Where         string `json:"where"`
}

// APIResult is the answer of /api/{Method}.
type APIResult struct {
	Status int
	Body   []byte
	Result json.RawMessage
	Error  *APIError
}

// Decode decodes the result into v.
func (r APIResult) Decode(v any) error {
	return json.Unmarshal(r.Result, v)
}

// IsNull reports whether the result is JSON null (or absent).
func (r APIResult) IsNull() bool {
	s := strings.TrimSpace(string(r.Result))
	return s == "" || s == "null"
}

// CallAPI calls POST /api/{method} with {"args": args} and decodes the answer. It fails the
// test if the answer is not JSON of the contract's shape.
func (h *Host) CallAPI(method string, args ...any) APIResult {
	h.T.Helper()
	if args == nil {
		args = []any{}
	}
	body, err := json.Marshal(map[string]any{"args": args})
	if err != nil {
		h.T.Fatal(err)
	}
	resp := h.ServeHTTP(Request{
		Method: http.MethodPost,
		Path:   "/api/" + method,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	})
	res := APIResult{Status: resp.Code, Body: resp.Body.Bytes()}
	var parsed struct {
		Result json.RawMessage `json:"result"`
		Error  *APIError       `json:"error"`
	}
	if err := json.Unmarshal(res.Body, &parsed); err != nil {
		h.T.Fatalf("/api/%s: answer is not JSON (status %d): %v\n%s", method, res.Status, err, short(string(res.Body)))
	}
	res.Result, res.Error = parsed.Result, parsed.Error
	return res
}

// MustCallAPI is CallAPI that also requires status 200 and no error.
func (h *Host) MustCallAPI(method string, args ...any) APIResult {
	h.T.Helper()
	res := h.CallAPI(method, args...)
	if res.Status != http.StatusOK || res.Error != nil {
		h.T.Fatalf("/api/%s: status %d, error %+v", method, res.Status, res.Error)
	}
	return res
}

// ---------------------------------------------------------------------------------------------
// Process

// PID asks the plugin for its process id (GET /pid).
func (h *Host) PID() int {
	h.T.Helper()
	resp := h.ServeHTTP(Request{Method: http.MethodGet, Path: "/pid"})
	if resp.Code != http.StatusOK {
		h.T.Fatalf("GET /pid: status %d: %s", resp.Code, resp.Body.String())
	}
	var v struct {
		PID int `json:"pid"`
	}
	if err := json.Unmarshal(resp.Body.Bytes(), &v); err != nil || v.PID <= 0 {
		h.T.Fatalf("GET /pid: bad answer %q (%v)", resp.Body.String(), err)
	}
	return v.PID
}

// ProcessAlive reports whether a process with that pid exists (signal 0 succeeds). The host
// reaps the plugin process it started, so an exited plugin does not linger as a zombie.
func ProcessAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// WaitProcessGone waits up to d for the process to disappear.
func WaitProcessGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if !ProcessAlive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// InitGlobalLogger routes mlog's global logger (used by parts of the host code) to stderr: errors
// only, or every level when verbose.
func InitGlobalLogger(verbose bool) error {
	logger, err := mlog.NewLogger()
	if err != nil {
		return err
	}
	levels := []mlog.Level{mlog.LvlPanic, mlog.LvlFatal, mlog.LvlCritical, mlog.LvlError}
	if verbose {
		levels = mlog.StdAll
	}
	if err := mlog.AddWriterTarget(logger, os.Stderr, false, levels...); err != nil {
		return err
	}
	mlog.InitGlobalLogger(logger)
	return nil
}
