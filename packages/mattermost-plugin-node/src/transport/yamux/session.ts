import {EventEmitter} from 'node:events';
import type {Duplex} from 'node:stream';

import {
    encodeHeader,
    Flag,
    FrameDecoder,
    FrameType,
    GoAwayCode,
    HEADER_SIZE,
    INITIAL_STREAM_WINDOW,
    YamuxError,
} from './frame.js';
import type {FrameSink} from './frame.js';
import {sessionShutdownError, Stream} from './stream.js';
import type {StreamHost} from './stream.js';

export interface SessionOptions {
    /** true: we open odd stream ids (yamux Client); false: even ids (yamux Server). */
    client: boolean;
    /** Keepalive ping interval; 0 disables. Default 30000. */
    keepAliveIntervalMs?: number;
    /** A ping (keepalive or `ping()`) without answer for this long fails; keepalive then closes the session. Default 10000. */
    keepAliveTimeoutMs?: number;
    /** Per-stream receive window maximum (>= 256 KiB). Default 262144. */
    maxStreamWindow?: number;
    /** Max outgoing streams whose SYN is not yet ACKed; more opens queue their SYN. Default 256. */
    acceptBacklog?: number;
}

interface PendingPing {
    resolve: (rtt: number) => void;
    reject: (err: Error) => void;
    start: number;
    timer: NodeJS.Timeout;
}

/** Payloads up to this size are copied behind the header into one buffer; larger ones use cork + writev. */
const COPY_LIMIT = 16 * 1024;

const MAX_STREAM_ID = 0xffffffff;

function noop(): void {}

/**
 * A yamux session over a byte stream (hashicorp/yamux v0.1.2 wire protocol).
 *
 * Events: 'stream' (Stream) for each stream the peer opens (ACKed at once),
 * 'close' (err?: Error) once, 'error' (Error) for protocol failures (only emitted when
 * someone listens, so a bad peer never crashes the process).
 */
export class Session extends EventEmitter {
    private readonly maxStreamWindow: number;
    private readonly host: StreamHost;

    private readonly conn: Duplex;
    private readonly keepAliveIntervalMs: number;
    private readonly keepAliveTimeoutMs: number;
    private readonly acceptBacklog: number;
    private readonly decoder: FrameDecoder;
    private readonly streams = new Map<number, Stream>();
    private nextStreamId: number;
    private closed = false;
    private localGoAway = false;
    private remoteGoAway = false;

    private synInflight = 0;
    private synQueue: Stream[] = [];

    private pings = new Map<number, PendingPing>();
    private nextPingId = 0;
    private keepAliveTimer: NodeJS.Timeout | null = null;

    private drainWaiters: Array<(err?: Error | null) => void> = [];

    // Data frame currently being received.
    private dataStream: Stream | null = null;
    private dataFin = false;

    private readonly onConnData = (chunk: Buffer): void => {
        try {
            this.decoder.write(chunk);
        } catch (err) {
            // A throwing 'stream'/'data' listener must not leave the parser half-way or crash Node.
            this.fail(err instanceof Error ? err : new Error(String(err)));
        }
    };
    private readonly onConnEnd = (): void => {
        this.close(new YamuxError('yamux: connection closed by peer', 'ERR_YAMUX_CONNECTION_CLOSED'));
    };
    private readonly onConnClose = (): void => {
        this.close(new YamuxError('yamux: connection closed', 'ERR_YAMUX_CONNECTION_CLOSED'));
    };
    private readonly onConnError = (err: Error): void => {
        this.fail(err);
    };
    private readonly onConnDrain = (): void => {
        const waiters = this.drainWaiters;
        if (waiters.length === 0) {
            return;
        }
        this.drainWaiters = [];
        for (const cb of waiters) {
            cb();
        }
    };

