// The plugin side of hashicorp/go-plugin's netrpc protocol: cookie check, handshake line, one yamux server
// session over the host's single connection, the control stream (Control.*, Dispenser.*), and the mux broker.
import {unlinkSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {t} from './gob/index.js';
import {MuxBroker} from './muxbroker.js';
import {emptyStruct, RpcServer, type RpcMethod} from './netrpc.js';
import {Session, type Stream} from './yamux/index.js';

export interface HandshakeConfig {
    /** Environment variable the host sets; without it we are not running under a host. */
    magicCookieKey: string;
    magicCookieValue: string;
    /** The application protocol version this plugin speaks. */
    protocolVersion: number;
}

/** Serves one dispensed plugin on a broker stream we accept. */
export type DispenseHandler = (stream: Stream, broker: MuxBroker) => void;

export interface ServeOptions {
    handshake: HandshakeConfig;
    /** Dispense name (Mattermost: "hooks") → what serves it. */
    plugins: Record<string, DispenseHandler>;
    /** Where a person running the binary by hand is told what went wrong. */
    stderr?: NodeJS.WritableStream;
    stdout?: NodeJS.WritableStream;
    env?: NodeJS.ProcessEnv;
    /** Called when the host asked us to quit or went away; the default exits the process. */
    onExit?: (code: number) => void;
    log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export class HandshakeError extends Error {
    override readonly name = 'HandshakeError';
}

export const notAPluginMessage =
    'This binary is a plugin. These are not meant to be executed directly.\n' +
    'Please execute the program that consumes these plugins, which will\n' +
    'load any plugins automatically\n';

/** Picks the highest app protocol version both sides speak, like go-plugin's protocolVersion(). */
function negotiateVersion(env: NodeJS.ProcessEnv, ours: number): number {
    const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? '')
        .split(',')
        .map((v) => Number.parseInt(v.trim(), 10))
        .filter((v) => Number.isFinite(v));
    if (offered.length === 0 || offered.includes(ours)) {
        return ours;
    }
    throw new HandshakeError(
        `plugin protocol version ${ours} is not among those the host accepts (${env.PLUGIN_PROTOCOL_VERSIONS})`,
    );
}

/** How many taken socket names listen() skips before it gives up (Go's os.CreateTemp tries 10 000). */
const SOCKET_NAME_TRIES = 100;

/**
 * A socket name like the one go-plugin makes with os.CreateTemp(dir, "plugin"): random, not secret. The
 * name need not be unguessable: bind never follows or replaces what is at the path (a file, a socket or a
 * symlink someone put there makes it fail with EADDRINUSE, and listen() takes another name), and the
 * directory's permissions are what guard the socket. Math.random rather than node:crypto, whose module
 * initialisation cost ≈ 5 ms of CPU before the handshake line, all of it for this one name.
 */
function socketName(): string {
    return `plugin${process.pid}_${Math.floor(Math.random() * 0x100000000)}`;
}

function listen(env: NodeJS.ProcessEnv): Promise<{server: net.Server; network: string; address: string}> {
    return new Promise((resolve, reject) => {
        const server = net.createServer({noDelay: true});
        if (process.platform === 'win32') {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
                const addr = server.address() as net.AddressInfo;
                resolve({server, network: 'tcp', address: `127.0.0.1:${addr.port}`});
            });
            return;
        }
        const dir = env.PLUGIN_UNIX_SOCKET_DIR || os.tmpdir();
        let tries = 0;
        let socketPath = '';
        const attempt = (): void => {
            tries++;
            socketPath = path.join(dir, socketName());
            server.listen(socketPath);
        };
        const onError = (err: NodeJS.ErrnoException): void => {
            if (err.code === 'EADDRINUSE' && tries < SOCKET_NAME_TRIES) {
                attempt();
                return;
            }
            server.off('error', onError);
            reject(err);
        };
        server.on('error', onError);
        server.once('listening', () => {
            server.off('error', onError);
            // Ours now: removed when the server closes (a path we did not bind is never touched).
            const bound = socketPath;
            server.once('close', () => {
                try {
                    unlinkSync(bound);
                } catch {
                    // already gone
                }
            });
            resolve({server, network: 'unix', address: bound});
        });
        attempt();
    });
}

/**
 * Runs the plugin until the host quits it or goes away. Resolves once the handshake line is out, so that
 * callers can defer heavy initialisation until after the host's 3-second start timeout is safe.
 */
export async function serve(options: ServeOptions): Promise<void> {
    const env = options.env ?? process.env;
    const stderr = options.stderr ?? process.stderr;
    const stdout = options.stdout ?? process.stdout;
    const exit = options.onExit ?? ((code: number) => process.exit(code));
    const log = options.log ?? (() => undefined);
    const {handshake} = options;

    if (env[handshake.magicCookieKey] !== handshake.magicCookieValue) {
        stderr.write(notAPluginMessage);
        exit(1);
        return;
    }
    let version: number;
    try {
        version = negotiateVersion(env, handshake.protocolVersion);
    } catch (err) {
        stderr.write(`${(err as Error).message}\n`);
        exit(1);
        return;
    }

    const {server, network, address} = await listen(env);
    let exiting = false;
    const shutdown = (code: number): void => {
        if (exiting) {
            return;
        }
        exiting = true;
        server.close();
        exit(code);
    };

    server.on('connection', (socket) => {
        socket.setNoDelay(true);
        socket.setKeepAlive(true);
        const session = new Session(socket, {client: false});
        const broker = new MuxBroker(session);
        let accepted = 0;
        session.on('error', (err: Error) => log('warn', `yamux session: ${err.message}`));
        session.on('close', () => {
            // The host closed the connection: it killed us or is going away. A Go plugin exits here too.
            shutdown(0);
        });
        session.on('stream', (stream: Stream) => {
            stream.on('error', () => undefined);
            accepted++;
            if (accepted === 1) {
                // Give the Quit reply time to reach the socket: the host waits 2 s before it kills us anyway.
                serveControl(stream, broker, options.plugins, () => setTimeout(() => shutdown(0), 50));
            } else if (accepted <= 3) {
                // stdout and stderr: the host copies whatever we write into its log. We log via the API and
                // fd 2 instead, but must keep these open and drained.
                stream.resume();
            } else {
                broker.handleIncoming(stream);
            }
        });
    });

    stdout.write(`1|${version}|${network}|${address}|netrpc|\n`);
}

function serveControl(
    stream: Stream,
    broker: MuxBroker,
    plugins: Record<string, DispenseHandler>,
    quit: () => void,
): void {
    const ok = {type: emptyStruct, value: {}};
    const methods: Record<string, RpcMethod> = {
        'Control.Ping': () => ok,
        'Control.Quit': () => {
            quit();
            return ok;
        },
        'Dispenser.Dispense': (name: unknown) => {
            const handler = typeof name === 'string' ? plugins[name] : undefined;
            if (!handler) {
                throw new Error(`unknown plugin type: ${String(name)}`);
            }
            const id = broker.nextId();
            broker.accept(id).then(
                (s) => handler(s, broker),
                () => undefined,
            );
            return {type: t.uint, value: id};
        },
    };
    new RpcServer(stream, (m) => methods[m]);
}
