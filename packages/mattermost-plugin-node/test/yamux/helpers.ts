// Shared helpers for the yamux tests: socket pairs, a raw frame peer, a wire tap, and the
// Go peer (test/conformance/cmd/yamuxpeer, built by the vitest global setup).
import {spawn} from 'node:child_process';
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {Duplex} from 'node:stream';
import {fileURLToPath} from 'node:url';

import {encodeHeader, FrameDecoder, FrameType, Session} from '../../src/transport/yamux/index.js';
import type {SessionOptions} from '../../src/transport/yamux/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const yamuxPeerBin = path.resolve(here, '../../../../test/conformance/build/bin/yamuxpeer');

export interface Frame {
    type: number;
    flags: number;
    streamId: number;
    length: number;
    payload: Buffer; // Data frames only (empty otherwise)
    at: number; // performance.now() when complete
    seq: number; // global order across all logs (sent vs received)
}

let seqCounter = 0;

export function frame(type: number, flags: number, streamId: number, length: number, payload?: Buffer): Buffer {
    const h = encodeHeader(type, flags, streamId, length);
    return payload ? Buffer.concat([h, payload]) : h;
}

export function pattern(n: number, seed = 0): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
        b[i] = (i + seed) % 251;
    }
    return b;
}

/** Collects decoded frames from a byte source, with async waiting. */
export class FrameLog {
    readonly frames: Frame[] = [];
    errors: Error[] = [];
    private readonly decoder: FrameDecoder;
    private cur: Frame | null = null;
    private parts: Buffer[] = [];
    private waiters: Array<() => void> = [];

    constructor(private readonly keepPayload = true) {
        this.decoder = new FrameDecoder({
            onFrame: (type, flags, streamId, length) => {
                const f: Frame = {type, flags, streamId, length, payload: Buffer.alloc(0), at: performance.now(), seq: 0};
                if (type === FrameType.Data && length > 0) {
                    this.cur = f;
                    this.parts = [];
                } else {
                    this.add(f);
                }
            },
            onData: (piece, last) => {
                if (this.keepPayload) {
                    this.parts.push(Buffer.from(piece));
                }
                if (last && this.cur) {
                    const f = this.cur;
                    this.cur = null;
                    f.payload = this.keepPayload ? Buffer.concat(this.parts) : Buffer.alloc(0);
                    f.at = performance.now();
                    this.parts = [];
                    this.add(f);
                }
            },
            onError: (err) => {
                this.errors.push(err);
                this.notify();
            },
        });
    }

    write(chunk: Buffer): void {
        this.decoder.write(chunk);
    }

    private add(f: Frame): void {
        f.seq = ++seqCounter;
        this.frames.push(f);
        this.notify();
    }

    private notify(): void {
        const w = this.waiters;
        this.waiters = [];
        for (const fn of w) {
            fn();
        }
    }

    /** Data bytes seen on a stream (or all streams). */
    dataBytes(streamId?: number): number {
        let n = 0;
        for (const f of this.frames) {
            if (f.type === FrameType.Data && (streamId === undefined || f.streamId === streamId)) {
                n += f.length;
            }
        }
        return n;
    }

    count(pred: (f: Frame) => boolean): number {
        return this.frames.filter(pred).length;
    }

    /** Resolves once `cond()` holds (re-checked on every frame). */
    async waitCond(cond: () => boolean, timeoutMs = 2000): Promise<void> {
        await waitUntil(() => (cond() ? true : undefined), timeoutMs, (fn) => this.waiters.push(fn), 'condition');
    }

    /** Resolves with the first frame (from index `from`) matching `pred`. */
    async waitFor(pred: (f: Frame) => boolean, timeoutMs = 2000, from = 0): Promise<Frame> {
        return waitUntil(() => this.frames.slice(from).find(pred), timeoutMs, (fn) => this.waiters.push(fn), 'frame');
    }
}

async function waitUntil<T>(
    probe: () => T | undefined,
    timeoutMs: number,
    subscribe: (fn: () => void) => void,
    what: string,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = probe();
        if (v !== undefined) {
            return v;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, left);
            subscribe(() => {
                clearTimeout(t);
                resolve();
            });
        });
    }
}

/** Records every frame written to and read from `conn` (install before creating the Session). */
export class WireTap {
    readonly sent = new FrameLog(false);
    readonly received = new FrameLog(false);
    writeCalls = 0;

