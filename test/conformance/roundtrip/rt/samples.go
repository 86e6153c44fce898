// Package rt holds what both sides of the round trip share: sample values built by reflection from the
// plugin.API and plugin.Hooks signatures of the server/public version the build uses, their JSON for a
// TypeScript plugin, the gob-aware comparison, and the control protocol a round-trip plugin serves.
//
// The Go reference plugin and the test compute the same samples independently (the generator is
// deterministic), so the reference plugin is told only a method name and a mode.
package rt

import (
	"encoding"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"reflect"
	"sort"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// Mode is one case of a method: OK returns sample values, Err returns zero values with the sample error
// in the error result (only for signatures that have one), Value returns the sample values with the
// string results empty (only for signatures that return a value and a string, the "changed value,
// rejection reason" hooks, where an empty reason is the path that keeps the value).
type Mode string

const (
	OK    Mode = "ok"
	Value Mode = "value"
	Err   Mode = "err"
)

var (
	appErrorType  = reflect.TypeFor[*model.AppError]()
	errorType     = reflect.TypeFor[error]()
	timeType      = reflect.TypeFor[time.Time]()
	rawJSONType   = reflect.TypeFor[json.RawMessage]()
	gobEncoderT   = reflect.TypeFor[gob.GobEncoder]()
	binaryMarshT  = reflect.TypeFor[encoding.BinaryMarshaler]()
	textMarshT    = reflect.TypeFor[encoding.TextMarshaler]()
	emptyIfaceTyp = reflect.TypeFor[any]()
)

// IsAppError reports whether t is *model.AppError.
func IsAppError(t reflect.Type) bool { return t == appErrorType }

// IsError reports whether t is the error interface.
func IsError(t reflect.Type) bool { return t == errorType }

// IsReader reports whether t is an interface io.Reader satisfies and that only needs Read (io.Reader).
func IsReader(t reflect.Type) bool {
	return t.Kind() == reflect.Interface && t.NumMethod() == 1 && t.Method(0).Name == "Read"
}

// HasErrorResult reports whether a signature returns an AppError or an error, so that it has an Err case.
func HasErrorResult(ft reflect.Type) bool {
	for i := 0; i < ft.NumOut(); i++ {
		if IsAppError(ft.Out(i)) || IsError(ft.Out(i)) {
			return true
		}
	}
	return false
}

// HasReasonResult reports whether a signature returns a string next to other non-error results.
func HasReasonResult(ft reflect.Type) bool {
	values, strs := 0, 0
	for i := 0; i < ft.NumOut(); i++ {
		t := ft.Out(i)
		switch {
		case IsAppError(t) || IsError(t):
		case t.Kind() == reflect.String:
			strs++
			values++
		default:
			values++
		}
	}
	return strs > 0 && values > strs
}

// Modes returns the cases of a signature.
func Modes(ft reflect.Type) []Mode {
	modes := []Mode{OK}
	if HasReasonResult(ft) {
		modes = append(modes, Value)
	}
	if HasErrorResult(ft) {
		modes = append(modes, Err)
	}
	return modes
}

// Gen builds sample values. It records what it had to leave at the zero value and why (Skipped), which
// the test reports: func and chan fields (gob ignores them), interfaces with methods (no registered type
// to put in them) and opaque structs.
type Gen struct {
	Skipped map[string]string // type.field or path → reason
	stack   []reflect.Type
}

// NewGen returns a generator.
func NewGen() *Gen { return &Gen{Skipped: map[string]string{}} }

func hash(path string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(path))
	return h.Sum32()
}

// Bytes is the sample for a []byte at path: not valid UTF-8 (0xff, 0xfe, a NUL, a lone continuation
// byte), and distinct per path.
func Bytes(path string) []byte {
	h := hash(path)
	return []byte{0xff, 0xfe, 0x00, 0x80, byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24), 'b'}
}

// Value returns a sample of type t for the field path path.
func (g *Gen) Value(t reflect.Type, path string) reflect.Value {
	v := reflect.New(t).Elem()
	g.fill(v, path)
	return v
}

