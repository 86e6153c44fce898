// yamux sessions fed random and mutated frames through an in-memory connection, while streams are
// opened, read, written and reset on our side. Nothing may escape as an uncaught exception, garbage
// (a bad version or type where a header starts) must close the session with a protocol error and a
// GoAway(protocol error) to the peer, and once the peer hangs up the session must be closed with no
// stream left, every time.
import type {Duplex} from 'node:stream';

import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

import {encodeHeader, FrameDecoder, FrameType, GoAwayCode, HEADER_SIZE, Session, type Stream, YamuxError} from '../../src/transport/yamux/index.js';
import {memoryPair} from '../yamux/helpers.js';

import {fuzzParams, fuzzTimeout} from './bounds.js';
import {applyMutations, mutations} from './mutate.js';

interface FrameSpec {
    version: number;
    type: number;
    flags: number;
    streamId: number;
    length: number;
    /** Payload bytes sent after a Data header unless `exact` (may be fewer or more than `length` says). */
    payload: Uint8Array;
}

const u32 = fc.integer({min: 0, max: 2 ** 32 - 1});

const frameSpec: fc.Arbitrary<FrameSpec> = fc.record({
    version: fc.oneof({weight: 30, arbitrary: fc.constant(0)}, {weight: 1, arbitrary: fc.integer({min: 1, max: 255})}),
    type: fc.oneof({weight: 30, arbitrary: fc.integer({min: 0, max: 3})}, {weight: 1, arbitrary: fc.integer({min: 4, max: 255})}),
    flags: fc.oneof({weight: 5, arbitrary: fc.integer({min: 0, max: 15})}, {weight: 1, arbitrary: fc.integer({min: 0, max: 0xffff})}),
    // Low ids hit the streams that exist (ours are 1, 3 / 2, 4, the peer's the others).
    streamId: fc.oneof({weight: 5, arbitrary: fc.integer({min: 0, max: 6})}, {weight: 1, arbitrary: u32}),
    length: fc.oneof(
        {weight: 5, arbitrary: fc.integer({min: 0, max: 48})},
        {weight: 1, arbitrary: fc.constantFrom(256 * 1024, 256 * 1024 + 1, 2 ** 31, 2 ** 32 - 1)},
        {weight: 1, arbitrary: u32},
    ),
    payload: fc.uint8Array({maxLength: 48}),
});

/** Longest payload written after a Data header: a header may claim up to 4 GiB. */
const MAX_PAYLOAD = 64;

/** `exactPayload`: as many payload bytes as the header claims (up to MAX_PAYLOAD), else `payload`. */
function encodeFrames(frames: readonly FrameSpec[], exactPayload: boolean): Buffer {
    const parts: Buffer[] = [];
    for (const f of frames) {
        const h = encodeHeader(f.type, f.flags, f.streamId, f.length);
        h[0] = f.version;
        parts.push(h);
        if (f.type === FrameType.Data && f.length > 0) {
            parts.push(exactPayload ? Buffer.alloc(Math.min(f.length, MAX_PAYLOAD), 0x61) : Buffer.from(f.payload));
        }
    }
    return Buffer.concat(parts);
}

/** Where the first header with a bad version or type starts, parsing as yamux does (-1: none). */
function firstGarbage(bytes: Buffer): number {
    let at = 0;
    while (at + HEADER_SIZE <= bytes.length) {
        if (bytes[at] !== 0 || bytes[at + 1]! > FrameType.GoAway) return at;
        const length = bytes.readUInt32BE(at + 8);
        at += HEADER_SIZE + (bytes[at + 1] === FrameType.Data ? length : 0);
    }
    return -1;
}

