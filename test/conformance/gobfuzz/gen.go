package gobfuzz

import (
	"math"
	"math/rand/v2"
	"strings"
)

// Gen makes random values of the fixed types, biased towards the edges of each encoding (integer
// byte-count boundaries, the 2^53 limit of JavaScript numbers, NaN and infinities, multi-byte UTF-8,
// keys JavaScript treats specially). The same seed gives the same values, so a stream can be
// checked against a regenerated original in another process.
//
// It only makes values gob transmits faithfully: no invalid UTF-8 (JavaScript strings cannot hold
// it), no -0 (or complex -0) in a struct field (gob drops it as a zero value), no typed nil map inside an interface
// and no nil element in a slice of pointers.
type Gen struct {
	r *rand.Rand
}

// NewGen returns a generator for the seed.
func NewGen(seed uint64) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *Gen) n(k int) int { return g.r.IntN(k) }

// zero reports whether to leave a field at its zero value (one time in three).
func (g *Gen) zero() bool { return g.n(3) == 0 }

var sampleStrings = []string{
	"", "a", "hello", "héllo wörld", "日本語", "😀👍🏽🇯🇵", "שלום", "a\x00b", "__proto__", "constructor",
	"toString", "hasOwnProperty", "line\nbreak", strings.Repeat("abcdefghij", 30) + "é",
}

// runeRanges avoids the surrogate block, which has no UTF-8 encoding.
var runeRanges = [][2]rune{{0x20, 0x7e}, {0x00, 0x1f}, {0xa0, 0x7ff}, {0x800, 0xd7ff}, {0xe000, 0xfffd}, {0x10000, 0x10ffff}}

func (g *Gen) String() string {
	if g.n(2) == 0 {
		return sampleStrings[g.n(len(sampleStrings))]
	}
	var b strings.Builder
	for i, n := 0, g.n(20); i < n; i++ {
		rg := runeRanges[g.n(len(runeRanges))]
		if g.n(3) != 0 {
			rg = runeRanges[0] // mostly ASCII, as in real traffic
		}
		b.WriteRune(rg[0] + rune(g.n(int(rg[1]-rg[0]+1))))
	}
	return b.String()
}

var int64Edges = []int64{
	0, 1, -1, 63, 64, -64, -65, 127, 128, -128, -129, 255, 256, 1<<31 - 1, -(1 << 31), 1 << 32,
	1<<53 - 1, 1 << 53, 1<<53 + 1, -(1<<53 - 1), -(1 << 53), -(1<<53 + 1), math.MinInt64, math.MaxInt64,
}

var uint64Edges = []uint64{
	0, 1, 127, 128, 255, 256, 65535, 65536, 1<<32 - 1, 1 << 32, 1<<53 - 1, 1 << 53, 1<<53 + 1, 1 << 63,
	math.MaxUint64,
}

func (g *Gen) Int64() int64 {
	switch g.n(3) {
	case 0:
		return int64Edges[g.n(len(int64Edges))]
	case 1:
		return int64(g.n(2000) - 1000)
	}
	// Any magnitude: shift a random word right by a random amount.
	v := int64(g.r.Uint64() >> g.n(64))
	if g.n(2) == 0 {
		v = -v
	}
	return v
}

func (g *Gen) Uint64() uint64 {
	switch g.n(3) {
	case 0:
		return uint64Edges[g.n(len(uint64Edges))]
	case 1:
		return uint64(g.n(1000))
	}
	return g.r.Uint64() >> g.n(64)
}

var float64Edges = []float64{
	0, 1, -1, 1.5, -2.25, 0.1, 1.0 / 3, math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64,
	math.MaxFloat64, -math.MaxFloat64, 1 << 53, 1e300, 5e-324, math.Copysign(0, -1),
}

func (g *Gen) Float64() float64 {
	switch g.n(3) {
	case 0:
		return float64Edges[g.n(len(float64Edges))]
	case 1:
		return float64(g.n(20000)-10000) / 8
	}
	return math.Float64frombits(g.r.Uint64())
}

// fieldFloat is a float for a struct field: -0 would arrive as +0.
func (g *Gen) fieldFloat() float64 {
	f := g.Float64()
	if f == 0 {
		return 0
	}
	return f
}

// Float32 is for a struct field too: never -0.
func (g *Gen) Float32() float32 {
	var f float32
	if g.n(2) == 0 {
		f = float32(g.Float64()) // overflow gives ±Inf, underflow ±0
	} else {
		f = math.Float32frombits(g.r.Uint32())
	}
	if f == 0 {
		return 0
	}
	return f
}

func (g *Gen) Bytes() []byte {
	if g.n(4) == 0 {
		return nil
	}
	b := make([]byte, g.n(40))
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g *Gen) Leaf() Leaf {
	var l Leaf
	if !g.zero() {
		l.S = g.String()
	}
	if !g.zero() {
		l.I = g.Int64()
	}
	if !g.zero() {
		l.U = g.Uint64()
	}
	if !g.zero() {
		l.F = g.fieldFloat()
	}
	if !g.zero() {
		l.B = g.n(2) == 0
	}
	if !g.zero() {
		l.By = g.Bytes()
	}
	return l
}

