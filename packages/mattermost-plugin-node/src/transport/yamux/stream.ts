import {Duplex} from 'node:stream';

import {Flag, FrameType, INITIAL_STREAM_WINDOW, YamuxError} from './frame.js';

/** What a Stream needs from its Session (implemented by Session; internal). */
export interface StreamHost {
    readonly maxStreamWindow: number;
    /** Writes a header-only frame. */
    sendHeader(type: number, flags: number, streamId: number, length: number): void;
    /** Writes one Data frame (header + the given payload pieces, `total` bytes); false = wait for drain. */
    sendData(streamId: number, flags: number, payload: Uint8Array | Uint8Array[], total: number): boolean;
    /** Calls `cb` once the connection has drained (or with an error when the session dies). */
    whenDrained(cb: (err?: Error | null) => void): void;
    /** The stream is finished with the session (both FINs, RST, or destroyed). */
    streamGone(stream: Stream): void;
    /** Our SYN for this stream was ACKed: it no longer counts against the backlog. */
    synAcked(stream: Stream): void;
}

type Callback = (err?: Error | null) => void;

interface PendingWrite {
    bufs: Buffer[];
    idx: number; // current buffer
    off: number; // offset into bufs[idx]
    remaining: number;
    cb: Callback;
}

export function connectionResetError(): YamuxError {
    return new YamuxError('yamux: connection reset', 'ERR_YAMUX_STREAM_RESET');
}

/**
 * One yamux stream as a node:stream Duplex.
 *
 * - `end()` sends FIN (half-close); reading continues until the peer's FIN (then 'end').
 * - `destroy()` sends RST unless both sides already sent FIN.
 * - `reset()` sends RST at once.
 * - Reads and writes fail after an RST from the peer.
 *
 * Flow control: never more Data than the peer's window; a write that does not fit waits
 * (its callback is held) until a WindowUpdate arrives. Received data counts as consumed when
 * it is handed to the Readable side (push accepted); WindowUpdates follow Go's rule.
 *
 * A consumer that handles every chunk at once (net/rpc) can skip the Readable and Writable machinery,
 * which is a measurable part of a hook round trip: `setDataSink` and `sendMessage`.
 */
export class Stream extends Duplex {
    readonly id: number;

    /** @internal */ _host: StreamHost | null;
    /** @internal bytes we may still send */ _sendWindow = INITIAL_STREAM_WINDOW;
    /** @internal bytes the peer may still send */ _recvWindow = INITIAL_STREAM_WINDOW;
    /** @internal SYN counted against the backlog until ACKed */ _inflight = false;
    /** @internal waiting for a backlog slot to send SYN */ _synWaiting = false;
    /** @internal removed from the session */ _gone = false;

    private pendingFlags = 0; // SYN or ACK still owed on the next frame
    private localFin = false;
    private remoteFin = false;
    private isReset = false;
    private endPushed = false;
    private wantData = false;
    private queue: Buffer[] = [];
    private queueHead = 0;
    private queuedBytes = 0;
    private pendingWrite: PendingWrite | null = null;
    private pendingFinal: Callback | null = null;
    private sink: ((chunk: Buffer) => void) | null = null;

    /** @internal */
    constructor(host: StreamHost, id: number) {
        super({allowHalfOpen: true, emitClose: true, autoDestroy: true});
        this._host = host;
        this.id = id;
    }

    /**
     * Hands every chunk received from now on to `sink`, synchronously and in order, instead of to the
     * Readable side (no 'data' events; 'end', 'close' and 'error' still come as usual, once the stream
     * is flowing). Data received before the call is handed over first. A chunk counts as consumed when
     * `sink` returns, so the peer's window never waits on a reader.
     */
    setDataSink(sink: (chunk: Buffer) => void): void {
        this.sink = sink;
        const q = this.queue;
        for (let i = this.queueHead; i < q.length && !this.destroyed; i++) {
            this.queuedBytes -= q[i]!.length;
            sink(q[i]!);
        }
        this.queue = [];
        this.queueHead = 0;
        this.queuedBytes = 0;
        if (this.remoteFin) {
            this.pushEnd();
        }
        this.sendWindowUpdate(false);
    }

    /**
     * Writes `parts` as one message. When nothing is waiting on the Writable side and the peer's window
     * takes it all, it goes straight to the session as one Data frame; otherwise it goes through write(),
     * which keeps it in order behind whatever waits. Like write() without a callback, it does not wait for
     * the connection to drain.
     */
    sendMessage(parts: Uint8Array[]): void {
        let total = 0;
        for (const p of parts) {
            total += p.length;
        }
        const host = this._host;
        if (
            host !== null &&
            total > 0 &&
            total <= this._sendWindow &&
            !this.pendingWrite &&
            !this._synWaiting &&
            !this.isReset &&
            !this.localFin &&
            !this.destroyed &&
            !this.writableEnded &&
            this.writableLength === 0 &&
            this.writableCorked === 0
        ) {
            this._sendWindow -= total;
            const flags = this.pendingFlags;
            this.pendingFlags = 0;
            host.sendData(this.id, flags, parts, total);
            return;
        }
        this.cork();
        for (const p of parts) {
            this.write(p);
        }
        this.uncork();
    }

