// Hostile and partial input: the decoder must yield values, ask for more bytes (undefined), or throw a
// GobError, and never anything else; it must not hang or allocate by untrusted counts.
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {GobDecoder, GobEncoder, GobError, t, type GoType} from '../../src/transport/gob';
import {encodeInt, encodeUint} from '../../src/transport/gob/wire';

const peer = path.resolve(__dirname, '../../../../test/conformance/build/bin/gobpeer');
let goStreams: Record<string, Uint8Array> = {};

beforeAll(() => {
    const out = JSON.parse(execFileSync(peer, ['encode-all'], {maxBuffer: 64 << 20}).toString()) as Record<string, string>;
    goStreams = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
});

type Part = number | Uint8Array | number[];

/** One framed message from raw parts (numbers are raw bytes, not encoded integers). */
function msg(...parts: Part[]): Uint8Array {
    const body = Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
    return new Uint8Array(Buffer.concat([encodeUint(body.length), body]));
}

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const str = (s: string): Uint8Array => cat(encodeUint(Buffer.byteLength(s)), Buffer.from(s));

function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = a;
        x = Math.imul(x ^ (x >>> 15), x | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
}

/** Drains a decoder; returns the values and the error (if any). Bounded, so a hang fails loudly. */
function drain(dec: GobDecoder): {values: unknown[]; error?: unknown} {
    const values: unknown[] = [];
    for (let i = 0; i < 100_000; i++) {
        let r: {value: unknown} | undefined;
        try {
            r = dec.next();
        } catch (e) {
            return {values, error: e};
        }
        if (r === undefined) return {values};
        values.push(r.value);
    }
    throw new Error('decoder kept producing values');
}

function decodeAll(bytes: Uint8Array): unknown[] {
    const dec = new GobDecoder();
    dec.push(bytes);
    const {values, error} = drain(dec);
    if (error !== undefined) throw error;
    expect(dec.buffered).toBe(0);
    return values;
}

function expectGobError(bytes: Uint8Array, message: RegExp, dec = new GobDecoder()): GobError {
    dec.push(bytes);
    const {error} = drain(dec);
    expect(error).toBeInstanceOf(GobError);
    expect((error as Error).message).toMatch(message);
    return error as GobError;
}

function splitMessages(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let p = 0;
    while (p < bytes.length) {
        const start = p;
        let len = bytes[p++]!;
        if (len >= 0x80) {
            const n = 256 - len;
            len = 0;
            for (let k = 0; k < n; k++) len = len * 256 + bytes[p++]!;
        }
        p += len;
        out.push(bytes.subarray(start, p));
    }
    return out;
}

/** Every position of short streams; for long ones, around each message boundary plus a spread. */
function cutPoints(bytes: Uint8Array): number[] {
    if (bytes.length <= 400) return Array.from({length: bytes.length + 1}, (_, i) => i);
    const cuts = new Set<number>();
    let at = 0;
    for (const m of splitMessages(bytes)) {
        for (let d = -2; d <= 2; d++) cuts.add(Math.min(bytes.length, Math.max(0, at + d)));
        at += m.length;
    }
    const step = Math.ceil(bytes.length / 150);
    for (let cut = 0; cut <= bytes.length; cut += step) cuts.add(cut);
    cuts.add(bytes.length);
    return [...cuts].sort((a, b) => a - b);
}

const Request = t.struct('Request', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
]);
const requestDef = (): Uint8Array => splitMessages(new GobEncoder().encode(Request, {}))[0]!;

describe('partial input', () => {
    test('every prefix yields the complete values only, and the rest completes the stream', () => {
        for (const [name, bytes] of Object.entries(goStreams)) {
            const whole = decodeAll(bytes);
            for (const cut of cutPoints(bytes)) {
                const dec = new GobDecoder();
                dec.push(bytes.subarray(0, cut));
                const first = drain(dec);
                expect(first.error, `${name} cut at ${cut}`).toBeUndefined();
                dec.push(bytes.subarray(cut));
                const second = drain(dec);
                expect(second.error, `${name} cut at ${cut}`).toBeUndefined();
                expect([...first.values, ...second.values], `${name} cut at ${cut}`).toStrictEqual(whole);
            }
        }
    });

    test('a value split by an inline definition is retried from the start, definitions rolled back', () => {
        const [m1, m2, m3] = splitMessages(goStreams.error_field!);
        expect(m3).toBeDefined();
        const dec = new GobDecoder();
        dec.push(cat(m1!, m2!));
        expect(dec.next()).toBeUndefined();
        // The standalone definition is kept; the half value (with its inline definition) is not.
        expect(dec.buffered).toBe(m2!.length);
        expect(dec.next()).toBeUndefined();
        dec.push(m3!);
        expect(dec.next()?.value).toMatchObject({A: {name: '*plugin.ErrorString', value: {Err: 'boom'}}});
        expect(dec.next()).toBeUndefined();
        expect(dec.buffered).toBe(0);
    });

    test('a slice of interfaces whose elements span several messages', () => {
        const msgs = splitMessages(goStreams.iface_list!);
        expect(msgs.length).toBeGreaterThan(4);
        const dec = new GobDecoder();
        for (let i = 0; i < msgs.length - 1; i++) {
            dec.push(msgs[i]!);
            expect(dec.next()).toBeUndefined();
        }
        dec.push(msgs[msgs.length - 1]!);
        expect((dec.next()?.value as {L: unknown[]}).L).toHaveLength(6);
    });

    test('empty messages are skipped, like Go does', () => {
        const enc = new GobEncoder();
        const [def, value] = splitMessages(enc.encode(Request, {Seq: 3}));
        expect(decodeAll(cat(new Uint8Array([0, 0]), def!, new Uint8Array([0]), value!))).toStrictEqual([{Seq: 3}]);
    });

    test('leftover bytes after a top-level value are dropped, like Go does', () => {
        expect(decodeAll(msg(0x0c, 0x00, 0x01, 0x61, 0xff, 0xff))).toStrictEqual(['a']);
    });
});

