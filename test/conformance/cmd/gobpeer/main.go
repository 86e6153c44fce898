// Command gobpeer is the Go side of the TypeScript gob codec tests: it encodes named cases with the
// real encoding/gob, and decodes streams produced by the TypeScript encoder into the matching Go types.
//
//	gobpeer list                 case names, one per line
//	gobpeer encode <case>        Go's gob stream for the case on stdout
//	gobpeer decode <case>        decode stdin into the case's Go types; JSON verdict on stdout
//	gobpeer encode-all           JSON {"case": base64 stream, ...}
//	gobpeer decode-batch         stdin JSON {"case": base64 stream, ...}; JSON {"case": verdict, ...}
//
// A verdict is {"ok": bool, "error": "...", "got": [decoded values as JSON], "mismatch": "..."}.
// ok means every value decoded and equals the case's expected Go value (floats compared by bits).
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/rpc"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"
)

// ---- Go types of the cases ----

type Ints struct {
	I         int
	I8        int8
	I16       int16
	I32       int32
	I64       int64
	U         uint
	U8        uint8
	U16       uint16
	U32       uint32
	U64       uint64
	MinI64    int64
	MaxI64    int64
	MaxU64    uint64
	Safe      int64
	Unsafe    int64
	NegSafe   int64
	NegUnsafe int64
	Uptr      uintptr
}

type Floats struct {
	F       float64
	F32     float32
	Inf     float64
	NegInf  float64
	NaN     float64
	NegZero float64
	Tiny    float64
	Max     float64
	Third   float64
}

type Complex struct {
	C   complex128
	C64 complex64
	Z   complex128
}

type Strings struct {
	ASCII   string
	Unicode string
	Emoji   string
	RTL     string
	Empty   string
	Long    string
	Nul     string
}

type Bytes struct {
	B     []byte
	Empty []byte
	Big   []byte
	Nil   []byte
}

type Inner struct {
	A string
	N int
}

type Zeroes struct {
	I        int
	S        string
	B        bool
	F        float64
	Sl       []string
	EmptySl  []string
	NilMap   map[string]int
	EmptyMap map[string]int
	P        *Inner
	Nested   Inner
	PZero    *Inner
	Arr      [2]int
	Iface    any
	Bytes    []byte
	Last     int
}

type Sparse struct {
	A, B, C, D, E, F, G, H int
}

type Outer struct {
	Name   string
	In     Inner
	PIn    *Inner
	PPIn   **Inner
	Items  []Inner
	PItems []*Inner
	Deep   struct{ X struct{ Y []Inner } }
}

type Ptrs struct {
	PI    *int
	PS    *string
	PZero *int
	PB    *bool
	PNil  *string
}

type Slices struct {
	Strs      []string
	Ints      []int
	Nested    [][]string
	Floats    []float64
	Bools     []bool
	WithEmpty []string
}

type Arrays struct {
	A3    [3]int
	S2    [2]string
	Zero  [3]int
	Grid  [2][2]int
	Empty [0]int
}

type Maps struct {
	SS    map[string]string
	IS    map[int]string
	SL    map[string][]int
	MM    map[string]map[string]int
	UB    map[uint64]bool
	Empty map[string]int
	Nil   map[string]int
	Proto map[string]string
}

type WithProps struct {
	Id    string
	Props map[string]any
	Extra []any
}

// ErrorString and AppError mirror Mattermost's plugin.ErrorString and model.AppError.
type ErrorString struct {
	Code int
	Err  string
}

func (e *ErrorString) Error() string { return e.Err }

type AppError struct {
	Id              string
	Message         string
	DetailedError   string
	RequestId       string
	StatusCode      int
	Where           string
	IsOAuth         bool
	SkipTranslation bool
	params          map[string]any
	wrapped         error
}

func (e *AppError) Error() string { return e.Where + ": " + e.Message + ", " + e.DetailedError }

type ErrReturns struct {
	A error
}

type TwoErrReturns struct {
	A error
	B error
}

type KVGetArgs struct {
	A string
}

type KVGetReturns struct {
	A []byte
	B *AppError
}

type Holder struct {
	V any
}

type ListHolder struct {
	L []any
}

type WithURL struct {
	U    *url.URL
	Name string
}

type WithTime struct {
	T time.Time
	P *time.Time
}