    /** Sends RST: both directions fail on both sides. */
    reset(): void {
        if (this.isReset || this._gone) {
            this.destroy();
            return;
        }
        this.isReset = true;
        const host = this._host;
        if (host && !this._synWaiting) {
            host.sendHeader(FrameType.WindowUpdate, Flag.RST, this.id, 0);
        }
        this.leaveSession();
        this.destroy();
    }

    // ---- called by the Session -------------------------------------------------------

    /** @internal Sends our SYN (outgoing) or ACK (incoming) with the window delta, like Go. */
    _sendOpenFlag(flag: number): void {
        this._synWaiting = false;
        this.pendingFlags = flag;
        this.sendWindowUpdate(true);
        this.flushWrite();
        if (this.pendingFinal && !this.pendingWrite) {
            const cb = this.pendingFinal;
            this.pendingFinal = null;
            this._final(cb);
        }
    }

    /** @internal ACK/RST/FIN from a frame header. `deferFin`: a Data frame's FIN waits for its payload. */
    _onFlags(flags: number, deferFin: boolean): void {
        if (flags & Flag.ACK && this._inflight) {
            this._host?.synAcked(this);
        }
        if (flags & Flag.RST) {
            this._onReset();
            return;
        }
        if (flags & Flag.FIN && !deferFin) {
            this._onFin();
        }
    }

    /** @internal */
    _onWindowUpdate(delta: number): void {
        if (this._gone) {
            return;
        }
        this._sendWindow += delta;
        if (this.pendingWrite) {
            this.flushWrite();
        }
    }

    /** @internal A piece of Data payload (already checked against the receive window). */
    _onData(piece: Buffer): void {
        this._recvWindow -= piece.length;
        if (this.remoteFin || this._gone || this.destroyed) {
            return;
        }
        if (this.sink !== null) {
            this.sink(piece);
            this.sendWindowUpdate(false);
            return;
        }
        if (this.wantData && this.queuedBytes === 0) {
            this.wantData = this.push(piece);
            this.sendWindowUpdate(false);
        } else {
            this.queue.push(piece);
            this.queuedBytes += piece.length;
        }
    }

    /** @internal */
    _onFin(): void {
        if (this.remoteFin || this._gone) {
            return;
        }
        this.remoteFin = true;
        if (this.queuedBytes === 0) {
            this.pushEnd();
        }
        if (this.localFin) {
            this.leaveSession();
        }
    }

    /** @internal */
    _onReset(): void {
        if (this._gone) {
            return;
        }
        this.isReset = true;
        this.leaveSession();
        this.failWith(connectionResetError());
    }

    /** @internal The session is closing: the stream dies with `err`. */
    _onSessionClose(err: Error): void {
        this._gone = true;
        this._host = null;
        this.failWith(err);
    }

    // ---- Duplex implementation -------------------------------------------------------

    override _read(): void {
        this.wantData = true;
        if (this.queuedBytes > 0) {
            this.drainQueue();
        }
    }

