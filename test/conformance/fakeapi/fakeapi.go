// Package fakeapi is an in-memory plugin.API for the conformance suite.
//
// It implements the API methods the conformance plugin uses (see CONTRACT.md), and those the
// trigger-alerts plugin uses (teams, profile images, the bundle path), with the
// semantics of the real server where they matter (KV store, not-found errors), records every
// call with its arguments and return values, and lets a test inject an error for a method.
//
// Every other plugin.API method is answered by a catch-all: the call is recorded as
// unexpected (see Unexpected) and gets zero values, with an AppError or error where the
// method returns one. The harness fails the test when an unexpected call was seen.
//
// The API is safe for concurrent use.
package fakeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
)

// Call is one recorded API call.
type Call struct {
	Method  string
	Args    []any
	Returns []any
	At      time.Time
}

// LogEntry is one recorded LogDebug/LogInfo/LogWarn/LogError call.
type LogEntry struct {
	Level         string // "Debug", "Info", "Warn" or "Error"
	Message       string
	KeyValuePairs []any
}

// WebSocketEvent is one recorded PublishWebSocketEvent call.
type WebSocketEvent struct {
	Event     string
	Payload   map[string]any
	Broadcast *model.WebsocketBroadcast
}

// ClusterEvent is one recorded PublishPluginClusterEvent call.
type ClusterEvent struct {
	Event   model.PluginClusterEvent
	Options model.PluginClusterEventSendOptions
}

type kvEntry struct {
	value    []byte
	expireAt time.Time // zero: never
}

type permKey struct{ user, channel, permission string }

// API is the fake. Create it with New.
type API struct {
	*plugintest.API // catch-all for methods the contract does not use

	mu            sync.Mutex
	now           time.Time
	kv            map[string]kvEntry
	users         map[string]*model.User
	channels      map[string]*model.Channel
	members       map[[2]string]*model.ChannelMember
	posts         map[string]*model.Post
	postOrder     []string              // post ids, first stored first
	bots          map[string]*model.Bot // by username
	permissions   map[permKey]bool
	config        *model.Config
	pluginConfig  map[string]any
	serverVersion string
	injected      map[string]func(args []any) error
	faults        map[string]func(args []any) Fault
	lostAnswer    error // set by a fault with AfterWrite, taken by the KV write that is running
	teams         map[string]*model.Team
	profileImages map[string][]byte
	bundlePath    string
	calls         []Call
	unexpected    []Call
	logs          []LogEntry
	wsEvents      []WebSocketEvent
	clusterEvents []ClusterEvent
	commands      []*model.Command
}

var _ plugin.API = (*API)(nil)

// DefaultServerVersion is what GetServerVersion returns unless SetServerVersion is called.
const DefaultServerVersion = "10.11.0"

// DefaultSiteURL is the ServiceSettings.SiteURL of the default configuration.
const DefaultSiteURL = "https://chat.example.com"

// New returns an empty fake: no users, no channels, an empty KV store, an empty plugin
// configuration, a default *model.Config (SetDefaults, SiteURL = DefaultSiteURL).
func New() *API {
	cfg := &model.Config{}
	cfg.SetDefaults()
	cfg.ServiceSettings.SiteURL = model.NewPointer(DefaultSiteURL)

	a := &API{
		API:           &plugintest.API{},
		now:           time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		kv:            map[string]kvEntry{},
		users:         map[string]*model.User{},
		channels:      map[string]*model.Channel{},
		members:       map[[2]string]*model.ChannelMember{},
		posts:         map[string]*model.Post{},
		bots:          map[string]*model.Bot{},
		permissions:   map[permKey]bool{},
		config:        cfg,
		pluginConfig:  map[string]any{},
		serverVersion: DefaultServerVersion,
		injected:      map[string]func([]any) error{},
		faults:        map[string]func([]any) Fault{},
		teams:         map[string]*model.Team{},
		profileImages: map[string][]byte{},
	}
	a.installCatchAll()
	return a
}

// installCatchAll answers every plugin.API method through the embedded mock: the call is
// recorded as unexpected and the method returns zero values (an AppError or error where it
// returns one). Methods implemented on *API take precedence over the embedded mock.
func (a *API) installCatchAll() {
	apiType := reflect.TypeFor[plugin.API]()
	appErrType := reflect.TypeFor[*model.AppError]()
	errType := reflect.TypeFor[error]()
	for i := 0; i < apiType.NumMethod(); i++ {
		m := apiType.Method(i)
		mt := m.Type
		if mt.IsVariadic() {
			continue // only the Log* methods, implemented below
		}
		name := m.Name
		matchers := make([]any, mt.NumIn())
		for j := range matchers {
			matchers[j] = mock.Anything
		}
		record := func(args []any) {
			a.mu.Lock()
			a.unexpected = append(a.unexpected, Call{Method: name, Args: args, At: a.now})
			a.mu.Unlock()
		}
		if mt.NumOut() == 0 {
			a.API.On(name, matchers...).Run(func(args mock.Arguments) { record(args) })
			continue
		}
		fn := reflect.MakeFunc(mt, func(in []reflect.Value) []reflect.Value {
			args := make([]any, len(in))
			for j, v := range in {
				args[j] = v.Interface()
			}
			record(args)
			out := make([]reflect.Value, mt.NumOut())
			for j := range out {
				ot := mt.Out(j)
				switch ot {
				case appErrType:
					out[j] = reflect.ValueOf(unexpectedAppError(name))
				case errType:
					out[j] = reflect.ValueOf(error(unexpectedAppError(name)))
				default:
					out[j] = reflect.Zero(ot)
				}
			}
			return out
		})
		a.API.On(name, matchers...).Return(fn.Interface())
	}
}

