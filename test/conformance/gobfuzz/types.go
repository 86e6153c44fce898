// Package gobfuzz holds the fixed set of Go types that the TypeScript gob codec is fuzzed against, a
// seeded random generator of their values, a comparison that knows what gob cannot transmit, and a
// native Go fuzz target (fuzz_test.go) whose seed corpus is made of TypeScript encodings.
//
// The TypeScript side describes the same types in packages/mattermost-plugin-node/test/fuzz/gob_types.ts; keep both in step.
// cmd/gobpeer exposes the generator and a decode/re-encode echo to the TypeScript round-trip tests.
package gobfuzz

import "encoding/gob"

// Leaf is a flat struct with one field of each basic gob kind.
type Leaf struct {
	S  string
	I  int64
	U  uint64
	F  float64
	B  bool
	By []byte
}

// Sample has a field of every shape the plugin's RPC traffic uses: sized integers, floats, complex,
// strings, bytes, slices, arrays, maps with string and integer keys, nested and pointed-to structs,
// and interface values.
type Sample struct {
	Str   string
	Int   int
	I8    int8
	I16   int16
	I32   int32
	I64   int64
	Uint  uint
	U8    uint8
	U16   uint16
	U32   uint32
	U64   uint64
	F32   float32
	F64   float64
	C128  complex128
	Flag  bool
	Bytes []byte
	Strs  []string
	Ints  []int64
	Flts  []float64
	Arr   [3]int32
	SM    map[string]int64
	IM    map[int32]string
	Leaf  Leaf
	PLeaf *Leaf
	Leafs []Leaf
	Tree  map[string][]Leaf
	Any   any
	Anys  []any
}

// Node is recursive through a slice of pointers (like a thread of posts).
type Node struct {
	Name string
	Kids []*Node
}

// LeafName is the name Leaf is registered under for interface values.
const LeafName = "gobfuzz.Leaf"

func init() {
	gob.RegisterName(LeafName, Leaf{})
	gob.Register([]any{})
	gob.Register(map[string]any{})
}

// Kind is one top-level type of the set: what a stream is decoded into.
type Kind struct {
	Name string
	// New returns a pointer to a zero value to decode into.
	New func() any
	// Gen returns a pointer to a random value. Values are encoded through the pointer, which gob
	// flattens, so that a top-level interface travels as an interface (as with Encode(&v)).
	Gen func(g *Gen) any
}

// Kinds is the fixed set, in a stable order (the fuzz target picks one by index).
var Kinds = []Kind{
	{Name: "sample", New: func() any { return new(Sample) }, Gen: func(g *Gen) any { return ptr(g.Sample()) }},
	{Name: "leaf", New: func() any { return new(Leaf) }, Gen: func(g *Gen) any { return ptr(g.Leaf()) }},
	{Name: "node", New: func() any { return new(Node) }, Gen: func(g *Gen) any { return g.Node(3) }},
	{Name: "strings", New: func() any { return new([]string) }, Gen: func(g *Gen) any { return ptr(g.Strings()) }},
	// A top-level map is never nil after decoding, so the generator never makes a nil one.
	{Name: "props", New: func() any { return new(map[string]any) }, Gen: func(g *Gen) any { return ptr(g.Props(2)) }},
	// A top-level interface cannot be nil (gob refuses to encode it).
	{Name: "any", New: func() any { return new(any) }, Gen: func(g *Gen) any { return ptr(g.NonNilAny(2)) }},
}

// KindByName returns the kind with that name.
func KindByName(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

func ptr[T any](v T) *T { return &v }
