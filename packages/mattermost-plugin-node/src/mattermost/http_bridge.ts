// ServeHTTP → an ordinary Node request handler. The request is replayed through Node's own HTTP machinery
// over an in-memory connection, so express (or any `(req, res)` handler) sees a real IncomingMessage and
// ServerResponse, with streaming both ways and nothing re-implemented. The response is read back with
// Node's HTTP client and forwarded to the host's ResponseWriter over its RPC stream.
import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import {Duplex} from 'node:stream';

import {GoMarshaled, t} from '../transport/gob/index.js';
import type {MuxBroker} from '../transport/muxbroker.js';
import {emptyStruct, RpcClient} from '../transport/netrpc.js';

import {openIOReader} from './io_reader.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The request the host forwards with a ServeHTTP call, read by field name from either wire shape of
 * `Z_ServeHTTPArgs.Request`:
 * - `*plugin.HTTPRequestSubset`, server/public v0.1.11 and later (Mattermost 10.7+);
 * - the whole `*net/http.Request` before that (Mattermost 10.5 ESR and older).
 * gob is self-describing and matches struct fields by name, and the host fills the same fields in
 * both (Method, URL, Proto, ProtoMajor, ProtoMinor, Header, Host, RemoteAddr, RequestURI); the
 * http.Request fields it never fills (Form, TLS, Trailer, ...) arrive as absent, as zero values do.
 */
export interface ForwardedRequest {
    /** "GET" when the host sent none (Go's net/http reads an empty method so). */
    method: string;
    /** The request target below /plugins/<id>: path and query, e.g. "/echo?a=1". */
    target: string;
    header: Record<string, string[]>;
    host: string;
    remoteAddr: string;
    /** The target as the client sent it, /plugins/<id> included. */
    requestURI: string;
}

/** Z_ServeHTTPArgs did not carry a request of either shape; the call is answered as an error. */
export class ServeHTTPRequestError extends Error {
    override readonly name = 'ServeHTTPRequestError';
}

function stringField(o: Record<string, unknown>, name: string): string {
    const v = o[name];
    if (v === undefined || v === null) {
        return '';
    }
    if (typeof v !== 'string') {
        throw new ServeHTTPRequestError(`ServeHTTP request field ${name} is ${typeof v}, not a string`);
    }
    return v;
}

function headerField(o: Record<string, unknown>): Record<string, string[]> {
    const v = o.Header;
    if (v === undefined || v === null) {
        return {};
    }
    if (typeof v !== 'object' || Array.isArray(v) || v instanceof Map) {
        throw new ServeHTTPRequestError('ServeHTTP request field Header is not a map[string][]string');
    }
    const out: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(v as Record<string, unknown>)) {
        if (values === null || values === undefined) {
            out[name] = []; // a nil []string: the key without values
            continue;
        }
        if (!Array.isArray(values) || values.some((x) => typeof x !== 'string')) {
            throw new ServeHTTPRequestError(`ServeHTTP request header ${JSON.stringify(name)} is not a []string`);
        }
        out[name] = values as string[];
    }
    return out;
}

/** The request target from url.URL (sent as its MarshalBinary text), else from RequestURI. */
function targetOf(url: unknown, requestURI: string): string {
    let text: string;
    if (url instanceof GoMarshaled) {
        text = url.toString();
    } else if (typeof url === 'string') {
        text = url;
    } else if (url === undefined || url === null) {
        return requestURI || '/';
    } else {
        throw new ServeHTTPRequestError('ServeHTTP request field URL is not a marshalled url.URL');
    }
    if (!text) {
        return requestURI || '/';
    }
    // url.URL's MarshalBinary gives the full URL when scheme/host are set; we need the request target.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
        const u = new URL(text);
        return u.pathname + u.search;
    }
    return text.startsWith('/') ? text : `/${text}`;
}

/** Reads Z_ServeHTTPArgs.Request as decoded from gob (either shape, see ForwardedRequest). */
export function readForwardedRequest(value: unknown): ForwardedRequest {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map) {
        throw new ServeHTTPRequestError(
            value === undefined || value === null ? 'ServeHTTP call without a request' : 'ServeHTTP request is not a struct',
        );
    }
    const o = value as Record<string, unknown>;
    const requestURI = stringField(o, 'RequestURI');
    return {
        method: stringField(o, 'Method') || 'GET',
        target: targetOf(o.URL, requestURI),
        header: headerField(o),
        host: stringField(o, 'Host'),
        remoteAddr: stringField(o, 'RemoteAddr'),
        requestURI,
    };
}

const headerType = t.map(t.string, t.slice(t.string));

/** Headers that describe one hop (ours, in memory) and must not be forwarded to the host's response. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** Go's textproto.CanonicalMIMEHeaderKey, so the host's Header.Get finds what we set. */
export function canonicalHeaderKey(name: string): string {
    let out = '';
    let upper = true;
    for (const ch of name) {
        out += upper ? ch.toUpperCase() : ch.toLowerCase();
        upper = ch === '-';
    }
    return out;
}

/** A pair of in-memory streams: what is written to one is read from the other. */
function duplexPair(): [Duplex, Duplex] {
    let a!: Duplex;
    let b!: Duplex;
    const make = (peer: () => Duplex): Duplex =>
        new Duplex({
            read() {
                // data is pushed by the peer's write
            },
            write(chunk: Buffer, _enc, cb) {
                peer().push(chunk);
                cb();
            },
            final(cb) {
                peer().push(null);
                cb();
            },
            destroy(err, cb) {
                const p = peer();
                if (!p.destroyed) {
                    p.push(null);
                }
                cb(err);
            },
        });
    a = make(() => b);
    b = make(() => a);
    return [a, b];
}