func unexpectedAppError(method string) *model.AppError {
	return &model.AppError{
		Id:            "fakeapi.unexpected_call",
		Message:       "the conformance fake API does not implement " + method,
		DetailedError: "method " + method + " is not part of the conformance contract",
		StatusCode:    http.StatusNotImplemented,
		Where:         "FakeAPI." + method,
	}
}

// ---------------------------------------------------------------------------------------------
// Inspection and setup (for tests)

// Unexpected returns the calls to methods the fake does not implement.
func (a *API) Unexpected() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.unexpected)
}

// Calls returns the recorded calls of method, oldest first. An empty method returns all calls.
func (a *API) Calls(method string) []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Call
	for _, c := range a.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// LastCall returns the most recent call of method and whether there was one.
func (a *API) LastCall(method string) (Call, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.calls) - 1; i >= 0; i-- {
		if a.calls[i].Method == method {
			return a.calls[i], true
		}
	}
	return Call{}, false
}

// CountCalls returns how many times method was called with first argument arg0 (any first
// argument when arg0 is nil).
func (a *API) CountCalls(method string, arg0 any) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.calls {
		if c.Method != method {
			continue
		}
		if arg0 != nil && (len(c.Args) == 0 || !reflect.DeepEqual(c.Args[0], arg0)) {
			continue
		}
		n++
	}
	return n
}

// ResetCalls forgets recorded calls, logs and events (not the unexpected calls).
func (a *API) ResetCalls() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = nil
	a.logs = nil
	a.wsEvents = nil
	a.clusterEvents = nil
	a.commands = nil
}

// Logs returns the recorded log calls.
func (a *API) Logs() []LogEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.logs)
}

// WebSocketEvents returns the recorded PublishWebSocketEvent calls.
func (a *API) WebSocketEvents() []WebSocketEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.wsEvents)
}

// ClusterEvents returns the recorded PublishPluginClusterEvent calls.
func (a *API) ClusterEvents() []ClusterEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.clusterEvents)
}

// Commands returns the commands registered with RegisterCommand.
func (a *API) Commands() []*model.Command {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.commands)
}

// InjectError makes every later call of method return err (instead of doing its work) until
// ClearError. For methods returning *model.AppError, a non-AppError err is wrapped into a
// 500 AppError. Methods without an error result ignore injected errors.
func (a *API) InjectError(method string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err == nil {
		delete(a.injected, method)
		return
	}
	a.injected[method] = func([]any) error { return err }
}

// InjectErrorFunc is InjectError decided per call: fn gets the call's arguments (as Calls
// records them) and returns the error to fail it with, or nil to let it do its work. fn runs
// with the fake's lock held: it must not call the fake.
func (a *API) InjectErrorFunc(method string, fn func(args []any) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.injected[method] = fn
}

// InjectErrorAfter lets the next n calls of method do their work and fails every later one
// with err (until ClearError).
func (a *API) InjectErrorAfter(method string, n int, err error) {
	left := n
	a.InjectErrorFunc(method, func([]any) error {
		if left > 0 {
			left--
			return nil
		}
		return err
	})
}

// ClearError removes the error injected for method.
func (a *API) ClearError(method string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.injected, method)
}

// Fault is what an injected fault does to one call (see InjectFault). The zero Fault lets the
// call do its work.
type Fault struct {
	// Delay holds the call before it does anything, without holding the fake's lock (other
	// calls go on): a slow store, or with Err a query that times out.
	Delay time.Duration
	// Err fails the call (after Delay) instead of doing its work, as InjectError does.
	Err error
	// AfterWrite, for the KV write methods (KVSet, KVSetWithExpiry, KVSetWithOptions,
	// KVCompareAndSet, KVCompareAndDelete, KVDelete, KVDeleteAll), makes the call do its work
	// and then fail with Err: the write happened but its answer was lost (a timeout after the
	// commit). Other methods ignore it and fail before their work.
	AfterWrite bool
}

// InjectFault decides, per call of method, a Fault: fn gets the call's arguments (as Calls
// records them). It takes precedence over InjectError for that method. fn runs with the fake's
// lock held: it must not call the fake.
func (a *API) InjectFault(method string, fn func(args []any) Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[method] = fn
}

// ClearFault removes the fault injected for method.
func (a *API) ClearFault(method string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.faults, method)
}

// Now returns the fake's clock, used for KV expiry.
func (a *API) Now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// Advance moves the fake's clock forward.
func (a *API) Advance(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.now = a.now.Add(d)
}