describe('rejected input', () => {
    test('duplicate type id', () => {
        expectGobError(cat(requestDef(), requestDef()), /duplicate type received \(id 65\)/);
    });

    test('definition id below 64', () => {
        expectGobError(msg(encodeInt(-10), 0x02, 0x01, 0x01, 0x02, 0x01, 0x0c, 0x00, 0x00), /id 10, below the first user id 64/);
    });

    test('message longer than the limit, judged from the length prefix alone', () => {
        expectGobError(cat(encodeUint(64 * 1024 * 1024 + 1), new Uint8Array([1, 2, 3])), /exceeds the limit of 67108864 bytes/);
        expectGobError(msg(0x0c, 0x00, str('x'.repeat(20))), /exceeds the limit of 10 bytes/, new GobDecoder({maxMessageSize: 10}));
    });

    test('length prefix announcing more than 8 bytes', () => {
        expectGobError(new Uint8Array([0xf0, 1, 2, 3]), /out of range/);
    });

    test('string longer than its message', () => {
        expectGobError(msg(0x0c, 0x00, 0x64, 0x61, 0x62), /invalid string length 100: exceeds input size 2/);
    });

    test('huge counts fail fast without allocating', () => {
        const def = splitMessages(new GobEncoder().encode(t.slice(t.string), ['a']))[0]!;
        const t0 = performance.now();
        expectGobError(cat(def, msg(encodeInt(65), 0x00, encodeUint(2n ** 60n), 0x01, 0x61)), /length exceeds input size/);
        const mdef = splitMessages(new GobEncoder().encode(t.map(t.string, t.string), {}))[0]!;
        expectGobError(cat(mdef, msg(encodeInt(65), 0x00, encodeUint(2n ** 62n), 0x01, 0x61, 0x01, 0x62)), /length exceeds input size/);
        const [rdef, sdef] = splitMessages(new GobEncoder().encode(t.slice(Request), [{}]));
        // A struct at the end of a message may consume no bytes: the per-element check still ends the loop.
        expectGobError(cat(rdef!, sdef!, msg(encodeInt(66), 0x00, encodeUint(2 ** 50), 0x00)), /length exceeds input size/);
        expect(performance.now() - t0).toBeLessThan(500);
    });

    test('unknown type id', () => {
        expectGobError(msg(encodeInt(70), 0x00), /unknown type id 70/);
        expectGobError(msg(encodeInt(0), 0x00), /unknown type id 0/);
        expectGobError(msg(encodeInt(12), 0x00), /unknown type id 12/);
    });

    test('nesting deeper than the limit', () => {
        const Node: GoType = t.struct('Node', () => [['Next', t.ptr(Node)]]);
        let v: Record<string, unknown> = {};
        for (let i = 0; i < 300; i++) v = {Next: v};
        const bytes = new GobEncoder().encode(Node, v);
        expectGobError(bytes, /nesting exceeds the limit of 256/);
        const lenient = new GobDecoder({maxDepth: 400});
        lenient.push(bytes);
        expect(drain(lenient).error).toBeUndefined();
        let list: unknown[] = [];
        for (let i = 0; i < 300; i++) list = [list];
        expectGobError(new GobEncoder().encode(t.interface, list), /nesting exceeds/);
    });

    test('singleton with a non-zero field delta', () => {
        expectGobError(msg(0x0c, 0x01, 0x01, 0x61), /non-zero delta for singleton/);
    });

    test('extra data after a top-level definition', () => {
        const def = requestDef();
        const body = def.subarray(1);
        expectGobError(msg(body, 0x00), /extra data in buffer/);
    });

    test('field number out of range', () => {
        expectGobError(cat(requestDef(), msg(encodeInt(65), 0x03, 0x01, 0x00)), /field numbers out of bounds/);
    });

    test('interface names: too long, or longer than the message', () => {
        const I = t.struct('I', [['V', t.interface]]);
        const def = splitMessages(new GobEncoder().encode(I, {}))[0]!;
        expectGobError(cat(def, msg(encodeInt(65), 0x01, encodeUint(2000), new Uint8Array(2000))), /name too long/);
        expectGobError(cat(def, msg(encodeInt(65), 0x01, encodeUint(50), 0x61)), /invalid type name length 50/);
    });

    test('array length differing from its definition', () => {
        const def = splitMessages(new GobEncoder().encode(t.array(t.int, 2), [1, 2]))[0]!;
        expectGobError(cat(def, msg(encodeInt(65), 0x00, 0x03, 0x02, 0x04, 0x06)), /length mismatch in array: got 3, want 2/);
    });

    test('definition with two kinds, and a used definition with none', () => {
        // wireType{SliceT: {Elem: string}, StructT: {}}
        expectGobError(msg(encodeInt(-65), 0x02, 0x02, 0x0c, 0x00, 0x01, 0x00, 0x00), /more than one kind/);
        expectGobError(cat(msg(encodeInt(-65), 0x00), msg(encodeInt(65), 0x00)), /empty definition/);
    });

    test('struct definition with an empty field name', () => {
        // wireType{StructT: {Field: [{Id: string}]}}
        const def = msg(encodeInt(-65), 0x03, 0x02, 0x01, 0x02, 0x0c, 0x00, 0x00, 0x00);
        expectGobError(cat(def, msg(encodeInt(65), 0x01, 0x01, 0x61, 0x00)), /empty name/);
    });

    test('after an error the decoder stays failed', () => {
        const dec = new GobDecoder();
        const err = expectGobError(msg(encodeInt(70), 0x00), /unknown type id/, dec);
        dec.push(new GobEncoder().encode(t.string, 'ok'));
        let again: unknown;
        try {
            dec.next();
        } catch (e) {
            again = e;
        }
        expect(again).toBe(err);
    });
});

