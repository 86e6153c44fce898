// The TypeScript session against the real hashicorp/yamux v0.1.2 (test/conformance/cmd/yamuxpeer).
import {execFile} from 'node:child_process';

import {afterEach, describe, expect, it} from 'vitest';

import {Flag, FrameType, GoAwayCode} from '../../src/transport/yamux/index.js';
import type {Stream} from '../../src/transport/yamux/index.js';
import {cleanupPeers, frame, once, pattern, readAll, sleep, startGoPeer, startRawGoPeer, yamuxPeerBin} from './helpers.js';
import type {GoPeer, WireTap} from './helpers.js';

const WINDOW = 256 * 1024;
const MiB = 1024 * 1024;
const T = 20_000; // per-test bound; every wait inside has its own shorter timeout

afterEach(() => {
    cleanupPeers();
});

const roles = ['client', 'server'] as const;

function echoSize(k: number): number {
    return 1 + ((k * 7919) % (96 * 1024));
}

/** yamux's own log lines ([ERR]/[WARN]) on the Go side. */
function goComplaints(peer: GoPeer): string[] {
    return peer
        .stderr()
        .split('\n')
        .filter((l) => /\[(ERR|WARN)\]/.test(l));
}

/**
 * Replays the wire in order and checks that we never sent more Data on a stream than Go's
 * window allowed (initial 256 KiB + every delta Go sent, including on SYN/ACK).
 */
function assertWindowRespected(tap: WireTap, streamId: number): {maxInFlight: number; updatesFromGo: number} {
    const events = [
        ...tap.sent.frames.filter((f) => f.streamId === streamId && f.type === FrameType.Data).map((f) => ({seq: f.seq, d: -f.length})),
        ...tap.received.frames
            .filter((f) => f.streamId === streamId && f.type === FrameType.WindowUpdate)
            .map((f) => ({seq: f.seq, d: f.length})),
    ].sort((a, b) => a.seq - b.seq);
    let window = WINDOW;
    let minWindow = WINDOW;
    for (const e of events) {
        window += e.d;
        minWindow = Math.min(minWindow, window);
    }
    expect(minWindow).toBeGreaterThanOrEqual(0);
    return {
        maxInFlight: WINDOW - minWindow,
        updatesFromGo: tap.received.count((f) => f.streamId === streamId && f.type === FrameType.WindowUpdate && f.length > 0),
    };
}

function verifyPattern(buf: Buffer, seed = 0): void {
    const want = pattern(buf.length, seed);
    if (!buf.equals(want)) {
        let i = 0;
        while (buf[i] === want[i]) {
            i++;
        }
        throw new Error(`pattern mismatch at byte ${i} of ${buf.length}`);
    }
}