// SetServerVersion sets what GetServerVersion returns.
func (a *API) SetServerVersion(v string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.serverVersion = v
}

// ServerVersion returns what GetServerVersion returns.
func (a *API) ServerVersion() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.serverVersion
}

// SetPluginConfig replaces the plugin configuration (GetPluginConfig, LoadPluginConfiguration).
// The map is stored as a JSON round trip of cfg.
func (a *API) SetPluginConfig(cfg map[string]any) {
	c := jsonCopyMap(cfg)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pluginConfig = c
}

// Config returns a copy of the *model.Config that GetConfig returns.
func (a *API) Config() *model.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.config.Clone()
}

// SetConfig replaces the *model.Config that GetConfig returns.
func (a *API) SetConfig(cfg *model.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.config = cfg.Clone()
}

// SeedUser seeds a user.
func (a *API) SeedUser(u *model.User) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[u.Id] = cloneJSON(u)
}

// SeedChannel seeds a channel.
func (a *API) SeedChannel(c *model.Channel) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.channels[c.Id] = cloneJSON(c)
}

// SeedChannelMember seeds a channel membership.
func (a *API) SeedChannelMember(m *model.ChannelMember) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.members[[2]string{m.ChannelId, m.UserId}] = cloneJSON(m)
}

// SeedTeam seeds a team.
func (a *API) SeedTeam(t *model.Team) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.teams[t.Id] = cloneJSON(t)
}

// RemoveChannelMember removes a channel membership (the user left or was removed).
func (a *API) RemoveChannelMember(channelID, userID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.members, [2]string{channelID, userID})
}

// User returns a stored user (nil if absent).
func (a *API) User(id string) *model.User {
	a.mu.Lock()
	defer a.mu.Unlock()
	return cloneJSON(a.users[id])
}

// Bot returns the bot EnsureBotUser made for username (nil if none).
func (a *API) Bot(username string) *model.Bot {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.bots[username]; ok {
		return b.Clone()
	}
	return nil
}

// ProfileImage returns the image SetProfileImage stored for a user and whether there is one.
func (a *API) ProfileImage(userID string) ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	img, ok := a.profileImages[userID]
	return bytes.Clone(img), ok
}

// Posts returns the stored posts of a channel (CreatePost or SeedPost), first stored first.
func (a *API) Posts(channelID string) []*model.Post {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*model.Post
	for _, id := range a.postOrder {
		if p := a.posts[id]; p.ChannelId == channelID {
			out = append(out, p.Clone())
		}
	}
	return out
}

func (a *API) storePost(p *model.Post) {
	if _, ok := a.posts[p.Id]; !ok {
		a.postOrder = append(a.postOrder, p.Id)
	}
	a.posts[p.Id] = p
}

// DirectChannel returns the direct channel of two users if it exists (nil if not), without
// creating it and without recording a call.
func (a *API) DirectChannel(userID1, userID2 string) *model.Channel {
	a.mu.Lock()
	defer a.mu.Unlock()
	name := model.GetDMNameFromIds(userID1, userID2)
	for _, c := range a.channels {
		if c.Type == model.ChannelTypeDirect && c.Name == name {
			return cloneJSON(c)
		}
	}
	return nil
}

// SeedPost seeds a post.
func (a *API) SeedPost(p *model.Post) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.storePost(p.Clone())
}

// Post returns a stored post (nil if absent).
func (a *API) Post(id string) *model.Post {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.posts[id]; ok {
		return p.Clone()
	}
	return nil
}

// SetPermission sets the answer of HasPermissionToChannel(user, channel, {Id: permission}).
func (a *API) SetPermission(userID, channelID, permissionID string, allowed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.permissions[permKey{userID, channelID, permissionID}] = allowed
}

// KVValue reads the KV store directly (honouring expiry). ok is false when the key is absent.
func (a *API) KVValue(key string) (value []byte, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.kvLookup(key)
	if !ok {
		return nil, false
	}
	return bytes.Clone(e.value), true
}

// KVExpireAt returns the expiry time of a key (zero: none) and whether the key exists.
func (a *API) KVExpireAt(key string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.kvLookup(key)
	return e.expireAt, ok
}

// KVPut writes the KV store directly, without recording a call.
func (a *API) KVPut(key string, value []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kv[key] = kvEntry{value: bytes.Clone(value)}
}

// KVRemove deletes a key directly, without recording a call.
func (a *API) KVRemove(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.kv, key)
}

// KVSnapshot returns a copy of the live KV store.
func (a *API) KVSnapshot() map[string][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]byte{}
	for _, k := range a.kvKeys() {
		out[k] = bytes.Clone(a.kv[k].value)
	}
	return out
}

// KVKeys returns the live keys, sorted.
func (a *API) KVKeys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kvKeys()
}

// ---------------------------------------------------------------------------------------------
// Internals (a.mu held)

func (a *API) record(method string, args []any, returns ...any) {
	a.calls = append(a.calls, Call{Method: method, Args: args, Returns: returns, At: a.now})
}

