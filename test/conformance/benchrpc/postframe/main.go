// Command postframe prints the bytes Mattermost's host sends for Plugin.MessageHasBeenPosted calls, as
// net/rpc's gob codec writes them on one connection: the first call (with every type definition) and the
// following calls (values only, what a running plugin decodes for each post). scripts/bench-decode.mjs
// decodes them in a loop to time the TypeScript runtime's share of the hook round trip.
//
// Output: one JSON object {"first": base64, "next": [base64, ...], "go_decode_us": µs}; go_decode_us is
// Go's own time to decode one of the following calls (header and args) with encoding/gob, the anchor
// for the TypeScript figure (-rounds of them, 0 to skip).
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/rpc"
	"os"
	"syscall"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"triggeralerts/conformance/benchrpc"
)

func main() {
	n := flag.Int("n", 8, "how many calls after the first")
	rounds := flag.Int("rounds", 0, "time Go decoding this many following calls")
	flag.Parse()
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	ctx := &plugin.Context{RequestId: model.NewId(), SessionId: model.NewId()}
	call := func(seq int) string {
		buf.Reset()
		// What net/rpc's gobClientCodec.WriteRequest writes: the header, then the body.
		if err := enc.Encode(&rpc.Request{ServiceMethod: "Plugin.MessageHasBeenPosted", Seq: uint64(seq)}); err != nil {
			log.Fatal(err)
		}
		if err := enc.Encode(&plugin.Z_MessageHasBeenPostedArgs{A: ctx, B: benchrpc.RealisticPost(seq)}); err != nil {
			log.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	out := struct {
		First      string   `json:"first"`
		Next       []string `json:"next"`
		GoDecodeUs float64  `json:"go_decode_us,omitempty"`
		GoCPUUs    float64  `json:"go_decode_cpu_us,omitempty"`
	}{First: call(0)}
	var next [][]byte
	for i := 1; i <= *n; i++ {
		out.Next = append(out.Next, call(i))
		raw, _ := base64.StdEncoding.DecodeString(out.Next[len(out.Next)-1])
		next = append(next, raw)
	}
	if *rounds > 0 {
		first, _ := base64.StdEncoding.DecodeString(out.First)
		out.GoDecodeUs, out.GoCPUUs = goDecode(first, next, *rounds)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		log.Fatal(err)
	}
}

// cycle is an endless stream: the first call once, then the following calls over and over.
type cycle struct {
	frames [][]byte
	i      int
	rest   []byte
}

func (c *cycle) Read(p []byte) (int, error) {
	if len(c.rest) == 0 {
		c.rest = c.frames[c.i%len(c.frames)]
		c.i++
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

// goDecode decodes rounds following calls the way net/rpc's server codec does (one decoder for the
// connection, a fresh Request and args value per call) and returns the mean µs per call, in wall time and
// in the process's CPU time (all threads: the garbage collector's too), which a busy machine distorts less.
func goDecode(first []byte, next [][]byte, rounds int) (float64, float64) {
	dec := gob.NewDecoder(io.MultiReader(bytes.NewReader(first), &cycle{frames: next}))
	one := func() {
		var req rpc.Request
		var args plugin.Z_MessageHasBeenPostedArgs
		if err := dec.Decode(&req); err != nil {
			log.Fatal(err)
		}
		if err := dec.Decode(&args); err != nil {
			log.Fatal(err)
		}
		if args.B == nil || args.B.Message == "" {
			log.Fatal("decoded no post")
		}
	}
	one()
	for i := 0; i < rounds/10; i++ { // warm up
		one()
	}
	c0 := cpuNs()
	t0 := time.Now()
	for i := 0; i < rounds; i++ {
		one()
	}
	wall := float64(time.Since(t0).Nanoseconds()) / 1e3 / float64(rounds)
	return wall, float64(cpuNs()-c0) / 1e3 / float64(rounds)
}

func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
