// Drives the hooks server the way the host does: net/rpc calls over an in-memory stream, with a
// stand-in mux broker whose streams the test plays the host's side of.
import {Duplex} from 'node:stream';

import {serveHooks} from '../../src/mattermost/hooks.js';
import type {PluginAPI} from '../../src/mattermost/api.js';
import type {MuxBroker} from '../../src/transport/muxbroker.js';
import {RpcClient, type RpcServer} from '../../src/transport/netrpc.js';
import type {Stream} from '../../src/transport/yamux/index.js';

import {pair} from '../support/memory_pair.js';

export {pair};

export interface LogLine {
    level: string;
    message: string;
    kv: unknown[];
}

/** The host's end of a broker stream the plugin dialled (the 4-byte ack already sent). */
export type HostStreamHandler = (host: Duplex) => void;

export interface HooksUnderTest {
    client: RpcClient;
    logs: LogLine[];
    /** Ids the plugin dialled, in order. */
    dialled: number[];
    server: RpcServer;
    close(): void;
}

/** Starts serveHooks for `plugin`; `hostStreams` plays the host's side of each broker id. */
export function startHooks(plugin: object, hostStreams: Record<number, HostStreamHandler> = {}): HooksUnderTest {
    const [hostEnd, pluginEnd] = pair();
    const logs: LogLine[] = [];
    const dialled: number[] = [];
    const opened: Duplex[] = [hostEnd, pluginEnd];
    const broker = {
        dial(id: number) {
            dialled.push(id);
            const [p, h] = pair();
            opened.push(p, h);
            const ack = Buffer.alloc(4);
            ack.writeUInt32LE(id);
            h.write(ack);
            hostStreams[id]?.(h);
            return {stream: p, ack};
        },
    } as unknown as MuxBroker;
    const target = Object.assign(plugin, {setAPI: (_api: PluginAPI) => undefined});
    const server = serveHooks(target, pluginEnd as unknown as Stream, broker, (level, message, ...kv) => logs.push({level, message, kv}));
    const client = new RpcClient(hostEnd);
    return {
        client,
        logs,
        dialled,
        server,
        close() {
            client.close();
            server.close();
            for (const s of opened) {
                s.destroy();
            }
        },
    };
}

/** Go's binary.ReadVarint over the first bytes of buf, or undefined if incomplete. */
export function readVarint(buf: Buffer): number | undefined {
    let ux = 0n;
    let s = 0n;
    for (const b of buf) {
        ux |= BigInt(b & 0x7f) << s;
        if (b < 0x80) {
            const x = ux >> 1n;
            return Number(ux & 1n ? ~x : x);
        }
        s += 7n;
    }
    return undefined;
}

/** The host's serveIOReader: answers each size request with up to that many bytes, closes at the end. */
export function serveIOReader(content: Buffer): HostStreamHandler {
    return (host) => {
        let pending = Buffer.alloc(0);
        let offset = 0;
        host.on('data', (chunk: Buffer) => {
            pending = Buffer.concat([pending, chunk]);
            const n = readVarint(pending);
            if (n === undefined) {
                return;
            }
            pending = Buffer.alloc(0);
            const part = content.subarray(offset, offset + n);
            offset += part.length;
            host.write(part);
            if (part.length < n) {
                host.end();
            }
        });
    };
}

/** Collects everything the plugin writes to a stream, resolved when the plugin closes it. */
export function collect(into: {data?: Promise<Buffer>}): HostStreamHandler {
    return (host) => {
        into.data = new Promise((resolve) => {
            const chunks: Buffer[] = [];
            host.on('data', (c: Buffer) => chunks.push(c));
            host.on('end', () => resolve(Buffer.concat(chunks)));
        });
    };
}