/** Header values are bytes on the wire; Node's HTTP layer reads header bytes as latin1. */
function toHeaderBytes(value: string): string {
    return Buffer.from(value, 'utf8').toString('latin1');
}

/** Forwards a response to the host's ResponseWriter: SyncHeader, WriteHeader (unless 200), Write... */
class HostResponseWriter {
    private readonly rpc: RpcClient;

    constructor(broker: MuxBroker, id: number) {
        const {stream, ack} = broker.dial(id);
        this.rpc = new RpcClient(stream, {expectPrefix: ack});
    }

    async start(status: number, rawHeaders: string[]): Promise<void> {
        const header: Record<string, string[]> = {};
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
            const name = rawHeaders[i] ?? '';
            if (hopByHop.has(name.toLowerCase())) {
                continue;
            }
            const key = canonicalHeaderKey(name);
            const value = Buffer.from(rawHeaders[i + 1] ?? '', 'latin1').toString('utf8');
            (header[key] ??= []).push(value);
        }
        // The host's calls run concurrently on its side (a goroutine each), so each must complete before
        // the next one is sent, or a Write could overtake the WriteHeader.
        await this.rpc.call('Plugin.SyncHeader', headerType, header);
        if (status !== 200) {
            await this.rpc.call('Plugin.WriteHeader', t.int, status);
        }
    }

    write(chunk: Uint8Array): Promise<unknown> {
        return this.rpc.call('Plugin.Write', t.bytes, chunk);
    }

    close(): void {
        this.rpc.close();
    }
}

/** Pumps the response body to the host, coalescing chunks that arrive while a Write is in flight. */
async function pumpBody(res: IncomingMessage, writer: HostResponseWriter): Promise<void> {
    let queue: Buffer[] = [];
    let queued = 0;
    let inFlight: Promise<unknown> | undefined;
    const maxChunk = 1024 * 1024;
    const flush = async (): Promise<void> => {
        while (queue.length > 0) {
            const chunk = queue.length === 1 ? queue[0]! : Buffer.concat(queue, queued);
            queue = [];
            queued = 0;
            inFlight = writer.write(chunk);
            await inFlight;
            inFlight = undefined;
        }
    };
    let flushing: Promise<void> = Promise.resolve();
    for await (const c of res) {
        const chunk = c as Buffer;
        queue.push(chunk);
        queued += chunk.length;
        if (!inFlight) {
            flushing = flush();
        }
        if (queued >= maxChunk) {
            await flushing; // backpressure: do not buffer unboundedly behind a slow host
        }
    }
    await flushing;
    await flush();
}

/** Z_ServeHTTPArgs as decoded from gob; Request is checked by readForwardedRequest. */
export interface ServeHTTPArgs {
    ResponseWriterStream?: number;
    Request?: unknown;
    RequestBodyStream?: number;
}

/** The request line and raw headers Node's HTTP client replays for req. */
export function replayRequest(req: ForwardedRequest, hasBody: boolean): {method: string; path: string; headers: string[]} {
    const headers: string[] = [];
    let hasHost = false;
    let hasLength = false;
    for (const [name, values] of Object.entries(req.header)) {
        const lower = name.toLowerCase();
        hasHost ||= lower === 'host';
        hasLength ||= lower === 'content-length' && values.length > 0;
        for (const v of values) {
            headers.push(name, toHeaderBytes(v));
        }
    }
    if (req.host && !hasHost) {
        headers.push('Host', toHeaderBytes(req.host));
    }
    // Without a body and a length Node would send the request chunked; the handler must see none.
    if (!hasLength && !hasBody) {
        headers.push('Content-Length', '0');
    }
    return {method: req.method, path: req.target, headers};
}

/**
 * Handles one Plugin.ServeHTTP call. Resolves when the response has been fully written to the host,
 * which must happen before the RPC reply goes out.
 */
export async function serveHTTP(broker: MuxBroker, args: ServeHTTPArgs, handler: RequestHandler): Promise<void> {
    // Checked before any stream is opened: a malformed call is answered as an RPC error, which the
    // host turns into a 500 response.
    const forwarded = readForwardedRequest(args.Request);
    const writer = new HostResponseWriter(broker, Number(args.ResponseWriterStream ?? 0));
    const body = args.RequestBodyStream ? openIOReader(broker, Number(args.RequestBodyStream)) : undefined;
    const replay = replayRequest(forwarded, body !== undefined);

    const [clientEnd, serverEnd] = duplexPair();
    const server = http.createServer((req, res) => {
        try {
            const result = handler(req, res);
            if (result instanceof Promise) {
                result.catch((err: unknown) => failResponse(res, err));
            }
        } catch (err) {
            failResponse(res, err);
        }
    });
    server.emit('connection', serverEnd);

    try {
        await new Promise<void>((resolve, reject) => {
            const req = http.request(
                {
                    method: replay.method,
                    path: replay.path,
                    headers: replay.headers,
                    setHost: false,
                    // With no agent, Node uses this connection for the one request.
                    createConnection: () => clientEnd as unknown as import('node:net').Socket,
                },
                (res) => {
                    writer
                        .start(res.statusCode ?? 500, res.rawHeaders)
                        .then(() => pumpBody(res, writer))
                        .then(resolve, reject);
                },
            );
            req.on('error', reject);
            if (body) {
                body.pipe(req);
                body.on('error', (err) => req.destroy(err));
            } else {
                req.end();
            }
        });
    } finally {
        writer.close();
        clientEnd.destroy();
        serverEnd.destroy();
        server.close();
    }
}

function failResponse(res: ServerResponse, err: unknown): void {
    if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({error: 'internal error', details: err instanceof Error ? err.message : String(err)}));
    } else {
        res.destroy();
    }
}

export const serveHTTPReply = {type: emptyStruct, value: {}};