// Level is a TextMarshaler, which gob does not use.
type Level int

func (l Level) MarshalText() ([]byte, error) {
	switch l {
	case 1:
		return []byte("info"), nil
	case 2:
		return []byte("warn"), nil
	}
	return []byte(fmt.Sprintf("level(%d)", int(l))), nil
}

func (l *Level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*l = 1
	case "warn":
		*l = 2
	default:
		return fmt.Errorf("bad level %q", b)
	}
	return nil
}

type WithLevel struct {
	L    Level
	Name string
}

type Node struct {
	Name string
	Kids []*Node
}

type Wide struct {
	A string
	B int
	C []string
	D map[string]int
	E Inner
	F any
	G *Inner
	H [2]int
	I []Holder
	Z string
}

type Narrow struct {
	A string
	Z string
}

type UintSeq struct {
	Seq uint64
}

// ---- cases ----

type gcase struct {
	values []any        // encoded in order on one Encoder
	target func() []any // pointers to decode into, in order
	expect []any        // expected decoded values; nil means values
}

func ptr[T any](v T) *T { return &v }

func one[T any](v T) gcase {
	return gcase{values: []any{v}, target: func() []any { return []any{new(T)} }}
}

func bigBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

func cases() map[string]gcase {
	negZero := math.Copysign(0, -1)
	c := map[string]gcase{}

	c["bool_true"] = one(true)
	c["bool_false"] = one(false)
	c["singleton_int"] = one(int64(-129))
	c["singleton_uint_max"] = one(uint64(math.MaxUint64))
	c["singleton_string"] = one("hi")
	c["singleton_float"] = one(1.5)
	c["singleton_bytes"] = one([]byte("raw\x00bytes"))
	c["singleton_slice"] = one([]string{"a", "b"})
	c["singleton_complex"] = one(complex(3, -4))

	c["ints"] = one(Ints{
		I: -1, I8: -128, I16: 32767, I32: -2147483648, I64: 1 << 40,
		U: 7, U8: 255, U16: 65535, U32: 4294967295, U64: 1 << 56,
		MinI64: math.MinInt64, MaxI64: math.MaxInt64, MaxU64: math.MaxUint64,
		Safe: 1<<53 - 1, Unsafe: 1 << 53, NegSafe: -(1<<53 - 1), NegUnsafe: -(1 << 53), Uptr: 128,
	})
	c["ints_zero"] = one(Ints{})
	c["uint_edges"] = one([]uint64{0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 24, 1<<32 - 1, 1 << 32, 1 << 40,
		1<<53 - 1, 1 << 53, 1 << 56, 1 << 63, math.MaxUint64})
	c["int_edges"] = one([]int64{0, -1, 1, 63, 64, -64, -65, 127, 128, -128, -129, 200, 1 << 31, -(1 << 31),
		1 << 52, 1<<53 - 1, 1 << 53, -(1<<53 - 1), -(1 << 53), math.MinInt64, math.MaxInt64})

	fl := one(Floats{F: 1.5, F32: 0.25, Inf: math.Inf(1), NegInf: math.Inf(-1), NaN: math.NaN(), NegZero: negZero,
		Tiny: 5e-324, Max: math.MaxFloat64, Third: 1.0 / 3})
	fl.expect = []any{Floats{F: 1.5, F32: 0.25, Inf: math.Inf(1), NegInf: math.Inf(-1), NaN: math.NaN(), NegZero: 0,
		Tiny: 5e-324, Max: math.MaxFloat64, Third: 1.0 / 3}}
	c["floats"] = fl
	c["float_slice"] = one([]float64{0, negZero, 1, -2.5, math.NaN(), math.Inf(1), 1e300, 0.1})
	c["complex"] = one(Complex{C: complex(1, 2), C64: complex(-0.5, 0.25)})

	c["strings"] = one(Strings{
		ASCII: "hello", Unicode: "héllo wörld ñ 日本語", Emoji: "😀👍🏽🇯🇵", RTL: "שלום עולם مرحبا",
		Long: strings.Repeat("abcdefghij", 30) + "é", Nul: "a\x00b",
	})
	by := one(Bytes{B: []byte{0, 1, 2, 255}, Empty: []byte{}, Big: bigBytes(1000)})
	by.expect = []any{Bytes{B: []byte{0, 1, 2, 255}, Big: bigBytes(1000)}}
	c["bytes"] = by

	z := one(Zeroes{EmptySl: []string{}, EmptyMap: map[string]int{}, PZero: &Inner{}, Last: 7})
	z.expect = []any{Zeroes{EmptyMap: map[string]int{}, PZero: &Inner{}, Last: 7}}
	c["zero_omission"] = z
	c["deltas"] = one(Sparse{B: 2, E: 5, H: 8})

	o := Outer{Name: "outer", In: Inner{A: "a", N: 1}, PIn: &Inner{A: "p"}, PPIn: ptr(&Inner{N: -3}),
		Items: []Inner{{A: "i0"}, {}, {N: 2}}, PItems: []*Inner{{A: "x"}}}
	o.Deep.X.Y = []Inner{{A: "deep"}}
	c["nested"] = one(o)

	p := one(Ptrs{PI: ptr(42), PS: ptr("s"), PZero: ptr(0), PB: ptr(true)})
	p.expect = []any{Ptrs{PI: ptr(42), PS: ptr("s"), PB: ptr(true)}}
	c["pointers"] = p

	c["slices"] = one(Slices{
		Strs: []string{"a", "b"}, Ints: []int{1, -2, 300}, Nested: [][]string{{"a"}, {}, {"b", "c"}},
		Floats: []float64{0.5, 0}, Bools: []bool{true, false, true}, WithEmpty: []string{"", "x", ""},
	})
	c["arrays"] = one(Arrays{A3: [3]int{1, 2, 3}, S2: [2]string{"x", ""}, Grid: [2][2]int{{1, 2}, {3, 4}}})
	c["maps"] = one(Maps{
		SS:    map[string]string{"a": "1", "b": ""},
		IS:    map[int]string{-1: "neg", 0: "zero", 1 << 40: "big"},
		SL:    map[string][]int{"x": {1, 2}, "y": nil},
		MM:    map[string]map[string]int{"o": {"i": 1}},
		UB:    map[uint64]bool{0: true, math.MaxUint64: false},
		Empty: map[string]int{},
		Proto: map[string]string{"__proto__": "polluted?", "constructor": "c"},
	})

	c["map_any"] = one(map[string]any{
		"f": 2.0, "b": true, "i": int64(3), "s": "x", "nil": nil,
		"m":  map[string]any{"k": "v", "n": 1.5},
		"l":  []any{1.0, "two", false, nil, map[string]any{"z": int64(-1)}},
		"by": []byte{1, 2}, "u": uint32(7), "ss": []string{"a"},
	})
	c["props"] = one(WithProps{
		Id:    "p1",
		Props: map[string]any{"from_bot": "true", "count": 3.0, "nested": map[string]any{"list": []any{"a", 1.0}}},
		Extra: []any{nil, "x"},
	})
	c["iface_top"] = gcase{
		values: []any{ptr[any](map[string]any{"a": "b"})},
		target: func() []any { return []any{new(any)} },
		expect: []any{any(map[string]any{"a": "b"})},
	}
	c["error_field"] = one(ErrReturns{A: &ErrorString{Err: "boom"}})
	c["error_nil"] = one(ErrReturns{})
	c["errors_two"] = one(TwoErrReturns{
		A: &AppError{Id: "app.err", Message: "msg", DetailedError: "detail", RequestId: "rid", StatusCode: 500,
			Where: "Where", IsOAuth: true, SkipTranslation: true},
		B: &ErrorString{Code: 1, Err: "EOF"},
	})
	c["kvget_value"] = one(KVGetReturns{A: []byte("v")})
	c["kvget_error"] = one(KVGetReturns{B: &AppError{Id: "x", StatusCode: 404}})
	c["nested_iface"] = gcase{
		values: []any{
			Holder{V: map[string]any{"inner": map[string]any{"x": []any{int64(1), "s", map[string]any{"deep": true}}}}},
			Holder{V: []any{map[string]any{"a": uint8(1), "l": []string{"q"}}, Inner{A: "by value"}}},
			Holder{V: map[string]any{"again": []any{int64(2)}}},
		},
		target: func() []any { return []any{new(Holder), new(Holder), new(Holder)} },
	}
	c["iface_list"] = one(ListHolder{L: []any{"a", &ErrorString{Err: "e"}, int64(5), &AppError{Id: "z"}, Inner{N: 9}, nil}})
	c["url"] = one(WithURL{U: mustURL("https://user@example.com:8065/path?q=1#frag"), Name: "n"})
	c["time"] = one(WithTime{
		T: time.Date(2024, 2, 29, 12, 30, 45, 123456789, time.UTC),
		P: ptr(time.Date(1999, 12, 31, 23, 59, 59, 0, time.FixedZone("", 5*3600+1800))),
	})
	// gob ignores MarshalText (encode.go has it commented out): Level travels as a plain int.
	c["text_marshaler"] = one(WithLevel{L: 2, Name: "n"})
	// Same Go type, used to show that a TextMarshalerT field sent by TypeScript is rejected.
	c["text_marshaler_wire"] = one(WithLevel{L: 2, Name: "n"})
	c["recursive"] = one(Node{Name: "root", Kids: []*Node{
		{Name: "a", Kids: []*Node{{Name: "a1"}}},
		{Name: "b"},
	}})
	c["narrow"] = gcase{
		values: []any{Wide{A: "a", B: 2, C: []string{"c"}, D: map[string]int{"d": 4}, E: Inner{A: "e", N: 5},
			F: map[string]any{"f": []any{"x", int64(6)}}, G: &Inner{N: 7}, H: [2]int{8, 9},
			I: []Holder{{V: &ErrorString{Err: "skipped"}}}, Z: "z"}},
		target: func() []any { return []any{new(Narrow)} },
		expect: []any{Narrow{A: "a", Z: "z"}},
	}
	c["wide"] = gcase{
		values: []any{Narrow{A: "a", Z: "z"}},
		target: func() []any { return []any{new(Wide)} },
		expect: []any{Wide{A: "a", Z: "z"}},
	}
	c["wrong_kind"] = gcase{
		values: []any{struct{ Seq int64 }{Seq: 1}},
		target: func() []any { return []any{new(UintSeq)} },
	}
	c["rpc_multi"] = gcase{
		values: []any{
			rpc.Request{ServiceMethod: "Plugin.KVGet", Seq: 0}, KVGetArgs{A: "key"},
			rpc.Request{ServiceMethod: "Plugin.KVGet", Seq: 1}, KVGetArgs{A: "k2"},
			rpc.Response{ServiceMethod: "Plugin.OnActivate", Seq: 7, Error: "rpc: can't find method Plugin.OnActivate"},
			struct{}{},
			rpc.Response{ServiceMethod: "Plugin.KVGet", Seq: 1 << 40},
			KVGetReturns{A: []byte("v")},
		},
		target: func() []any {
			return []any{new(rpc.Request), new(KVGetArgs), new(rpc.Request), new(KVGetArgs), new(rpc.Response),
				new(struct{}), new(rpc.Response), new(KVGetReturns)}
		},
	}
	items := make([]string, 5000)
	for i := range items {
		items[i] = fmt.Sprintf("item-%d", i)
	}
	c["big"] = one(items)
	return c
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func init() {
	gob.RegisterName("*plugin.ErrorString", &ErrorString{})
	gob.RegisterName("*model.AppError", &AppError{})
	gob.Register([]any{})
	gob.Register(map[string]any{})
	gob.Register(Inner{})
}

// ---- comparison ----

var timeType = reflect.TypeOf(time.Time{})

// equal is reflect.DeepEqual with the differences gob cannot transmit removed: floats compare by bits
// (so NaN == NaN and -0 != 0), a nil slice equals an empty one, time.Time compares by instant and offset.
func equal(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one side missing"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	if a.Type() == timeType && a.CanInterface() && b.CanInterface() {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if !ta.Equal(tb) || oa != ob {
			return fmt.Sprintf("%s: %v vs %v", path, ta, tb)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v vs %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Uint(), b.Uint())
		}
	case reflect.Float32, reflect.Float64:
		if !floatEq(a.Float(), b.Float()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Float(), b.Float())
		}
	case reflect.Complex64, reflect.Complex128:
		if !floatEq(real(a.Complex()), real(b.Complex())) || !floatEq(imag(a.Complex()), imag(b.Complex())) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Complex(), b.Complex())
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q vs %q", path, a.String(), b.String())
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := equal(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil map vs non-nil map (nil: %v, %v)", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: map length %d vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s: key %v missing", path, k)
			}
			if d := equal(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil vs non-nil (nil: %v, %v)", path, a.IsNil(), b.IsNil())
			}
			return ""
		}
		return equal(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := equal(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	default:
		return fmt.Sprintf("%s: cannot compare kind %s", path, a.Kind())
	}
	return ""
}