    override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
        const host = this._host;
        // Fast path: fits in the window, nothing queued: one frame, one socket write.
        if (host && !this.pendingWrite && !this._synWaiting && chunk.length <= this._sendWindow && !this.isReset) {
            const n = chunk.length;
            if (n === 0) {
                cb();
                return;
            }
            this._sendWindow -= n;
            const flags = this.pendingFlags;
            this.pendingFlags = 0;
            if (host.sendData(this.id, flags, chunk, n)) {
                cb();
            } else {
                host.whenDrained(cb);
            }
            return;
        }
        this.startWrite([chunk], chunk.length, cb);
    }

    override _writev(chunks: Array<{chunk: Buffer; encoding: BufferEncoding}>, cb: Callback): void {
        const bufs: Buffer[] = new Array(chunks.length);
        let total = 0;
        for (let i = 0; i < chunks.length; i++) {
            const b = chunks[i].chunk;
            bufs[i] = b;
            total += b.length;
        }
        this.startWrite(bufs, total, cb);
    }

    override _final(cb: Callback): void {
        if (this.isReset || !this._host) {
            cb(this.isReset ? connectionResetError() : sessionShutdownError());
            return;
        }
        if (this._synWaiting) {
            this.pendingFinal = cb;
            return;
        }
        if (!this.localFin) {
            this.localFin = true;
            const flags = this.pendingFlags | Flag.FIN;
            this.pendingFlags = 0;
            this._host.sendHeader(FrameType.WindowUpdate, flags, this.id, 0);
            if (this.remoteFin) {
                this.leaveSession();
            }
        }
        cb();
    }

    override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
        const host = this._host;
        if (host && !this._gone) {
            if (this._synWaiting) {
                // The peer never heard of this stream: nothing to send.
            } else if (!this.isReset && !(this.localFin && this.remoteFin)) {
                this.isReset = true;
                host.sendHeader(FrameType.WindowUpdate, Flag.RST, this.id, 0);
            }
            this.leaveSession();
        }
        this.queue = [];
        this.queueHead = 0;
        this.queuedBytes = 0;
        const w = this.pendingWrite;
        this.pendingWrite = null;
        const f = this.pendingFinal;
        this.pendingFinal = null;
        const failure = err ?? (this.isReset ? connectionResetError() : streamClosedError());
        if (w) {
            w.cb(failure);
        }
        if (f) {
            f(failure);
        }
        cb(err);
    }

    // ---- internals -------------------------------------------------------------------

    private leaveSession(): void {
        if (this._gone) {
            return;
        }
        this._gone = true;
        const host = this._host;
        if (host) {
            host.streamGone(this);
        }
    }

    /**
     * Destroys the stream with `err` if someone listens for errors; otherwise destroys it
     * without an error (reads and writes still fail: 'close' without 'end', writes get
     * ERR_STREAM_DESTROYED), so a peer action can never crash the process.
     */
    private failWith(err: Error): void {
        if (this.destroyed) {
            return;
        }
        this.destroy(this.listenerCount('error') > 0 ? err : undefined);
    }

    private pushEnd(): void {
        if (!this.endPushed) {
            this.endPushed = true;
            this.push(null);
        }
    }

    private drainQueue(): void {
        const q = this.queue;
        while (this.wantData && this.queueHead < q.length) {
            const b = q[this.queueHead];
            q[this.queueHead++] = undefined as unknown as Buffer;
            this.queuedBytes -= b.length;
            this.wantData = this.push(b);
            if (this.destroyed) {
                return;
            }
        }
        if (this.queueHead === q.length) {
            this.queue = [];
            this.queueHead = 0;
        } else if (this.queueHead > 1024) {
            this.queue = q.slice(this.queueHead);
            this.queueHead = 0;
        }
        if (this.queuedBytes === 0 && this.remoteFin) {
            this.pushEnd();
        }
        this.sendWindowUpdate(false);
    }

    /** Go's rule: delta = (max - buffered) - recvWindow; send if delta >= max/2 or flags are owed. */
    private sendWindowUpdate(force: boolean): void {
        const host = this._host;
        if (!host || this._gone || (this.remoteFin && !force)) {
            return;
        }
        const max = host.maxStreamWindow;
        const delta = max - this.queuedBytes - this._recvWindow;
        const flags = this.pendingFlags;
        if (delta < max / 2 && flags === 0) {
            return;
        }
        this.pendingFlags = 0;
        const d = delta > 0 ? delta : 0;
        this._recvWindow += d;
        host.sendHeader(FrameType.WindowUpdate, flags, this.id, d);
    }

    private startWrite(bufs: Buffer[], total: number, cb: Callback): void {
        if (this.isReset) {
            cb(connectionResetError());
            return;
        }
        if (!this._host) {
            cb(sessionShutdownError());
            return;
        }
        this.pendingWrite = {bufs, idx: 0, off: 0, remaining: total, cb};
        this.flushWrite();
    }

    /** Sends as much of the pending write as the window allows; completes it when done. */
    private flushWrite(): void {
        const w = this.pendingWrite;
        const host = this._host;
        if (!w || !host || this._synWaiting) {
            return;
        }
        let ok = true;
        while (w.remaining > 0) {
            const window = this._sendWindow;
            if (window <= 0) {
                return; // resumed by _onWindowUpdate
            }
            const n = Math.min(window, w.remaining);
            const pieces: Buffer[] = [];
            let need = n;
            while (need > 0) {
                const b = w.bufs[w.idx];
                const avail = b.length - w.off;
                if (avail === 0) {
                    w.idx++;
                    w.off = 0;
                    continue;
                }
                if (avail <= need) {
                    pieces.push(w.off === 0 ? b : b.subarray(w.off));
                    need -= avail;
                    w.idx++;
                    w.off = 0;
                } else {
                    pieces.push(b.subarray(w.off, w.off + need));
                    w.off += need;
                    need = 0;
                }
            }
            this._sendWindow -= n;
            w.remaining -= n;
            const flags = this.pendingFlags;
            this.pendingFlags = 0;
            ok = host.sendData(this.id, flags, pieces.length === 1 ? pieces[0] : pieces, n);
        }
        this.pendingWrite = null;
        if (ok) {
            w.cb();
        } else {
            host.whenDrained(w.cb);
        }
    }
}

export function sessionShutdownError(): YamuxError {
    return new YamuxError('yamux: session shutdown', 'ERR_YAMUX_SESSION_SHUTDOWN');
}

export function streamClosedError(): YamuxError {
    return new YamuxError('yamux: stream closed', 'ERR_YAMUX_STREAM_CLOSED');
}