func (a *API) injectedErr(method string, args []any) error {
	if fault := a.faults[method]; fault != nil {
		f := fault(args)
		if f.Delay > 0 {
			// The lock is held by the caller (deferred unlock): let the other calls go on meanwhile.
			a.mu.Unlock()
			time.Sleep(f.Delay)
			a.mu.Lock()
		}
		if f.Err != nil && f.AfterWrite && kvWriteMethods[method] {
			a.lostAnswer = f.Err
			return nil
		}
		if f.Err != nil {
			return f.Err
		}
	}
	fn := a.injected[method]
	if fn == nil {
		return nil
	}
	return fn(args)
}

func (a *API) injectedAppErr(method string, args []any) *model.AppError {
	err := a.injectedErr(method, args)
	if err == nil {
		return nil
	}
	var appErr *model.AppError
	if errors.As(err, &appErr) {
		return appErr
	}
	return &model.AppError{
		Id:            "fakeapi.injected",
		Message:       err.Error(),
		DetailedError: "injected by the test",
		StatusCode:    http.StatusInternalServerError,
		Where:         "FakeAPI." + method,
	}
}

var kvWriteMethods = map[string]bool{
	"KVSet": true, "KVSetWithExpiry": true, "KVSetWithOptions": true, "KVCompareAndSet": true,
	"KVCompareAndDelete": true, "KVDelete": true, "KVDeleteAll": true,
}

// takeLostAnswer returns (and clears) the error a Fault with AfterWrite set for the KV write
// that is running (the fake's lock has been held since its check).
func (a *API) takeLostAnswer(method string) *model.AppError {
	err := a.lostAnswer
	a.lostAnswer = nil
	if err == nil {
		return nil
	}
	var appErr *model.AppError
	if errors.As(err, &appErr) {
		return appErr
	}
	return &model.AppError{Id: "fakeapi.injected", Message: err.Error(), DetailedError: "injected by the test (after the write)", StatusCode: http.StatusInternalServerError, Where: "FakeAPI." + method}
}

func (a *API) kvLookup(key string) (kvEntry, bool) {
	e, ok := a.kv[key]
	if !ok {
		return kvEntry{}, false
	}
	if !e.expireAt.IsZero() && !a.now.Before(e.expireAt) {
		delete(a.kv, key)
		return kvEntry{}, false
	}
	return e, true
}

func (a *API) kvKeys() []string {
	keys := make([]string, 0, len(a.kv))
	for k := range a.kv {
		if _, ok := a.kvLookup(k); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// kvSetWithOptions has the semantics of the server's plugin KV store.
func (a *API) kvSetWithOptions(method, key string, value []byte, opts model.PluginKVSetOptions) (bool, *model.AppError) {
	if appErr := opts.IsValid(); appErr != nil {
		appErr.Where = "FakeAPI." + method
		appErr.Message = "Atomic must be true when OldValue is set"
		return false, appErr
	}
	if key == "" {
		return false, &model.AppError{Id: "model.plugin_key_value.is_valid.key.app_error", Message: "Invalid key", DetailedError: "key is empty", StatusCode: http.StatusBadRequest, Where: "FakeAPI." + method}
	}
	var expireAt time.Time
	if opts.ExpireInSeconds > 0 {
		expireAt = a.now.Add(time.Duration(opts.ExpireInSeconds) * time.Second)
	}
	cur, exists := a.kvLookup(key)
	if opts.Atomic {
		if opts.OldValue == nil {
			if value == nil { // delete only if absent: nothing to do
				return !exists, nil
			}
			if exists {
				return false, nil
			}
		} else if !exists || !bytes.Equal(cur.value, opts.OldValue) {
			return false, nil
		}
	}
	if value == nil {
		delete(a.kv, key)
		return true, nil
	}
	a.kv[key] = kvEntry{value: bytes.Clone(value), expireAt: expireAt}
	return true, nil
}

// ---------------------------------------------------------------------------------------------
// KV store

func (a *API) KVGet(key string) ([]byte, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if appErr := a.injectedAppErr("KVGet", []any{key}); appErr != nil {
		a.record("KVGet", []any{key}, []byte(nil), appErr)
		return nil, appErr
	}
	var v []byte
	if e, ok := a.kvLookup(key); ok {
		v = bytes.Clone(e.value)
	}
	a.record("KVGet", []any{key}, bytes.Clone(v), (*model.AppError)(nil))
	return v, nil
}

func (a *API) KVSet(key string, value []byte) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{key, bytes.Clone(value)}
	if appErr := a.injectedAppErr("KVSet", args); appErr != nil {
		a.record("KVSet", args, appErr)
		return appErr
	}
	_, appErr := a.kvSetWithOptions("KVSet", key, value, model.PluginKVSetOptions{})
	if lost := a.takeLostAnswer("KVSet"); lost != nil && appErr == nil {
		appErr = lost
	}
	a.record("KVSet", args, appErr)
	return appErr
}

func (a *API) KVSetWithExpiry(key string, value []byte, expireInSeconds int64) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{key, bytes.Clone(value), expireInSeconds}
	if appErr := a.injectedAppErr("KVSetWithExpiry", args); appErr != nil {
		a.record("KVSetWithExpiry", args, appErr)
		return appErr
	}
	_, appErr := a.kvSetWithOptions("KVSetWithExpiry", key, value, model.PluginKVSetOptions{ExpireInSeconds: expireInSeconds})
	if lost := a.takeLostAnswer("KVSetWithExpiry"); lost != nil && appErr == nil {
		appErr = lost
	}
	a.record("KVSetWithExpiry", args, appErr)
	return appErr
}

