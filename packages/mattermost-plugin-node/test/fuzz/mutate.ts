// Byte-level mutations of valid encodings, as fast-check values (so failures shrink to few, small edits).
import fc from 'fast-check';

/**
 * Unsigned integers as gob writes them (a negated byte count, then big-endian bytes), chosen to be
 * absurd as lengths, counts or type ids: 2^24, 2^31, 2^32, 2^53 + 1, 2^62, 2^63 - 1, 2^64 - 1, and one
 * byte count over 8 that no valid integer has.
 */
export const hugeUints: readonly Uint8Array[] = [
    [0xfd, 0x01, 0x00, 0x00],
    [0xfc, 0x80, 0x00, 0x00, 0x00],
    [0xfb, 0x01, 0x00, 0x00, 0x00, 0x00],
    [0xf9, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
    [0xf8, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    [0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    [0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    [0xf7, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09],
].map((b) => new Uint8Array(b));

/** Bytes that sit on gob's encoding boundaries. */
const edgeBytes = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xf8, 0xf7, 0xfe, 0xff];

export type Mutation =
    | {op: 'flip'; at: number; bit: number}
    | {op: 'set'; at: number; byte: number}
    | {op: 'insert'; at: number; bytes: Uint8Array}
    | {op: 'delete'; at: number; len: number}
    | {op: 'duplicate'; at: number; len: number}
    | {op: 'truncate'; at: number}
    | {op: 'huge'; at: number; which: number; replace: boolean};

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7)}),
    fc.record({op: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(...edgeBytes), fc.nat(255))}),
    fc.record({op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({minLength: 1, maxLength: 8})}),
    fc.record({op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({min: 1, max: 8})}),
    fc.record({op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({min: 1, max: 32})}),
    fc.record({op: fc.constant('truncate' as const), at: fc.nat()}),
    fc.record({op: fc.constant('huge' as const), at: fc.nat(), which: fc.nat(hugeUints.length - 1), replace: fc.boolean()}),
);

/** One to four mutations: most inputs stay close to valid, so they get past the first checks. */
export const mutations = fc.array(mutation, {minLength: 1, maxLength: 4});

/** A new array: the input is never modified (Buffer#slice would return a view of it). */
export function applyMutations(input: Uint8Array, muts: readonly Mutation[]): Uint8Array {
    let b: Uint8Array = new Uint8Array(input);
    for (const m of muts) {
        const n = b.length;
        if (n === 0) break;
        const at = m.at % n;
        switch (m.op) {
            case 'flip':
                b[at] = b[at]! ^ (1 << m.bit);
                break;
            case 'set':
                b[at] = m.byte;
                break;
            case 'insert':
                b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
                break;
            case 'delete':
                b = concat(b.subarray(0, at), b.subarray(at + m.len));
                break;
            case 'duplicate':
                b = concat(b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len));
                break;
            case 'truncate':
                b = b.slice(0, at);
                break;
            case 'huge':
                // Replacing the byte where a length, count or id starts makes it claim a huge value.
                b = concat(b.subarray(0, at), hugeUints[m.which]!, b.subarray(m.replace ? at + 1 : at));
                break;
        }
    }
    return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
    let len = 0;
    for (const p of parts) len += p.length;
    const out = new Uint8Array(len);
    let off = 0;
    for (const p of parts) {
        out.set(p, off);
        off += p.length;
    }
    return out;
}
