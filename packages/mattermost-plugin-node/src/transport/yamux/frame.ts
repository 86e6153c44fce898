// yamux frame header (hashicorp/yamux const.go): 12 bytes, big-endian.
//
//   0      1      2..3    4..7        8..11
//   vsn    type   flags   stream id   length
//
// Only Data frames carry a payload (`length` bytes). For WindowUpdate the length
// is a window delta, for Ping an opaque id, for GoAway an error code.

export const PROTO_VERSION = 0;
export const HEADER_SIZE = 12;

export const FrameType = {
    Data: 0,
    WindowUpdate: 1,
    Ping: 2,
    GoAway: 3,
} as const;

export const Flag = {
    SYN: 1,
    ACK: 2,
    FIN: 4,
    RST: 8,
} as const;

export const GoAwayCode = {
    Normal: 0,
    ProtocolError: 1,
    InternalError: 2,
} as const;

/** Initial (and default maximum) per-stream window: 256 KiB. */
export const INITIAL_STREAM_WINDOW = 256 * 1024;

export interface FrameHeader {
    version: number;
    type: number;
    flags: number;
    streamId: number;
    length: number;
}

/** Error for protocol violations; `code` is the GoAway code sent (or received). */
export class YamuxError extends Error {
    readonly code: string;
    constructor(message: string, code: string) {
        super(message);
        this.name = 'YamuxError';
        this.code = code;
    }
}

/** Writes a header into `target` at `offset` (allocates 12 bytes when no target). */
export function encodeHeader(
    type: number,
    flags: number,
    streamId: number,
    length: number,
    target?: Buffer,
    offset = 0,
): Buffer {
    const buf = target ?? Buffer.allocUnsafe(HEADER_SIZE);
    buf[offset] = PROTO_VERSION;
    buf[offset + 1] = type;
    buf.writeUInt16BE(flags, offset + 2);
    buf.writeUInt32BE(streamId >>> 0, offset + 4);
    buf.writeUInt32BE(length >>> 0, offset + 8);
    return buf;
}

export function parseHeader(buf: Buffer, offset = 0): FrameHeader {
    if (buf.length - offset < HEADER_SIZE) {
        throw new RangeError('yamux: short header');
    }
    return {
        version: buf[offset],
        type: buf[offset + 1],
        flags: buf.readUInt16BE(offset + 2),
        streamId: buf.readUInt32BE(offset + 4),
        length: buf.readUInt32BE(offset + 8),
    };
}

/** Receiver of decoded frames. Calls happen synchronously inside `FrameDecoder.write`. */
export interface FrameSink {
    /**
     * A complete header. For a Data frame with length > 0, `onData` follows with the payload,
     * in one or more pieces (zero-copy views of the incoming chunks).
     */
    onFrame(type: number, flags: number, streamId: number, length: number): void;
    /** A piece of the current Data frame's payload; `last` is true on its final piece. */
    onData(piece: Buffer, last: boolean): void;
    /** A malformed header (bad version or type). The decoder stops after this. */
    onError(err: YamuxError): void;
}

/**
 * Incremental frame parser over an arbitrary chunking of the byte stream. Payloads are
 * handed out as subarrays of the input chunks (no buffering, no copying); only a header
 * split across chunks is copied (12 bytes).
 */
export class FrameDecoder {
    private readonly sink: FrameSink;
    private readonly hdr = Buffer.alloc(HEADER_SIZE);
    private hdrFill = 0;
    private payloadLeft = 0;
    private stopped = false;

    constructor(sink: FrameSink) {
        this.sink = sink;
    }

    /** Stops decoding: the rest of the current and all later chunks are ignored. */
    stop(): void {
        this.stopped = true;
    }

    get isStopped(): boolean {
        return this.stopped;
    }

    /** True when the decoder is between frames (no partial header or payload pending). */
    get idle(): boolean {
        return this.hdrFill === 0 && this.payloadLeft === 0;
    }

    write(chunk: Buffer): void {
        const len = chunk.length;
        let off = 0;
        while (off < len && !this.stopped) {
            if (this.payloadLeft > 0) {
                const n = Math.min(this.payloadLeft, len - off);
                const piece = off === 0 && n === len ? chunk : chunk.subarray(off, off + n);
                off += n;
                this.payloadLeft -= n;
                this.sink.onData(piece, this.payloadLeft === 0);
                continue;
            }
            let src: Buffer;
            let at: number;
            if (this.hdrFill === 0 && len - off >= HEADER_SIZE) {
                src = chunk;
                at = off;
                off += HEADER_SIZE;
            } else {
                const n = Math.min(HEADER_SIZE - this.hdrFill, len - off);
                chunk.copy(this.hdr, this.hdrFill, off, off + n);
                this.hdrFill += n;
                off += n;
                if (this.hdrFill < HEADER_SIZE) {
                    return;
                }
                this.hdrFill = 0;
                src = this.hdr;
                at = 0;
            }
            const version = src[at];
            const type = src[at + 1];
            if (version !== PROTO_VERSION) {
                this.stopped = true;
                this.sink.onError(new YamuxError(`yamux: invalid protocol version ${version}`, 'ERR_YAMUX_INVALID_VERSION'));
                return;
            }
            if (type > FrameType.GoAway) {
                this.stopped = true;
                this.sink.onError(new YamuxError(`yamux: invalid message type ${type}`, 'ERR_YAMUX_INVALID_TYPE'));
                return;
            }
            const flags = (src[at + 2] << 8) | src[at + 3];
            const streamId = src.readUInt32BE(at + 4);
            const length = src.readUInt32BE(at + 8);
            if (type === FrameType.Data && length > 0) {
                this.payloadLeft = length;
            }
            this.sink.onFrame(type, flags, streamId, length);
        }
    }
}
