// The TypeScript session against a raw frame peer (exact wire checks) and against itself.
import {afterEach, describe, expect, it} from 'vitest';

import {Flag, FrameType, GoAwayCode, Session} from '../../src/transport/yamux/index.js';
import type {Stream} from '../../src/transport/yamux/index.js';
import {frame, memoryPair, once, pattern, rawPair, readAll, removeTmpDirs, sleep, socketPair} from './helpers.js';

const WINDOW = 256 * 1024;
const cleanups: Array<() => void> = [];

afterEach(() => {
    for (const c of cleanups.splice(0)) {
        c();
    }
    removeTmpDirs();
});

async function raw(opts: {client: boolean; keepAliveIntervalMs?: number; keepAliveTimeoutMs?: number; acceptBacklog?: number}) {
    const r = await rawPair({keepAliveIntervalMs: 0, ...opts});
    cleanups.push(() => {
        r.session.close();
        r.close();
    });
    return r;
}

async function tsPair(opts: {maxStreamWindow?: number} = {}) {
    const {a, b, close} = await socketPair();
    const client = new Session(a, {client: true, keepAliveIntervalMs: 0, ...opts});
    const server = new Session(b, {client: false, keepAliveIntervalMs: 0, ...opts});
    cleanups.push(() => {
        client.close();
        server.close();
        close();
    });
    return {client, server, a, b};
}

function streamEvent(session: Session): Promise<Stream> {
    return once<Stream>(session, 'stream');
}

describe('opening and accepting', () => {
    it('ACKs a SYN at once with the exact bytes Go expects and emits the stream', async () => {
        const r = await raw({client: false});
        const got = streamEvent(r.session);
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 7, 0));
        const s = await got;
        expect(s.id).toBe(7);
        const ack = await r.log.waitFor((f) => f.streamId === 7);
        expect([ack.type, ack.flags, ack.length]).toEqual([FrameType.WindowUpdate, Flag.ACK, 0]);
        expect(r.session.numStreams).toBe(1);
    });

    it('opens even ids as server and odd ids as client, each with a SYN window update', async () => {
        const srv = await raw({client: false});
        expect([srv.session.openStream().id, srv.session.openStream().id, srv.session.openStream().id]).toEqual([2, 4, 6]);
        const cli = await raw({client: true});
        expect([cli.session.openStream().id, cli.session.openStream().id]).toEqual([1, 3]);
        await srv.log.waitFor((f) => f.streamId === 6);
        expect(srv.log.frames.map((f) => [f.type, f.flags, f.streamId, f.length])).toEqual([
            [FrameType.WindowUpdate, Flag.SYN, 2, 0],
            [FrameType.WindowUpdate, Flag.SYN, 4, 0],
            [FrameType.WindowUpdate, Flag.SYN, 6, 0],
        ]);
    });

    it('accepts SYN (and data, and FIN) carried on a Data frame', async () => {
        const r = await raw({client: false});
        const got = streamEvent(r.session);
        r.send(frame(FrameType.Data, Flag.SYN | Flag.FIN, 3, 3, Buffer.from('abc')));
        const s = await got;
        expect((await readAll(s)).toString()).toBe('abc');
    });

    it('refuses a duplicate SYN with GoAway(protocol error) and closes', async () => {
        const r = await raw({client: false});
        r.session.on('stream', () => undefined);
        const errors: Error[] = [];
        r.session.on('error', (e: Error) => errors.push(e));
        const closed = once<Error>(r.session, 'close');
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const err = await closed;
        expect((err as {code?: string}).code).toBe('ERR_YAMUX_DUPLICATE_STREAM');
        expect(errors.length).toBe(1);
        const ga = await r.log.waitFor((f) => f.type === FrameType.GoAway);
        expect(ga.length).toBe(GoAwayCode.ProtocolError);
        expect(r.session.isClosed).toBe(true);
    });

    it('limits unacknowledged SYNs to acceptBacklog, queueing later opens and their data', async () => {
        const r = await raw({client: true, acceptBacklog: 2});
        const s1 = r.session.openStream();
        r.session.openStream();
        const s3 = r.session.openStream();
        s3.write('queued');
        await sleep(30);
        expect(r.log.frames.map((f) => f.streamId)).toEqual([1, 3]);
        r.send(frame(FrameType.WindowUpdate, Flag.ACK, s1.id, 0));
        const syn5 = await r.log.waitFor((f) => f.streamId === 5);
        expect(syn5.flags).toBe(Flag.SYN);
        const data5 = await r.log.waitFor((f) => f.streamId === 5 && f.type === FrameType.Data);
        expect(data5.payload.toString()).toBe('queued');
    });

    it('refuses new streams with RST after goAway(), and sends GoAway(0)', async () => {
        const r = await raw({client: false});
        let streams = 0;
        r.session.on('stream', () => streams++);
        r.session.goAway();
        const ga = await r.log.waitFor((f) => f.type === FrameType.GoAway);
        expect(ga.length).toBe(GoAwayCode.Normal);
        r.send(frame(FrameType.Data, Flag.SYN, 1, 4, Buffer.from('data')));
        const rst = await r.log.waitFor((f) => f.streamId === 1);
        expect([rst.type, rst.flags]).toEqual([FrameType.WindowUpdate, Flag.RST]);
        // the session still works
        r.send(frame(FrameType.Ping, Flag.SYN, 0, 99));
        await r.log.waitFor((f) => f.type === FrameType.Ping && f.length === 99);
        expect(streams).toBe(0);
        expect(r.session.isClosed).toBe(false);
    });

    it('fails openStream clearly after the peer sent GoAway(0)', async () => {
        const r = await raw({client: true});
        r.send(frame(FrameType.GoAway, 0, 0, 0));
        r.send(frame(FrameType.Ping, Flag.SYN, 0, 1));
        await r.log.waitFor((f) => f.type === FrameType.Ping); // GoAway processed before the ping
        expect(() => r.session.openStream()).toThrow(/remote end is not accepting connections/);
        expect(r.session.isClosed).toBe(false);
    });

    it('closes on GoAway(protocol error) from the peer', async () => {
        const r = await raw({client: true});
        const closed = once<Error>(r.session, 'close');
        r.send(frame(FrameType.GoAway, 0, 0, GoAwayCode.ProtocolError));
        expect(((await closed) as {code?: string}).code).toBe('ERR_YAMUX_REMOTE_PROTOCOL_ERROR');
        expect(() => r.session.openStream()).toThrow(/session shutdown/);
    });
});