func (a *API) KVSetWithOptions(key string, value []byte, options model.PluginKVSetOptions) (bool, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	optCopy := options
	optCopy.OldValue = bytes.Clone(options.OldValue)
	args := []any{key, bytes.Clone(value), optCopy}
	if appErr := a.injectedAppErr("KVSetWithOptions", args); appErr != nil {
		a.record("KVSetWithOptions", args, false, appErr)
		return false, appErr
	}
	ok, appErr := a.kvSetWithOptions("KVSetWithOptions", key, value, options)
	if lost := a.takeLostAnswer("KVSetWithOptions"); lost != nil && appErr == nil {
		ok, appErr = false, lost
	}
	a.record("KVSetWithOptions", args, ok, appErr)
	return ok, appErr
}

func (a *API) KVCompareAndSet(key string, oldValue, newValue []byte) (bool, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{key, bytes.Clone(oldValue), bytes.Clone(newValue)}
	if appErr := a.injectedAppErr("KVCompareAndSet", args); appErr != nil {
		a.record("KVCompareAndSet", args, false, appErr)
		return false, appErr
	}
	ok, appErr := a.kvSetWithOptions("KVCompareAndSet", key, newValue, model.PluginKVSetOptions{Atomic: true, OldValue: oldValue})
	if lost := a.takeLostAnswer("KVCompareAndSet"); lost != nil && appErr == nil {
		ok, appErr = false, lost
	}
	a.record("KVCompareAndSet", args, ok, appErr)
	return ok, appErr
}

func (a *API) KVCompareAndDelete(key string, oldValue []byte) (bool, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{key, bytes.Clone(oldValue)}
	if appErr := a.injectedAppErr("KVCompareAndDelete", args); appErr != nil {
		a.record("KVCompareAndDelete", args, false, appErr)
		return false, appErr
	}
	ok := false
	if cur, exists := a.kvLookup(key); exists && bytes.Equal(cur.value, oldValue) {
		delete(a.kv, key)
		ok = true
	}
	if lost := a.takeLostAnswer("KVCompareAndDelete"); lost != nil {
		a.record("KVCompareAndDelete", args, false, lost)
		return false, lost
	}
	a.record("KVCompareAndDelete", args, ok, (*model.AppError)(nil))
	return ok, nil
}

func (a *API) KVDelete(key string) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	if appErr := a.injectedAppErr("KVDelete", []any{key}); appErr != nil {
		a.record("KVDelete", []any{key}, appErr)
		return appErr
	}
	delete(a.kv, key)
	if lost := a.takeLostAnswer("KVDelete"); lost != nil {
		a.record("KVDelete", []any{key}, lost)
		return lost
	}
	a.record("KVDelete", []any{key}, (*model.AppError)(nil))
	return nil
}

func (a *API) KVDeleteAll() *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	if appErr := a.injectedAppErr("KVDeleteAll", nil); appErr != nil {
		a.record("KVDeleteAll", nil, appErr)
		return appErr
	}
	a.kv = map[string]kvEntry{}
	if lost := a.takeLostAnswer("KVDeleteAll"); lost != nil {
		a.record("KVDeleteAll", nil, lost)
		return lost
	}
	a.record("KVDeleteAll", nil, (*model.AppError)(nil))
	return nil
}

func (a *API) KVList(page, perPage int) ([]string, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{page, perPage}
	if appErr := a.injectedAppErr("KVList", args); appErr != nil {
		a.record("KVList", args, []string(nil), appErr)
		return nil, appErr
	}
	if page < 0 || perPage < 0 {
		appErr := &model.AppError{Id: "app.plugin.kv_list.invalid_paging", Message: "Invalid paging", DetailedError: fmt.Sprintf("page=%d per_page=%d", page, perPage), StatusCode: http.StatusBadRequest, Where: "FakeAPI.KVList"}
		a.record("KVList", args, []string(nil), appErr)
		return nil, appErr
	}
	keys := a.kvKeys()
	start := min(page*perPage, len(keys))
	end := min(start+perPage, len(keys))
	out := slices.Clone(keys[start:end])
	if out == nil {
		out = []string{}
	}
	a.record("KVList", args, slices.Clone(out), (*model.AppError)(nil))
	return out, nil
}

// ---------------------------------------------------------------------------------------------
// Users, channels, posts

func notFound(where, id, detail string) *model.AppError {
	return &model.AppError{Id: id, Message: "Unable to find the requested resource.", DetailedError: detail, StatusCode: http.StatusNotFound, Where: where}
}