func (g *Gen) skip(key, reason string) {
	g.Skipped[key] = reason
}

func (g *Gen) seen(t reflect.Type) int {
	n := 0
	for _, s := range g.stack {
		if s == t {
			n++
		}
	}
	return n
}

// ifaceSample is what goes into an empty interface: a string, a float that is not an integer (a number
// that JSON and JavaScript cannot mistake for an int) or a bool, by position, so maps of any show each.
func ifaceSample(path string, i int) reflect.Value {
	switch i % 3 {
	case 1:
		return reflect.ValueOf(float64(hash(path)%100000) + 0.5)
	case 2:
		return reflect.ValueOf(true)
	}
	return reflect.ValueOf(path + " ✓")
}

func (g *Gen) fill(v reflect.Value, path string) {
	t := v.Type()
	h := hash(path)
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int8:
		v.SetInt(int64(1 + h%100))
	case reflect.Int16:
		v.SetInt(int64(1 + h%10000))
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(1 + h%1000000))
	case reflect.Uint8:
		v.SetUint(uint64(1 + h%100))
	case reflect.Uint16:
		v.SetUint(uint64(1 + h%10000))
	case reflect.Uint, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(1 + h%1000000))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(1+h%100000) + 0.5)
	case reflect.String:
		v.SetString(path + " ✓")
	case reflect.Slice:
		switch {
		case t == rawJSONType || (t.Elem().Kind() == reflect.Uint8 && t.Name() == "RawMessage"):
			b, _ := json.Marshal(map[string]string{"raw": path})
			v.SetBytes(b)
		case t.Elem().Kind() == reflect.Uint8:
			v.Set(reflect.ValueOf(Bytes(path)).Convert(t))
		default:
			s := reflect.MakeSlice(t, 2, 2)
			for i := 0; i < 2; i++ {
				g.elem(s.Index(i), fmt.Sprintf("%s[%d]", path, i), i)
				if nilPointer(s.Index(i)) {
					return // gob cannot send a nil element: where recursion stopped, no list
				}
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			g.elem(v.Index(i), fmt.Sprintf("%s[%d]", path, i), i)
		}
	case reflect.Map:
		m := reflect.MakeMap(t)
		n := 2
		if t.Key().Kind() == reflect.Bool {
			n = 1 // only true is a sample
		}
		for i := 0; i < n; i++ {
			var k reflect.Value
			if t.Key().Kind() == reflect.String {
				k = reflect.ValueOf(fmt.Sprintf("k%d", i)).Convert(t.Key())
			} else {
				k = g.Value(t.Key(), fmt.Sprintf("%s{key%d}", path, i))
			}
			e := reflect.New(t.Elem()).Elem()
			g.elem(e, fmt.Sprintf("%s[k%d]", path, i), i)
			if nilPointer(e) {
				return
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct && g.seen(t.Elem()) >= 2 {
			return // a recursive model: two levels show the recursion, more only repeat it
		}
		p := reflect.New(t.Elem())
		g.fill(p.Elem(), path)
		v.Set(p)
	case reflect.Interface:
		if t.NumMethod() == 0 {
			v.Set(ifaceSample(path, 0))
			return
		}
		g.skip(t.String(), "an interface with methods: no registered gob type to put in it (left nil)")
	case reflect.Struct:
		g.fillStruct(v, path)
	default: // func, chan, unsafe pointer, complex
		g.skip(path, t.Kind().String()+": gob does not send it (left zero)")
	}
}

func nilPointer(v reflect.Value) bool {
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func (g *Gen) elem(v reflect.Value, path string, i int) {
	if v.Kind() == reflect.Interface && v.Type().NumMethod() == 0 {
		v.Set(ifaceSample(path, i))
		return
	}
	g.fill(v, path)
}

func (g *Gen) fillStruct(v reflect.Value, path string) {
	t := v.Type()
	if t == timeType {
		v.Set(reflect.ValueOf(time.Unix(1700000000+int64(hash(path)%100000000), int64(hash(path+"ns")%1000)*1000).UTC()))
		return
	}
	if g.seen(t) >= 2 {
		return
	}
	exported := 0
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			exported++
		}
	}
	if exported == 0 && t.NumField() > 0 {
		if reflect.PointerTo(t).Implements(gobEncoderT) || reflect.PointerTo(t).Implements(binaryMarshT) || reflect.PointerTo(t).Implements(textMarshT) {
			g.skip(t.String(), "opaque struct with a marshaler and no exported fields (left zero)")
		}
		return
	}
	g.stack = append(g.stack, t)
	defer func() { g.stack = g.stack[:len(g.stack)-1] }()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue // gob ignores unexported fields
		}
		switch f.Type.Kind() {
		case reflect.Func, reflect.Chan:
			g.skip(t.String()+"."+f.Name, f.Type.Kind().String()+" field: gob ignores it")
			continue
		}
		g.fill(v.Field(i), path+"."+f.Name)
	}
}

