package benchsoak

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"triggeralerts/conformance/harness"
)

// memSample is both plugin processes' memory at one moment of the run.
type memSample struct {
	posts int64    // posts handled by then
	rss   [2]int64 // VmRSS, KiB
	anon  [2]int64 // RssAnon, KiB
}

// memSampler samples the plugin processes' memory every interval until stop.
type memSampler struct {
	pids    [2]int
	mu      sync.Mutex
	samples []memSample
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(pids [2]int, posts func() int64, every time.Duration) *memSampler {
	m := &memSampler{pids: pids, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			m.take(posts())
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memSampler) take(posts int64) memSample {
	s := memSample{posts: posts}
	for i, pid := range m.pids {
		s.rss[i], s.anon[i], _ = harness.MemoryKiB(pid)
	}
	m.mu.Lock()
	m.samples = append(m.samples, s)
	m.mu.Unlock()
	return s
}

// finish stops sampling and takes the last sample.
func (m *memSampler) finish(posts int64) memSample {
	close(m.stop)
	<-m.done
	return m.take(posts)
}

// at returns the first sample taken once `posts` posts were handled (the last one if none).
func (m *memSampler) at(posts int64) memSample {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.samples {
		if s.posts >= posts {
			return s
		}
	}
	return m.samples[len(m.samples)-1]
}

func (m *memSampler) max() memSample {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out memSample
	for _, s := range m.samples {
		for i := range s.rss {
			out.rss[i] = max(out.rss[i], s.rss[i])
			out.anon[i] = max(out.anon[i], s.anon[i])
		}
	}
	return out
}

// growthPct is the larger growth of the two processes from a to b, in percent (negative when
// both shrank).
func growthPct(a, b [2]int64) float64 {
	g := math.Inf(-1)
	for i := range a {
		if a[i] > 0 {
			g = max(g, 100*float64(b[i]-a[i])/float64(a[i]))
		}
	}
	if math.IsInf(g, -1) {
		return 0
	}
	return g
}

// memReport is what the run prints about memory.
type memReport struct {
	start, mid, end, peak memSample
	rssGrowth             float64 // start -> end, VmRSS, the larger of the two processes
	anonGrowth            float64 // start -> end, RssAnon
	anonGrowth2nd         float64 // mid -> end, RssAnon: a leak keeps growing, a warming heap levels off
	trajectory            []memSample
}

func (m *memSampler) report(warmup, posts int64, end memSample) memReport {
	r := memReport{start: m.at(warmup), mid: m.at(warmup + (posts-warmup)/2), end: end, peak: m.max()}
	r.rssGrowth = growthPct(r.start.rss, r.end.rss)
	r.anonGrowth = growthPct(r.start.anon, r.end.anon)
	r.anonGrowth2nd = growthPct(r.mid.anon, r.end.anon)
	for _, f := range []int64{0, 1, 2, 3} {
		r.trajectory = append(r.trajectory, m.at(posts*f/4))
	}
	r.trajectory = append(r.trajectory, end)
	return r
}

func (r memReport) print(warmup int64) {
	for i := range r.start.rss {
		fmt.Printf("server %d plugin RSS: start (after %d warm-up posts) %.1f MiB, end %.1f MiB (%+.1f%%), peak %.1f MiB; anonymous (heap) %.1f -> %.1f MiB (%+.1f%%)\n",
			i+1, warmup, mib(r.start.rss[i]), mib(r.end.rss[i]), pct(r.start.rss[i], r.end.rss[i]), mib(r.peak.rss[i]),
			mib(r.start.anon[i]), mib(r.end.anon[i]), pct(r.start.anon[i], r.end.anon[i]))
	}
	var steps []string
	for _, s := range r.trajectory {
		steps = append(steps, fmt.Sprintf("%d posts %.0f/%.0f", s.posts, mib(s.rss[0]), mib(s.rss[1])))
	}
	fmt.Printf("RSS over the run (MiB, server 1/server 2): %s\n", strings.Join(steps, "; "))
	fmt.Printf("anonymous memory growth over the second half of the run: %+.1f%%\n", r.anonGrowth2nd)
}

// pressure is the machine's stall time (µs) from /proc/pressure (PSI): how long tasks waited for
// memory or CPU. Other jobs on a shared machine show up here, not in the plugin.
type pressure struct{ memFull, memSome, cpuSome int64 }

func readPressure() pressure {
	read := func(file, kind string) int64 {
		raw, err := os.ReadFile("/proc/pressure/" + file)
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if !strings.HasPrefix(line, kind+" ") {
				continue
			}
			for _, f := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(f, "total="); ok {
					n, _ := strconv.ParseInt(v, 10, 64)
					return n
				}
			}
		}
		return 0
	}
	return pressure{memFull: read("memory", "full"), memSome: read("memory", "some"), cpuSome: read("cpu", "some")}
}

func (p pressure) since(before pressure) string {
	s := func(us int64) float64 { return float64(us) / 1e6 }
	return fmt.Sprintf("memory full %.1f s, memory some %.1f s, CPU some %.1f s", s(p.memFull-before.memFull), s(p.memSome-before.memSome), s(p.cpuSome-before.cpuSome))
}
