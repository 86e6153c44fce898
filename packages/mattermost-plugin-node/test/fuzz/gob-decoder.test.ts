// The gob decoder on hostile input: random bytes and mutations of valid streams (TypeScript and Go
// encodings). Every input must finish quickly, and either decode or throw a GobError of the decoder's
// own making (not a TypeError/RangeError caught and wrapped); fed in random chunks it must give exactly
// what it gives for the whole input. Lengths, counts and nesting that claim more than the input holds
// must fail before memory is allocated for them.
import {inspect} from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';

import fc from 'fast-check';
import {beforeAll, describe, expect, test} from 'vitest';

import {GobDecoder, GobEncoder, GobError, GoInterface, t} from '../../src/transport/gob';
import {encodeInt, encodeUint} from '../../src/transport/gob/wire';

import {fuzzParams, fuzzTimeout, longRun} from './bounds.js';
import {kinds} from './gob_types.js';
import {goEncodeAll, goGenerate, readGoCorpus} from './gobpeer.js';
import {applyMutations, mutations} from './mutate.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** No input of these tests may take longer (they are at most a few KiB). */
const MAX_MS_PER_INPUT = 1000;

interface Outcome {
    values: unknown[];
    error?: string;
}

/** Pushes `input` in pieces of the given sizes (the rest at the end), pulling values after each. */
function decode(input: Uint8Array, sizes: readonly number[] = []): Outcome {
    const dec = new GobDecoder();
    const values: unknown[] = [];
    let off = 0;
    const pieces = [...sizes.map((n) => Math.max(1, n)), input.length];
    try {
        for (const n of pieces) {
            if (off >= input.length) break;
            dec.push(input.subarray(off, off + n));
            off += n;
            expect(dec.buffered).toBeLessThanOrEqual(off);
            for (let r = dec.next(); r !== undefined; r = dec.next()) values.push(r.value);
        }
    } catch (e) {
        expectOwnGobError(e);
        // The stream position is lost after an error: the decoder stays failed, with the same error.
        expect(() => dec.next()).toThrow(e as Error);
        return {values, error: (e as Error).message};
    }
    return {values};
}

/** A GobError the decoder raised itself, not a runtime error it caught and wrapped as "internal". */
function expectOwnGobError(e: unknown): asserts e is GobError {
    expect(e).toBeInstanceOf(GobError);
    const err = e as GobError;
    expect(err.message).toMatch(/^gob: /);
    expect(err.message, `wrapped ${String(err.cause)}`).not.toMatch(/internal error/);
    expect(err.cause).toBeUndefined();
}

/** Decodes whole and in chunks, checks the invariants, returns the whole outcome. */
function check(input: Uint8Array, sizes: readonly number[]): Outcome {
    const start = performance.now();
    const whole = decode(input);
    const chunked = decode(input, sizes);
    const ms = performance.now() - start;
    expect(ms, `${input.length} bytes took ${ms.toFixed(0)} ms`).toBeLessThan(MAX_MS_PER_INPUT);
    expect(show(chunked)).toBe(show(whole));
    return whole;
}

/**
 * Exact text of an outcome: -0, NaN, bigint, holes, classes and key order show. (toStrictEqual cannot
 * be used: decoded maps may have own "constructor" keys, which it takes for the objects' classes.)
 */
function show(v: unknown): string {
    return inspect(v, {depth: Infinity, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity, showHidden: false});
}

const chunkSizes = fc.array(fc.integer({min: 1, max: 64}), {maxLength: 40});

let seeds: Uint8Array[] = [];