func (a *API) GetUser(userID string) (*model.User, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{userID}
	if appErr := a.injectedAppErr("GetUser", args); appErr != nil {
		a.record("GetUser", args, (*model.User)(nil), appErr)
		return nil, appErr
	}
	u, ok := a.users[userID]
	if !ok {
		appErr := notFound("SqlUserStore.Get", "app.user.missing", "user_id="+userID)
		a.record("GetUser", args, (*model.User)(nil), appErr)
		return nil, appErr
	}
	a.record("GetUser", args, cloneJSON(u), (*model.AppError)(nil))
	return cloneJSON(u), nil
}

func (a *API) GetUserByUsername(name string) (*model.User, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{name}
	if appErr := a.injectedAppErr("GetUserByUsername", args); appErr != nil {
		a.record("GetUserByUsername", args, (*model.User)(nil), appErr)
		return nil, appErr
	}
	for _, u := range a.users {
		if u.Username == name {
			a.record("GetUserByUsername", args, cloneJSON(u), (*model.AppError)(nil))
			return cloneJSON(u), nil
		}
	}
	appErr := notFound("SqlUserStore.GetByUsername", "app.user.get_by_username.app_error", "username="+name)
	a.record("GetUserByUsername", args, (*model.User)(nil), appErr)
	return nil, appErr
}

func (a *API) GetChannel(channelID string) (*model.Channel, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{channelID}
	if appErr := a.injectedAppErr("GetChannel", args); appErr != nil {
		a.record("GetChannel", args, (*model.Channel)(nil), appErr)
		return nil, appErr
	}
	c, ok := a.channels[channelID]
	if !ok {
		appErr := notFound("SqlChannelStore.Get", "app.channel.get.existing.app_error", "channel_id="+channelID)
		a.record("GetChannel", args, (*model.Channel)(nil), appErr)
		return nil, appErr
	}
	a.record("GetChannel", args, cloneJSON(c), (*model.AppError)(nil))
	return cloneJSON(c), nil
}

func (a *API) GetChannelMember(channelID, userID string) (*model.ChannelMember, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{channelID, userID}
	if appErr := a.injectedAppErr("GetChannelMember", args); appErr != nil {
		a.record("GetChannelMember", args, (*model.ChannelMember)(nil), appErr)
		return nil, appErr
	}
	m, ok := a.members[[2]string{channelID, userID}]
	if !ok {
		appErr := notFound("SqlChannelStore.GetMember", "app.channel.get_member.missing.app_error", "channel_id="+channelID+", user_id="+userID)
		a.record("GetChannelMember", args, (*model.ChannelMember)(nil), appErr)
		return nil, appErr
	}
	a.record("GetChannelMember", args, cloneJSON(m), (*model.AppError)(nil))
	return cloneJSON(m), nil
}

// GetUsersByIds returns the known users among userIDs (unknown ids are left out, as the server does).
func (a *API) GetUsersByIds(userIDs []string) ([]*model.User, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{slices.Clone(userIDs)}
	if appErr := a.injectedAppErr("GetUsersByIds", args); appErr != nil {
		a.record("GetUsersByIds", args, ([]*model.User)(nil), appErr)
		return nil, appErr
	}
	out := []*model.User{}
	for _, id := range userIDs {
		if u, ok := a.users[id]; ok {
			out = append(out, cloneJSON(u))
		}
	}
	a.record("GetUsersByIds", args, out, (*model.AppError)(nil))
	return out, nil
}

// GetChannelMembersByIds returns the memberships of those of userIDs who are members of the
// channel (the others are left out, as the server does).
func (a *API) GetChannelMembersByIds(channelID string, userIDs []string) (model.ChannelMembers, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{channelID, slices.Clone(userIDs)}
	if appErr := a.injectedAppErr("GetChannelMembersByIds", args); appErr != nil {
		a.record("GetChannelMembersByIds", args, model.ChannelMembers(nil), appErr)
		return nil, appErr
	}
	out := model.ChannelMembers{}
	for _, id := range userIDs {
		if m, ok := a.members[[2]string{channelID, id}]; ok {
			out = append(out, *cloneJSON(m))
		}
	}
	a.record("GetChannelMembersByIds", args, out, (*model.AppError)(nil))
	return out, nil
}

// GetDirectChannel returns the direct channel of two existing users, creating it on first use
// (as the server does). An unknown user gives a 404.
func (a *API) GetDirectChannel(userID1, userID2 string) (*model.Channel, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{userID1, userID2}
	if appErr := a.injectedAppErr("GetDirectChannel", args); appErr != nil {
		a.record("GetDirectChannel", args, (*model.Channel)(nil), appErr)
		return nil, appErr
	}
	for _, id := range []string{userID1, userID2} {
		if _, ok := a.users[id]; !ok {
			appErr := notFound("SqlUserStore.Get", "app.user.missing", "user_id="+id)
			a.record("GetDirectChannel", args, (*model.Channel)(nil), appErr)
			return nil, appErr
		}
	}
	name := model.GetDMNameFromIds(userID1, userID2)
	for _, c := range a.channels {
		if c.Type == model.ChannelTypeDirect && c.Name == name {
			a.record("GetDirectChannel", args, cloneJSON(c), (*model.AppError)(nil))
			return cloneJSON(c), nil
		}
	}
	ms := a.now.UnixMilli()
	c := &model.Channel{Id: model.NewId(), CreateAt: ms, UpdateAt: ms, Type: model.ChannelTypeDirect, Name: name, CreatorId: userID1}
	a.channels[c.Id] = c
	a.record("GetDirectChannel", args, cloneJSON(c), (*model.AppError)(nil))
	return cloneJSON(c), nil
}