describe('flow control', () => {
    it('sends exactly the peer window, blocks, and resumes on each WindowUpdate at once', async () => {
        const r = await raw({client: true});
        const s = r.session.openStream();
        const total = WINDOW + 100_000;
        const data = pattern(total);
        let written = false;
        s.write(data, () => {
            written = true;
        });
        await r.log.waitCond(() => r.log.dataBytes(s.id) === WINDOW);
        await sleep(50);
        expect(r.log.dataBytes(s.id)).toBe(WINDOW); // blocked: not one byte more
        expect(written).toBe(false);

        // Resuming is event driven: the blocked data goes out synchronously while the session
        // handles the socket chunk carrying the WindowUpdate (no timer, no polling).
        let writes = 0;
        let writesAtChunk = 0;
        const resumedInHandler: boolean[] = [];
        const orig = r.conn.write.bind(r.conn) as (...a: unknown[]) => boolean;
        (r.conn as unknown as {write: (...a: unknown[]) => boolean}).write = (...a: unknown[]) => {
            writes++;
            return orig(...a);
        };
        r.conn.prependListener('data', () => {
            writesAtChunk = writes;
        });
        r.conn.on('data', () => resumedInHandler.push(writes > writesAtChunk));

        // A small delta carried on the ACK counts too.
        r.send(frame(FrameType.WindowUpdate, Flag.ACK, s.id, 1000));
        await r.log.waitCond(() => r.log.dataBytes(s.id) === WINDOW + 1000);
        expect(resumedInHandler).toEqual([true]);
        await sleep(20);
        expect(r.log.dataBytes(s.id)).toBe(WINDOW + 1000);
        expect(written).toBe(false);

        r.send(frame(FrameType.WindowUpdate, 0, s.id, WINDOW));
        await r.log.waitCond(() => r.log.dataBytes(s.id) === total);
        await sleep(5);
        expect(written).toBe(true);
        const got = Buffer.concat(r.log.frames.filter((f) => f.type === FrameType.Data).map((f) => f.payload));
        expect(got.equals(data)).toBe(true);
        // no frame larger than the window that was open at the time
        expect(Math.max(...r.log.frames.map((f) => (f.type === FrameType.Data ? f.length : 0)))).toBeLessThanOrEqual(WINDOW);
    });

    it('sends WindowUpdates as the consumer reads (Go rule: delta >= 128 KiB), not before', async () => {
        const r = await raw({client: false});
        const got = streamEvent(r.session);
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const s = await got;
        // Fill the whole window while nobody reads.
        for (let i = 0; i < 4; i++) {
            r.send(frame(FrameType.Data, 0, 1, 65536, pattern(65536, i)));
        }
        await sleep(50);
        expect(r.log.count((f) => f.type === FrameType.WindowUpdate && f.length > 0)).toBe(0);
        // Now consume: the window is handed back.
        const parts: Buffer[] = [];
        s.on('data', (c: Buffer) => parts.push(c));
        await r.log.waitCond(
            () => r.log.frames.filter((f) => f.type === FrameType.WindowUpdate && f.streamId === 1).reduce((a, f) => a + f.length, 0) === WINDOW,
        );
        const deltas = r.log.frames.filter((f) => f.type === FrameType.WindowUpdate && f.streamId === 1 && f.flags === 0).map((f) => f.length);
        for (const d of deltas) {
            expect(d).toBeGreaterThanOrEqual(WINDOW / 2);
        }
        expect(Buffer.concat(parts).length).toBe(WINDOW);
    });

    it('answers a peer that exceeds the receive window with GoAway(1) and closes', async () => {
        const r = await raw({client: false});
        r.session.on('stream', () => undefined); // accepted, never read
        const errors: Error[] = [];
        r.session.on('error', (e: Error) => errors.push(e));
        const closed = once<Error>(r.session, 'close');
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        r.send(frame(FrameType.Data, 0, 1, WINDOW, pattern(WINDOW))); // exactly the window: fine
        await sleep(30);
        expect(r.session.isClosed).toBe(false);
        r.send(frame(FrameType.Data, 0, 1, 1, Buffer.from([1])));
        const err = await closed;
        expect((err as {code?: string}).code).toBe('ERR_YAMUX_RECV_WINDOW_EXCEEDED');
        expect(errors.map((e) => (e as {code?: string}).code)).toEqual(['ERR_YAMUX_RECV_WINDOW_EXCEEDED']);
        const ga = await r.log.waitFor((f) => f.type === FrameType.GoAway);
        expect(ga.length).toBe(GoAwayCode.ProtocolError);
        await once(r.raw, 'end');
        expect(r.conn.destroyed).toBe(true);
    });

    it('coalesces corked writes into one Data frame, and a small write is one socket write', async () => {
        const r = await raw({client: true});
        const s = r.session.openStream();
        await r.log.waitFor((f) => f.flags === Flag.SYN);
        let calls = 0;
        const orig = r.conn.write.bind(r.conn);
        (r.conn as unknown as {write: (...a: unknown[]) => boolean}).write = (...a: unknown[]) => {
            calls++;
            return (orig as (...x: unknown[]) => boolean)(...a);
        };
        s.write(Buffer.from('ping!'));
        expect(calls).toBe(1);
        s.cork();
        s.write('a');
        s.write('bb');
        s.write('ccc');
        process.nextTick(() => s.uncork());
        const f = await r.log.waitFor((x) => x.type === FrameType.Data && x.length === 6);
        expect(f.payload.toString()).toBe('abbccc');
        expect(calls).toBe(2);
    });
});

