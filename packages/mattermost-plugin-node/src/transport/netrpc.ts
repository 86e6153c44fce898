// Go's net/rpc over one byte stream: a gob Request/Response header followed by a gob body, one encoder and
// one decoder per connection for its whole life (type definitions are sent once per direction).
// Calls are concurrent both ways; replies are matched by Seq and may come back in any order.
import type {Duplex} from 'node:stream';

import {GobDecoder, GobEncoder, GobError, t, type GoType} from './gob/index.js';

const requestHeader = t.struct('Request', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
]);
const responseHeader = t.struct('Response', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
    ['Error', t.string],
]);

/** Go's `invalidRequest = struct{}{}`: the body sent with every error reply. */
export const emptyStruct: GoType = t.struct('', []);

/** The server answered with `Response.Error` set (Go's `rpc.ServerError`). */
export class RpcServerError extends Error {
    override readonly name = 'RpcServerError';
}

/** The connection broke before a reply arrived (Go's `rpc.ErrShutdown` / unexpected EOF). */
export class RpcConnectionError extends Error {
    override readonly name = 'RpcConnectionError';
}

interface Header {
    ServiceMethod?: string;
    Seq?: number | bigint;
    Error?: string;
}

function asHeader(value: unknown): Header {
    if (typeof value !== 'object' || value === null) {
        throw new GobError('net/rpc: header is not a struct');
    }
    return value as Header;
}

/**
 * Reads alternating header/body values off a stream. `expectPrefix` is the 4-byte mux-broker ack that
 * precedes the gob stream when we dialled eagerly (see MuxBroker.dial).
 */
class MessageReader {
    private readonly decoder = new GobDecoder();
    private prefix: Uint8Array | undefined;

    constructor(
        stream: Duplex,
        private readonly onPair: (header: Header, body: unknown) => void,
        private readonly onFail: (err: Error) => void,
        expectPrefix?: Uint8Array,
    ) {
        this.prefix = expectPrefix;
        stream.on('data', (chunk: Buffer) => this.feed(chunk));
        // The stream may have been read in paused mode before (mux broker id), so make it flow explicitly.
        stream.resume();
    }

    private pendingHeader: Header | undefined;

    private feed(chunk: Buffer): void {
        try {
            let data: Uint8Array = chunk;
            if (this.prefix) {
                const need = this.prefix.length;
                const take = Math.min(need, data.length);
                for (let i = 0; i < take; i++) {
                    if (data[i] !== this.prefix[i]) {
                        throw new RpcConnectionError('mux broker: bad ack on dialled stream');
                    }
                }
                this.prefix = need === take ? undefined : this.prefix.subarray(take);
                data = data.subarray(take);
                if (data.length === 0) {
                    return;
                }
            }
            this.decoder.push(data);
            for (;;) {
                const next = this.decoder.next();
                if (next === undefined) {
                    return;
                }
                if (this.pendingHeader === undefined) {
                    this.pendingHeader = asHeader(next.value);
                } else {
                    const header = this.pendingHeader;
                    this.pendingHeader = undefined;
                    this.onPair(header, next.value);
                }
            }
        } catch (err) {
            this.onFail(err instanceof Error ? err : new Error(String(err)));
        }
    }
}

interface PendingCall {
    resolve: (body: unknown) => void;
    reject: (err: Error) => void;
}

export class RpcClient {
    private readonly encoder = new GobEncoder();
    private readonly pending = new Map<number, PendingCall>();
    private seq = 0;
    private closedError: Error | undefined;

    constructor(private readonly stream: Duplex, options: {expectPrefix?: Uint8Array} = {}) {
        new MessageReader(
            stream,
            (header, body) => this.onReply(header, body),
            (err) => this.fail(err),
            options.expectPrefix,
        );
        const onGone = (): void => this.fail(new RpcConnectionError('connection is shut down'));
        stream.on('end', onGone);
        stream.on('close', onGone);
        stream.on('error', (err: Error) => this.fail(new RpcConnectionError(`connection failed: ${err.message}`)));
    }

    /** Calls `Service.Method`; resolves with the decoded reply body (schema-less gob value). */
    call(serviceMethod: string, argsType: GoType, args: unknown): Promise<unknown> {
        if (this.closedError) {
            return Promise.reject(this.closedError);
        }
        const seq = this.seq++;
        let header: Uint8Array;
        let body: Uint8Array;
        try {
            header = this.encoder.encode(requestHeader, {ServiceMethod: serviceMethod, Seq: seq});
            body = this.encoder.encode(argsType, args);
        } catch (err) {
            return Promise.reject(err);
        }
        return new Promise((resolve, reject) => {
            this.pending.set(seq, {resolve, reject});
            writePair(this.stream, header, body);
        });
    }

    close(): void {
        this.fail(new RpcConnectionError('connection is shut down'));
        this.stream.end();
    }

    private onReply(header: Header, body: unknown): void {
        const seq = Number(header.Seq ?? 0);
        const call = this.pending.get(seq);
        if (!call) {
            return; // Go discards replies to unknown calls too
        }
        this.pending.delete(seq);
        if (header.Error) {
            call.reject(new RpcServerError(header.Error));
        } else {
            call.resolve(body);
        }
    }