    constructor(conn: Duplex, opts: SessionOptions) {
        super();
        this.conn = conn;
        this.nextStreamId = opts.client ? 1 : 2;
        this.keepAliveIntervalMs = opts.keepAliveIntervalMs ?? 30_000;
        this.keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 10_000;
        this.maxStreamWindow = opts.maxStreamWindow ?? INITIAL_STREAM_WINDOW;
        this.acceptBacklog = opts.acceptBacklog ?? 256;
        if (!(this.maxStreamWindow >= INITIAL_STREAM_WINDOW && this.maxStreamWindow <= MAX_STREAM_ID)) {
            throw new RangeError(`yamux: maxStreamWindow must be between ${INITIAL_STREAM_WINDOW} and 2^32-1`);
        }
        if (!(this.acceptBacklog > 0)) {
            throw new RangeError('yamux: acceptBacklog must be positive');
        }
        if (!(this.keepAliveIntervalMs >= 0) || !(this.keepAliveTimeoutMs > 0)) {
            throw new RangeError('yamux: invalid keepalive settings');
        }
        this.host = {
            maxStreamWindow: this.maxStreamWindow,
            sendHeader: (type, flags, id, length) => this.sendHeader(type, flags, id, length),
            sendData: (id, flags, payload, total) => this.sendData(id, flags, payload, total),
            whenDrained: (cb) => this.whenDrained(cb),
            streamGone: (stream) => this.streamGone(stream),
            synAcked: (stream) => this.synAcked(stream),
        };
        const sink: FrameSink = {
            onFrame: (type, flags, id, length) => this.onFrame(type, flags, id, length),
            onData: (piece, last) => this.onData(piece, last),
            onError: (err) => this.protocolError(err),
        };
        this.decoder = new FrameDecoder(sink);
        conn.on('data', this.onConnData);
        conn.on('end', this.onConnEnd);
        conn.on('close', this.onConnClose);
        conn.on('error', this.onConnError);
        conn.on('drain', this.onConnDrain);
        if (conn.destroyed) {
            process.nextTick(this.onConnClose);
        }
        if (this.keepAliveIntervalMs > 0) {
            this.scheduleKeepAlive();
        }
    }

    get isClosed(): boolean {
        return this.closed;
    }

    get numStreams(): number {
        return this.streams.size;
    }

    /** Opens a stream (sends SYN now, or as soon as fewer than acceptBacklog SYNs are unanswered). */
    openStream(): Stream {
        if (this.closed) {
            throw sessionShutdownError();
        }
        if (this.remoteGoAway) {
            throw new YamuxError('yamux: remote end is not accepting connections', 'ERR_YAMUX_REMOTE_GOAWAY');
        }
        let id = this.nextStreamId;
        while (this.streams.has(id)) {
            id += 2; // the peer (wrongly) used one of our ids; do not collide
        }
        if (id >= MAX_STREAM_ID - 1) {
            throw new YamuxError('yamux: streams exhausted', 'ERR_YAMUX_STREAMS_EXHAUSTED');
        }
        this.nextStreamId = id + 2;
        const stream = new Stream(this.host, id);
        this.streams.set(id, stream);
        if (this.synInflight < this.acceptBacklog) {
            this.synInflight++;
            stream._inflight = true;
            stream._sendOpenFlag(Flag.SYN);
        } else {
            stream._synWaiting = true;
            this.synQueue.push(stream);
        }
        return stream;
    }

