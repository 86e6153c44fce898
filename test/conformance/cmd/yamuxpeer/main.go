// Command yamuxpeer is the real hashicorp/yamux on the other end of the TypeScript yamux
// unit tests (packages/mattermost-plugin-node/test/yamux). It dials a unix socket, runs one scenario as the yamux
// client or server, reports on stdout (one line per fact) and exits 0 on success, 1 with a
// "FAIL ..." line otherwise. yamux's own log goes to stderr.
//
//	yamuxpeer -scenario echo -role client -socket PATH [-n 100] [-size 4194304] [-delay 300ms]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

var (
	scenario = flag.String("scenario", "", "scenario name")
	role     = flag.String("role", "client", "our yamux role: client or server")
	sockPath = flag.String("socket", "", "unix socket to dial")
	count    = flag.Int("n", 100, "number of streams")
	size     = flag.Int("size", 4<<20, "transfer size in bytes")
	delay    = flag.Duration("delay", 300*time.Millisecond, "how long a slow reader waits")
)

var outMu sync.Mutex

func say(format string, args ...any) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func fail(format string, args ...any) {
	say("FAIL "+format, args...)
	os.Exit(1)
}

// pattern returns n bytes where byte i = (i + seed) % 251.
func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i + seed) % 251)
	}
	return b
}

func checkPattern(b []byte, seed int) error {
	for i, c := range b {
		if c != byte((i+seed)%251) {
			return fmt.Errorf("byte %d is %d, want %d", i, c, (i+seed)%251)
		}
	}
	return nil
}

// echoSize is the payload size of the k-th echo stream: 1 byte .. 96 KiB, some above 64 KiB.
func echoSize(k int) int {
	return 1 + (k*7919)%(96*1024)
}

func main() {
	flag.Parse()
	if *scenario == "rtt-self" {
		runRTTSelf()
		return
	}
	conn, err := net.Dial("unix", *sockPath)
	if err != nil {
		fail("dial: %v", err)
	}
	cfg := yamux.DefaultConfig()
	switch *scenario {
	case "keepalive":
		cfg.KeepAliveInterval = 100 * time.Millisecond
	case "rst-backlog":
		cfg.AcceptBacklog = 1
	case "rst-close-timeout":
		cfg.StreamCloseTimeout = 100 * time.Millisecond
	}
	var sess *yamux.Session
	if *role == "client" {
		sess, err = yamux.Client(conn, cfg)
	} else {
		sess, err = yamux.Server(conn, cfg)
	}
	if err != nil {
		fail("session: %v", err)
	}
	say("READY")

	switch *scenario {
	case "echo":
		runEcho(sess)
	case "send":
		runSend(sess)
	case "recv":
		runRecv(sess, 0)
	case "slow-recv":
		runRecv(sess, *delay)
	case "slow-target":
		runSlowTarget(sess)
	case "keepalive":
		runKeepalive(sess)
	case "halfclose-ts":
		runHalfCloseTS(sess)
	case "halfclose-go":
		runHalfCloseGo(sess)
	case "rst-from-ts":
		runRstFromTS(sess)
	case "rst-backlog":
		waitClosed(sess)
	case "rst-close-timeout":
		runRstCloseTimeout(sess)
	case "goaway-from-go":
		runGoAwayFromGo(sess)
	case "goaway-from-ts":
		runGoAwayFromTS(sess)
	case "close":
		runClose(sess)
	case "rtt":
		say("RTT-AVG %s", measureRTT(sess))
		waitClosed(sess)
	case "sink":
		runSink(sess, true)
	case "hold":
		runSink(sess, false)
	default:
		fail("unknown scenario %q", *scenario)
	}
}

// waitClosed blocks until the TS side closes the session.
func waitClosed(sess *yamux.Session) {
	<-sess.CloseChan()
	say("CLOSED")
}

// echo: accept every stream and echo it back (FIN after the peer's FIN), while opening n
// streams of our own that TS must echo.
func runEcho(sess *yamux.Session) {
	var echoed atomic.Int64
	go func() {
		for {
			st, err := sess.AcceptStream()
			if err != nil {
				return
			}
			go func() {
				if _, err := io.Copy(st, st); err != nil {
					say("ECHO-ERR %d %v", st.StreamID(), err)
				}
				echoed.Add(1) // before our FIN, so TS never closes the session before we count
				st.Close()
			}()
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, *count)
	for k := 0; k < *count; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			st, err := sess.OpenStream()
			if err != nil {
				errs <- fmt.Errorf("open %d: %w", k, err)
				return
			}
			defer st.Close()
			want := pattern(echoSize(k), k)
			go func() {
				if _, err := st.Write(want); err != nil {
					errs <- fmt.Errorf("write %d: %w", k, err)
				}
				st.Close() // half-close: TS sees EOF, still echoes the rest
			}()
			got, err := io.ReadAll(st)
			if err != nil {
				errs <- fmt.Errorf("read %d: %w", k, err)
				return
			}
			if !bytes.Equal(got, want) {
				errs <- fmt.Errorf("stream %d: echo mismatch (%d bytes, want %d)", k, len(got), len(want))
			}
		}(k)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fail("%v", err)
	}
	say("GO-DONE %d", *count)
	<-sess.CloseChan()
	say("ECHOED %d", echoed.Load())
}