func (g *Gen) Strings() []string {
	s := make([]string, g.n(6))
	for i := range s {
		s[i] = g.String()
	}
	return s
}

// Any is nil one time in six, otherwise a value of a registered concrete type.
func (g *Gen) Any(depth int) any {
	if g.n(6) == 0 {
		return nil
	}
	return g.NonNilAny(depth)
}

// NonNilAny is an interface value that is never nil (gob cannot encode a nil top-level interface).
func (g *Gen) NonNilAny(depth int) any {
	kinds := 9
	if depth <= 0 {
		kinds = 7 // no containers
	}
	switch g.n(kinds) {
	case 0:
		return g.String()
	case 1:
		return g.Int64()
	case 2:
		return g.Float64()
	case 3:
		return g.n(2) == 0
	case 4:
		return int(g.Int64())
	case 5:
		return uint8(g.n(256))
	case 6:
		if g.n(2) == 0 {
			return g.Leaf()
		}
		b := g.Bytes()
		if b == nil {
			b = []byte{}
		}
		return b
	case 7:
		l := make([]any, g.n(4))
		for i := range l {
			l[i] = g.Any(depth - 1)
		}
		return l
	default:
		return g.Props(depth - 1)
	}
}

// Props is a never-nil map[string]any, like a post's props.
func (g *Gen) Props(depth int) map[string]any {
	m := map[string]any{}
	for i, n := 0, g.n(5); i < n; i++ {
		m[g.String()] = g.Any(depth)
	}
	return m
}

// Node is a tree of at most depth levels.
func (g *Gen) Node(depth int) *Node {
	n := &Node{Name: g.String()}
	if depth > 0 {
		for i, k := 0, g.n(4); i < k; i++ {
			n.Kids = append(n.Kids, g.Node(depth-1))
		}
	}
	return n
}

func (g *Gen) Sample() Sample {
	var s Sample
	set := func(f func()) {
		if !g.zero() {
			f()
		}
	}
	set(func() { s.Str = g.String() })
	set(func() { s.Int = int(g.Int64()) })
	set(func() { s.I8 = int8(g.Int64()) })
	set(func() { s.I16 = int16(g.Int64()) })
	set(func() { s.I32 = int32(g.Int64()) })
	set(func() { s.I64 = g.Int64() })
	set(func() { s.Uint = uint(g.Uint64()) })
	set(func() { s.U8 = uint8(g.Uint64()) })
	set(func() { s.U16 = uint16(g.Uint64()) })
	set(func() { s.U32 = uint32(g.Uint64()) })
	set(func() { s.U64 = g.Uint64() })
	set(func() { s.F32 = g.Float32() })
	set(func() { s.F64 = g.fieldFloat() })
	set(func() {
		// A complex equal to 0 (signs of zero aside) is dropped as a zero value.
		if c := complex(g.Float64(), g.Float64()); c != 0 {
			s.C128 = c
		}
	})
	set(func() { s.Flag = true })
	set(func() { s.Bytes = g.Bytes() })
	set(func() { s.Strs = g.Strings() })
	set(func() {
		s.Ints = make([]int64, g.n(6))
		for i := range s.Ints {
			s.Ints[i] = g.Int64()
		}
	})
	set(func() {
		s.Flts = make([]float64, g.n(6))
		for i := range s.Flts {
			s.Flts[i] = g.Float64() // -0 survives inside a slice
		}
	})
	set(func() {
		for i := range s.Arr {
			s.Arr[i] = int32(g.Int64())
		}
	})
	set(func() {
		s.SM = map[string]int64{}
		for i, n := 0, g.n(4); i < n; i++ {
			s.SM[g.String()] = g.Int64()
		}
	})
	set(func() {
		s.IM = map[int32]string{}
		for i, n := 0, g.n(4); i < n; i++ {
			s.IM[int32(g.Int64())] = g.String()
		}
	})
	set(func() { s.Leaf = g.Leaf() })
	set(func() {
		l := g.Leaf()
		s.PLeaf = &l
	})
	set(func() {
		s.Leafs = make([]Leaf, g.n(4))
		for i := range s.Leafs {
			s.Leafs[i] = g.Leaf()
		}
	})
	set(func() {
		s.Tree = map[string][]Leaf{}
		for i, n := 0, g.n(3); i < n; i++ {
			var l []Leaf
			for j, m := 0, g.n(3); j < m; j++ {
				l = append(l, g.Leaf())
			}
			s.Tree[g.String()] = l
		}
	})
	set(func() { s.Any = g.Any(2) })
	set(func() {
		s.Anys = make([]any, g.n(5))
		for i := range s.Anys {
			s.Anys[i] = g.Any(1)
		}
	})
	return s
}