describe('direct data sink and whole-message sends (net/rpc)', () => {
    it('hands queued and later chunks to the sink in order, returns the window, and still ends', async () => {
        const r = await raw({client: false});
        const got = streamEvent(r.session);
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const s = await got;
        r.send(frame(FrameType.Data, 0, 1, 5, Buffer.from('early')));
        await sleep(30); // queued: nobody reads yet
        const parts: Buffer[] = [];
        let dataEvents = 0;
        s.on('data', () => dataEvents++);
        s.setDataSink((c) => parts.push(Buffer.from(c)));
        expect(Buffer.concat(parts).toString()).toBe('early');
        // Four full windows through the sink: only possible if each chunk counts as consumed at once.
        const big = pattern(65536);
        for (let i = 0; i < 16; i++) {
            r.send(frame(FrameType.Data, 0, 1, 65536, big));
            if (i % 4 === 3) {
                await r.log.waitCond(
                    () => r.log.frames.filter((f) => f.type === FrameType.WindowUpdate && f.streamId === 1).reduce((a, f) => a + f.length, 0) >= (i + 1) * 65536 - WINDOW / 2,
                );
            }
        }
        r.send(frame(FrameType.Data, Flag.FIN, 1, 4, Buffer.from('last')));
        await once(s, 'end');
        const want = Buffer.concat([Buffer.from('early'), ...Array.from({length: 16}, () => big), Buffer.from('last')]);
        expect(Buffer.concat(parts).equals(want)).toBe(true);
        expect(dataEvents).toBe(0);
        expect(r.session.isClosed).toBe(false);
    });

    it('sends a message as one Data frame with one socket write, carrying a pending ACK', async () => {
        const r = await raw({client: false});
        r.session.on('stream', (st: Stream) => {
            let calls = 0;
            const orig = r.conn.write.bind(r.conn) as (...a: unknown[]) => boolean;
            (r.conn as unknown as {write: (...a: unknown[]) => boolean}).write = (...a: unknown[]) => {
                calls++;
                return orig(...a);
            };
            st.sendMessage([Uint8Array.from([1, 2, 3]), Buffer.from('body')]);
            expect(calls).toBe(1);
        });
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const f = await r.log.waitFor((x) => x.type === FrameType.Data);
        expect([...f.payload]).toEqual([1, 2, 3, ...Buffer.from('body')]);
    });

    it('keeps a message behind a write that waits for the window, and sends it whole once the window opens', async () => {
        const r = await raw({client: true});
        const s = r.session.openStream();
        await r.log.waitFor((f) => f.flags === Flag.SYN);
        const first = pattern(WINDOW - 10);
        s.write(first);
        s.write(pattern(100, 7)); // 90 bytes of it wait for the window
        s.sendMessage([Buffer.from('after')]);
        await sleep(30);
        expect(r.log.dataBytes(s.id)).toBe(WINDOW);
        r.send(frame(FrameType.WindowUpdate, Flag.ACK, s.id, WINDOW));
        await r.log.waitCond(() => r.log.dataBytes(s.id) === WINDOW - 10 + 100 + 5);
        const got = Buffer.concat(r.log.frames.filter((f) => f.type === FrameType.Data).map((f) => f.payload));
        expect(got.equals(Buffer.concat([first, pattern(100, 7), Buffer.from('after')]))).toBe(true);
    });
});

