/**
 * Gob primitive encodings (uint, int, float, length-prefixed bytes) over a growable write buffer and a
 * bounded read cursor. Everything here is allocation-free on the hot path: integers travel as
 * (hi, lo) 32-bit halves and only become BigInt when they do not fit a double exactly.
 */
import {GobError} from './errors.js';
import {decodeUtf8, type NativeSlices} from './utf8.js';

const TWO_32 = 4294967296;
/** hi word limit below which hi * 2^32 + lo is an exact double (value < 2^53). */
const SAFE_HI = 0x200000;

// Floats are byte-reversed on the wire; a little-endian scratch turns that into a plain copy.
const floatScratch = new Uint8Array(8);
const floatView = new DataView(floatScratch.buffer);

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export function fitsInt64(v: bigint): boolean {
    return v >= INT64_MIN && v <= INT64_MAX;
}

export function fitsUint64(v: bigint): boolean {
    return v >= 0n && v <= UINT64_MAX;
}

function asNodeBuffer(u8: Uint8Array): Buffer {
    return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}


export class ByteWriter {
    buf: Uint8Array;
    pos = 0;
    private node: Buffer;

    constructor(initialSize = 512) {
        this.buf = new Uint8Array(initialSize);
        this.node = asNodeBuffer(this.buf);
    }

    reset(): void {
        this.pos = 0;
    }

    ensure(n: number): void {
        if (this.pos + n > this.buf.length) this.grow(n);
    }

    private grow(n: number): void {
        let cap = this.buf.length * 2;
        while (cap < this.pos + n) cap *= 2;
        const next = new Uint8Array(cap);
        next.set(this.buf.subarray(0, this.pos));
        this.buf = next;
        this.node = asNodeBuffer(next);
    }

    /** A fresh copy, so the caller may keep it while this writer is reused. */
    toUint8Array(): Uint8Array {
        return this.buf.slice(0, this.pos);
    }

    writeByte(b: number): void {
        if (this.pos >= this.buf.length) this.grow(1);
        this.buf[this.pos++] = b;
    }

    writeRaw(bytes: Uint8Array): void {
        this.ensure(bytes.length);
        this.buf.set(bytes, this.pos);
        this.pos += bytes.length;
    }

    /** v must be a non-negative safe integer. */
    writeUint(v: number): void {
        if (v < 0x80) {
            if (this.pos >= this.buf.length) this.grow(1);
            this.buf[this.pos++] = v;
            return;
        }
        this.writeUintHiLo(Math.floor(v / TWO_32), v >>> 0);
    }

    writeUintHiLo(hi: number, lo: number): void {
        if (hi === 0 && lo < 0x80) {
            this.writeByte(lo);
            return;
        }
        let n: number;
        if (hi === 0) n = lo < 0x100 ? 1 : lo < 0x10000 ? 2 : lo < 0x1000000 ? 3 : 4;
        else n = hi < 0x100 ? 5 : hi < 0x10000 ? 6 : hi < 0x1000000 ? 7 : 8;
        this.ensure(n + 1);
        const buf = this.buf;
        let p = this.pos;
        buf[p++] = 256 - n;
        for (let k = n - 1; k >= 0; k--) {
            buf[p++] = k >= 4 ? (hi >>> ((k - 4) * 8)) & 0xff : (lo >>> (k * 8)) & 0xff;
        }
        this.pos = p;
    }

    /** v must be in [0, 2^64). */
    writeBigUint(v: bigint): void {
        if (v < 0x20000000000000n) {
            this.writeUint(Number(v));
            return;
        }
        this.writeUintHiLo(Number(v >> 32n), Number(v & 0xffffffffn));
    }

    /** v must be a safe integer. Zigzag: non-negative → 2v, negative → 2(-v-1)+1. */
    writeInt(v: number): void {
        if (v >= 0 && v < 0x40) {
            this.writeByte(v * 2);
            return;
        }
        const neg = v < 0 ? 1 : 0;
        const m = neg ? -v - 1 : v;
        const mHi = Math.floor(m / TWO_32);
        const mLo = m >>> 0;
        this.writeUintHiLo(mHi * 2 + (mLo >>> 31), ((mLo << 1) | neg) >>> 0);
    }

    /** v must be in int64 range. */
    writeBigInt(v: bigint): void {
        this.writeBigUint(v >= 0n ? v << 1n : ((-v - 1n) << 1n) | 1n);
    }