describe('garbage never escapes as anything but GobError', () => {
    function feed(bytes: Uint8Array, chunk: number): void {
        const dec = new GobDecoder({maxMessageSize: 1 << 20});
        let error: unknown;
        for (let off = 0; off < bytes.length && error === undefined; off += chunk) {
            dec.push(bytes.subarray(off, off + chunk));
            error = drain(dec).error;
        }
        if (error !== undefined && !(error instanceof GobError)) throw error;
    }

    test('random bytes, whole and chunked', () => {
        const rand = rng(42);
        const t0 = performance.now();
        for (let i = 0; i < 3000; i++) {
            const n = 1 + Math.floor(rand() * 300);
            const b = new Uint8Array(n);
            for (let k = 0; k < n; k++) b[k] = Math.floor(rand() * 256);
            // Mostly small lengths and ids, so that more of the input reaches the value decoders.
            if (rand() < 0.7) b[0] = Math.floor(rand() * n);
            feed(b, n);
            feed(b, 1 + Math.floor(rand() * 7));
        }
        expect(performance.now() - t0).toBeLessThan(10_000);
    });

    test('mutated Go streams', () => {
        const rand = rng(7);
        const t0 = performance.now();
        let errors = 0;
        let runs = 0;
        for (const bytes of Object.values(goStreams)) {
            if (bytes.length > 5000) continue;
            for (let i = 0; i < 150; i++) {
                const b = new Uint8Array(bytes);
                const flips = 1 + Math.floor(rand() * 3);
                for (let f = 0; f < flips; f++) {
                    const at = Math.floor(rand() * b.length);
                    b[at] = rand() < 0.5 ? Math.floor(rand() * 256) : b[at]! ^ (1 << Math.floor(rand() * 8));
                }
                const dec = new GobDecoder({maxMessageSize: 1 << 20});
                dec.push(b);
                const {error} = drain(dec);
                runs++;
                if (error !== undefined) {
                    if (!(error instanceof GobError)) throw error;
                    errors++;
                }
            }
        }
        // The mutations must actually reach the error paths.
        expect(errors).toBeGreaterThan(runs / 4);
        expect(performance.now() - t0).toBeLessThan(10_000);
    });
});

describe('decoded data is safe to keep', () => {
    test('byte slices are copies, not views of the receive buffer', () => {
        const dec = new GobDecoder();
        dec.push(goStreams.bytes!);
        const v = dec.next()!.value as {B: Uint8Array; Big: Uint8Array};
        expect(v.B.buffer.byteLength).toBe(v.B.length);
        // The receive buffer is reused for the next chunk.
        dec.push(new Uint8Array(goStreams.bytes!.length).fill(0xee));
        expect([...v.B]).toStrictEqual([0, 1, 2, 255]);
        expect(v.Big[250]).toBe(250);
        expect(v.Big[251]).toBe(0);
    });

    test('a "__proto__" map key becomes an own property and pollutes nothing', () => {
        const [v] = decodeAll(goStreams.maps!) as [{Proto: Record<string, unknown>}];
        expect(Object.getPrototypeOf(v.Proto)).toBe(Object.prototype);
        expect(Object.keys(v.Proto).sort()).toStrictEqual(['__proto__', 'constructor']);
        expect(Object.getOwnPropertyDescriptor(v.Proto, '__proto__')?.value).toBe('polluted?');
        expect((Object.prototype as Record<string, unknown>)['polluted?']).toBeUndefined();
    });
});