const protocolErrorCodes = new Set(['ERR_YAMUX_INVALID_VERSION', 'ERR_YAMUX_INVALID_TYPE', 'ERR_YAMUX_RECV_WINDOW_EXCEEDED', 'ERR_YAMUX_DUPLICATE_STREAM']);
const knownCodes = new Set([
    ...protocolErrorCodes,
    'ERR_YAMUX_CONNECTION_CLOSED',
    'ERR_YAMUX_REMOTE_PROTOCOL_ERROR',
    'ERR_YAMUX_REMOTE_INTERNAL_ERROR',
    'ERR_YAMUX_UNEXPECTED_GOAWAY',
]);

/** What our side does with each stream the peer opens (picked per stream from a list). */
type StreamPlay = 'read' | 'ignore' | 'echo' | 'reset' | 'end' | 'throw';
const streamPlay = fc.constantFrom<StreamPlay>('read', 'ignore', 'echo', 'reset', 'end', 'throw');

interface Run {
    session: Session;
    /** GoAway codes the session sent to the peer. */
    goAways: number[];
    closedWith: Array<Error | undefined>;
    closedBeforeHangUp: boolean;
}

const settle = async (rounds = 4): Promise<void> => {
    for (let k = 0; k < rounds; k++) await new Promise((r) => setImmediate(r));
};

let uncaught: unknown[] = [];
const onUncaught = (e: unknown): void => {
    uncaught.push(e);
};
beforeAll(() => {
    process.on('uncaughtException', onUncaught);
});
afterAll(() => {
    process.off('uncaughtException', onUncaught);
});

/** Runs a session against `input` (in the given chunk sizes), then hangs up. */
async function play(input: Buffer, chunks: readonly number[], opts: {client: boolean; plays: readonly StreamPlay[]}): Promise<Run> {
    const [conn, peer]: [Duplex, Duplex] = memoryPair();
    const session = new Session(conn, {client: opts.client, keepAliveIntervalMs: 0});
    const run: Run = {session, goAways: [], closedWith: [], closedBeforeHangUp: false};
    const out = new FrameDecoder({
        onFrame: (type, _flags, _id, length) => {
            if (type === FrameType.GoAway) run.goAways.push(length);
        },
        onData: () => undefined,
        onError: () => undefined,
    });
    peer.on('data', (c: Buffer) => out.write(c));
    session.on('error', () => undefined);
    session.on('close', (err?: Error) => run.closedWith.push(err));
    let n = 0;
    session.on('stream', (st: Stream) => {
        st.on('error', () => undefined);
        const p = opts.plays.length > 0 ? opts.plays[n++ % opts.plays.length]! : 'read';
        if (p === 'read') st.resume();
        else if (p === 'echo') st.on('data', (d: Buffer) => st.write(d));
        else if (p === 'reset') st.reset();
        else if (p === 'end') st.end('bye');
        else if (p === 'throw') throw new Error('listener bug');
    });
    // Our own streams, so that frames for ids 1/3 (client) or 2/4 (server) find one.
    for (let k = 0; k < 2; k++) {
        const st = session.openStream();
        st.on('error', () => undefined);
        st.resume();
        st.write('hello');
    }
    let off = 0;
    for (const size of [...chunks, input.length]) {
        if (off >= input.length) break;
        peer.write(input.subarray(off, off + Math.max(1, size)));
        off += Math.max(1, size);
        await settle(1);
    }
    await settle();
    run.closedBeforeHangUp = session.isClosed;
    peer.end();
    for (let k = 0; k < 50 && !session.isClosed; k++) await settle(1);
    peer.destroy();
    return run;
}

function expectSane(run: Run): void {
    expect(uncaught).toEqual([]);
    expect(run.session.isClosed, 'closed after the peer hung up').toBe(true);
    expect(run.session.numStreams).toBe(0);
    expect(run.closedWith.length, "exactly one 'close'").toBe(1);
    const err = run.closedWith[0];
    if (err !== undefined && err instanceof YamuxError) {
        expect(knownCodes.has(err.code), err.code).toBe(true);
        // Our protocol errors are announced to the peer first.
        if (protocolErrorCodes.has(err.code)) expect(run.goAways).toContain(GoAwayCode.ProtocolError);
    } else if (err !== undefined) {
        // Only a throwing 'stream' listener closes with something else, and then with its error.
        expect(err.message).toBe('listener bug');
    }
}