    /** Round-trip time in milliseconds. Rejects after keepAliveTimeoutMs or when the session closes. */
    ping(): Promise<number> {
        if (this.closed) {
            return Promise.reject(sessionShutdownError());
        }
        const id = this.nextPingId;
        this.nextPingId = (this.nextPingId + 1) >>> 0;
        return new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pings.delete(id);
                reject(new YamuxError('yamux: ping timeout', 'ERR_YAMUX_PING_TIMEOUT'));
            }, this.keepAliveTimeoutMs);
            timer.unref();
            this.pings.set(id, {resolve, reject, start: performance.now(), timer});
            this.sendHeader(FrameType.Ping, Flag.SYN, 0, id);
        });
    }

    /** Tells the peer to open no more streams (code 0 = normal). Incoming SYNs are then refused with RST. */
    goAway(code: number = GoAwayCode.Normal): void {
        if (this.closed) {
            return;
        }
        this.localGoAway = true;
        this.sendHeader(FrameType.GoAway, 0, 0, code);
    }

    /** Closes the session: every stream fails, the connection is destroyed, 'close' is emitted. */
    close(err?: Error): void {
        if (this.closed) {
            return;
        }
        this.closed = true;
        this.decoder.stop();
        this.dataStream = null;
        if (this.keepAliveTimer) {
            clearTimeout(this.keepAliveTimer);
            this.keepAliveTimer = null;
        }
        const streamErr = err ?? sessionShutdownError();
        const pings = this.pings;
        this.pings = new Map();
        for (const p of pings.values()) {
            clearTimeout(p.timer);
            p.reject(streamErr);
        }
        const streams = [...this.streams.values()];
        this.streams.clear();
        this.synQueue = [];
        this.synInflight = 0;
        for (const s of streams) {
            s._onSessionClose(streamErr);
        }
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const cb of waiters) {
            cb(streamErr);
        }

        const conn = this.conn;
        conn.off('data', this.onConnData);
        conn.off('end', this.onConnEnd);
        conn.off('close', this.onConnClose);
        conn.off('error', this.onConnError);
        conn.off('drain', this.onConnDrain);
        conn.on('error', noop); // late socket errors (EPIPE...) must not crash anyone
        if (!conn.destroyed) {
            if (conn.writableLength === 0) {
                conn.destroy();
            } else {
                // Let queued frames (a GoAway, say) reach the peer, but not forever.
                const timer = setTimeout(() => conn.destroy(), this.keepAliveTimeoutMs);
                timer.unref();
                conn.end(() => {
                    clearTimeout(timer);
                    conn.destroy();
                });
            }
        }
        this.emit('close', err);
    }

    // ---- stream host (used by Stream through this.host) ------------------------------------------------------------------

    private sendHeader(type: number, flags: number, streamId: number, length: number): void {
        if (this.closed) {
            return;
        }
        this.conn.write(encodeHeader(type, flags, streamId, length));
    }

    private sendData(streamId: number, flags: number, payload: Uint8Array | Uint8Array[], total: number): boolean {
        if (this.closed) {
            return true;
        }
        const conn = this.conn;
        if (total <= COPY_LIMIT) {
            const out = Buffer.allocUnsafe(HEADER_SIZE + total);
            encodeHeader(FrameType.Data, flags, streamId, total, out, 0);
            if (Array.isArray(payload)) {
                let off = HEADER_SIZE;
                for (const b of payload) {
                    out.set(b, off);
                    off += b.length;
                }
            } else {
                out.set(payload, HEADER_SIZE);
            }
            return conn.write(out);
        }
        conn.cork();
        let ok = conn.write(encodeHeader(FrameType.Data, flags, streamId, total));
        if (Array.isArray(payload)) {
            for (const b of payload) {
                ok = conn.write(b);
            }
        } else {
            ok = conn.write(payload);
        }
        conn.uncork();
        return ok && !conn.writableNeedDrain;
    }

    private whenDrained(cb: (err?: Error | null) => void): void {
        if (this.closed) {
            cb(sessionShutdownError());
            return;
        }
        if (!this.conn.writableNeedDrain) {
            cb();
            return;
        }
        this.drainWaiters.push(cb);
    }

    private streamGone(stream: Stream): void {
        if (this.streams.get(stream.id) === stream) {
            this.streams.delete(stream.id);
        }
        if (stream._inflight) {
            this.synAcked(stream);
        }
        if (stream._synWaiting) {
            stream._synWaiting = false;
            const i = this.synQueue.indexOf(stream);
            if (i >= 0) {
                this.synQueue.splice(i, 1);
            }
        }
    }

    private synAcked(stream: Stream): void {
        stream._inflight = false;
        this.synInflight--;
        while (this.synQueue.length > 0 && this.synInflight < this.acceptBacklog && !this.closed) {
            const next = this.synQueue.shift()!;
            this.synInflight++;
            next._inflight = true;
            next._sendOpenFlag(Flag.SYN);
        }
    }

    // ---- FrameSink (called by the decoder) --------------------------------------------

    private onFrame(type: number, flags: number, streamId: number, length: number): void {
        switch (type) {
            case FrameType.Data:
            case FrameType.WindowUpdate:
                this.handleStreamFrame(type, flags, streamId, length);
                return;
            case FrameType.Ping:
                this.handlePing(flags, length);
                return;
            default:
                this.handleGoAway(length);
        }
    }

    private onData(piece: Buffer, last: boolean): void {
        const s = this.dataStream;
        if (s === null) {
            return; // payload of a frame for an unknown/reset stream: discarded
        }
        s._onData(piece);
        if (last) {
            this.dataStream = null;
            if (this.dataFin) {
                this.dataFin = false;
                s._onFin();
            }
        }
    }

    // ---- internals -------------------------------------------------------------------

    private handleStreamFrame(type: number, flags: number, id: number, length: number): void {
        const isData = type === FrameType.Data;
        if (flags & Flag.SYN) {
            this.incomingStream(id);
            if (this.closed) {
                return;
            }
        }
        const stream = this.streams.get(id);
        if (stream === undefined) {
            // Unknown stream (we probably reset it): drop the payload, ignore the rest (as Go).
            this.dataStream = null;
            return;
        }
        if (!isData) {
            stream._onFlags(flags, false);
            if (length > 0) {
                stream._onWindowUpdate(length);
            }
            return;
        }
        stream._onFlags(flags, length > 0);
        if (length === 0) {
            return;
        }
        if (stream._gone) {
            this.dataStream = null; // reset by this very frame
            return;
        }
        if (length > stream._recvWindow) {
            this.protocolError(
                new YamuxError(
                    `yamux: receive window exceeded (stream ${id}, remain ${stream._recvWindow}, recv ${length})`,
                    'ERR_YAMUX_RECV_WINDOW_EXCEEDED',
                ),
            );
            return;
        }
        this.dataStream = stream;
        this.dataFin = (flags & Flag.FIN) !== 0;
    }

    private incomingStream(id: number): void {
        if (this.localGoAway) {
            this.sendHeader(FrameType.WindowUpdate, Flag.RST, id, 0);
            return;
        }
        if (this.streams.has(id)) {
            this.protocolError(new YamuxError(`yamux: duplicate stream declared (${id})`, 'ERR_YAMUX_DUPLICATE_STREAM'));
            return;
        }
        if (this.listenerCount('stream') === 0) {
            // Nobody would ever read it: refuse, like Go does when its accept backlog is full.
            this.sendHeader(FrameType.WindowUpdate, Flag.RST, id, 0);
            return;
        }
        const stream = new Stream(this.host, id);
        this.streams.set(id, stream);
        stream._sendOpenFlag(Flag.ACK);
        this.emit('stream', stream);
    }

    private handlePing(flags: number, id: number): void {
        if (flags & Flag.SYN) {
            this.sendHeader(FrameType.Ping, Flag.ACK, 0, id);
            return;
        }
        const p = this.pings.get(id);
        if (p) {
            this.pings.delete(id);
            clearTimeout(p.timer);
            p.resolve(performance.now() - p.start);
        }
    }

    private handleGoAway(code: number): void {
        switch (code) {
            case GoAwayCode.Normal:
                this.remoteGoAway = true;
                return;
            case GoAwayCode.ProtocolError:
                this.fail(new YamuxError('yamux: remote sent GoAway (protocol error)', 'ERR_YAMUX_REMOTE_PROTOCOL_ERROR'));
                return;
            case GoAwayCode.InternalError:
                this.fail(new YamuxError('yamux: remote sent GoAway (internal error)', 'ERR_YAMUX_REMOTE_INTERNAL_ERROR'));
                return;
            default:
                this.fail(new YamuxError(`yamux: unexpected GoAway code ${code}`, 'ERR_YAMUX_UNEXPECTED_GOAWAY'));
        }
    }

    /** Sends GoAway(protocol error) and closes the session with `err`. */
    private protocolError(err: YamuxError): void {
        if (this.closed) {
            return;
        }
        this.sendHeader(FrameType.GoAway, 0, 0, GoAwayCode.ProtocolError);
        this.fail(err);
    }

    /** Emits 'error' (only if someone listens) and closes with `err`. */
    private fail(err: Error): void {
        if (this.closed) {
            return;
        }
        if (this.listenerCount('error') > 0) {
            try {
                this.emit('error', err);
            } catch {
                // a throwing 'error' listener must not stop the close
            }
        }
        this.close(err);
    }

    private scheduleKeepAlive(): void {
        const t = setTimeout(() => {
            this.keepAliveTimer = null;
            if (this.closed) {
                return;
            }
            this.ping().then(
                () => {
                    if (!this.closed) {
                        this.scheduleKeepAlive();
                    }
                },
                (err: unknown) => {
                    if (!this.closed && err instanceof YamuxError && err.code === 'ERR_YAMUX_PING_TIMEOUT') {
                        this.fail(new YamuxError('yamux: keepalive timeout', 'ERR_YAMUX_KEEPALIVE_TIMEOUT'));
                    }
                },
            );
        }, this.keepAliveIntervalMs);
        t.unref();
        this.keepAliveTimer = t;
    }
}
