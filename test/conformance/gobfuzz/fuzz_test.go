package gobfuzz

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const corpusDir = "testdata/fuzz/FuzzDecode"

// FuzzDecode feeds encoding/gob mutations of TypeScript encodings. Whatever Go accepts must survive
// a Go re-encode unchanged, so every accepted input is a well-defined value the TypeScript side can
// be compared on (packages/mattermost-plugin-node/test/fuzz/gob-roundtrip.test.ts does that with the same types).
//
// `go test` runs the checked-in seeds only; `go test -run '^$' -fuzz FuzzDecode -fuzztime 60s` fuzzes.
// The seeds are written by `FUZZ_WRITE_GO_CORPUS=1 npx vitest run packages/mattermost-plugin-node/test/fuzz/gob-go-corpus.test.ts`.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		if ClaimsHugeCount(data) {
			t.Skip("might claim a map count Go allocates for up front (see guard.go)")
		}
		k := Kinds[int(kind)%len(Kinds)]
		v, err := Decode(k, data)
		if err != nil {
			return
		}
		again, err := Encode(v)
		if err != nil {
			t.Fatalf("%s: decoded value does not encode again: %v", k.Name, err)
		}
		v2, err := Decode(k, again)
		if err != nil {
			t.Fatalf("%s: re-encoded value does not decode: %v", k.Name, err)
		}
		if d := Equal(v, v2); d != "" {
			t.Fatalf("%s: re-encoded value differs: %s", k.Name, d)
		}
	})
}

// tsSeedName is how the TypeScript generator names seeds; inputs the Go fuzzer adds after finding a
// failure have hash names and are replayed by FuzzDecode itself.
var tsSeedName = regexp.MustCompile(`^[a-z]+-\d+$`)

// TestCorpusFromTypeScript: every TypeScript seed is an encoding Go must accept as is, and the seeds
// cover every kind.
func TestCorpusFromTypeScript(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	perKind := map[string]int{}
	for _, e := range entries {
		if !tsSeedName.MatchString(e.Name()) {
			continue
		}
		kind, data, err := readSeed(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		k := Kinds[int(kind)%len(Kinds)]
		if !strings.HasPrefix(e.Name(), k.Name+"-") {
			t.Errorf("%s: names kind %d (%s); seeds are named <kind>-<n>", e.Name(), kind, k.Name)
		}
		if _, err := Decode(k, data); err != nil {
			t.Errorf("%s: Go refuses the TypeScript encoding: %v", e.Name(), err)
		}
		perKind[k.Name]++
	}
	for _, k := range Kinds {
		if perKind[k.Name] < 4 {
			t.Errorf("kind %s has %d seeds, want at least 4", k.Name, perKind[k.Name])
		}
	}
}

// TestGeneratorRoundTrip checks the generator's promise (only values gob transmits faithfully),
// which the TypeScript round trip relies on when it blames a difference on the TypeScript codec.
func TestGeneratorRoundTrip(t *testing.T) {
	g := NewGen(1)
	for i := 0; i < 2000; i++ {
		k := Kinds[i%len(Kinds)]
		v := k.Gen(g)
		data, err := Encode(v)
		if err != nil {
			t.Fatalf("%s #%d: encode: %v", k.Name, i, err)
		}
		got, err := Decode(k, data)
		if err != nil {
			t.Fatalf("%s #%d: decode: %v", k.Name, i, err)
		}
		if d := Equal(v, got); d != "" {
			t.Fatalf("%s #%d: %s", k.Name, i, d)
		}
		if !ValidUTF8(v) {
			t.Fatalf("%s #%d: generated invalid UTF-8", k.Name, i)
		}
	}
}

// readSeed parses the two-value corpus format `go test fuzz v1`, `byte('\xNN')`, `[]byte("...")`.
func readSeed(path string) (uint8, []byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		return 0, nil, fmt.Errorf("want a header and two values, got %d lines", len(lines))
	}
	k, ok := strings.CutPrefix(lines[1], "byte(")
	k, ok2 := strings.CutSuffix(k, ")")
	if !ok || !ok2 {
		return 0, nil, fmt.Errorf("first value is not a byte: %q", lines[1])
	}
	kr, _, tail, err := strconv.UnquoteChar(strings.Trim(k, "'"), '\'')
	if err != nil || tail != "" || kr > 255 {
		return 0, nil, fmt.Errorf("bad byte literal %q", k)
	}
	d, ok := strings.CutPrefix(lines[2], "[]byte(")
	d, ok2 = strings.CutSuffix(d, ")")
	if !ok || !ok2 {
		return 0, nil, fmt.Errorf("second value is not a []byte: %q", lines[2])
	}
	s, err := strconv.Unquote(d)
	if err != nil {
		return 0, nil, fmt.Errorf("bad []byte literal: %v", err)
	}
	return uint8(kr), []byte(s), nil
}
