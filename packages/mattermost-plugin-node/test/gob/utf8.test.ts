// The transcoding UTF-8 path (used on Node.js before 24, where V8 builds two-byte strings slowly) must
// give exactly what Buffer#toString('utf8') gives, or hand the input back: Go strings are arbitrary bytes.
// These tests call it directly, so they exercise it on whatever Node.js runs them.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';

import {decodeUtf8, transcodeWellFormedUtf8, TRANSCODED_UTF8, type NativeSlices} from '../../src/transport/gob/utf8';

const native = (bytes: Uint8Array): Buffer & NativeSlices => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Buffer & NativeSlices;

/** Byte sequences around every boundary of the well-formed table, valid or not. */
const edgeBytes = fc.constantFrom(
    0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xdf,
    0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
);

describe('transcodeWellFormedUtf8', () => {
    test('decodes any Unicode text as Buffer does', () => {
        fc.assert(
            fc.property(fc.string({unit: 'grapheme', maxLength: 300, size: 'max'}), fc.nat(8), (text, pad) => {
                const bytes = new Uint8Array(pad + Buffer.byteLength(text) + 3).fill(0xaa);
                const n = Buffer.from(text).copy(bytes, pad);
                expect(transcodeWellFormedUtf8(bytes, pad, pad + n)).toBe(text);
            }),
            {numRuns: 2000},
        );
    });

    test('every code point at the edges of each sequence length', () => {
        for (const cp of [0x7f, 0x80, 0xff, 0x100, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff]) {
            const text = `x${String.fromCodePoint(cp)}y`;
            const bytes = Buffer.from(text);
            expect(transcodeWellFormedUtf8(bytes, 0, bytes.length), cp.toString(16)).toBe(text);
        }
    });

    test('returns a string only when it equals Buffer#toString, for arbitrary bytes', () => {
        fc.assert(
            fc.property(fc.array(fc.oneof(edgeBytes, fc.integer({min: 0, max: 255})), {maxLength: 64}), (arr) => {
                const bytes = Uint8Array.from(arr);
                const got = transcodeWellFormedUtf8(bytes, 0, bytes.length);
                const want = Buffer.from(bytes).toString('utf8');
                if (got !== undefined) {
                    expect(got).toBe(want);
                } else {
                    // Refused only because the input is ill-formed: Buffer replaced something.
                    expect(Buffer.from(want, 'utf8').equals(Buffer.from(bytes))).toBe(false);
                }
            }),
            {numRuns: 5000},
        );
    });

    test('refuses overlong forms, surrogates, code points above U+10FFFF and truncated sequences', () => {
        const bad = [[0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf0, 0x80, 0x80, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x9a]];
        for (const seq of bad) {
            const bytes = Uint8Array.from([0x61, ...seq]);
            expect(transcodeWellFormedUtf8(bytes, 0, bytes.length), seq.map((b) => b.toString(16)).join(' ')).toBeUndefined();
        }
    });
});

describe('decodeUtf8', () => {
    test('equals utf8Slice for text of every kind and length, at any offset', () => {
        const samples = fc.oneof(
            // (size 'max': fast-check's default size would keep nearly all of them under the 32 bytes
            // below which Buffer decodes everything)
            fc.string({unit: 'grapheme-ascii', maxLength: 200, size: 'max'}),
            fc.string({unit: 'grapheme', maxLength: 200, size: 'max'}),
            fc.string({unit: 'binary', maxLength: 200, size: 'max'}),
            fc.array(fc.constantFrom('a', 'é', '·', '—', '🚀', 'Ж', '日'), {maxLength: 400, size: 'max'}).map((a) => a.join('')),
            // Latin-1 only: one byte per character in V8, so it stays with Buffer
            fc.array(fc.constantFrom('a', ' ', 'é', '·', 'ü', 'ÿ', '\u0080'), {maxLength: 400, size: 'max'}).map((a) => a.join('')),
        );
        fc.assert(
            fc.property(samples, fc.nat(5), (text, pad) => {
                const bytes = new Uint8Array(pad + Buffer.byteLength(text) + 2).fill(0xc3);
                const n = Buffer.from(text).copy(bytes, pad);
                expect(decodeUtf8(bytes, native(bytes), pad, pad + n)).toBe(native(bytes).utf8Slice(pad, pad + n));
            }),
            {numRuns: 3000},
        );
    });

    test('ill-formed long input is replaced as Buffer replaces it', () => {
        const bytes = Uint8Array.from([...Buffer.from('Привет, мир! '.repeat(4)), 0xed, 0xa0, 0x80, ...Buffer.from('日本語')]);
        expect(decodeUtf8(bytes, native(bytes), 0, bytes.length)).toBe(Buffer.from(bytes).toString('utf8'));
    });

    test('is taken exactly where V8 is slow to build two-byte strings', () => {
        const major = Number(process.versions.node.split('.')[0]);
        expect(TRANSCODED_UTF8).toBe(major < 24);
    });
});