func (a *API) CreatePost(post *model.Post) (*model.Post, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{post.Clone()}
	if appErr := a.injectedAppErr("CreatePost", args); appErr != nil {
		a.record("CreatePost", args, (*model.Post)(nil), appErr)
		return nil, appErr
	}
	if _, ok := a.channels[post.ChannelId]; !ok {
		appErr := &model.AppError{Id: "api.post.create_post.channel.app_error", Message: "Unable to find the channel of the post.", DetailedError: "channel_id=" + post.ChannelId, StatusCode: http.StatusBadRequest, Where: "CreatePost"}
		a.record("CreatePost", args, (*model.Post)(nil), appErr)
		return nil, appErr
	}
	p := post.Clone()
	if p.Id == "" {
		p.Id = model.NewId()
	}
	if p.CreateAt == 0 {
		p.CreateAt = a.now.UnixMilli()
	}
	if p.UpdateAt == 0 {
		p.UpdateAt = p.CreateAt
	}
	a.storePost(p.Clone())
	a.record("CreatePost", args, p.Clone(), (*model.AppError)(nil))
	return p, nil
}

func (a *API) GetPost(postID string) (*model.Post, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{postID}
	if appErr := a.injectedAppErr("GetPost", args); appErr != nil {
		a.record("GetPost", args, (*model.Post)(nil), appErr)
		return nil, appErr
	}
	p, ok := a.posts[postID]
	if !ok {
		appErr := notFound("SqlPostStore.Get", "app.post.get.app_error", "post_id="+postID)
		a.record("GetPost", args, (*model.Post)(nil), appErr)
		return nil, appErr
	}
	a.record("GetPost", args, p.Clone(), (*model.AppError)(nil))
	return p.Clone(), nil
}

// SendEphemeralPost returns the post with an id, a create time and the ephemeral type set.
func (a *API) SendEphemeralPost(userID string, post *model.Post) *model.Post {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{userID, post.Clone()}
	p := post.Clone()
	if p.Id == "" {
		p.Id = model.NewId()
	}
	if p.CreateAt == 0 {
		p.CreateAt = a.now.UnixMilli()
	}
	p.Type = model.PostTypeEphemeral
	a.record("SendEphemeralPost", args, p.Clone())
	return p
}

// EnsureBotUser returns the user id of the bot with that username, creating it on first use.
func (a *API) EnsureBotUser(bot *model.Bot) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var argBot *model.Bot
	if bot != nil {
		argBot = bot.Clone()
	}
	args := []any{argBot}
	if err := a.injectedErr("EnsureBotUser", args); err != nil {
		a.record("EnsureBotUser", args, "", err)
		return "", err
	}
	if bot == nil || bot.Username == "" {
		err := &model.AppError{Id: "plugin_api.bot_cant_create_bot", Message: "Bot username is required.", DetailedError: "", StatusCode: http.StatusBadRequest, Where: "EnsureBotUser"}
		a.record("EnsureBotUser", args, "", err)
		return "", err
	}
	b, ok := a.bots[bot.Username]
	if !ok {
		b = bot.Clone()
		b.UserId = model.NewId()
		a.bots[bot.Username] = b
		u := model.UserFromBot(b)
		u.IsBot, u.BotDescription = true, b.Description
		a.users[b.UserId] = u
	} else {
		// As the server does, an existing bot is patched to what the plugin asks for now.
		b.DisplayName, b.Description = bot.DisplayName, bot.Description
		if u, ok := a.users[b.UserId]; ok {
			u.FirstName, u.BotDescription = b.DisplayName, b.Description
		}
	}
	a.record("EnsureBotUser", args, b.UserId, error(nil))
	return b.UserId, nil
}

// SetProfileImage stores the image of an existing user (404 for an unknown one).
func (a *API) SetProfileImage(userID string, data []byte) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{userID, bytes.Clone(data)}
	if appErr := a.injectedAppErr("SetProfileImage", args); appErr != nil {
		a.record("SetProfileImage", args, appErr)
		return appErr
	}
	if _, ok := a.users[userID]; !ok {
		appErr := notFound("SqlUserStore.Get", "app.user.missing", "user_id="+userID)
		a.record("SetProfileImage", args, appErr)
		return appErr
	}
	a.profileImages[userID] = bytes.Clone(data)
	a.record("SetProfileImage", args, (*model.AppError)(nil))
	return nil
}

func (a *API) GetTeam(teamID string) (*model.Team, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{teamID}
	if appErr := a.injectedAppErr("GetTeam", args); appErr != nil {
		a.record("GetTeam", args, (*model.Team)(nil), appErr)
		return nil, appErr
	}
	t, ok := a.teams[teamID]
	if !ok {
		appErr := notFound("SqlTeamStore.Get", "app.team.get.find.app_error", "team_id="+teamID)
		a.record("GetTeam", args, (*model.Team)(nil), appErr)
		return nil, appErr
	}
	a.record("GetTeam", args, cloneJSON(t), (*model.AppError)(nil))
	return cloneJSON(t), nil
}