// send: open a stream, write size bytes of pattern, FIN, then read TS's reply to EOF.
func runSend(sess *yamux.Session) {
	st, err := sess.OpenStream()
	if err != nil {
		fail("open: %v", err)
	}
	start := time.Now()
	if _, err := st.Write(pattern(*size, 0)); err != nil {
		fail("write: %v", err)
	}
	st.Close()
	reply, err := io.ReadAll(st)
	if err != nil {
		fail("read reply: %v", err)
	}
	say("SENT %d in %s reply %q", *size, time.Since(start), reply)
	waitClosed(sess)
}

// recv / slow-recv: accept one stream, optionally wait before reading, read to EOF in small
// reads, verify, reply "OK <n>".
func runRecv(sess *yamux.Session, wait time.Duration) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	if wait > 0 {
		say("SLEEPING")
		time.Sleep(wait)
		say("READING")
	}
	start := time.Now()
	var got []byte
	if wait > 0 {
		buf := make([]byte, 4096)
		for {
			n, err := st.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				fail("read: %v", err)
			}
		}
	} else {
		got, err = io.ReadAll(st)
		if err != nil {
			fail("read: %v", err)
		}
	}
	if len(got) != *size {
		fail("received %d bytes, want %d", len(got), *size)
	}
	if err := checkPattern(got, 0); err != nil {
		fail("pattern: %v", err)
	}
	say("RECEIVED %d in %s", len(got), time.Since(start))
	if _, err := fmt.Fprintf(st, "OK %d", len(got)); err != nil {
		fail("reply: %v", err)
	}
	st.Close()
	waitClosed(sess)
}

// slow-target: TS is the slow reader. Write size bytes in 64 KiB pieces, reporting progress,
// then FIN and wait for the "OK" reply.
func runSlowTarget(sess *yamux.Session) {
	st, err := sess.OpenStream()
	if err != nil {
		fail("open: %v", err)
	}
	data := pattern(*size, 0)
	for off := 0; off < len(data); off += 64 * 1024 {
		end := min(off+64*1024, len(data))
		if _, err := st.Write(data[off:end]); err != nil {
			fail("write: %v", err)
		}
		say("WROTE %d", end)
	}
	st.Close()
	reply, err := io.ReadAll(st)
	if err != nil {
		fail("read reply: %v", err)
	}
	say("REPLY %s", reply)
	waitClosed(sess)
}

// keepalive: Go pings every 100 ms (config); also ping explicitly; stay alive for 1 s.
func runKeepalive(sess *yamux.Session) {
	for i := 0; i < 3; i++ {
		rtt, err := sess.Ping()
		if err != nil {
			fail("ping: %v", err)
		}
		say("RTT %s", rtt)
	}
	time.Sleep(time.Second)
	if sess.IsClosed() {
		fail("session closed during keepalive")
	}
	say("ALIVE")
	waitClosed(sess)
}

// halfclose-ts: TS writes and half-closes; we read to EOF, then still write back.
func runHalfCloseTS(sess *yamux.Session) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	got, err := io.ReadAll(st)
	if err != nil {
		fail("read: %v", err)
	}
	say("GOT-EOF %d", len(got))
	if _, err := fmt.Fprintf(st, "after-eof:%s", got); err != nil {
		fail("write after EOF: %v", err)
	}
	st.Close()
	waitClosed(sess)
}

// halfclose-go: we write and half-close; TS reads to EOF and writes back; we read its reply.
func runHalfCloseGo(sess *yamux.Session) {
	st, err := sess.OpenStream()
	if err != nil {
		fail("open: %v", err)
	}
	if _, err := st.Write([]byte("hello from go")); err != nil {
		fail("write: %v", err)
	}
	st.Close()
	if _, err := st.Write([]byte("x")); !errors.Is(err, yamux.ErrStreamClosed) {
		fail("write after close: %v, want stream closed", err)
	}
	reply, err := io.ReadAll(st)
	if err != nil {
		fail("read reply: %v", err)
	}
	say("REPLY %s", reply)
	waitClosed(sess)
}

// rst-from-ts: TS resets the stream; our blocked Read and a later Write must fail.
func runRstFromTS(sess *yamux.Session) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(st, buf); err != nil {
		fail("read hello: %v", err)
	}
	if _, err := st.Write([]byte("ready")); err != nil {
		fail("write ready: %v", err)
	}
	_, rerr := st.Read(buf)
	say("READ-ERR %v", rerr)
	_, werr := st.Write([]byte("more"))
	say("WRITE-ERR %v", werr)
	if !errors.Is(rerr, yamux.ErrConnectionReset) || !errors.Is(werr, yamux.ErrConnectionReset) {
		fail("want connection reset on read and write")
	}
	waitClosed(sess)
}

