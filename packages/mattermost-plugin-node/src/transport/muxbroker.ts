// go-plugin's MuxBroker: extra connections over the yamux session, named by a uint32 id that the side which
// will Accept allocates and passes to the other side (inside some RPC argument). The dialler opens a stream
// and writes the id (4 bytes, little-endian); the acceptor echoes the same 4 bytes as its ack.
import type {Session, Stream} from './yamux/index.js';

/** How long a parked incoming stream, or a pending accept, waits for its partner (go-plugin's value). */
const acceptTimeoutMs = 5000;

export class BrokerError extends Error {
    override readonly name = 'BrokerError';
}

export function encodeBrokerId(id: number): Buffer {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(id >>> 0, 0);
    return b;
}

interface Waiter {
    resolve: (s: Stream) => void;
    timer: NodeJS.Timeout;
}

export class MuxBroker {
    private lastId = 0;
    private readonly parked = new Map<number, {stream: Stream; timer: NodeJS.Timeout}>();
    private readonly waiters = new Map<number, Waiter>();

    constructor(private readonly session: Session) {}

    nextId(): number {
        this.lastId = (this.lastId + 1) >>> 0;
        return this.lastId;
    }

    /**
     * Opens a stream to the id the other side allocated. The id goes out at once and the stream is usable
     * immediately; the 4-byte ack arrives ahead of the peer's first bytes and the caller must check and
     * strip it (`ack`). Waiting for the ack before writing would cost a round trip on every ServeHTTP.
     */
    dial(id: number): {stream: Stream; ack: Buffer} {
        const stream = this.session.openStream();
        const ack = encodeBrokerId(id);
        stream.write(ack);
        return {stream, ack};
    }

    /** Waits for the stream the other side dials to an id we allocated, and acks it. */
    accept(id: number): Promise<Stream> {
        const parked = this.parked.get(id);
        if (parked) {
            clearTimeout(parked.timer);
            this.parked.delete(id);
            parked.stream.write(encodeBrokerId(id));
            return Promise.resolve(parked.stream);
        }
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiters.delete(id);
                reject(new BrokerError(`timeout waiting for accept of mux broker id ${id}`));
            }, acceptTimeoutMs);
            timer.unref();
            this.waiters.set(id, {
                resolve: (s) => {
                    s.write(encodeBrokerId(id));
                    resolve(s);
                },
                timer,
            });
        });
    }

    /** Every stream after the first three starts with the broker id it is meant for. */
    handleIncoming(stream: Stream): void {
        readExactly(stream, 4).then(
            (idBytes) => {
                const id = idBytes.readUInt32LE(0);
                const waiter = this.waiters.get(id);
                if (waiter) {
                    clearTimeout(waiter.timer);
                    this.waiters.delete(id);
                    waiter.resolve(stream);
                    return;
                }
                const timer = setTimeout(() => {
                    this.parked.delete(id);
                    stream.destroy();
                }, acceptTimeoutMs);
                timer.unref();
                this.parked.set(id, {stream, timer});
            },
            () => stream.destroy(),
        );
    }
}

/** Reads exactly n bytes from a paused-mode read, leaving anything after them in the stream. */
export function readExactly(stream: Stream, n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const tryRead = (): void => {
            const chunk = stream.read(n) as Buffer | null;
            if (chunk !== null) {
                cleanup();
                resolve(chunk);
            }
        };
        const onEnd = (): void => {
            cleanup();
            reject(new BrokerError('stream ended before the mux broker id'));
        };
        const cleanup = (): void => {
            stream.off('readable', tryRead);
            stream.off('end', onEnd);
            stream.off('error', onEnd);
        };
        stream.on('readable', tryRead);
        stream.on('end', onEnd);
        stream.on('error', onEnd);
        tryRead();
    });
}
