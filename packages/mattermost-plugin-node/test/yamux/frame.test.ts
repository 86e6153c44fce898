import {describe, expect, it} from 'vitest';

import {
    encodeHeader,
    Flag,
    FrameDecoder,
    FrameType,
    GoAwayCode,
    parseHeader,
    YamuxError,
} from '../../src/transport/yamux/index.js';
import {frame, pattern} from './helpers.js';

interface Ev {
    kind: 'frame' | 'data' | 'error';
    type?: number;
    flags?: number;
    streamId?: number;
    length?: number;
    data?: Buffer;
    last?: boolean;
    err?: YamuxError;
}

function collect(): {decoder: FrameDecoder; events: Ev[]} {
    const events: Ev[] = [];
    const decoder = new FrameDecoder({
        onFrame: (type, flags, streamId, length) => events.push({kind: 'frame', type, flags, streamId, length}),
        onData: (piece, last) => events.push({kind: 'data', data: Buffer.from(piece), last}),
        onError: (err) => events.push({kind: 'error', err}),
    });
    return {decoder, events};
}

/** Frames and the concatenated payload per frame, independent of how the payload was split. */
function normalise(events: Ev[]): Array<{type?: number; flags?: number; streamId?: number; length?: number; payload?: string; err?: string}> {
    const out: Array<{type?: number; flags?: number; streamId?: number; length?: number; payload?: string; err?: string}> = [];
    let parts: Buffer[] = [];
    for (const e of events) {
        if (e.kind === 'frame') {
            out.push({type: e.type, flags: e.flags, streamId: e.streamId, length: e.length});
        } else if (e.kind === 'data') {
            parts.push(e.data!);
            if (e.last) {
                out[out.length - 1].payload = Buffer.concat(parts).toString('hex');
                parts = [];
            }
        } else {
            out.push({err: e.err!.code});
        }
    }
    return out;
}

describe('yamux frame header', () => {
    it('encodes the examples from the protocol notes byte for byte', () => {
        expect(encodeHeader(FrameType.WindowUpdate, Flag.SYN, 7, 0).toString('hex')).toBe('000100010000000700000000');
        expect(encodeHeader(FrameType.WindowUpdate, Flag.ACK, 7, 0).toString('hex')).toBe('000100020000000700000000');
        expect(encodeHeader(FrameType.GoAway, 0, 0, GoAwayCode.ProtocolError).toString('hex')).toBe('000300000000000000000001');
        // big-endian, full uint32 range
        expect(encodeHeader(FrameType.Data, Flag.FIN | Flag.RST, 0xfffffffe, 0x01020304).toString('hex')).toBe(
            '0000000cfffffffe01020304',
        );
    });

    it('parses what it encodes', () => {
        const target = Buffer.alloc(20);
        encodeHeader(FrameType.Ping, Flag.ACK, 0, 0xdeadbeef, target, 5);
        expect(parseHeader(target, 5)).toEqual({version: 0, type: 2, flags: 2, streamId: 0, length: 0xdeadbeef});
        expect(() => parseHeader(Buffer.alloc(11))).toThrow(RangeError);
    });
});

