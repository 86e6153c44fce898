// Package roundtrip drives every plugin.API method and every plugin.Hooks hook of the line it is built
// for through Mattermost's real plugin host code, once with the Go reference plugin (refplugin/) and once
// with the TypeScript plugin (tsplugin/), and compares what crossed the wire field by field.
package roundtrip

import (
	"encoding/json"
	"io"
	"reflect"
	"sync"

	"github.com/stretchr/testify/mock"

	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"

	"triggeralerts/conformance/roundtrip/rt"
)

// Call is one API call the recorder received: the arguments as the host decoded them, an io.Reader's
// content read out as []byte.
type Call struct {
	Method string
	Args   []reflect.Value
}

// Recorder is a plugin.API that answers every method the same generic way: it records the arguments and
// returns the samples of rt for the armed method and mode. Calls of other methods (a runtime's own, e.g.
// GetServerVersion for its NotSupportedError message) are kept apart and answered with zero values,
// GetServerVersion with ServerVersion.
type Recorder struct {
	*plugintest.API

	ServerVersion string

	mu    sync.Mutex
	armed string
	mode  rt.Mode
	calls []Call
	other []Call
}

var _ plugin.API = (*Recorder)(nil)

// NewRecorder installs the generic answer for every method of this line's plugin.API.
func NewRecorder(serverVersion string) *Recorder {
	r := &Recorder{API: &plugintest.API{}, ServerVersion: serverVersion}
	for _, m := range rt.SortedMethods(reflect.TypeFor[plugin.API]()) {
		r.install(m.Name, m.Type)
	}
	return r
}

func (r *Recorder) install(name string, mt reflect.Type) {
	if mt.NumOut() == 0 {
		run := func(args mock.Arguments) {
			in := make([]reflect.Value, len(args))
			for i, a := range args {
				in[i] = reflect.ValueOf(a)
			}
			r.record(name, mt, in)
		}
		if mt.IsVariadic() {
			// The mock spreads the variadic arguments: one expectation per count a caller may send.
			for n := mt.NumIn() - 1; n <= mt.NumIn()+8; n++ {
				r.API.On(name, anything(n)...).Run(run)
			}
			return
		}
		r.API.On(name, anything(mt.NumIn())...).Run(run)
		return
	}
	fn := reflect.MakeFunc(mt, func(in []reflect.Value) []reflect.Value {
		return r.answer(name, mt, in)
	})
	r.API.On(name, anything(mt.NumIn())...).Return(fn.Interface())
}

func anything(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = mock.Anything
	}
	return out
}

func (r *Recorder) answer(name string, mt reflect.Type, in []reflect.Value) []reflect.Value {
	if name == "LoadPluginConfiguration" && len(in) == 1 {
		// The destination is filled, not returned: with the sample configuration.
		b, _ := json.Marshal(rt.TableJSON(ConfigSample(), false))
		_ = json.Unmarshal(b, in[0].Interface())
		in = nil
	}
	armed := r.record(name, mt, in)
	if !armed {
		out := make([]reflect.Value, mt.NumOut())
		for i := range out {
			out[i] = reflect.Zero(mt.Out(i))
		}
		if name == "GetServerVersion" {
			out[0] = reflect.ValueOf(r.ServerVersion)
		}
		return out
	}
	r.mu.Lock()
	mode := r.mode
	r.mu.Unlock()
	return rt.NewGen().Returns(name, mt, mode)
}

// ConfigSample is what LoadPluginConfiguration decodes into the caller's destination.
func ConfigSample() reflect.Value {
	return rt.NewGen().Value(reflect.TypeFor[map[string]any](), "LoadPluginConfiguration.config")
}

// record stores a call (reading io.Reader parameters out) and reports whether it was of the armed method.
func (r *Recorder) record(name string, mt reflect.Type, in []reflect.Value) bool {
	args := make([]reflect.Value, len(in))
	for i, v := range in {
		if i < mt.NumIn() && rt.IsReader(mt.In(i)) && v.IsValid() && !(v.Kind() == reflect.Interface && v.IsNil()) {
			b, _ := io.ReadAll(v.Interface().(io.Reader))
			args[i] = reflect.ValueOf(b)
			continue
		}
		args[i] = v
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := Call{Method: name, Args: args}
	if name == r.armed {
		r.calls = append(r.calls, c)
		return true
	}
	r.other = append(r.other, c)
	return false
}

// Arm makes method answer with the samples of mode, and forgets earlier calls.
func (r *Recorder) Arm(method string, mode rt.Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.armed, r.mode, r.calls = method, mode, nil
}

// Disarm returns the calls of the armed method and stops answering it with samples.
func (r *Recorder) Disarm() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.calls
	r.armed, r.calls = "", nil
	return calls
}