describe('against Go hashicorp/yamux', () => {
    it.each(roles)('echo: 100 concurrent streams each way (Go is %s)', async (goRole) => {
        const peer = await startGoPeer('echo', goRole, {args: ['-n', '100']});
        const {session} = peer;
        session.on('stream', (st: Stream) => {
            st.on('error', () => undefined);
            st.pipe(st); // echo, FIN after the peer's FIN
        });
        const ours = Promise.all(
            Array.from({length: 100}, async (_, k) => {
                const st = session.openStream();
                expect(st.id % 2).toBe(goRole === 'server' ? 1 : 0);
                const data = pattern(echoSize(k), k);
                st.end(data);
                const got = await readAll(st);
                expect(got.length).toBe(data.length);
                expect(got.equals(data)).toBe(true);
            }),
        );
        await ours;
        await peer.waitLine(/^GO-DONE 100$/, 10_000);
        expect(session.numStreams).toBe(0);
        await peer.finish();
        expect(peer.lines).toContain('ECHOED 100');
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it.each(roles)('4 MiB Go -> TS, window updates flow (Go is %s)', async (goRole) => {
        const peer = await startGoPeer('send', goRole, {args: ['-size', String(4 * MiB)]});
        const st = await once<Stream>(peer.session, 'stream');
        const t0 = performance.now();
        const got = await readAll(st);
        const ms = performance.now() - t0;
        expect(got.length).toBe(4 * MiB);
        verifyPattern(got);
        st.end('OK');
        const sent = await peer.waitLine(/^SENT (\d+) in (\S+) reply "OK"$/);
        // We handed the window back as we consumed: Go could never have sent 4 MiB otherwise.
        const updates = peer.tap.sent.frames.filter((f) => f.streamId === st.id && f.type === FrameType.WindowUpdate && f.length > 0);
        const total = updates.reduce((a, f) => a + f.length, 0);
        expect(total).toBeGreaterThanOrEqual(4 * MiB - WINDOW);
        for (const u of updates) {
            expect(u.length).toBeGreaterThanOrEqual(WINDOW / 2);
        }
        console.log(`[yamux] 4 MiB Go->TS (Go ${goRole}): TS read in ${ms.toFixed(1)} ms, Go reports ${sent[2]}, ${updates.length} window updates`);
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it.each(roles)('4 MiB TS -> Go, never beyond Go\'s window (Go is %s)', async (goRole) => {
        const peer = await startGoPeer('recv', goRole, {args: ['-size', String(4 * MiB)]});
        const st = peer.session.openStream();
        const data = pattern(4 * MiB);
        const t0 = performance.now();
        const reply = readAll(st);
        st.end(data);
        expect((await reply).toString()).toBe(`OK ${4 * MiB}`);
        const ms = performance.now() - t0;
        const w = assertWindowRespected(peer.tap, st.id);
        expect(w.updatesFromGo).toBeGreaterThanOrEqual(Math.floor((4 * MiB - WINDOW) / WINDOW));
        console.log(
            `[yamux] 4 MiB TS->Go (Go ${goRole}): ${ms.toFixed(1)} ms incl. reply, max in flight ${w.maxInFlight}, ${w.updatesFromGo} window updates from Go`,
        );
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it('slow reader in Go: our writer blocks at exactly 256 KiB, then resumes with nothing lost', async () => {
        const peer = await startGoPeer('slow-recv', 'client', {args: ['-size', String(MiB), '-delay', '400ms']});
        const st = peer.session.openStream();
        const reply = readAll(st);
        let flushed = false;
        st.write(pattern(MiB), () => {
            flushed = true;
        });
        st.end();
        await peer.waitLine(/^SLEEPING$/);
        await peer.tap.sent.waitCond(() => peer.tap.sent.dataBytes(st.id) === WINDOW, 2000);
        await sleep(150);
        expect(peer.lines).not.toContain('READING'); // Go is still asleep...
        expect(peer.tap.sent.dataBytes(st.id)).toBe(WINDOW); // ...and we sent exactly its window
        expect(flushed).toBe(false);
        await peer.waitLine(/^READING$/);
        const t0 = performance.now();
        expect((await reply).toString()).toBe(`OK ${MiB}`);
        expect(flushed).toBe(true);
        expect(performance.now() - t0).toBeLessThan(2000);
        assertWindowRespected(peer.tap, st.id);
        await peer.finish();
    }, T);

    it('slow reader in TS: Go blocks at 256 KiB until we read, then resumes with nothing lost', async () => {
        const peer = await startGoPeer('slow-target', 'client', {args: ['-size', String(MiB)]});
        const st = await once<Stream>(peer.session, 'stream');
        await peer.waitLine(/^WROTE 262144$/);
        await sleep(150);
        expect(peer.lines.filter((l) => l.startsWith('WROTE'))).toEqual(['WROTE 65536', 'WROTE 131072', 'WROTE 196608', 'WROTE 262144']);
        expect(peer.tap.received.dataBytes(st.id)).toBe(WINDOW);
        expect(peer.tap.sent.count((f) => f.streamId === st.id && f.type === FrameType.WindowUpdate && f.length > 0)).toBe(0);
        // Read slowly, a few KiB per turn of the event loop.
        const parts: Buffer[] = [];
        let ended = false;
        st.on('end', () => {
            ended = true;
        });
        const wake = (): Promise<void> =>
            new Promise((resolve, reject) => {
                const done = (): void => {
                    clearTimeout(t);
                    st.off('readable', done);
                    st.off('end', done);
                    resolve();
                };
                const t = setTimeout(() => reject(new Error('stalled')), 3000);
                st.on('readable', done);
                st.on('end', done);
            });
        while (!ended) {
            const c = (st.read(8192) ?? st.read()) as Buffer | null;
            if (c) {
                parts.push(c);
                await new Promise((r) => setImmediate(r));
            } else {
                await wake();
            }
        }
        const got = Buffer.concat(parts);
        expect(got.length).toBe(MiB);
        verifyPattern(got);
        st.end('OK');
        await peer.waitLine(/^REPLY OK$/);
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it('keepalive: Go pings every 100 ms and we answer; we ping Go too; the session survives', async () => {
        const peer = await startGoPeer('keepalive', 'client', {session: {keepAliveIntervalMs: 100, keepAliveTimeoutMs: 1000}});
        const rtt = await peer.session.ping();
        expect(rtt).toBeGreaterThanOrEqual(0);
        expect(rtt).toBeLessThan(1000);
        await peer.waitLine(/^ALIVE$/, 5000);
        expect(peer.session.isClosed).toBe(false);
        const goPings = peer.tap.received.frames.filter((f) => f.type === FrameType.Ping && f.flags === Flag.SYN);
        expect(goPings.length).toBeGreaterThanOrEqual(8); // 3 explicit + ~10 keepalives in 1 s
        const acks = new Set(peer.tap.sent.frames.filter((f) => f.type === FrameType.Ping && f.flags === Flag.ACK).map((f) => f.length));
        for (const p of goPings) {
            expect(acks.has(p.length)).toBe(true);
        }
        const ourPings = peer.tap.sent.count((f) => f.type === FrameType.Ping && f.flags === Flag.SYN);
        const goAcks = peer.tap.received.count((f) => f.type === FrameType.Ping && f.flags === Flag.ACK);
        expect(ourPings).toBeGreaterThanOrEqual(5);
        expect(goAcks).toBeGreaterThanOrEqual(ourPings - 1);
        expect(peer.lines.filter((l) => l.startsWith('RTT')).length).toBe(3);
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it.each(roles)('half-close from TS: Go reads EOF and still writes back (Go is %s)', async (goRole) => {
        const peer = await startGoPeer('halfclose-ts', goRole);
        const st = peer.session.openStream();
        st.end('half-close me');
        await peer.waitLine(/^GOT-EOF 13$/);
        expect((await readAll(st)).toString()).toBe('after-eof:half-close me');
        await sleep(5);
        expect(peer.session.numStreams).toBe(0);
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it.each(roles)('half-close from Go: we read EOF and still write back (Go is %s)', async (goRole) => {
        const peer = await startGoPeer('halfclose-go', goRole);
        const st = await once<Stream>(peer.session, 'stream');
        const got = (await readAll(st)).toString();
        expect(got).toBe('hello from go');
        st.end(`reply:${got}`);
        await peer.waitLine(/^REPLY reply:hello from go$/);
        await peer.finish();
        expect(goComplaints(peer)).toEqual([]);
    }, T);

    it('RST from TS: Go\'s blocked Read and later Write fail with connection reset', async () => {
        const peer = await startGoPeer('rst-from-ts', 'client');
        const st = peer.session.openStream();
        st.write('hello');
        const ready = await new Promise<Buffer>((resolve) => st.once('data', resolve));
        expect(ready.toString()).toBe('ready');
        await sleep(20); // let Go block in Read
        st.reset();
        await peer.waitLine(/^WRITE-ERR/);
        expect(peer.lines).toContain('READ-ERR connection reset');
        expect(peer.lines).toContain('WRITE-ERR connection reset');
        await peer.finish();
    }, T);

    it('RST from Go (accept backlog full): our reads and writes fail', async () => {
        const peer = await startGoPeer('rst-backlog', 'server');
        const first = peer.session.openStream(); // fills Go's backlog of 1 (never accepted)
        first.on('error', () => undefined);
        const st = peer.session.openStream();
        const reading = readAll(st);
        await expect(reading).rejects.toMatchObject({code: 'ERR_YAMUX_STREAM_RESET'});
        const werr = await new Promise<Error | null | undefined>((resolve) => st.write('x', resolve));
        expect(werr).toBeInstanceOf(Error);
        expect(peer.stderr()).toMatch(/backlog exceeded, forcing connection reset/);
        await peer.finish();
    }, T);

    it('RST from Go (StreamCloseTimeout after its FIN): our writes fail', async () => {
        const peer = await startGoPeer('rst-close-timeout', 'client');
        const st = peer.session.openStream();
        st.write('hello');
        const errP = once<Error & {code?: string}>(st, 'error', 3000);
        expect((await readAll(st)).toString()).toBe('bye'); // Go's FIN: EOF for us
        // We never send our FIN; 100 ms later Go gives up and resets the stream.
        expect((await errP).code).toBe('ERR_YAMUX_STREAM_RESET');
        const werr = await new Promise<Error | null | undefined>((resolve) => st.write('late', resolve));
        expect(werr).toBeInstanceOf(Error);
        expect(peer.session.numStreams).toBe(0);
        await peer.finish();
    }, T);

    it('GoAway from Go: our openStream fails clearly, existing streams keep working', async () => {
        const peer = await startGoPeer('goaway-from-go', 'client');
        const st = await once<Stream>(peer.session, 'stream');
        const msg = (await readAll(st)).toString();
        expect(msg).toBe('after-goaway');
        let openErr: (Error & {code?: string}) | undefined;
        try {
            peer.session.openStream();
        } catch (e) {
            openErr = e as Error & {code?: string};
        }
        expect(openErr?.code).toBe('ERR_YAMUX_REMOTE_GOAWAY');
        st.end(`refused:${openErr?.message}`);
        await peer.waitLine(/^REPLY refused:yamux: remote end is not accepting connections$/);
        await peer.finish();
    }, T);

    it('GoAway from TS: Go\'s OpenStream fails with ErrRemoteGoAway', async () => {
        const peer = await startGoPeer('goaway-from-ts', 'server');
        const st = peer.session.openStream();
        peer.session.goAway();
        st.write('goaway-sent');
        expect((await readAll(st)).toString()).toBe('open-err:remote end is not accepting connections');
        await peer.finish();
    }, T);

    it('request/response round trips: one socket write per reply (latency printed next to Go to Go)', async () => {
        const rounds = 3000;
        const peer = await startGoPeer('rtt', 'client', {args: ['-n', String(rounds)]});
        peer.session.on('stream', (st: Stream) => {
            st.on('data', (d: Buffer) => st.write(d));
            st.on('end', () => st.end());
        });
        const ts = await peer.waitLine(/^RTT-AVG (\S+)$/, 15_000);
        const dataFrames = peer.tap.sent.count((f) => f.type === FrameType.Data);
        // Go writes header and payload separately, so a request can reach us in two socket
        // reads; our answer must still be exactly one socket write per Data frame.
        expect(dataFrames).toBeGreaterThanOrEqual(rounds + 200);
        expect(peer.tap.writeCalls - dataFrames).toBeLessThan(20); // + ACK, window updates, FIN
        await peer.finish();
        const goToGo = await new Promise<string>((resolve, reject) =>
            execFile(yamuxPeerBin, ['-scenario', 'rtt-self', '-n', String(rounds)], {timeout: 10_000}, (err, out) =>
                err ? reject(err) : resolve(out.trim()),
            ),
        );
        console.log(`[yamux] 100-byte round trip, Go client: TS echo ${ts[1]}; Go echo ${goToGo.replace('RTT-AVG ', '')}`);
    }, T);

    it('Go closing the connection closes our session; pending reads end with an error', async () => {
        const peer = await startGoPeer('close', 'client');
        const ours = peer.session.openStream();
        const oursRead = readAll(ours);
        ours.write('hello');
        const theirs = await once<Stream>(peer.session, 'stream');
        const theirsErr = once<Error>(theirs, 'error');
        theirs.once('data', () => theirs.write('ok'));
        const closed = once<Error & {code?: string}>(peer.session, 'close');
        const err = await closed;
        expect(err.code).toBe('ERR_YAMUX_CONNECTION_CLOSED');
        await expect(oursRead).rejects.toMatchObject({code: 'ERR_YAMUX_CONNECTION_CLOSED'});
        expect(((await theirsErr) as Error & {code?: string}).code).toBe('ERR_YAMUX_CONNECTION_CLOSED');
        expect(peer.session.isClosed).toBe(true);
        expect(peer.session.numStreams).toBe(0);
        expect(peer.conn.destroyed).toBe(true);
        await peer.waitLine(/^SESSION-CLOSED$/);
        expect((await peer.exited).code).toBe(0);
    }, T);
});

// Raw frames into Go's session, to pin down what Go really does (what our side must avoid, and
// what the notes say). Go is the yamux server here; the raw side plays the client (odd ids).
describe('Go behaviour probes (raw frames)', () => {
    // 'hold' accepts streams but never reads them, so Go's receive window only shrinks.
    async function probe(frames: Buffer[]): Promise<{shutdown: string; goAway: number | undefined; stderr: string}> {
        const peer = await startRawGoPeer('hold', 'server');
        await peer.waitLine(/^READY$/);
        const ended = once(peer.conn, 'close', 5000);
        for (const f of frames) {
            peer.send(f);
        }
        const m = await peer.waitLine(/^SHUTDOWN (.*)$/);
        await ended; // Go closed the connection
        await peer.waitExit();
        const ga = peer.log.frames.find((f) => f.type === FrameType.GoAway);
        return {shutdown: m[1], goAway: ga?.length, stderr: peer.stderr()};
    }

    it('answers a ping SYN with ACK and the same opaque value, ACKs our SYN with delta 0', async () => {
        const peer = await startRawGoPeer('sink', 'server');
        peer.send(frame(FrameType.Ping, Flag.SYN, 0, 0xabcdef01));
        peer.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const pong = await peer.log.waitFor((f) => f.type === FrameType.Ping);
        expect([pong.flags, pong.streamId, pong.length]).toEqual([Flag.ACK, 0, 0xabcdef01]);
        const ack = await peer.log.waitFor((f) => f.streamId === 1);
        expect([ack.type, ack.flags, ack.length]).toEqual([FrameType.WindowUpdate, Flag.ACK, 0]);
        // Data for a stream Go does not know is discarded (with a warning); the session lives on.
        peer.send(frame(FrameType.Data, 0, 99, 10, Buffer.alloc(10)));
        peer.send(frame(FrameType.Ping, Flag.SYN, 0, 2));
        await peer.log.waitFor((f) => f.type === FrameType.Ping && f.length === 2);
        await peer.waitStderr(/Discarding data for stream: 99/);
        peer.conn.end();
        await peer.waitLine(/^SHUTDOWN /);
    }, T);

    it('tears the session down when the receive window is exceeded', async () => {
        const r = await probe([
            frame(FrameType.WindowUpdate, Flag.SYN, 1, 0),
            frame(FrameType.Data, 0, 1, WINDOW, pattern(WINDOW)),
            frame(FrameType.Data, 0, 1, 1, Buffer.from([1])),
        ]);
        expect(r.shutdown).toBe('recv window exceeded');
        expect(r.stderr).toMatch(/receive window exceeded/);
        // Go queues GoAway(1) and closes the connection at once: the GoAway may or may not make it.
        expect([undefined, GoAwayCode.ProtocolError]).toContain(r.goAway);
        console.log(`[yamux] Go on window overflow: GoAway ${r.goAway === undefined ? 'not received' : 'received'}`);
    }, T);

    it('tears the session down on a duplicate SYN', async () => {
        const r = await probe([frame(FrameType.WindowUpdate, Flag.SYN, 1, 0), frame(FrameType.WindowUpdate, Flag.SYN, 1, 0)]);
        expect(r.shutdown).toBe('duplicate stream initiated');
        expect([undefined, GoAwayCode.ProtocolError]).toContain(r.goAway);
    }, T);

    it('tears the session down on a second FIN for the same stream (unexpected flag)', async () => {
        const r = await probe([
            frame(FrameType.WindowUpdate, Flag.SYN, 1, 0),
            frame(FrameType.WindowUpdate, Flag.FIN, 1, 0),
            frame(FrameType.WindowUpdate, Flag.FIN, 1, 0),
        ]);
        expect(r.shutdown).toBe('unexpected flag');
    }, T);

    it('closes without GoAway on a bad version or an unknown type', async () => {
        const badVersion = frame(FrameType.Ping, Flag.SYN, 0, 1);
        badVersion[0] = 1;
        const r1 = await probe([badVersion]);
        expect(r1.shutdown).toBe('invalid protocol version');
        expect(r1.goAway).toBeUndefined();
        const badType = frame(FrameType.Ping, Flag.SYN, 0, 1);
        badType[1] = 7;
        const r2 = await probe([badType]);
        expect(r2.shutdown).toBe('invalid msg type');
        expect(r2.goAway).toBeUndefined();
    }, T);

    it('closes on GoAway with a non-zero code', async () => {
        const r = await probe([frame(FrameType.GoAway, 0, 0, 7)]);
        expect(r.shutdown).toBe('unexpected go away received');
    }, T);
});