beforeAll(() => {
    const ts = kinds.flatMap((k, i) => fc.sample(k.arb, {seed: 7 + i, numRuns: 8}).map((v) => new GobEncoder().encode(k.type, v)));
    const go = [...goEncodeAll(), ...goGenerate(11, 48).map((s) => s.data), ...readGoCorpus().map((s) => s.data)];
    // Streams of several values on one encoder, so mutations also hit later messages' reuse of types.
    const multi = kinds.map((k, i) => {
        const enc = new GobEncoder();
        const values = fc.sample(fc.tuple(k.arb, kinds[(i + 1) % kinds.length]!.arb, k.arb), {seed: 70 + i, numRuns: 1})[0]!;
        return concat(enc.encode(k.type, values[0]), enc.encode(kinds[(i + 1) % kinds.length]!.type, values[1]), enc.encode(k.type, values[2]));
    });
    seeds = [...ts, ...go, ...multi].filter((s) => s.length <= 4096);
});

describe('gob decoder fuzz', () => {
    test(
        'random bytes: decodes or throws its own GobError, the same whole or in chunks, quickly',
        () => {
            let errors = 0;
            fc.assert(
                fc.property(fc.uint8Array({maxLength: 300}), chunkSizes, (input, sizes) => {
                    if (check(input, sizes).error !== undefined) errors++;
                }),
                fuzzParams(3000),
            );
            expect(errors).toBeGreaterThan(0);
        },
        fuzzTimeout(30_000),
    );

    test(
        'mutated valid streams (TypeScript and Go encodings): the same, and valid prefixes still decode',
        () => {
            expect(seeds.length).toBeGreaterThan(100);
            let decoded = 0;
            let failed = 0;
            fc.assert(
                fc.property(fc.nat(), mutations, chunkSizes, (pick, muts, sizes) => {
                    const input = applyMutations(seeds[pick % seeds.length]!, muts);
                    const out = check(input, sizes);
                    if (out.error === undefined && out.values.length > 0) decoded++;
                    if (out.error !== undefined) failed++;
                }),
                fuzzParams(3000),
            );
            // Both outcomes must be common, or the mutations are too weak or too strong to mean anything.
            expect(decoded).toBeGreaterThan(0);
            expect(failed).toBeGreaterThan(0);
        },
        fuzzTimeout(30_000),
    );

    test('the unmutated seeds decode completely, whole and byte by byte', () => {
        for (const [n, s] of seeds.entries()) {
            const whole = decode(s);
            expect(whole.error, `seed ${n}: ${Buffer.from(s).toString('hex')}`).toBeUndefined();
            expect(whole.values.length).toBeGreaterThan(0);
            expect(show(decode(s, new Array<number>(s.length).fill(1)))).toBe(show(whole));
        }
    });
});

// ---- hand-made hostile messages ------------------------------------------------------------------------

const bytes = (...parts: Array<Uint8Array | number[] | string>): Uint8Array =>
    concat(...parts.map((p) => (typeof p === 'string' ? new Uint8Array(Buffer.from(p, 'utf8')) : p instanceof Uint8Array ? p : new Uint8Array(p))));
const u = (v: number | bigint): Uint8Array => encodeUint(v);
const i = (v: number | bigint): Uint8Array => encodeInt(v);
const str = (s: string): Uint8Array => bytes(u(Buffer.byteLength(s)), s);
/** One message: its length, then the body. */
const msg = (...parts: Array<Uint8Array | number[] | string>): Uint8Array => {
    const body = bytes(...parts);
    return bytes(u(body.length), body);
};
const common = (name: string, id: number): Uint8Array => bytes([0x01], [0x01], str(name), [0x01], i(id), [0x00]);
/** Type definition messages (wireType: ArrayT=0, SliceT=1, StructT=2, MapT=3). */
const defSlice = (id: number, elem: number): Uint8Array => msg(i(-id), [0x02], common('S', id), [0x01], i(elem), [0x00, 0x00]);
const defMap = (id: number, key: number, elem: number): Uint8Array => msg(i(-id), [0x04], common('M', id), [0x01], i(key), [0x01], i(elem), [0x00, 0x00]);
const defArray = (id: number, elem: number, len: number): Uint8Array => msg(i(-id), [0x01], common('A', id), [0x01], i(elem), [0x01], i(len), [0x00, 0x00]);
const defStructClaiming = (id: number, fields: number | bigint): Uint8Array => msg(i(-id), [0x03], common('T', id), [0x01], u(fields), [0x01], str('A'), [0x01], i(2), [0x00], [0x00, 0x00]);