const chunkSizes = fc.array(fc.integer({min: 1, max: 40}), {maxLength: 20});

describe('yamux session fuzz', () => {
    test(
        'random frames and bytes: no uncaught exception, garbage closes with a protocol error, hang-up always closes',
        async () => {
            let protocolCloses = 0;
            await fc.assert(
                fc.asyncProperty(
                    fc.array(frameSpec, {maxLength: 12}),
                    fc.boolean(),
                    fc.option(mutations, {nil: undefined}),
                    chunkSizes,
                    fc.boolean(),
                    fc.array(streamPlay, {maxLength: 4}),
                    async (frames, exact, muts, chunks, client, plays) => {
                        uncaught = [];
                        let input = encodeFrames(frames, exact);
                        if (muts !== undefined && input.length > 0) input = Buffer.from(applyMutations(input, muts));
                        const run = await play(input, chunks, {client, plays});
                        expectSane(run);
                        const garbage = firstGarbage(input);
                        if (garbage >= 0) {
                            // The session may have failed earlier for another reason, but it failed.
                            expect(run.closedBeforeHangUp, `garbage at ${garbage}`).toBe(true);
                            expect(run.closedWith[0]).toBeInstanceOf(Error);
                        }
                        if (run.closedBeforeHangUp && run.goAways.includes(GoAwayCode.ProtocolError)) protocolCloses++;
                    },
                ),
                fuzzParams(500, {timeout: 5000}),
            );
            expect(protocolCloses).toBeGreaterThan(0);
        },
        fuzzTimeout(60_000),
    );

    test(
        'a harmless prefix then a bad header: always INVALID_VERSION / INVALID_TYPE, GoAway(protocol error) sent',
        async () => {
            // Pings, window updates and data for streams nobody opened, and GoAway(normal): none of these end a session.
            const harmless = fc.record({
                version: fc.constant(0),
                type: fc.integer({min: 0, max: 3}),
                flags: fc.constantFrom(0, 2),
                streamId: fc.integer({min: 100, max: 200}),
                length: fc.integer({min: 0, max: 48}),
                payload: fc.uint8Array({maxLength: 0}),
            }).map((f) => (f.type === FrameType.GoAway ? {...f, length: GoAwayCode.Normal} : f.type === FrameType.Ping ? {...f, streamId: 0} : f));
            const bad = fc.oneof(
                fc.tuple(fc.integer({min: 1, max: 255}), fc.integer({min: 0, max: 255})),
                fc.tuple(fc.constant(0), fc.integer({min: 4, max: 255})),
            );
            await fc.assert(
                fc.asyncProperty(fc.array(harmless, {maxLength: 8}), bad, fc.uint8Array({minLength: 10, maxLength: 40}), chunkSizes, fc.boolean(), async (prefix, [version, type], rest, chunks, client) => {
                    uncaught = [];
                    const input = Buffer.concat([encodeFrames(prefix, true), Buffer.from([version, type]), Buffer.from(rest)]);
                    const run = await play(input, chunks, {client, plays: ['read']});
                    expectSane(run);
                    expect(run.closedBeforeHangUp).toBe(true);
                    const err = run.closedWith[0] as YamuxError;
                    expect(err).toBeInstanceOf(YamuxError);
                    expect(err.code).toBe(version !== 0 ? 'ERR_YAMUX_INVALID_VERSION' : 'ERR_YAMUX_INVALID_TYPE');
                    expect(run.goAways).toEqual([GoAwayCode.ProtocolError]);
                }),
                fuzzParams(150, {timeout: 5000}),
            );
        },
        fuzzTimeout(60_000),
    );
});