// Args returns sample arguments for the method name of signature ft (the method's type without receiver).
// A variadic parameter gets a slice of two.
func (g *Gen) Args(name string, ft reflect.Type) []reflect.Value {
	out := make([]reflect.Value, ft.NumIn())
	for i := range out {
		pt := ft.In(i)
		p := fmt.Sprintf("%s.arg%d", name, i)
		switch {
		case IsReader(pt):
			out[i] = reflect.ValueOf(&byteReader{b: Bytes(p)})
		case pt == emptyIfaceTyp && name == "LoadPluginConfiguration":
			out[i] = reflect.ValueOf(&map[string]any{})
		default:
			out[i] = g.Value(pt, p)
		}
	}
	return out
}

// ReaderBytes returns the content of the sample reader of parameter i of method name.
func ReaderBytes(name string, i int) []byte { return Bytes(fmt.Sprintf("%s.arg%d", name, i)) }

type byteReader struct {
	b   []byte
	off int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// SampleAppError is the AppError a method or hook returns in the Err case: every field set.
func SampleAppError(name string) *model.AppError {
	return &model.AppError{
		Id:              "roundtrip." + name + ".error",
		Message:         name + " failed ✓ (sample)",
		DetailedError:   "detail of " + name,
		RequestId:       "request-" + name,
		StatusCode:      418,
		Where:           "Sample." + name,
		SkipTranslation: true,
	}
}

// SampleError is the plain error of the Err case. It is the host's own error type: the hand-written glue
// of a few methods (UploadData) sends the error it gets without encodableError, and gob cannot send an
// unregistered type (errors.errorString) in an interface: the reply would fail and the connection with it.
func SampleError(name string) error { return &plugin.ErrorString{Err: name + ": sample error ✓"} }

// Returns returns the sample results of signature ft for mode: sample values in OK (nil errors), zero
// values and the sample error in Err.
func (g *Gen) Returns(name string, ft reflect.Type, mode Mode) []reflect.Value {
	out := make([]reflect.Value, ft.NumOut())
	for i := range out {
		rt := ft.Out(i)
		switch {
		case IsAppError(rt):
			out[i] = reflect.Zero(rt)
			if mode == Err {
				out[i] = reflect.ValueOf(SampleAppError(name))
			}
		case IsError(rt):
			out[i] = reflect.Zero(rt)
			if mode == Err {
				out[i] = reflect.ValueOf(SampleError(name))
			}
		case mode == Err:
			out[i] = reflect.Zero(rt)
		case mode == Value && rt.Kind() == reflect.String:
			out[i] = reflect.Zero(rt)
		default:
			out[i] = g.Value(rt, fmt.Sprintf("%s.ret%d", name, i))
		}
	}
	return out
}

// SortedSkipped lists Skipped as "key: reason" lines.
func (g *Gen) SortedSkipped() []string {
	out := make([]string, 0, len(g.Skipped))
	for k, r := range g.Skipped {
		out = append(out, k+": "+r)
	}
	sort.Strings(out)
	return out
}

// SortedMethods returns the methods of an interface type in name order.
func SortedMethods(it reflect.Type) []reflect.Method {
	out := make([]reflect.Method, it.NumMethod())
	for i := range out {
		out[i] = it.Method(i)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