const BOOL = 1;
const INT = 2;
const BYTES = 5;
const STRING = 6;
const INTERFACE = 8;
const HUGE = [2n ** 31n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 64n - 1n];

/** Heap bytes in use (JS heap and array buffers), without collecting: what an allocation costs shows. */
function heapInUse(): number {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
}

/**
 * Decodes `input` whole and returns the thrown error and how much the heap grew meanwhile. Collect
 * (gc) before a series: a full collection costs more than the decoding.
 */
function failAndMeasure(input: Uint8Array): {error: unknown; grew: number} {
    const before = heapInUse();
    let error: unknown;
    try {
        const dec = new GobDecoder();
        dec.push(input);
        while (dec.next() !== undefined);
    } catch (e) {
        error = e;
    }
    return {error, grew: heapInUse() - before};
}

const MiB = 1024 * 1024;

describe('gob decoder bounds: claims larger than the input fail early, without allocating for them', () => {
    const cases: Array<[string, (n: bigint) => Uint8Array, RegExp]> = [
        ['message length', (n) => bytes(u(n), [0x0c, 0x00, 0x01, 0x41]), /message length .* exceeds the limit|out of range in message length/],
        ['slice count', (n) => bytes(defSlice(65, INT), msg(i(65), [0x00], u(n), i(1), i(2))), /length exceeds input size/],
        ['string length', (n) => msg(i(STRING), [0x00], u(n), 'abc'), /invalid string length|exceeds input size/],
        ['byte slice length', (n) => msg(i(BYTES), [0x00], u(n), [1, 2, 3]), /invalid byte slice length|exceeds input size/],
        ['map count', (n) => bytes(defMap(65, STRING, INT), msg(i(65), [0x00], u(n), str('k'), i(1))), /decoding map: length exceeds input size/],
        ['struct field count in a type definition', (n) => bytes(defStructClaiming(65, n), msg(i(65), [0x00])), /struct field list: length .* exceeds input size/],
        ['interface type name length', (n) => msg(i(INTERFACE), [0x00], u(n), 'int'), /invalid type name length|exceeds input size/],
        ['type id', (n) => msg(u(n), [0x00, 0x01]), /type id .* out of range|unknown type id/],
    ];

    test.each(cases)('%s', (name, build, expected) => {
        gc();
        // A map count of 2^63 or more is a negative int to Go, which decodes an empty map then
        // (gob-map-count.test.ts); every smaller claim must fail.
        for (const n of name === 'map count' ? HUGE.filter((c) => c < 2n ** 63n) : HUGE) {
            const {error, grew} = failAndMeasure(build(n));
            expectOwnGobError(error);
            expect(error.message, `claim ${n}`).toMatch(expected);
            expect(grew, `claim ${n}: heap grew by ${grew} bytes`).toBeLessThan(4 * MiB);
        }
    });

    test('an array type of 2^31-1 elements with a matching count fails at the first missing element', () => {
        gc();
        const {error, grew} = failAndMeasure(bytes(defArray(65, BOOL, 2 ** 31 - 1), msg(i(65), [0x00], u(2 ** 31 - 1), [0x01])));
        expectOwnGobError(error);
        expect(error.message).toMatch(/length exceeds input size/);
        expect(grew).toBeLessThan(4 * MiB);
    });

    test('a message announced as 60 MiB is neither allocated nor decoded before its bytes arrive; 64 MiB + 1 is refused', () => {
        gc();
        const before = heapInUse();
        const dec = new GobDecoder();
        dec.push(bytes(u(60 * MiB), [0x0c, 0x00, 0x05], 'hello'));
        expect(dec.next()).toBeUndefined();
        expect(heapInUse() - before).toBeLessThan(4 * MiB);
        const over = new GobDecoder();
        over.push(u(64 * MiB + 1));
        expect(() => over.next()).toThrow(/message length 67108865 exceeds the limit of 67108864 bytes/);
    });

    test('nesting is limited to 256 levels, and 100 000 levels fail with that GobError, not a stack overflow', () => {
        // Type 65 = []65: a value is a count of 1 per level, then 0 innermost.
        const nested = (levels: number): Uint8Array => bytes(defSlice(65, 65), msg(i(65), [0x00], new Array<number>(levels - 1).fill(1), [0x00]));
        const ok = decode(nested(256));
        expect(ok.error).toBeUndefined();
        let v = ok.values[0];
        let depth = 0;
        while (Array.isArray(v)) {
            depth++;
            v = v[0];
        }
        expect(depth).toBe(256);
        gc();
        for (const levels of [257, 100_000]) {
            const {error} = failAndMeasure(nested(levels));
            expectOwnGobError(error);
            expect(error.message).toMatch(/value nesting exceeds the limit of 256/);
        }
        // Interfaces count as levels too (each holds the next).
        let deep: GoInterface = new GoInterface('string', 'bottom');
        for (let k = 0; k < 300; k++) deep = new GoInterface('[]interface {}', [deep]);
        const {error} = failAndMeasure(new GobEncoder().encode(t.interface, deep));
        expectOwnGobError(error);
        expect(error.message).toMatch(/value nesting exceeds the limit/);
    });

    test('memory per wire byte stays within a fixed factor for the most expensive shapes (figures printed)', () => {
        // One byte on the wire per element, each element a fresh JS value: the worst ratio of heap to
        // input. The message limit (64 MiB by default) times this factor bounds what one message costs.
        const n = longRun ? 4 * MiB : MiB;
        const shapes: Array<[string, () => Uint8Array]> = [
            ['[]struct{}', () => bytes(msg(i(-65), [0x03], common('E', 65), [0x01, 0x00], [0x00, 0x00]), defSlice(66, 65), bigMsg(66, n))],
            ['[][]int (all empty)', () => bytes(defSlice(65, INT), defSlice(66, 65), bigMsg(66, n))],
            ['[]bool', () => bytes(defSlice(65, BOOL), bigMsg(65, n))],
        ];
        const report: string[] = [];
        for (const [name, build] of shapes) {
            const perByte = heapPerWireByte(build(), n);
            report.push(`${name}: ${perByte.toFixed(1)} bytes of JS heap per wire byte`);
            expect(perByte, name).toBeLessThan(128);
        }
        console.log(`gob decoder, one message of ${n} elements:\n  ${report.join('\n  ')}`);
    });
});

/**
 * JS heap retained by the decoded value of a one-message stream, per input byte. A function of its own,
 * so nothing of an earlier measurement stays reachable from the caller's frame. The decoder's receive
 * buffer (about the message size, reused) is outside the JS heap and not counted.
 */
function heapPerWireByte(input: Uint8Array, elements: number): number {
    gc();
    const before = process.memoryUsage().heapUsed;
    const dec = new GobDecoder();
    dec.push(input);
    const r = dec.next();
    gc();
    const grew = process.memoryUsage().heapUsed - before;
    expect((r?.value as unknown[]).length).toBe(elements); // also keeps the value alive until measured
    return grew / input.length;
}

/** A singleton slice value of type `id` with `n` one-byte elements (0: empty struct, false, empty slice). */
function bigMsg(id: number, n: number): Uint8Array {
    return msg(i(id), [0x00], u(n), new Uint8Array(n));
}

function concat(...parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
        out.set(p, off);
        off += p.length;
    }
    return out;
}