describe('FrameDecoder', () => {
    const stream = Buffer.concat([
        frame(FrameType.WindowUpdate, Flag.SYN, 1, 0),
        frame(FrameType.Data, 0, 1, 1000, pattern(1000, 3)),
        frame(FrameType.Data, Flag.FIN, 1, 0),
        frame(FrameType.Ping, Flag.SYN, 0, 42),
        frame(FrameType.Data, Flag.ACK, 2, 5, Buffer.from('hello')),
        frame(FrameType.WindowUpdate, 0, 2, 262144),
        frame(FrameType.GoAway, 0, 0, 0),
    ]);

    it('decodes a stream fed in one chunk', () => {
        const {decoder, events} = collect();
        decoder.write(stream);
        const n = normalise(events);
        expect(n).toEqual([
            {type: 1, flags: 1, streamId: 1, length: 0},
            {type: 0, flags: 0, streamId: 1, length: 1000, payload: pattern(1000, 3).toString('hex')},
            {type: 0, flags: 4, streamId: 1, length: 0},
            {type: 2, flags: 1, streamId: 0, length: 42},
            {type: 0, flags: 2, streamId: 2, length: 5, payload: Buffer.from('hello').toString('hex')},
            {type: 1, flags: 0, streamId: 2, length: 262144},
            {type: 3, flags: 0, streamId: 0, length: 0},
        ]);
        expect(decoder.idle).toBe(true);
    });

    it('decodes the same stream fed one byte at a time', () => {
        const whole = collect();
        whole.decoder.write(stream);
        const bytewise = collect();
        for (let i = 0; i < stream.length; i++) {
            bytewise.decoder.write(stream.subarray(i, i + 1));
        }
        expect(normalise(bytewise.events)).toEqual(normalise(whole.events));
        // every payload byte arrived, each in its own piece, the last one flagged
        const dataEvents = bytewise.events.filter((e) => e.kind === 'data');
        expect(dataEvents.length).toBe(1005);
        expect(dataEvents.filter((e) => e.last).length).toBe(2);
    });

    it('handles a header split at every offset', () => {
        const f = frame(FrameType.Data, Flag.SYN, 9, 3, Buffer.from('abc'));
        for (let cut = 1; cut < f.length; cut++) {
            const {decoder, events} = collect();
            decoder.write(f.subarray(0, cut));
            decoder.write(f.subarray(cut));
            expect(normalise(events)).toEqual([{type: 0, flags: 1, streamId: 9, length: 3, payload: '616263'}]);
        }
    });

    it('streams a 1 MiB frame split into uneven socket-sized chunks without copying', () => {
        const payload = pattern(1 << 20, 7);
        const f = frame(FrameType.Data, 0, 3, payload.length, payload);
        const chunks: Buffer[] = [];
        let off = 0;
        let size = 1;
        while (off < f.length) {
            const n = Math.min(size, f.length - off);
            chunks.push(f.subarray(off, off + n));
            off += n;
            size = (size * 7 + 13) % 65536 || 1;
        }
        const pieces: Buffer[] = [];
        let shared = 0;
        let lastFlags = 0;
        const decoder = new FrameDecoder({
            onFrame: () => undefined,
            onData: (piece, last) => {
                pieces.push(piece);
                if (last) {
                    lastFlags++;
                }
            },
            onError: (err) => {
                throw err;
            },
        });
        for (const c of chunks) {
            decoder.write(c);
        }
        for (const p of pieces) {
            if (p.buffer === f.buffer) {
                shared++;
            }
        }
        expect(Buffer.concat(pieces).equals(payload)).toBe(true);
        expect(lastFlags).toBe(1);
        // zero-copy: every piece is a view of the input memory
        expect(shared).toBe(pieces.length);
    });

    it('reports a bad version and stops', () => {
        const {decoder, events} = collect();
        const bad = frame(FrameType.Ping, Flag.SYN, 0, 1);
        bad[0] = 1;
        decoder.write(Buffer.concat([frame(FrameType.Ping, Flag.SYN, 0, 5), bad, frame(FrameType.Ping, Flag.SYN, 0, 6)]));
        decoder.write(frame(FrameType.Ping, Flag.SYN, 0, 7));
        expect(normalise(events)).toEqual([{type: 2, flags: 1, streamId: 0, length: 5}, {err: 'ERR_YAMUX_INVALID_VERSION'}]);
        expect(decoder.isStopped).toBe(true);
    });

    it('reports an unknown message type and stops', () => {
        const {decoder, events} = collect();
        const bad = frame(FrameType.Ping, 0, 0, 0);
        bad[1] = 4;
        decoder.write(bad);
        expect(normalise(events)).toEqual([{err: 'ERR_YAMUX_INVALID_TYPE'}]);
    });

    it('ignores input after stop()', () => {
        const {decoder, events} = collect();
        decoder.write(frame(FrameType.Data, 0, 1, 10, Buffer.alloc(4)));
        decoder.stop();
        decoder.write(Buffer.alloc(100, 0xff));
        expect(events.length).toBe(2);
    });
});
