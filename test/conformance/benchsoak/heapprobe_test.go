package benchsoak

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The heap probe tells a leak from a lazy garbage collector. Raw RSS is what the operator sees,
// but V8 lets garbage pile up between full collections (the plugins' RSS climbs by tens of MiB
// over a run while what stays reachable does not), so RSS alone cannot show a slow leak. The
// probe is a script Node preloads into each plugin process (NODE_OPTIONS, which the server's
// plugin processes inherit; the product is unchanged): on SIGUSR2 it runs a full collection and
// appends the live heap to a file. The run signals it twice, after the warm-up and at the end:
// two collections in a whole run do not change what the RSS figures show.

// probeScript is the preloaded script. It does nothing outside the plugin's own process (the
// launcher runs `node --version` first).
const probeScript = `'use strict';
if ((process.argv[1] || '').endsWith('plugin.cjs') && typeof globalThis.gc === 'function') {
  const fs = require('node:fs');
  const path = require('node:path');
  const out = path.join(process.env.SOAK_HEAP_PROBE_DIR, 'heap-' + process.pid + '.jsonl');
  const write = (v) => fs.appendFileSync(out, JSON.stringify(v) + '\n');
  write({ready: true});
  process.on('SIGUSR2', () => {
    globalThis.gc();
    const m = process.memoryUsage();
    write({heap_used: m.heapUsed, external: m.external, array_buffers: m.arrayBuffers, rss: m.rss});
  });
}
`

// heapLive is one probe reading: the heap after a full collection, in bytes.
type heapLive struct {
	Ready        bool  `json:"ready"`
	HeapUsed     int64 `json:"heap_used"`
	External     int64 `json:"external"`
	ArrayBuffers int64 `json:"array_buffers"`
	RSS          int64 `json:"rss"`
}

// live is what stays reachable: the JS heap plus memory held by JS objects outside it.
func (h heapLive) live() int64 { return h.HeapUsed + h.External }

type heapProbe struct {
	dir string
}

// installHeapProbe makes the plugin processes started from now on (by this test) preload the
// probe. It returns nil when $SOAK_HEAP_PROBE is 0.
func installHeapProbe(t *testing.T) *heapProbe {
	if os.Getenv("SOAK_HEAP_PROBE") == "0" {
		return nil
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "heap-probe.cjs")
	if err := os.WriteFile(script, []byte(probeScript), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := strings.TrimSpace(os.Getenv("NODE_OPTIONS") + " --expose-gc --require " + script)
	t.Setenv("NODE_OPTIONS", opts)
	t.Setenv("SOAK_HEAP_PROBE_DIR", dir)
	return &heapProbe{dir: dir}
}

func (p *heapProbe) readings(pid int) ([]heapLive, error) {
	f, err := os.Open(filepath.Join(p.dir, "heap-"+strconv.Itoa(pid)+".jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []heapLive
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var h heapLive
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, sc.Err()
}

// measure signals every process whose probe is loaded and waits for its reading.
func (p *heapProbe) measure(pids [2]int) ([2]heapLive, error) {
	var out [2]heapLive
	want := [2]int{}
	for i, pid := range pids {
		r, err := p.readings(pid)
		if err != nil || len(r) == 0 || !r[0].Ready {
			// Without the probe, SIGUSR2 would end the process.
			return out, fmt.Errorf("the heap probe is not loaded in plugin process %d (%v)", pid, err)
		}
		want[i] = len(r) + 1
		if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
			return out, err
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for i, pid := range pids {
		for {
			r, err := p.readings(pid)
			if err == nil && len(r) >= want[i] {
				out[i] = r[want[i]-1]
				break
			}
			if time.Now().After(deadline) {
				return out, errors.New("the heap probe did not answer within 20 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return out, nil
}