    constructor(conn: Duplex) {
        const orig = conn.write.bind(conn) as (...args: unknown[]) => boolean;
        (conn as unknown as {write: (...args: unknown[]) => boolean}).write = (...args: unknown[]) => {
            this.writeCalls++;
            const chunk = args[0];
            if (Buffer.isBuffer(chunk)) {
                this.sent.write(chunk);
            }
            return orig(...args);
        };
        conn.on('data', (chunk: Buffer) => this.received.write(chunk));
    }
}

const tmpDirs: string[] = [];

export function tmpSocketPath(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'yamux-test-'));
    tmpDirs.push(dir);
    return path.join(dir, 's.sock');
}

export function removeTmpDirs(): void {
    for (const d of tmpDirs.splice(0)) {
        rmSync(d, {recursive: true, force: true});
    }
}

/** A connected pair of real unix sockets. */
export async function socketPair(): Promise<{a: net.Socket; b: net.Socket; close: () => void}> {
    const p = tmpSocketPath();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(p, resolve));
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const a = net.connect(p);
    await new Promise<void>((resolve) => a.once('connect', resolve));
    const b = await accepted;
    server.close();
    return {
        a,
        b,
        close: () => {
            a.destroy();
            b.destroy();
        },
    };
}

/** In-memory duplex pair (delivery on the next tick), for fast fuzzing. */
export function memoryPair(): [Duplex, Duplex] {
    let a!: Duplex;
    let b!: Duplex;
    const mk = (other: () => Duplex): Duplex =>
        new Duplex({
            read() {},
            write(chunk: Buffer, _enc, cb) {
                process.nextTick(() => other().push(chunk));
                cb();
            },
            final(cb) {
                process.nextTick(() => other().push(null));
                cb();
            },
        });
    a = mk(() => b);
    b = mk(() => a);
    return [a, b];
}

/** A TS session connected to a raw socket that the test drives frame by frame. */
export async function rawPair(opts: SessionOptions): Promise<{
    session: Session;
    raw: net.Socket;
    conn: net.Socket;
    log: FrameLog;
    send: (buf: Buffer) => void;
    close: () => void;
}> {
    const {a, b, close} = await socketPair();
    const session = new Session(a, opts);
    const log = new FrameLog();
    b.on('data', (c: Buffer) => log.write(c));
    b.on('error', () => undefined);
    return {session, raw: b, conn: a, log, send: (buf) => b.write(buf), close};
}