describe('ping and keepalive', () => {
    it('answers a ping SYN with an ACK carrying the same opaque value', async () => {
        const r = await raw({client: false});
        r.send(frame(FrameType.Ping, Flag.SYN, 0, 0xdeadbeef));
        const p = await r.log.waitFor((f) => f.type === FrameType.Ping);
        expect([p.flags, p.streamId, p.length]).toEqual([Flag.ACK, 0, 0xdeadbeef]);
    });

    it('ping() resolves with the RTT when the ACK comes back', async () => {
        const r = await raw({client: true});
        const rtt = r.session.ping();
        const syn = await r.log.waitFor((f) => f.type === FrameType.Ping);
        expect(syn.flags).toBe(Flag.SYN);
        r.send(frame(FrameType.Ping, Flag.ACK, 0, syn.length));
        const ms = await rtt;
        expect(typeof ms).toBe('number');
        expect(ms).toBeGreaterThanOrEqual(0);
    });

    it('keepalive closes the session when pings go unanswered', async () => {
        const r = await raw({client: true, keepAliveIntervalMs: 20, keepAliveTimeoutMs: 60});
        const closed = once<Error>(r.session, 'close', 2000);
        const t0 = Date.now();
        const err = await closed;
        expect((err as {code?: string}).code).toBe('ERR_YAMUX_KEEPALIVE_TIMEOUT');
        expect(Date.now() - t0).toBeLessThan(500);
        expect(r.log.count((f) => f.type === FrameType.Ping && f.flags === Flag.SYN)).toBe(1);
    });

    it('keepalive keeps going while pings are answered', async () => {
        const r = await raw({client: true, keepAliveIntervalMs: 20, keepAliveTimeoutMs: 60});
        let pings = 0;
        r.raw.on('data', () => {
            for (const f of r.log.frames.splice(0)) {
                if (f.type === FrameType.Ping && f.flags === Flag.SYN) {
                    pings++;
                    r.send(frame(FrameType.Ping, Flag.ACK, 0, f.length));
                }
            }
        });
        await sleep(250); // ~12 intervals, each ping timeout (60 ms) would have killed it
        expect(r.session.isClosed).toBe(false);
        expect(pings).toBeGreaterThanOrEqual(5);
    });
});