    writeFloat(v: number): void {
        floatView.setFloat64(0, v, true);
        let k = 0;
        while (k < 8 && floatScratch[k] === 0) k++;
        const n = 8 - k;
        if (n === 0) {
            this.writeByte(0);
            return;
        }
        if (n === 1 && floatScratch[7]! < 0x80) {
            this.writeByte(floatScratch[7]!);
            return;
        }
        this.ensure(n + 1);
        const buf = this.buf;
        let p = this.pos;
        buf[p++] = 256 - n;
        for (; k < 8; k++) buf[p++] = floatScratch[k]!;
        this.pos = p;
    }

    /** Length-prefixed UTF-8. */
    writeString(s: string): void {
        const len = s.length;
        if (len < 0x80) {
            // Most strings are short ASCII: write them speculatively and fall back if a char is wider.
            this.ensure(len + 1);
            const buf = this.buf;
            const start = this.pos;
            let p = start + 1;
            let i = 0;
            for (; i < len; i++) {
                const c = s.charCodeAt(i);
                if (c >= 0x80) break;
                buf[p++] = c;
            }
            if (i === len) {
                buf[start] = len;
                this.pos = p;
                return;
            }
        }
        const n = Buffer.byteLength(s, 'utf8');
        this.writeUint(n);
        this.ensure(n);
        this.node.write(s, this.pos, n, 'utf8');
        this.pos += n;
    }

    /** Length-prefixed bytes. */
    writeBytes(b: Uint8Array): void {
        this.writeUint(b.length);
        this.writeRaw(b);
    }

    /**
     * Reserve room for a uint length in front of content whose size is not known yet (message frames,
     * interface byte counts). One byte is reserved; endLength() shifts the content if more are needed.
     */
    beginLength(): number {
        const mark = this.pos;
        this.writeByte(0);
        return mark;
    }

    endLength(mark: number): void {
        const contentStart = mark + 1;
        const len = this.pos - contentStart;
        if (len < 0x80) {
            this.buf[mark] = len;
            return;
        }
        const n = len < 0x100 ? 1 : len < 0x10000 ? 2 : len < 0x1000000 ? 3 : len < TWO_32 ? 4 : 8;
        this.ensure(n);
        const buf = this.buf;
        buf.copyWithin(contentStart + n, contentStart, this.pos);
        buf[mark] = 256 - n;
        const hi = Math.floor(len / TWO_32);
        const lo = len >>> 0;
        let p = mark + 1;
        for (let k = n - 1; k >= 0; k--) {
            buf[p++] = k >= 4 ? (hi >>> ((k - 4) * 8)) & 0xff : (lo >>> (k * 8)) & 0xff;
        }
        this.pos += n;
    }
}

/**
 * A cursor over one gob message: reads never go past `end`. Running past it is an error rather than
 * "need more data", because gob frames every message with its length.
 */
export class WireReader {
    buf: Uint8Array = new Uint8Array(0);
    // Buffer's slices skip toString's argument handling and encoding lookup, which cost more than the
    // conversion itself for the short strings gob carries (ids, names).
    node: Buffer & NativeSlices = Buffer.alloc(0) as Buffer & NativeSlices;
    pos = 0;
    end = 0;
    // Scratch result of readUintParts, kept in fields to avoid allocating a tuple per integer.
    protected hi = 0;
    protected lo = 0;

    setBuffer(buf: Uint8Array): void {
        this.buf = buf;
        this.node = asNodeBuffer(buf) as Buffer & NativeSlices;
    }

    protected readUintParts(): void {
        const buf = this.buf;
        let p = this.pos;
        if (p >= this.end) throw new GobError('unexpected EOF reading an unsigned integer');
        const b = buf[p++]!;
        if (b < 0x80) {
            this.hi = 0;
            this.lo = b;
            this.pos = p;
            return;
        }
        const n = 256 - b;
        if (n > 8) throw new GobError('encoded unsigned integer out of range');
        if (p + n > this.end) {
            throw new GobError(`invalid uint data length ${n}: exceeds input size ${this.end - p}`);
        }
        let hi = 0;
        let lo = 0;
        for (let k = 0; k < n; k++) {
            hi = hi * 256 + (lo >>> 24);
            lo = ((lo << 8) | buf[p++]!) >>> 0;
        }
        this.hi = hi;
        this.lo = lo;
        this.pos = p;
    }

    /** For counts, deltas and lengths: exact below 2^53, and merely "huge" above (callers bound-check). */
    readUint(): number {
        const p = this.pos;
        if (p < this.end) {
            const b = this.buf[p]!;
            if (b < 0x80) {
                this.pos = p + 1;
                return b;
            }
        }
        this.readUintParts();
        return this.hi * TWO_32 + this.lo;
    }