    private fail(err: Error): void {
        if (!this.closedError) {
            this.closedError = err instanceof RpcConnectionError ? err : new RpcConnectionError(err.message);
        }
        for (const call of this.pending.values()) {
            call.reject(this.closedError);
        }
        this.pending.clear();
    }
}

/** A reply: the Go type of the reply body and its value. */
export interface RpcReply {
    type: GoType;
    value: unknown;
}

export type RpcMethod = (args: unknown) => RpcReply | PromiseLike<RpcReply>;

/** Looks up a handler for a full `Service.Method` name. */
export type RpcMethodTable = (serviceMethod: string) => RpcMethod | undefined;

export interface RpcServerOptions {
    expectPrefix?: Uint8Array;
    /** Called when a method throws: the caller still gets an error reply, this is for logging. */
    onMethodError?: (serviceMethod: string, err: unknown) => void;
}

/**
 * Serves calls on one stream. Each call runs on its own (the Go server runs each in a goroutine), so a slow
 * hook never holds up the next one, and replies go out as they complete.
 */
export class RpcServer {
    private readonly encoder = new GobEncoder();
    private closed = false;

    constructor(
        private readonly stream: Duplex,
        private readonly methods: RpcMethodTable,
        private readonly options: RpcServerOptions = {},
    ) {
        new MessageReader(stream, (header, body) => this.onRequest(header, body), () => this.close(), options.expectPrefix);
        stream.on('close', () => {
            this.closed = true;
        });
        stream.on('error', () => {
            this.closed = true;
        });
    }

    close(): void {
        if (!this.closed) {
            this.closed = true;
            this.stream.destroy();
        }
    }

    private onRequest(header: Header, body: unknown): void {
        const serviceMethod = header.ServiceMethod ?? '';
        const seq = header.Seq ?? 0;
        const method = this.methods(serviceMethod);
        if (!method) {
            this.reply(serviceMethod, seq, unknownMethodMessage(serviceMethod), {type: emptyStruct, value: {}});
            return;
        }
        let result: RpcReply | PromiseLike<RpcReply>;
        try {
            result = method(body);
        } catch (err) {
            this.replyError(serviceMethod, seq, err);
            return;
        }
        if (typeof (result as Partial<PromiseLike<RpcReply>>).then === 'function') {
            (result as PromiseLike<RpcReply>).then(
                (reply) => this.reply(serviceMethod, seq, '', reply),
                (err: unknown) => this.replyError(serviceMethod, seq, err),
            );
        } else {
            this.reply(serviceMethod, seq, '', result as RpcReply);
        }
    }

    private replyError(serviceMethod: string, seq: number | bigint, err: unknown): void {
        this.options.onMethodError?.(serviceMethod, err);
        const message = err instanceof Error ? err.message : String(err);
        this.reply(serviceMethod, seq, message || 'unknown error', {type: emptyStruct, value: {}});
    }

    private reply(serviceMethod: string, seq: number | bigint, error: string, reply: RpcReply): void {
        if (this.closed) {
            return;
        }
        let header: Uint8Array;
        let body: Uint8Array;
        try {
            header = this.encoder.encode(responseHeader, {ServiceMethod: serviceMethod, Seq: seq, Error: error});
            body = error ? this.encoder.encode(emptyStruct, {}) : this.encoder.encode(reply.type, reply.value);
        } catch (err) {
            if (error) {
                this.options.onMethodError?.(serviceMethod, err);
                return;
            }
            // The reply itself could not be encoded: tell the caller instead of leaving it waiting.
            this.replyError(serviceMethod, seq, err);
            return;
        }
        writePair(this.stream, header, body);
    }
}

/**
 * A stream that takes each received chunk straight to a callback and a message straight to the wire
 * (yamux's Stream): what a call costs besides the codec is then mostly the socket.
 */
interface MessageStream extends Duplex {
    setDataSink(sink: (chunk: Buffer) => void): void;
    sendMessage(parts: Uint8Array[]): void;
}

function isMessageStream(stream: Duplex): stream is MessageStream {
    const s = stream as Partial<MessageStream>;
    return typeof s.setDataSink === 'function' && typeof s.sendMessage === 'function';
}

/**
 * A header and its body must be adjacent on the stream. Corked, the two writes leave as one yamux frame
 * without copying a (possibly large) body into a joined buffer first.
 */
function writePair(stream: Duplex, header: Uint8Array, body: Uint8Array): void {
    if (isMessageStream(stream)) {
        stream.sendMessage([header, body]);
        return;
    }
    stream.cork();
    stream.write(header);
    stream.write(body);
    stream.uncork();
}

/** Go's exact wording: Mattermost's host matches on some of these strings to fall back to older calls. */
export function unknownMethodMessage(serviceMethod: string): string {
    const dot = serviceMethod.lastIndexOf('.');
    if (dot < 0) {
        return `rpc: service/method request ill-formed: ${serviceMethod}`;
    }
    return `rpc: can't find method ${serviceMethod}`;
}