// rst-close-timeout: we FIN and TS never FINs back: after StreamCloseTimeout (100 ms) Go
// sends RST.
func runRstCloseTimeout(sess *yamux.Session) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(st, buf); err != nil {
		fail("read hello: %v", err)
	}
	if _, err := st.Write([]byte("bye")); err != nil {
		fail("write: %v", err)
	}
	st.Close()
	say("CLOSED-STREAM")
	waitClosed(sess)
}

// goaway-from-go: send GoAway, then open a stream of our own (allowed) so TS can report
// that its own open fails.
func runGoAwayFromGo(sess *yamux.Session) {
	if err := sess.GoAway(); err != nil {
		fail("goaway: %v", err)
	}
	st, err := sess.OpenStream()
	if err != nil {
		fail("open after own goaway: %v", err)
	}
	if _, err := st.Write([]byte("after-goaway")); err != nil {
		fail("write: %v", err)
	}
	st.Close()
	reply, err := io.ReadAll(st)
	if err != nil {
		fail("read reply: %v", err)
	}
	say("REPLY %s", reply)
	waitClosed(sess)
}

// goaway-from-ts: TS sends GoAway then a message on its stream; by then our OpenStream
// must fail with ErrRemoteGoAway.
func runGoAwayFromTS(sess *yamux.Session) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	buf := make([]byte, len("goaway-sent"))
	if _, err := io.ReadFull(st, buf); err != nil {
		fail("read: %v", err)
	}
	_, oerr := sess.OpenStream()
	say("OPEN-ERR %v", oerr)
	if !errors.Is(oerr, yamux.ErrRemoteGoAway) {
		fail("open after remote goaway: %v, want ErrRemoteGoAway", oerr)
	}
	fmt.Fprintf(st, "open-err:%v", oerr)
	st.Close()
	waitClosed(sess)
}

// close: accept TS's stream, open one of our own, then close the whole session.
func runClose(sess *yamux.Session) {
	st, err := sess.AcceptStream()
	if err != nil {
		fail("accept: %v", err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(st, buf); err != nil {
		fail("read: %v", err)
	}
	ours, err := sess.OpenStream()
	if err != nil {
		fail("open: %v", err)
	}
	if _, err := ours.Write([]byte("hi")); err != nil {
		fail("write: %v", err)
	}
	// Wait until TS has our stream (it answers "ok"), then drop everything.
	if _, err := io.ReadFull(ours, buf[:2]); err != nil {
		fail("read ok: %v", err)
	}
	sess.Close()
	say("SESSION-CLOSED")
}

// sink / hold: accept and discard (sink) or accept and never read (hold); report how the
// session ended (for raw protocol probes).
func runSink(sess *yamux.Session, read bool) {
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			say("SHUTDOWN %s", strings.TrimSpace(shutdownReason(sess, err).Error()))
			return
		}
		if read {
			go io.Copy(io.Discard, st)
		}
	}
}

// shutdownReason is why the session ended. AcceptStream can return a stream that was still queued when the
// session shut down instead of the shutdown itself (Go picks among ready select cases at random), and then
// fails on that stream's window update with "session shutdown". Once the queue (at most the accept backlog)
// is drained, AcceptStream answers the session's own reason every time.
func shutdownReason(sess *yamux.Session, first error) error {
	<-sess.CloseChan()
	reason := first
	for i := 0; i < 512; i++ {
		if _, err := sess.AcceptStream(); err != nil {
			reason = err
		}
	}
	return reason
}

// measureRTT opens a stream and times n sequential 100-byte request/response round trips
// (the peer echoes), after a warm-up.
func measureRTT(sess *yamux.Session) time.Duration {
	st, err := sess.OpenStream()
	if err != nil {
		fail("open: %v", err)
	}
	req := pattern(100, 1)
	resp := make([]byte, len(req))
	round := func() {
		if _, err := st.Write(req); err != nil {
			fail("write: %v", err)
		}
		if _, err := io.ReadFull(st, resp); err != nil {
			fail("read: %v", err)
		}
	}
	for i := 0; i < 200; i++ {
		round()
	}
	start := time.Now()
	for i := 0; i < *count; i++ {
		round()
	}
	avg := time.Since(start) / time.Duration(*count)
	st.Close()
	return avg
}

// rtt-self: the same measurement Go to Go over a unix socket, as the reference.
func runRTTSelf() {
	dir, err := os.MkdirTemp("", "yamuxpeer-")
	if err != nil {
		fail("tmp: %v", err)
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", dir+"/s.sock")
	if err != nil {
		fail("listen: %v", err)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		srv, _ := yamux.Server(c, nil)
		for {
			st, err := srv.AcceptStream()
			if err != nil {
				return
			}
			go func() {
				io.Copy(st, st)
				st.Close()
			}()
		}
	}()
	c, err := net.Dial("unix", dir+"/s.sock")
	if err != nil {
		fail("dial: %v", err)
	}
	cli, _ := yamux.Client(c, nil)
	say("RTT-AVG %s", measureRTT(cli))
	cli.Close()
}
