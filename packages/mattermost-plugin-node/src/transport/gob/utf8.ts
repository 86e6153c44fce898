/**
 * UTF-8 bytes to a JavaScript string, exactly as Buffer#toString('utf8') decodes them, but faster on the
 * Node.js lines whose V8 decodes slowly into two-byte strings.
 *
 * V8 before Node.js 24 builds a string that needs two bytes per character (any character above U+00FF:
 * an em dash, an emoji, Cyrillic, Japanese...) at ≈ 3.5 ns per byte; a post of 1.5 KB with such
 * characters cost 5 µs, a tenth of a hook round trip (measured with Node.js 20.20 and 22.23; 24.22 and
 * 26.10 take 0.4–0.6 µs). There, such text, once checked to be well-formed, is transcoded to UTF-16 by
 * ICU and read as UTF-16 (1.6 µs for that post; a decoder written in JavaScript took 2.2). Pure ASCII and
 * Latin-1-only text, which V8 decodes fast on every line, and ill-formed input, whose U+FFFD replacement
 * rules are V8's to apply, stay with Buffer.
 */
import {isAscii, isUtf8, transcode} from 'node:buffer';
import os from 'node:os';

/** Buffer methods present since Node.js 0.x but missing from its typings. */
export interface NativeSlices {
    utf8Slice(start: number, end: number): string;
    latin1Slice(start: number, end: number): string;
    ucs2Slice(start: number, end: number): string;
}

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Whether this Node.js takes the transcoding path. ucs2Slice reads little-endian code units, which is
 * what transcode writes on a little-endian machine (every platform Mattermost ships for).
 */
export const TRANSCODED_UTF8 = NODE_MAJOR < 24 && os.endianness() === 'LE';

/** Below this many bytes the native call costs about the same; the checks would only add to it. */
const MIN_TRANSCODED_BYTES = 32;

/** Whether bytes[start, end) holds a lead byte of a character above U+00FF (a two-byte string in V8). */
function needsTwoByteString(bytes: Uint8Array, start: number, end: number): boolean {
    for (let p = start; p < end; p++) {
        if (bytes[p]! >= 0xc4) return true;
    }
    return false;
}

/**
 * The transcoding path alone (for tests, which must reach it on every Node.js line): bytes[start, end) as
 * Buffer#toString('utf8') decodes them, or undefined when they are not well-formed UTF-8 (or this
 * Node.js was built without ICU's converters).
 */
export function transcodeWellFormedUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
    const view = bytes.subarray(start, end);
    if (!isUtf8(view)) return undefined;
    let utf16: Buffer;
    try {
        utf16 = transcode(view, 'utf8', 'ucs2');
    } catch {
        return undefined;
    }
    return (utf16 as Buffer & NativeSlices).ucs2Slice(0, utf16.length);
}

/**
 * bytes[start, end) decoded as UTF-8, exactly as native.utf8Slice(start, end) does; `native` is a Buffer
 * over the same memory as `bytes`.
 */
export function decodeUtf8(bytes: Uint8Array, native: NativeSlices, start: number, end: number): string {
    if (!TRANSCODED_UTF8 || end - start < MIN_TRANSCODED_BYTES) return native.utf8Slice(start, end);
    if (isAscii(bytes.subarray(start, end))) return native.latin1Slice(start, end);
    if (!needsTwoByteString(bytes, start, end)) return native.utf8Slice(start, end);
    return transcodeWellFormedUtf8(bytes, start, end) ?? native.utf8Slice(start, end);
}