    /**
     * A map's entry count as Go's decodeMap reads it, `n := int(u)`: with the top bit set that int is
     * negative, the loop runs zero times, and Go accepts the map as empty (the rest of the message is
     * never read). Slices differ: Go refuses such a count ("slice too big").
     */
    readMapCount(): number {
        const n = this.readUint();
        return n >= 2 ** 63 && this.hi >= 0x80000000 ? 0 : n;
    }

    /** A Go uint value: a number when exact, otherwise a bigint. */
    readUintValue(): number | bigint {
        this.readUintParts();
        const hi = this.hi;
        if (hi < SAFE_HI) return hi * TWO_32 + this.lo;
        return (BigInt(hi) << 32n) | BigInt(this.lo);
    }

    /** A Go int value: a number within ±(2^53-1), otherwise a bigint. */
    readIntValue(): number | bigint {
        this.readUintParts();
        const hi = this.hi;
        const lo = this.lo;
        const neg = lo & 1;
        const mHi = hi >>> 1;
        const mLo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
        if (mHi < SAFE_HI) {
            const m = mHi * TWO_32 + mLo;
            if (!neg) return m;
            if (m < Number.MAX_SAFE_INTEGER) return -m - 1;
        }
        const m = (BigInt(mHi) << 32n) | BigInt(mLo);
        return neg ? -m - 1n : m;
    }

    /** For type ids and definition fields: exact within the safe range, rounded beyond (callers bound-check). */
    readInt(): number {
        const v = this.readIntValue();
        return typeof v === 'number' ? v : Number(v);
    }

    readFloat(): number {
        const buf = this.buf;
        let p = this.pos;
        if (p >= this.end) throw new GobError('unexpected EOF reading a float');
        const b = buf[p++]!;
        floatScratch.fill(0);
        if (b < 0x80) {
            floatScratch[7] = b;
        } else {
            const n = 256 - b;
            if (n > 8) throw new GobError('encoded unsigned integer out of range');
            if (p + n > this.end) {
                throw new GobError(`invalid uint data length ${n}: exceeds input size ${this.end - p}`);
            }
            for (let k = 8 - n; k < 8; k++) floatScratch[k] = buf[p++]!;
        }
        this.pos = p;
        return floatView.getFloat64(0, true);
    }

    /** Reads a length and checks it against the bytes left in this message before touching memory. */
    readLength(what: string): number {
        const n = this.readUint();
        const left = this.end - this.pos;
        if (n > left) throw new GobError(`invalid ${what} length ${n}: exceeds input size ${left}`);
        return n;
    }

    /** A copy: the receive buffer is reused, so handing out a view would corrupt earlier results. */
    readBytes(): Uint8Array {
        const n = this.readLength('byte slice');
        const out = new Uint8Array(n);
        out.set(this.buf.subarray(this.pos, this.pos + n));
        this.pos += n;
        return out;
    }

    readString(): string {
        const n = this.readLength('string');
        return this.readStringN(n);
    }

    /** n must already be checked against the message bounds. */
    readStringN(n: number): string {
        const p = this.pos;
        this.pos = p + n;
        if (n < 16) {
            // Short ASCII strings (field names, ids) are cheaper to assemble here than via a native call.
            const buf = this.buf;
            let s = '';
            for (let i = p; i < p + n; i++) {
                const c = buf[i]!;
                if (c >= 0x80) return this.node.utf8Slice(p, p + n);
                s += String.fromCharCode(c);
            }
            return s;
        }
        return decodeUtf8(this.buf, this.node, p, p + n);
    }
}

/** Standalone helpers, mostly for tests and diagnostics. */
export function encodeUint(v: number | bigint): Uint8Array {
    const w = new ByteWriter(16);
    if (typeof v === 'bigint') w.writeBigUint(v);
    else w.writeUint(v);
    return w.toUint8Array();
}

export function encodeInt(v: number | bigint): Uint8Array {
    const w = new ByteWriter(16);
    if (typeof v === 'bigint') w.writeBigInt(v);
    else w.writeInt(v);
    return w.toUint8Array();
}

export function encodeFloat(v: number): Uint8Array {
    const w = new ByteWriter(16);
    w.writeFloat(v);
    return w.toUint8Array();
}

export function encodeString(s: string): Uint8Array {
    const w = new ByteWriter(16);
    w.writeString(s);
    return w.toUint8Array();
}

function readerOver(bytes: Uint8Array): WireReader {
    const r = new WireReader();
    r.setBuffer(bytes);
    r.end = bytes.length;
    return r;
}

export function decodeUint(bytes: Uint8Array): number | bigint {
    return readerOver(bytes).readUintValue();
}

export function decodeInt(bytes: Uint8Array): number | bigint {
    return readerOver(bytes).readIntValue();
}

export function decodeFloat(bytes: Uint8Array): number {
    return readerOver(bytes).readFloat();
}