// GetBundlePath returns the path set with SetBundlePath. A plugin environment gives each plugin
// its own path through ForBundle, as the server's per-plugin API does.
func (a *API) GetBundlePath() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.getBundlePath(a.bundlePath)
}

func (a *API) getBundlePath(path string) (string, error) {
	if err := a.injectedErr("GetBundlePath", nil); err != nil {
		a.record("GetBundlePath", nil, "", err)
		return "", err
	}
	a.record("GetBundlePath", nil, path, error(nil))
	return path, nil
}

// SetBundlePath sets what GetBundlePath returns (when not called through ForBundle).
func (a *API) SetBundlePath(path string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.bundlePath = path
}

// ForBundle returns a view of the fake for one installed plugin: the same fake (state, calls,
// injected errors), except that GetBundlePath answers bundlePath. Several plugin environments
// sharing one fake (servers of a cluster) each pass their own view to plugin.NewEnvironment.
func (a *API) ForBundle(bundlePath string) plugin.API {
	return &bundleView{API: a, path: bundlePath}
}

type bundleView struct {
	*API
	path string
}

func (v *bundleView) GetBundlePath() (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.getBundlePath(v.path)
}

// ---------------------------------------------------------------------------------------------
// Configuration

func (a *API) GetConfig() *model.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.record("GetConfig", nil, a.config.Clone())
	return a.config.Clone()
}

func (a *API) GetPluginConfig() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.record("GetPluginConfig", nil, jsonCopyMap(a.pluginConfig))
	return jsonCopyMap(a.pluginConfig)
}

// LoadPluginConfiguration JSON-encodes the plugin configuration into dest.
func (a *API) LoadPluginConfiguration(dest any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.injectedErr("LoadPluginConfiguration", nil); err != nil {
		a.record("LoadPluginConfiguration", nil, err)
		return err
	}
	b, err := json.Marshal(a.pluginConfig)
	if err == nil {
		err = json.Unmarshal(b, dest)
	}
	a.record("LoadPluginConfiguration", nil, err)
	return err
}

func (a *API) GetServerVersion() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.record("GetServerVersion", nil, a.serverVersion)
	return a.serverVersion
}

// ---------------------------------------------------------------------------------------------
// Events, commands, permissions

func (a *API) PublishPluginClusterEvent(ev model.PluginClusterEvent, opts model.PluginClusterEventSendOptions) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	evCopy := model.PluginClusterEvent{Id: ev.Id, Data: bytes.Clone(ev.Data)}
	args := []any{evCopy, opts}
	if err := a.injectedErr("PublishPluginClusterEvent", args); err != nil {
		a.record("PublishPluginClusterEvent", args, err)
		return err
	}
	a.clusterEvents = append(a.clusterEvents, ClusterEvent{Event: evCopy, Options: opts})
	a.record("PublishPluginClusterEvent", args, error(nil))
	return nil
}

func (a *API) PublishWebSocketEvent(event string, payload map[string]any, broadcast *model.WebsocketBroadcast) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ev := WebSocketEvent{Event: event, Payload: payload, Broadcast: broadcast}
	a.wsEvents = append(a.wsEvents, ev)
	a.record("PublishWebSocketEvent", []any{event, payload, broadcast})
}

func (a *API) RegisterCommand(command *model.Command) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	args := []any{command}
	if err := a.injectedErr("RegisterCommand", args); err != nil {
		a.record("RegisterCommand", args, err)
		return err
	}
	a.commands = append(a.commands, command)
	a.record("RegisterCommand", args, error(nil))
	return nil
}

func (a *API) HasPermissionToChannel(userID, channelID string, permission *model.Permission) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	permID := ""
	if permission != nil {
		permID = permission.Id
	}
	ok := a.permissions[permKey{userID, channelID, permID}]
	a.record("HasPermissionToChannel", []any{userID, channelID, permission}, ok)
	return ok
}

// ---------------------------------------------------------------------------------------------
// Logging

func (a *API) log(level, msg string, kv []any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kv = slices.Clone(kv)
	a.logs = append(a.logs, LogEntry{Level: level, Message: msg, KeyValuePairs: kv})
	a.record("Log"+level, append([]any{msg}, kv...))
}

func (a *API) LogDebug(msg string, keyValuePairs ...any) { a.log("Debug", msg, keyValuePairs) }
func (a *API) LogInfo(msg string, keyValuePairs ...any)  { a.log("Info", msg, keyValuePairs) }
func (a *API) LogWarn(msg string, keyValuePairs ...any)  { a.log("Warn", msg, keyValuePairs) }
func (a *API) LogError(msg string, keyValuePairs ...any) { a.log("Error", msg, keyValuePairs) }

// ---------------------------------------------------------------------------------------------

func cloneJSON[T any](v *T) *T {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

func jsonCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
