// The ServeHTTP bridge on both sides of the request shape change in server/public v0.1.11: the
// fixtures are gob streams of Z_ServeHTTPArgs written by the real types of each release line of the
// conformance matrix (test/conformance/cmd/servehttppeer; TestServeHTTPWireFixture keeps them
// equal to what those types encode). They are decoded here with our gob decoder, read by the
// bridge, and replayed through a fake host into a Node request handler.
import {readdirSync, readFileSync} from 'node:fs';
import type {IncomingMessage, ServerResponse} from 'node:http';
import path from 'node:path';

import {describe, expect, it} from 'vitest';

import {
    readForwardedRequest,
    replayRequest,
    serveHTTP,
    ServeHTTPRequestError,
    type ServeHTTPArgs,
} from '../../src/mattermost/http_bridge.js';
import {GobDecoder, t} from '../../src/transport/gob/index.js';
import type {MuxBroker} from '../../src/transport/muxbroker.js';
import {emptyStruct, RpcServer} from '../../src/transport/netrpc.js';
import {pair} from '../support/memory_pair.js';

interface FixtureCase {
    name: string;
    gob: string; // base64
    responseWriterStream: number;
    requestBodyStream: number;
    context: Record<string, string>;
    request: {
        Method: string;
        URL: string;
        Header: Record<string, string[] | null>;
        Host: string;
        RemoteAddr: string;
        RequestURI: string;
    };
}

interface Fixture {
    module: string;
    requestType: string;
    cases: FixtureCase[];
}

const fixtureDir = path.join(__dirname, 'fixtures');
const fixtures: Fixture[] = readdirSync(fixtureDir)
    .filter((f) => /^servehttp-v[\d.]+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(fixtureDir, f), 'utf8')) as Fixture);

function decodeArgs(c: FixtureCase): Record<string, unknown> {
    const dec = new GobDecoder();
    dec.push(new Uint8Array(Buffer.from(c.gob, 'base64')));
    const first = dec.next();
    expect(first, 'one value in the stream').toBeDefined();
    expect(dec.next()).toBeUndefined();
    expect(dec.buffered).toBe(0);
    return first!.value as Record<string, unknown>;
}

/** Go's http.Header as the bridge reads it: a nil value list is an empty one. */
function wantHeader(h: Record<string, string[] | null>): Record<string, string[]> {
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v ?? []]));
}

describe('ServeHTTP request, as each release line sends it', () => {
    it('has fixtures from both sides of the request type change', () => {
        expect(fixtures.map((f) => f.requestType)).toContain('*http.Request');
        expect(fixtures.map((f) => f.requestType)).toContain('*plugin.HTTPRequestSubset');
    });

    for (const fx of fixtures) {
        describe(`server/public ${fx.module} (${fx.requestType})`, () => {
            for (const c of fx.cases) {
                it(`reads the ${c.name} request`, () => {
                    const args = decodeArgs(c);
                    expect(Number(args.ResponseWriterStream ?? 0)).toBe(c.responseWriterStream);
                    expect(Number(args.RequestBodyStream ?? 0)).toBe(c.requestBodyStream);
                    expect(readForwardedRequest(args.Request)).toEqual({
                        method: c.request.Method,
                        target: c.request.URL,
                        header: wantHeader(c.request.Header),
                        host: c.request.Host,
                        remoteAddr: c.request.RemoteAddr,
                        requestURI: c.request.RequestURI,
                    });
                    // The context travels next to the request in both shapes.
                    const ctx = (args.Context ?? {}) as Record<string, unknown>;
                    for (const [k, v] of Object.entries(c.context)) {
                        expect(ctx[k] ?? '', `Context.${k}`).toBe(v);
                    }
                });
            }
        });
    }

    it('keeps the http.Request fields the host never fills out of the request', () => {
        const old = fixtures.find((f) => f.requestType === '*http.Request');
        expect(old).toBeDefined();
        const request = decodeArgs(old!.cases[0]!).Request as Record<string, unknown>;
        // What gob sent: the filled fields only (zero values are not sent), even though the type
        // describes Body, Form, TLS, Response and the rest.
        expect(Object.keys(request).sort()).toEqual(['Header', 'Host', 'Method', 'Proto', 'ProtoMajor', 'ProtoMinor', 'RemoteAddr', 'RequestURI', 'URL']);
    });
});

describe('readForwardedRequest', () => {
    it('defaults an absent method to GET and an absent URL to the request URI', () => {
        expect(readForwardedRequest({RequestURI: '/plugins/x/a?b=1'})).toEqual({
            method: 'GET',
            target: '/plugins/x/a?b=1',
            header: {},
            host: '',
            remoteAddr: '',
            requestURI: '/plugins/x/a?b=1',
        });
        expect(readForwardedRequest({}).target).toBe('/');
    });

    it('takes the path and query of an absolute URL', () => {
        expect(readForwardedRequest({URL: 'https://chat.example.com/x/y?z=1#f'}).target).toBe('/x/y?z=1');
    });

    it('refuses what is not a request', () => {
        expect(() => readForwardedRequest(undefined)).toThrow(ServeHTTPRequestError);
        expect(() => readForwardedRequest(undefined)).toThrow('ServeHTTP call without a request');
        expect(() => readForwardedRequest('GET /')).toThrow('not a struct');
        expect(() => readForwardedRequest({Method: 7})).toThrow('field Method is number, not a string');
        expect(() => readForwardedRequest({Header: {A: 'x'}})).toThrow('header "A" is not a []string');
        expect(() => readForwardedRequest({Header: ['A']})).toThrow('Header is not a map[string][]string');
        expect(() => readForwardedRequest({URL: 42})).toThrow('URL is not a marshalled url.URL');
    });
});