func floatEq(a, b float64) bool {
	if math.IsNaN(a) && math.IsNaN(b) {
		return true
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// ---- modes ----

type verdict struct {
	OK       bool              `json:"ok"`
	Error    string            `json:"error,omitempty"`
	Mismatch string            `json:"mismatch,omitempty"`
	Got      []json.RawMessage `json:"got"`
}

func encodeCase(gc gcase) ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	for _, v := range gc.values {
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func decodeCase(gc gcase, data []byte) verdict {
	v := verdict{Got: []json.RawMessage{}}
	dec := gob.NewDecoder(bytes.NewReader(data))
	targets := gc.target()
	expect := gc.expect
	if expect == nil {
		expect = gc.values
	}
	for i, target := range targets {
		if err := dec.Decode(target); err != nil {
			v.Error = fmt.Sprintf("value %d: %v", i, err)
			return v
		}
		got := reflect.ValueOf(target).Elem()
		v.Got = append(v.Got, toJSON(got.Interface()))
		want := reflect.ValueOf(expect[i])
		for want.Kind() == reflect.Pointer && got.Kind() != reflect.Pointer {
			want = want.Elem()
		}
		// reflect.ValueOf loses the static interface type of an expected `any` value.
		if got.Kind() == reflect.Interface && want.Kind() != reflect.Interface {
			got = got.Elem()
		}
		if d := equal(got, want, fmt.Sprintf("value %d", i)); d != "" && v.Mismatch == "" {
			v.Mismatch = d
		}
	}
	if err := dec.Decode(new(any)); !errors.Is(err, io.EOF) {
		v.Error = fmt.Sprintf("trailing data after %d values: %v", len(targets), err)
		return v
	}
	v.OK = v.Mismatch == ""
	return v
}

func toJSON(x any) json.RawMessage {
	b, err := json.Marshal(x)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprintf("%#v", x))
	}
	return b
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gobpeer: "+format+"\n", args...)
	os.Exit(2)
}

func lookup(all map[string]gcase, name string) gcase {
	gc, ok := all[name]
	if !ok {
		die("unknown case %q", name)
	}
	return gc
}

func main() {
	if len(os.Args) < 2 {
		die("usage: gobpeer list | encode <case> | decode <case> | encode-all | decode-batch")
	}
	all := cases()
	switch os.Args[1] {
	case "list":
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Println(strings.Join(names, "\n"))
	case "encode":
		if len(os.Args) != 3 {
			die("usage: gobpeer encode <case>")
		}
		b, err := encodeCase(lookup(all, os.Args[2]))
		if err != nil {
			die("encode: %v", err)
		}
		os.Stdout.Write(b)
	case "decode":
		if len(os.Args) != 3 {
			die("usage: gobpeer decode <case>")
		}
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			die("read stdin: %v", err)
		}
		out, _ := json.Marshal(decodeCase(lookup(all, os.Args[2]), data))
		os.Stdout.Write(append(out, '\n'))
	case "encode-all":
		out := map[string]string{}
		for name, gc := range all {
			b, err := encodeCase(gc)
			if err != nil {
				die("encode %s: %v", name, err)
			}
			out[name] = base64.StdEncoding.EncodeToString(b)
		}
		b, _ := json.Marshal(out)
		os.Stdout.Write(append(b, '\n'))
	case "decode-batch":
		var in map[string]string
		if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
			die("read stdin: %v", err)
		}
		out := map[string]verdict{}
		for name, b64 := range in {
			data, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				die("case %s: bad base64: %v", name, err)
			}
			out[name] = decodeCase(lookup(all, name), data)
		}
		b, _ := json.Marshal(out)
		os.Stdout.Write(append(b, '\n'))
	default:
		if !fuzzMode(os.Args[1:]) {
			die("unknown mode %q", os.Args[1])
		}
	}
}
