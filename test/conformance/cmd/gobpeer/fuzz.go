package main

// Modes for the TypeScript fuzz round trips over the fixed types of package gobfuzz. Streams travel
// as base64 in JSON on stdin/stdout; every stream is one complete value on a fresh encoder.
//
//	gobpeer fuzz-gen <seed> <n>   n random values: [{"kind", "data"}]
//	gobpeer fuzz-echo [-guard]    stdin [{"kind", "data"}]: decode, re-encode with Go:
//	                              [{"ok", "error", "data", "utf8"}] (utf8: every string is valid UTF-8);
//	                              -guard (for mutated input) skips streams that might make Go allocate
//	                              for a huge map count (gobfuzz.ClaimsHugeCount): "skipped": true
//
// The process limits its address space, so a Go allocation on behalf of hostile input fails this
// process ("fatal error: out of memory") instead of the machine.
//	gobpeer fuzz-compare          stdin [{"kind", "a", "b"}]: decode both, compare:
//	                              [{"ok", "error", "mismatch"}]

import (
	"encoding/json"
	"os"
	"strconv"
	"syscall"

	"triggeralerts/conformance/gobfuzz"
)

type fuzzStream struct {
	Kind string `json:"kind"`
	Data []byte `json:"data"` // base64 in JSON
}

type fuzzEcho struct {
	OK      bool   `json:"ok"`
	Skipped bool   `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
	Data    []byte `json:"data,omitempty"`
	UTF8    bool   `json:"utf8"`
}

type fuzzPair struct {
	Kind string `json:"kind"`
	A    []byte `json:"a"`
	B    []byte `json:"b"`
}

type fuzzVerdict struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Mismatch string `json:"mismatch,omitempty"`
}

// fuzzMode runs one of the fuzz-* modes; false if args[0] is not one.
func fuzzMode(args []string) bool {
	var out any
	switch args[0] {
	case "fuzz-gen", "fuzz-echo", "fuzz-compare":
		limitMemory(4 << 30)
	}
	switch args[0] {
	case "fuzz-gen":
		if len(args) != 3 {
			die("usage: gobpeer fuzz-gen <seed> <n>")
		}
		seed, err1 := strconv.ParseUint(args[1], 10, 64)
		n, err2 := strconv.Atoi(args[2])
		if err1 != nil || err2 != nil || n < 0 {
			die("fuzz-gen: bad seed or count")
		}
		g := gobfuzz.NewGen(seed)
		streams := make([]fuzzStream, n)
		for i := range streams {
			k := gobfuzz.Kinds[i%len(gobfuzz.Kinds)]
			data, err := gobfuzz.Encode(k.Gen(g))
			if err != nil {
				die("fuzz-gen: %s #%d: %v", k.Name, i, err)
			}
			streams[i] = fuzzStream{Kind: k.Name, Data: data}
		}
		out = streams
	case "fuzz-echo":
		guard := len(args) == 2 && args[1] == "-guard"
		if len(args) > 1 && !guard {
			die("usage: gobpeer fuzz-echo [-guard]")
		}
		var in []fuzzStream
		readJSON(&in)
		res := make([]fuzzEcho, len(in))
		for i, s := range in {
			if guard && gobfuzz.ClaimsHugeCount(s.Data) {
				res[i] = fuzzEcho{Skipped: true}
				continue
			}
			v, err := gobfuzz.Decode(fuzzKind(s.Kind), s.Data)
			if err != nil {
				res[i] = fuzzEcho{Error: err.Error()}
				continue
			}
			data, err := gobfuzz.Encode(v)
			if err != nil {
				res[i] = fuzzEcho{Error: "re-encode: " + err.Error()}
				continue
			}
			res[i] = fuzzEcho{OK: true, Data: data, UTF8: gobfuzz.ValidUTF8(v)}
		}
		out = res
	case "fuzz-compare":
		var in []fuzzPair
		readJSON(&in)
		res := make([]fuzzVerdict, len(in))
		for i, p := range in {
			k := fuzzKind(p.Kind)
			a, err := gobfuzz.Decode(k, p.A)
			if err != nil {
				res[i] = fuzzVerdict{Error: "a: " + err.Error()}
				continue
			}
			b, err := gobfuzz.Decode(k, p.B)
			if err != nil {
				res[i] = fuzzVerdict{Error: "b: " + err.Error()}
				continue
			}
			d := gobfuzz.Equal(a, b)
			res[i] = fuzzVerdict{OK: d == "", Mismatch: d}
		}
		out = res
	default:
		return false
	}
	b, err := json.Marshal(out)
	if err != nil {
		die("%s: %v", args[0], err)
	}
	os.Stdout.Write(append(b, '\n'))
	return true
}

func limitMemory(bytes uint64) {
	lim := syscall.Rlimit{Cur: bytes, Max: bytes}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		die("limit address space: %v", err)
	}
}

func fuzzKind(name string) gobfuzz.Kind {
	k, ok := gobfuzz.KindByName(name)
	if !ok {
		die("unknown kind %q", name)
	}
	return k
}

func readJSON(v any) {
	if err := json.NewDecoder(os.Stdin).Decode(v); err != nil {
		die("read stdin: %v", err)
	}
}
