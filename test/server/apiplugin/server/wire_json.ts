// JSON cannot carry []byte: both directions mark bytes as {"$bytes": "<base64>"} so a test can send a file's
// content and read one back unchanged.
const BYTES = '$bytes';

function isBytesMarker(v: unknown): v is {[BYTES]: string} {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as Record<string, unknown>)[BYTES] === 'string';
}

/** Request arguments with byte markers turned into Uint8Array (the package's Bytes). */
export function decodeArgs(args: readonly unknown[]): unknown[] {
    return args.map((a) => (isBytesMarker(a) ? new Uint8Array(Buffer.from(a[BYTES], 'base64')) : a));
}

/** A result with Uint8Array (anywhere in it) turned into byte markers; bigints become strings. */
export function encodeResult(v: unknown): unknown {
    if (v instanceof Uint8Array) {
        return {[BYTES]: Buffer.from(v).toString('base64')};
    }
    if (typeof v === 'bigint') {
        return v.toString();
    }
    if (Array.isArray(v)) {
        return v.map(encodeResult);
    }
    if (v instanceof Map) {
        return Object.fromEntries([...v].map(([k, x]) => [String(k), encodeResult(x)]));
    }
    if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeResult(x)]));
    }
    return v;
}
