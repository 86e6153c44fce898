/**
 * UTF-8 bytes to a JavaScript string, exactly as Buffer#toString('utf8') decodes them, but faster on the
 * Node.js lines whose V8 decodes slowly into two-byte strings.
 *
 * V8 before Node.js 24 builds a string that needs two bytes per character (any character above U+00FF:
 * an em dash, an emoji, Cyrillic, Japanese...) at ≈ 3.5 ns per byte; a post of 1.5 KB with such
 * characters cost 5 µs, a tenth of a hook round trip (measured with Node.js 20.20 and 22.23; 24.22 and
 * 26.10 take 0.4–0.6 µs). There, such strings are decoded here into UTF-16 code units and turned into a
 * string with one copy (≈ 1.7 ns per byte). Pure ASCII and Latin-1-only text, which V8 decodes fast on
 * every line, and any ill-formed input, whose U+FFFD replacement rules are V8's to apply, stay native.
 */
import {isAscii} from 'node:buffer';
import os from 'node:os';

/** Buffer methods present since Node.js 0.x but missing from its typings. */
export interface NativeSlices {
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
    ucs2Slice(start: number, end: number): string;
}

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Whether this Node.js gets the JavaScript decoder. ucs2Slice reads little-endian code units, which a
 * Uint16Array holds only on a little-endian machine (every platform Mattermost ships for).
 */
export const JS_UTF8_DECODING = NODE_MAJOR < 24 && os.endianness() === 'LE';

/** Below this many bytes the native call costs about the same; the scans would only add to it. */
const MIN_JS_BYTES = 32;
/** The scratch buffer's cap (code units); longer strings stay native rather than hold more memory. */
const MAX_JS_BYTES = 64 * 1024;

let scratch = new Uint16Array(0);
let scratchBytes: Buffer & NativeSlices = Buffer.alloc(0) as Buffer & NativeSlices;

function scratchFor(n: number): Uint16Array {
    if (scratch.length < n) {
        let cap = 1024;
        while (cap < n) cap *= 2;
        scratch = new Uint16Array(cap);
        scratchBytes = Buffer.from(scratch.buffer) as Buffer & NativeSlices;
    }
    return scratch;
}

/**
 * bytes[start, end) as UTF-16 code units in the shared scratch buffer; their count, or -1 when the input
 * is not well-formed UTF-8 (the caller then lets Buffer decode it, replacement characters and all).
 * The checks are those of the Unicode standard's table of well-formed byte sequences (no overlong forms,
 * no surrogates, nothing above U+10FFFF).
 */
function toUtf16(bytes: Uint8Array, start: number, end: number): number {
    const out = scratchFor(end - start);
    let o = 0;
    let p = start;
    while (p < end) {
        const c = bytes[p]!;
        if (c < 0x80) {
            out[o++] = c;
            p++;
        } else if (c < 0xe0) {
            if (c < 0xc2 || p + 1 >= end) return -1;
            const c1 = bytes[p + 1]!;
            if ((c1 & 0xc0) !== 0x80) return -1;
            out[o++] = ((c & 0x1f) << 6) | (c1 & 0x3f);
            p += 2;
        } else if (c < 0xf0) {
            if (p + 2 >= end) return -1;
            const c1 = bytes[p + 1]!;
            const c2 = bytes[p + 2]!;
            const lo = c === 0xe0 ? 0xa0 : 0x80;
            const hi = c === 0xed ? 0x9f : 0xbf;
            if (c1 < lo || c1 > hi || (c2 & 0xc0) !== 0x80) return -1;
            out[o++] = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
            p += 3;
        } else {
            if (c > 0xf4 || p + 3 >= end) return -1;
            const c1 = bytes[p + 1]!;
            const c2 = bytes[p + 2]!;
            const c3 = bytes[p + 3]!;
            const lo = c === 0xf0 ? 0x90 : 0x80;
            const hi = c === 0xf4 ? 0x8f : 0xbf;
            if (c1 < lo || c1 > hi || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return -1;
            const cp = (((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)) - 0x10000;
            out[o++] = 0xd800 | (cp >> 10);
            out[o++] = 0xdc00 | (cp & 0x3ff);
            p += 4;
        }
    }
    return o;
}

/**
 * The JavaScript decoder alone (for tests, which must reach it on every Node.js line): bytes[start, end)
 * as Buffer#toString('utf8') decodes them, or undefined when the input is not well-formed UTF-8.
 */
export function decodeWellFormedUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
    const units = toUtf16(bytes, start, end);
    return units < 0 ? undefined : scratchBytes.ucs2Slice(0, units * 2);
}

/** Whether bytes[start, end) holds a lead byte of a character above U+00FF (a two-byte string in V8). */
function needsTwoByteString(bytes: Uint8Array, start: number, end: number): boolean {
    for (let p = start; p < end; p++) {
        if (bytes[p]! >= 0xc4) return true;
    }
    return false;
}

/**
 * bytes[start, end) decoded as UTF-8, exactly as native.utf8Slice(start, end) does; `native` is a Buffer
 * over the same memory as `bytes`.
 */
export function decodeUtf8(bytes: Uint8Array, native: NativeSlices, start: number, end: number): string {
    const n = end - start;
    if (!JS_UTF8_DECODING || n < MIN_JS_BYTES || n > MAX_JS_BYTES) return native.utf8Slice(start, end);
    const view = bytes.subarray(start, end);
    if (isAscii(view)) return native.latin1Slice(start, end);
    if (!needsTwoByteString(bytes, start, end)) return native.utf8Slice(start, end);
    return decodeWellFormedUtf8(bytes, start, end) ?? native.utf8Slice(start, end);
}