interface PeerProcess {
    conn: net.Socket;
    proc: ChildProcess;
    lines: string[];
    stderr: () => string;
    waitLine: (re: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
    waitStderr: (re: RegExp, timeoutMs?: number) => Promise<void>;
    exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
    /** Waits for the Go process; throws if it did not exit 0 in time. */
    waitExit: (timeoutMs?: number) => Promise<void>;
}

export interface GoPeer extends PeerProcess {
    session: Session;
    tap: WireTap;
    /** Closes the TS session and waits for the Go process; throws if it did not exit 0. */
    finish: (timeoutMs?: number) => Promise<void>;
}

export interface RawGoPeer extends PeerProcess {
    log: FrameLog;
    send: (buf: Buffer) => void;
}

const procs: PeerProcess[] = [];
const sessions: Session[] = [];

/** Spawns yamuxpeer with `scenario` and returns the accepted unix socket connection. */
async function spawnPeer(scenario: string, goRole: 'client' | 'server', args: string[]): Promise<PeerProcess> {
    if (!existsSync(yamuxPeerBin)) {
        throw new Error(`yamuxpeer not built at ${yamuxPeerBin} (vitest global setup builds it)`);
    }
    const sockPath = tmpSocketPath();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sockPath, resolve));
    const proc = spawn(yamuxPeerBin, ['-scenario', scenario, '-role', goRole, '-socket', sockPath, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    let lineWaiters: Array<() => void> = [];
    let partial = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (s: string) => {
        partial += s;
        const parts = partial.split('\n');
        partial = parts.pop()!;
        lines.push(...parts);
        const w = lineWaiters;
        lineWaiters = [];
        w.forEach((fn) => fn());
    });
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (s: string) => {
        stderr += s;
        const w = lineWaiters;
        lineWaiters = [];
        w.forEach((fn) => fn());
    });
    let done = false;
    const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
        proc.once('exit', (code, signal) => {
            done = true;
            const w = lineWaiters;
            lineWaiters = [];
            w.forEach((fn) => fn());
            resolve({code, signal});
        });
    });
    const report = (): string => `\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;

    let conn: net.Socket;
    try {
        conn = await new Promise<net.Socket>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`yamuxpeer did not connect${report()}`)), 5000);
            server.once('connection', (c) => {
                clearTimeout(t);
                resolve(c);
            });
        });
    } finally {
        server.close();
    }

    const waitLine = async (re: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> => {
        try {
            return await waitUntil(
                () => {
                    for (const l of lines) {
                        const m = l.match(re);
                        if (m) {
                            return m;
                        }
                    }
                    if (done) {
                        throw new Error(`yamuxpeer exited before ${re}`);
                    }
                    return undefined;
                },
                timeoutMs,
                (fn) => lineWaiters.push(fn),
                `line ${re}`,
            );
        } catch (err) {
            throw new Error(`${(err as Error).message}${report()}`);
        }
    };

    const waitStderr = async (re: RegExp, timeoutMs = 5000): Promise<void> => {
        try {
            await waitUntil(() => (re.test(stderr) ? true : undefined), timeoutMs, (fn) => lineWaiters.push(fn), `stderr ${re}`);
        } catch (err) {
            throw new Error(`${(err as Error).message}${report()}`);
        }
    };

    const waitExit = async (timeoutMs = 5000): Promise<void> => {
        let timer: NodeJS.Timeout | undefined;
        const r = await Promise.race([
            exited,
            new Promise<'timeout'>((resolve) => {
                timer = setTimeout(() => resolve('timeout'), timeoutMs);
            }),
        ]);
        clearTimeout(timer);
        if (r === 'timeout') {
            proc.kill('SIGKILL');
            throw new Error(`yamuxpeer did not exit${report()}`);
        }
        if (r.code !== 0) {
            throw new Error(`yamuxpeer exited ${r.code ?? r.signal}${report()}`);
        }
    };

    const p: PeerProcess = {conn, proc, lines, stderr: () => stderr, waitLine, waitStderr, exited, waitExit};
    procs.push(p);
    return p;
}

/**
 * Starts yamuxpeer with `scenario` and a TS Session on the connection. `goRole` is the Go
 * side's yamux role; the TS session takes the other one.
 */
export async function startGoPeer(
    scenario: string,
    goRole: 'client' | 'server',
    opts: {args?: string[]; session?: Partial<SessionOptions>} = {},
): Promise<GoPeer> {
    const p = await spawnPeer(scenario, goRole, opts.args ?? []);
    const tap = new WireTap(p.conn);
    const session = new Session(p.conn, {client: goRole === 'server', keepAliveIntervalMs: 0, ...opts.session});
    sessions.push(session);
    const finish = async (timeoutMs = 5000): Promise<void> => {
        session.close();
        await p.waitExit(timeoutMs);
    };
    return {...p, session, tap, finish};
}

/** Starts yamuxpeer with `scenario`; the test speaks raw frames on the connection. */
export async function startRawGoPeer(scenario: string, goRole: 'client' | 'server', args: string[] = []): Promise<RawGoPeer> {
    const p = await spawnPeer(scenario, goRole, args);
    const log = new FrameLog();
    p.conn.on('data', (c: Buffer) => log.write(c));
    p.conn.on('error', () => undefined);
    return {...p, log, send: (buf) => p.conn.write(buf)};
}

/** Kills any Go peer still running (by its own pid), closes sessions, removes temp dirs. */
export function cleanupPeers(): void {
    for (const s of sessions.splice(0)) {
        s.close();
    }
    for (const p of procs.splice(0)) {
        if (p.proc.exitCode === null && p.proc.signalCode === null) {
            p.proc.kill('SIGKILL');
        }
        p.conn.destroy();
    }
    removeTmpDirs();
}

/** Reads a stream to its end. */
export function readAll(stream: Duplex): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.once('end', () => resolve(Buffer.concat(parts)));
        stream.once('error', reject);
        stream.once('close', () => reject(new Error('stream closed before end')));
    });
}

export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
        const on = (v: T): void => {
            clearTimeout(t);
            resolve(v);
        };
        const t = setTimeout(() => {
            emitter.off(event, on);
            reject(new Error(`timed out waiting for '${event}'`));
        }, timeoutMs);
        emitter.once(event, on);
    });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
