package harness

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// DiffOption changes how Diff compares.
type DiffOption func(*diffConfig)

type diffConfig struct {
	zeroScalars  bool
	acrossModels bool
}

// ZeroScalarsAsMissing makes false, 0 and "" equal to a missing or null value, in addition to
// the empty containers that Diff always treats so. Use it where a value has crossed gob in a
// way the test cannot reproduce exactly (gob does not send zero-valued struct fields, and a
// pointer to a zero value arrives as a nil pointer).
func ZeroScalarsAsMissing() DiffOption {
	return func(c *diffConfig) { c.zeroScalars = true }
}

// AcrossModels compares a value that went through another version of its Go model than want's:
// an object member only want has is skipped (a field the other model does not have), and a
// member only got has must be a zero value (a field the sender did not have, which the receiving
// model leaves at zero). Members both have are compared as usual.
func AcrossModels() DiffOption {
	return func(c *diffConfig) { c.acrossModels = true }
}

// Diff compares want and got as JSON documents and returns the differences, one line each,
// as "path: want X, got Y". An empty result means equal.
//
// want and got are marshalled with encoding/json, except json.RawMessage and []byte, which are
// taken as JSON text. Normalisation: numbers compare by value (1 == 1.0, 1e-7 == 0.0000001);
// null, a missing key, {} and [] are all equal (neither gob nor omitempty keeps the difference).
func Diff(want, got any, opts ...DiffOption) []string {
	var cfg diffConfig
	for _, o := range opts {
		o(&cfg)
	}
	w, err := toTree(want)
	if err != nil {
		return []string{"want: " + err.Error()}
	}
	g, err := toTree(got)
	if err != nil {
		return []string{"got: " + err.Error()}
	}
	var out []string
	cfg.diff("$", w, g, &out)
	return out
}

func toTree(v any) (any, error) {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var t any
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return t, nil
}

func (c *diffConfig) isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case bool:
		return c.zeroScalars && !x
	case string:
		return c.zeroScalars && x == ""
	case json.Number:
		if !c.zeroScalars {
			return false
		}
		f, ok := new(big.Float).SetString(string(x))
		return ok && f.Sign() == 0
	}
	return false
}

// zeroValue reports whether v is JSON for a Go zero value: null, false, 0, "", or an empty or
// all-zero object or list.
func zeroValue(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, m := range x {
			if !zeroValue(m) {
				return false
			}
		}
		return true
	case []any:
		return len(x) == 0
	}
	return (&diffConfig{zeroScalars: true}).isEmpty(v)
}

func numbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	if ai, err := strconv.ParseInt(string(a), 10, 64); err == nil {
		if bi, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return ai == bi
		}
	}
	af, okA := new(big.Float).SetPrec(200).SetString(string(a))
	bf, okB := new(big.Float).SetPrec(200).SetString(string(b))
	if okA && okB && af.Cmp(bf) == 0 {
		return true
	}
	// Different decimal spellings of the same float64 (shortest round trip in both languages).
	fa, errA := strconv.ParseFloat(string(a), 64)
	fb, errB := strconv.ParseFloat(string(b), 64)
	return errA == nil && errB == nil && fa == fb
}

func (c *diffConfig) diff(path string, w, g any, out *[]string) {
	if c.isEmpty(w) && c.isEmpty(g) {
		return
	}
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, short(w), short(g)))
			return
		}
		keys := map[string]bool{}
		for k := range wv {
			keys[k] = true
		}
		for k := range gv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			_, inWant := wv[k]
			_, inGot := gv[k]
			if c.acrossModels && inWant != inGot {
				if inGot && !zeroValue(gv[k]) {
					*out = append(*out, fmt.Sprintf("%s: want a zero value (a field the sender's model does not have), got %s", joinPath(path, k), short(gv[k])))
				}
				continue
			}
			c.diff(joinPath(path, k), wv[k], gv[k], out)
		}
	case []any:
		gv, ok := g.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, short(w), short(g)))
			return
		}
		if len(wv) != len(gv) {
			*out = append(*out, fmt.Sprintf("%s: want %d elements, got %d", path, len(wv), len(gv)))
			return
		}
		for i := range wv {
			c.diff(fmt.Sprintf("%s[%d]", path, i), wv[i], gv[i], out)
		}
	case json.Number:
		gv, ok := g.(json.Number)
		if !ok || !numbersEqual(wv, gv) {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, short(w), short(g)))
		}
	default:
		if w != g {
			*out = append(*out, fmt.Sprintf("%s: want %s, got %s", path, short(w), short(g)))
		}
	}
}

func joinPath(path, key string) string {
	if key != "" && !strings.ContainsAny(key, ".[]\"' ") {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func short(v any) string {
	if v == nil {
		return "null/missing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(b)
	if len(s) > 160 {
		s = s[:80] + fmt.Sprintf("…(%d bytes)…", len(s)-160) + s[len(s)-80:]
	}
	return s
}

// GobRoundTrip returns v after a gob encode and decode, as it arrives on the other side of the
// plugin RPC: zero-valued struct fields are not sent, so pointers to zero values and empty
// slices arrive as nil (an empty non-nil map is sent). The dynamic type of v is used, so v may be held in an
// interface (T = any).
func GobRoundTrip[T any](v T) (T, error) {
	var zero T
	rv := reflect.ValueOf(&v).Elem()
	if rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return zero, nil
		}
		rv = rv.Elem()
	}
	// Send it as the field of a struct, as the RPC argument and return structs do.
	st := reflect.StructOf([]reflect.StructField{{Name: "A", Type: rv.Type()}})
	in := reflect.New(st).Elem()
	in.Field(0).Set(rv)
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).EncodeValue(in); err != nil {
		return zero, err
	}
	out := reflect.New(st)
	if err := gob.NewDecoder(&buf).DecodeValue(out); err != nil {
		if errors.Is(err, io.EOF) { // every field was zero: nothing but the type was sent
			return reflect.Zero(rv.Type()).Interface().(T), nil
		}
		return zero, err
	}
	return out.Elem().Field(0).Interface().(T), nil
}

// JSONRoundTrip returns v after a JSON encode and decode into a new T.
func JSONRoundTrip[T any](v T) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}