describe('replayRequest', () => {
    const base = {method: 'POST', target: '/t', header: {}, host: '', remoteAddr: '', requestURI: '/plugins/p/t'};

    it('adds Host from the request and an empty length when there is no body', () => {
        expect(replayRequest({...base, host: 'chat.example.com'}, false).headers).toEqual(['Host', 'chat.example.com', 'Content-Length', '0']);
        expect(replayRequest({...base, host: 'chat.example.com'}, true).headers).toEqual(['Host', 'chat.example.com']);
    });

    it('keeps a Host or Content-Length header the client sent', () => {
        const r = replayRequest({...base, host: 'other', header: {host: ['h'], 'Content-Length': ['5']}}, false);
        expect(r.headers).toEqual(['host', 'h', 'Content-Length', '5']);
    });

    it('writes header values as their UTF-8 bytes, which Node reads as latin1', () => {
        const r = replayRequest({...base, header: {'X-Note': ['café ✓']}}, true);
        expect(r.headers).toEqual(['X-Note', Buffer.from('café ✓', 'utf8').toString('latin1')]);
    });
});

/** Go's binary.Uvarint, enough for the size the body reader asks for. */
function readUvarint(buf: Buffer): number | undefined {
    let x = 0n;
    let s = 0n;
    for (const b of buf) {
        x |= BigInt(b & 0x7f) << s;
        if (b < 0x80) {
            return Number(x);
        }
        s += 7n;
    }
    return undefined;
}

interface HostResponse {
    header?: Record<string, string[]>;
    status: number;
    body: Buffer[];
}

/**
 * The host's side of the two broker streams of a ServeHTTP call: the response writer (net/rpc
 * Plugin.SyncHeader/WriteHeader/Write) and the request body (a zigzag varint size request, then
 * the bytes). Each accepted stream starts with the 4-byte broker ack, as the host's does.
 */
function fakeHost(c: FixtureCase, body: Buffer): {broker: MuxBroker; response: HostResponse} {
    const response: HostResponse = {status: 200, body: []};
    const broker = {
        dial(id: number) {
            const [plugin, host] = pair();
            const ack = Buffer.alloc(4);
            ack.writeUInt32LE(id);
            host.write(ack);
            if (id === c.responseWriterStream) {
                new RpcServer(host, (m) => {
                    const ok = {type: emptyStruct, value: {}};
                    switch (m) {
                        case 'Plugin.SyncHeader':
                            return (h) => ((response.header = h as Record<string, string[]>), ok);
                        case 'Plugin.WriteHeader':
                            return (code) => ((response.status = Number(code)), {type: t.int, value: 0});
                        case 'Plugin.Write':
                            return (b) => (response.body.push(Buffer.from(b as Uint8Array)), {type: t.int, value: (b as Uint8Array).length});
                        default:
                            return undefined;
                    }
                });
            } else if (id === c.requestBodyStream) {
                let asked = Buffer.alloc(0);
                host.on('data', (chunk: Buffer) => {
                    asked = Buffer.concat([asked, chunk]);
                    if (readUvarint(asked) !== undefined) {
                        host.end(body);
                    }
                });
            } else {
                throw new Error(`dial of unexpected stream ${id}`);
            }
            return {stream: plugin, ack};
        },
    };
    return {broker: broker as unknown as MuxBroker, response};
}

describe('serveHTTP replays each line\'s request into a Node handler', () => {
    for (const fx of fixtures) {
        for (const c of fx.cases) {
            it(`${fx.module} ${c.name}`, async () => {
                const args = decodeArgs(c) as ServeHTTPArgs;
                const body = c.requestBodyStream ? Buffer.from('{"word":"déploy ✓"}') : Buffer.alloc(0);
                const {broker, response} = fakeHost(c, body);
                let seen: {method?: string; url?: string; headers: Record<string, string | string[] | undefined>; body: string} | undefined;
                await serveHTTP(broker, args, (req: IncomingMessage, res: ServerResponse) => {
                    const chunks: Buffer[] = [];
                    req.on('data', (d: Buffer) => chunks.push(d));
                    req.on('end', () => {
                        seen = {method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8')};
                        res.statusCode = 201;
                        res.setHeader('X-Seen', c.name);
                        res.end(`ok ${c.name}`);
                    });
                });
                expect(seen).toBeDefined();
                expect(seen!.method).toBe(c.request.Method);
                expect(seen!.url).toBe(c.request.URL);
                expect(seen!.headers.host).toBe(c.request.Host);
                for (const [name, values] of Object.entries(c.request.Header)) {
                    const got = seen!.headers[name.toLowerCase()];
                    const want = (values ?? []).join(', ');
                    // Node reads header bytes as latin1; the bridge wrote the UTF-8 bytes.
                    expect(got === undefined ? undefined : Buffer.from(String(got), 'latin1').toString('utf8')).toBe(values?.length ? want : undefined);
                }
                expect(seen!.body).toBe(body.toString('utf8'));
                expect(response.status).toBe(201);
                expect(response.header?.['X-Seen']).toEqual([c.name]);
                expect(Buffer.concat(response.body).toString()).toBe(`ok ${c.name}`);
            });
        }
    }
});