describe('robustness', () => {
    it('never throws on garbage: bad version, bad type, random bytes', async () => {
        const inputs: Buffer[] = [
            Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Buffer.from([0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
        ];
        let seed = 12345;
        const rnd = () => {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            return seed;
        };
        for (let i = 0; i < 300; i++) {
            const b = Buffer.alloc(1 + (rnd() % 200));
            for (let j = 0; j < b.length; j++) {
                b[j] = rnd() & 0xff;
            }
            // half of them look like valid headers first
            if (i % 2 === 0 && b.length >= 12) {
                b[0] = 0;
                b[1] = rnd() % 4;
            }
            inputs.push(b);
        }
        let closes = 0;
        for (const input of inputs) {
            const [a, b] = memoryPair();
            const s = new Session(a, {client: false, keepAliveIntervalMs: 0});
            s.on('stream', (st: Stream) => st.on('error', () => undefined));
            s.on('close', () => closes++);
            b.on('data', () => undefined);
            b.write(input);
            b.end(); // the peer hangs up afterwards
            for (let k = 0; k < 5 && !s.isClosed; k++) {
                await new Promise((r) => setImmediate(r));
            }
            expect(s.isClosed).toBe(true);
            expect(s.numStreams).toBe(0);
        }
        expect(closes).toBe(inputs.length);
    });

    it('sends GoAway(1) on a bad version and reports it as error and close', async () => {
        const r = await raw({client: false});
        const errs: Error[] = [];
        r.session.on('error', (e: Error) => errs.push(e));
        const closed = once<Error>(r.session, 'close');
        r.send(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        expect(((await closed) as {code?: string}).code).toBe('ERR_YAMUX_INVALID_VERSION');
        expect(errs.length).toBe(1);
        expect((await r.log.waitFor((f) => f.type === FrameType.GoAway)).length).toBe(GoAwayCode.ProtocolError);
    });

    it('a throwing listener closes the session instead of crashing', async () => {
        const r = await raw({client: false});
        r.session.on('stream', () => {
            throw new Error('listener bug');
        });
        const closed = once<Error>(r.session, 'close');
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        expect((await closed).message).toBe('listener bug');
    });

    it('discards data for unknown streams and keeps parsing', async () => {
        const r = await raw({client: false});
        r.send(Buffer.concat([frame(FrameType.Data, 0, 77, 5000, pattern(5000)), frame(FrameType.Ping, Flag.SYN, 0, 5)]));
        expect((await r.log.waitFor((f) => f.type === FrameType.Ping)).length).toBe(5);
        expect(r.session.isClosed).toBe(false);
    });

    it('a stream reset by the peer without error listeners does not crash the process', async () => {
        const r = await raw({client: false});
        const got = streamEvent(r.session);
        r.send(frame(FrameType.WindowUpdate, Flag.SYN, 1, 0));
        const s = await got;
        s.on('data', () => undefined);
        const closed = once(s, 'close');
        r.send(frame(FrameType.WindowUpdate, Flag.RST, 1, 0));
        await closed;
        expect(r.session.numStreams).toBe(0);
        const err = await new Promise<Error | null | undefined>((resolve) => s.write('x', resolve));
        expect(err).toBeInstanceOf(Error);
    });
});

describe('TS to TS', () => {
    it('half-close: EOF on one side, the other can still write', async () => {
        const {client, server} = await tsPair();
        const accepted = streamEvent(server);
        const c = client.openStream();
        c.end('request');
        const s = await accepted;
        expect((await readAll(s)).toString()).toBe('request');
        s.end('response after EOF');
        expect((await readAll(c)).toString()).toBe('response after EOF');
        await sleep(10);
        expect(client.numStreams).toBe(0);
        expect(server.numStreams).toBe(0);
    });

    it('reset: both reads and writes fail on the other side', async () => {
        const {client, server} = await tsPair();
        const accepted = streamEvent(server);
        const c = client.openStream();
        c.write('x');
        const s = await accepted;
        const errP = once<Error & {code?: string}>(s, 'error');
        s.on('data', () => undefined);
        c.reset();
        const err = await errP;
        expect(err.code).toBe('ERR_YAMUX_STREAM_RESET');
        const werr = await new Promise<Error | null | undefined>((resolve) => s.write('y', resolve));
        expect(werr).toBeInstanceOf(Error);
        expect(server.numStreams).toBe(0);
        expect(client.numStreams).toBe(0);
    });

    it('destroy() before a clean close sends RST; a clean close does not', async () => {
        const {client, server} = await tsPair();
        const accepted = streamEvent(server);
        const c = client.openStream();
        c.write('x');
        const s = await accepted;
        s.on('error', () => undefined);
        const closed = once(s, 'close');
        c.destroy();
        await closed;
        expect(server.numStreams).toBe(0);
    });

    it('moves 8 MiB through a bigger maxStreamWindow and many concurrent streams', async () => {
        const {client, server} = await tsPair({maxStreamWindow: 1 << 20});
        server.on('stream', (st: Stream) => st.pipe(st));
        const results = await Promise.all(
            Array.from({length: 16}, async (_, k) => {
                const st = client.openStream();
                const data = pattern(512 * 1024, k);
                st.end(data);
                return (await readAll(st)).equals(data);
            }),
        );
        expect(results.every(Boolean)).toBe(true);
    });

    it('session close fails open streams, destroys the socket, emits close once, leaks no listeners', async () => {
        const {client, server, a} = await tsPair();
        server.on('stream', (st: Stream) => {
            st.on('error', () => undefined);
            st.pipe(st);
        });
        const baseline = ['data', 'end', 'close', 'error', 'drain'].map((e) => a.listenerCount(e));
        for (let i = 0; i < 300; i++) {
            const st = client.openStream();
            st.end('x');
            await readAll(st);
        }
        await sleep(10);
        expect(['data', 'end', 'close', 'error', 'drain'].map((e) => a.listenerCount(e))).toEqual(baseline);
        expect(client.numStreams).toBe(0);

        const pending = client.openStream();
        const perr = once<Error>(pending, 'error');
        let closes = 0;
        client.on('close', () => closes++);
        const serverClosed = once(server, 'close');
        client.close();
        client.close();
        expect((await perr).message).toMatch(/session shutdown/);
        await serverClosed; // the peer saw the socket go away
        expect(a.destroyed).toBe(true);
        expect(closes).toBe(1);
        expect(client.isClosed).toBe(true);
        expect(() => client.openStream()).toThrow(/session shutdown/);
        await expect(client.ping()).rejects.toThrow(/session shutdown/);
    });
});
