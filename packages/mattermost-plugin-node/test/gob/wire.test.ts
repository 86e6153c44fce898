import {describe, expect, test} from 'vitest';
import {GobError} from '../../src/transport/gob';
import {
    ByteWriter,
    decodeFloat,
    decodeInt,
    decodeUint,
    encodeFloat,
    encodeInt,
    encodeString,
    encodeUint,
} from '../../src/transport/gob/wire';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('doc 5.1 examples (verified with Go)', () => {
    test.each([
        [0, '00'],
        [7, '07'],
        [127, '7f'],
        [128, 'ff80'],
        [256, 'fe0100'],
        [2 ** 40, 'fa010000000000'],
    ])('uint %s', (v, h) => {
        expect(hex(encodeUint(v))).toBe(h);
        expect(decodeUint(bytes(h))).toBe(v);
    });

    test.each([
        [3, '06'],
        [-1, '01'],
        [200, 'fe0190'],
        [-129, 'fe0101'],
        [-65, 'ff81'],
        [65, 'ff82'],
    ])('int %s', (v, h) => {
        expect(hex(encodeInt(v))).toBe(h);
        expect(decodeInt(bytes(h))).toBe(v);
    });

    test.each([
        [1.5, 'fef83f'],
        [2.0, '40'],
    ])('float %s', (v, h) => {
        expect(hex(encodeFloat(v))).toBe(h);
        expect(decodeFloat(bytes(h))).toBe(v);
    });

    test('string "hi"', () => {
        expect(hex(encodeString('hi'))).toBe('026869');
    });
});

describe('integers at the edges of number and bigint', () => {
    test.each([
        [2 ** 53 - 1, 'number'],
        [2n ** 53n, 'bigint'],
        [2n ** 64n - 1n, 'bigint'],
        [2 ** 32, 'number'],
        [2 ** 32 - 1, 'number'],
    ])('uint %s decodes as %s', (v, kind) => {
        const d = decodeUint(encodeUint(v));
        expect(typeof d).toBe(kind);
        expect(d).toBe(v);
    });

    test('uint64 max is eight 0xff bytes', () => {
        expect(hex(encodeUint(2n ** 64n - 1n))).toBe('f8ffffffffffffffff');
    });

    test.each([
        [2 ** 53 - 1, 'number'],
        [-(2 ** 53 - 1), 'number'],
        [2n ** 53n, 'bigint'],
        [-(2n ** 53n), 'bigint'],
        [2n ** 63n - 1n, 'bigint'],
        [-(2n ** 63n), 'bigint'],
        [-(2 ** 31), 'number'],
        [2 ** 52 + 1, 'number'],
        [-(2 ** 52) - 1, 'number'],
    ])('int %s decodes as %s', (v, kind) => {
        const d = decodeInt(encodeInt(v));
        expect(typeof d).toBe(kind);
        expect(d).toBe(v);
    });

    test('number and bigint encodings agree', () => {
        for (const v of [0, 1, -1, 127, -128, 2 ** 31, -(2 ** 31) - 1, 2 ** 52, -(2 ** 53) + 1, 2 ** 53 - 1]) {
            expect(hex(encodeInt(v))).toBe(hex(encodeInt(BigInt(v))));
            if (v >= 0) expect(hex(encodeUint(v))).toBe(hex(encodeUint(BigInt(v))));
        }
    });

    test('int64 extremes', () => {
        expect(hex(encodeInt(-(2n ** 63n)))).toBe('f8ffffffffffffffff');
        expect(hex(encodeInt(2n ** 63n - 1n))).toBe('f8fffffffffffffffe');
    });
});

describe('floats', () => {
    test.each([[0], [-0], [NaN], [Infinity], [-Infinity], [5e-324], [Number.MAX_VALUE], [0.1], [1 / 3], [-2.5], [1e300]])('%s round-trips bit-exactly', (v) => {
        expect(Object.is(decodeFloat(encodeFloat(v)), v)).toBe(true);
    });

    test('zero is one byte, -0 keeps its sign bit', () => {
        expect(hex(encodeFloat(0))).toBe('00');
        expect(hex(encodeFloat(-0))).toBe('ff80');
    });
});

describe('strings', () => {
    test.each([['', '00'], ['a', '0161'], ['é', '02c3a9'], ['😀', '04f09f9880']])('%j', (s, h) => {
        expect(hex(encodeString(s))).toBe(h);
    });

    test('a short string with a late non-ASCII char falls back correctly', () => {
        const s = 'x'.repeat(100) + 'ü';
        const b = encodeString(s);
        expect(hex(b.subarray(0, 1))).toBe('66'); // 102 bytes
        expect(Buffer.from(b.subarray(1)).toString('utf8')).toBe(s);
    });

    test('long strings get a multi-byte length', () => {
        const s = 'ab'.repeat(200);
        expect(hex(encodeString(s).subarray(0, 3))).toBe('fe0190');
    });

    test('lone surrogates become U+FFFD', () => {
        expect(hex(encodeString('\ud800'))).toBe('03efbfbd');
    });
});

describe('ByteWriter length reservation', () => {
    test.each([0, 1, 127, 128, 255, 256, 65535, 65536, 70000])('content of %i bytes', (n) => {
        const w = new ByteWriter(4);
        w.writeByte(0xaa);
        const mark = w.beginLength();
        for (let i = 0; i < n; i++) w.writeByte(i & 0xff);
        w.endLength(mark);
        w.writeByte(0xbb);
        const out = w.toUint8Array();
        const prefix = encodeUint(n);
        expect(hex(out.subarray(0, 1))).toBe('aa');
        expect(hex(out.subarray(1, 1 + prefix.length))).toBe(hex(prefix));
        const content = out.subarray(1 + prefix.length, 1 + prefix.length + n);
        expect(content.length).toBe(n);
        for (let i = 0; i < n; i++) if (content[i] !== (i & 0xff)) throw new Error(`byte ${i} corrupted`);
        expect(out[out.length - 1]).toBe(0xbb);
        expect(out.length).toBe(2 + prefix.length + n);
    });
});

describe('malformed primitives', () => {
    test('a length byte announcing more than 8 bytes', () => {
        expect(() => decodeUint(bytes('f7 01 02 03 04 05 06 07 08 09'))).toThrow(GobError);
        expect(() => decodeUint(bytes('80'))).toThrow(/out of range/);
    });

    test('truncated integers and floats', () => {
        expect(() => decodeUint(bytes('fe 01'))).toThrow(/exceeds input size/);
        expect(() => decodeInt(bytes(''))).toThrow(GobError);
        expect(() => decodeFloat(bytes('fd 01 02'))).toThrow(GobError);
    });
});
